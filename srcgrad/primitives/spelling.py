"""How primitives are written in Python: operator symbols, spellings per
namespace, and the literals and module names generated code writes.
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from srcgrad.ir import EmitContext

BINARY_OPERATORS: dict[str, tuple[type[ast.operator], Callable[..., Any]]] = {
    "+": (ast.Add, operator.add),
    "-": (ast.Sub, operator.sub),
    "*": (ast.Mult, operator.mul),
    "/": (ast.Div, operator.truediv),
    "//": (ast.FloorDiv, operator.floordiv),
    "%": (ast.Mod, operator.mod),
    "**": (ast.Pow, operator.pow),
    "@": (ast.MatMult, operator.matmul),
    "&": (ast.BitAnd, operator.and_),
    "|": (ast.BitOr, operator.or_),
    "^": (ast.BitXor, operator.xor),
}
UNARY_OPERATORS: dict[str, tuple[type[ast.unaryop], Callable[..., Any]]] = {
    "-": (ast.USub, operator.neg),
    "not": (ast.Not, operator.not_),
    "~": (ast.Invert, operator.invert),
}
COMPARISON_OPERATORS: dict[str, tuple[type[ast.cmpop], Callable[..., Any]]] = {
    "<": (ast.Lt, operator.lt),
    "<=": (ast.LtE, operator.le),
    ">": (ast.Gt, operator.gt),
    ">=": (ast.GtE, operator.ge),
    "==": (ast.Eq, operator.eq),
    "!=": (ast.NotEq, operator.ne),
}


@dataclass(frozen=True)
class CustomSpelling:
    """A spelling that is not a plain call, e.g. ``math.copysign(1.0, x)``."""

    emit: Callable[[Sequence[ast.expr], EmitContext], ast.expr]
    evaluate: Callable[..., object]


@dataclass(frozen=True)
class Spelling:
    """How one namespace writes a primitive, and what else users call it.

    Attributes:
        written: the name generated code calls (an operator symbol in the
            ``operator`` namespace), or a ``CustomSpelling``.
        also: other names of the same function users may call: NumPy's
            ``arcsin`` is also ``asin``. In the ``operator`` namespace they
            are builtins meaning the operator (``pow(x, y)`` is ``x ** y``).
    """

    written: str | CustomSpelling
    also: tuple[str, ...] = ()

    @property
    def names(self) -> tuple[str, ...]:
        """Every name users may call the function by in its module."""
        own = (self.written,) if isinstance(self.written, str) else ()
        return own + self.also


def module_expression(namespace: str, context: EmitContext) -> ast.expr:
    """The module a namespace names, as generated code reads it: ``np`` for
    ``numpy``, and ``np.linalg`` for ``numpy.linalg``, a submodule read as an
    attribute of its package's binding (so the code imports ``numpy`` alone)."""
    package, *submodules = namespace.split(".")
    module = context.module(package)
    for name in submodules:
        module = ast.Attribute(module, name, ast.Load())
    return module


def literal(value: object) -> ast.expr:
    """An option's value as Python: ``0``, ``-1``, ``(0, 1)``, ``True``."""
    if isinstance(value, tuple):
        return ast.Tuple([literal(item) for item in value], ast.Load())
    if isinstance(value, int) and not isinstance(value, bool) and value < 0:
        return ast.UnaryOp(ast.USub(), ast.Constant(-value))
    return ast.Constant(value)  # type: ignore[arg-type]
