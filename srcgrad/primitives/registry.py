"""The one table of primitives, filled here and frozen.

``PRIMITIVES`` maps canonical names to primitives. ``spellings_in`` tells the
frontend which Python objects are which primitive, so ``np.arcsin``,
``from math import asin`` and ``np.asin`` all lower to ``asin``.
"""

from __future__ import annotations

import builtins
import math
from collections.abc import Iterator
from types import MappingProxyType, ModuleType

from srcgrad.primitives.arithmetic import ARITHMETIC
from srcgrad.primitives.elementwise import ELEMENTWISE
from srcgrad.primitives.table import Primitive

PRIMITIVES: MappingProxyType[str, Primitive] = MappingProxyType(
    {primitive.name: primitive for primitive in (*ARITHMETIC, *ELEMENTWISE)}
)

#: Other NumPy names for the same functions (NumPy 2 adds the ``math`` names).
_NUMPY_ALIASES = {
    "absolute": "abs",
    "fabs": "abs",
    "true_divide": "div",
    "asin": "asin",
    "acos": "acos",
    "atan": "atan",
    "atan2": "atan2",
    "asinh": "asinh",
    "acosh": "acosh",
    "atanh": "atanh",
    "pow": "pow",
}

#: Builtins that are primitives: ``pow(x, y)`` is ``x ** y``.
_BUILTINS = {"abs": ("abs", "builtins"), "pow": ("pow", "operator")}


def spellings_in(module: ModuleType) -> Iterator[tuple[object, Primitive, str]]:
    """Each ``(function object, primitive, namespace)`` that ``module`` holds.

    ``module`` is ``math``, ``numpy`` or ``builtins``; the namespace is the
    one generated code will call the derivative's functions from.
    """
    if module is builtins:
        for builtin, (canonical, namespace) in _BUILTINS.items():
            yield getattr(builtins, builtin), PRIMITIVES[canonical], namespace
        return
    namespace = "math" if module is math else "numpy"
    for primitive in PRIMITIVES.values():
        name = primitive.spellings.get(namespace)
        if isinstance(name, str) and hasattr(module, name):
            yield getattr(module, name), primitive, namespace
    if namespace == "numpy":
        for spelling, name in _NUMPY_ALIASES.items():
            if hasattr(module, spelling):
                yield getattr(module, spelling), PRIMITIVES[name], namespace
