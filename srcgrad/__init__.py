"""srcgrad: exact, fast, readable derivatives of numerical Python, as Python.

>>> import math, srcgrad
>>> @srcgrad.grad
... def f(x):
...     return math.cos(x**2)
"""

from srcgrad.api import cache_info, clear_cache, grad, source, value_and_grad
from srcgrad.custom import custom_jvp, custom_vjp
from srcgrad.errors import (
    ArraySizeError,
    CallError,
    DifferentiationError,
    NameResolutionError,
    NotRealError,
    SourceUnavailableError,
    SrcgradError,
    UnsupportedSyntaxError,
    ValueTypeError,
)
from srcgrad.jacobians import jacobian
from srcgrad.pictures import graph
from srcgrad.transforms import derivative, hessian, hvp, jvp, vjp

__version__ = "0.1.0"

__all__ = [
    "ArraySizeError",
    "CallError",
    "DifferentiationError",
    "NameResolutionError",
    "NotRealError",
    "SourceUnavailableError",
    "SrcgradError",
    "UnsupportedSyntaxError",
    "ValueTypeError",
    "__version__",
    "cache_info",
    "clear_cache",
    "custom_jvp",
    "graph",
    "custom_vjp",
    "derivative",
    "grad",
    "hessian",
    "hvp",
    "jacobian",
    "jvp",
    "source",
    "value_and_grad",
    "vjp",
]
