"""What a primitive is: its Python spellings, its evaluation, its rules.

A ``Primitive`` is an IR op definition with mathematics attached. Each one
declares, side by side:

* how it is written in Python, per namespace (``operator`` for ``x ** y``,
  ``math`` for ``math.pow``, ``numpy`` for ``np.power``);
* its JVP: tangents of the operands in, tangent of the result out;
* its VJP: cotangent of the result in, cotangents of the operands out.

Rules are ordinary functions over IR values built through a
``RuleEmitter``, so the ops they create are optimised, printed and even
differentiated again like any other op.
"""

from __future__ import annotations

import ast
import builtins
import math
import operator
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from srcgrad.ir import EmitContext, Value

if TYPE_CHECKING:
    from srcgrad.primitives.emitter import RuleEmitter

#: Cotangents (or tangents) of the operands; None where there is none.
Cotangents = tuple["Value | None", ...]
VjpRule = Callable[["RuleEmitter", Value, tuple[Value, ...], Value], Cotangents]
JvpRule = Callable[
    ["RuleEmitter", tuple["Value | None", ...], tuple[Value, ...], Value],
    "Value | None",
]

_BINARY_OPERATORS: dict[str, tuple[type[ast.operator], Callable[..., Any]]] = {
    "+": (ast.Add, operator.add),
    "-": (ast.Sub, operator.sub),
    "*": (ast.Mult, operator.mul),
    "/": (ast.Div, operator.truediv),
    "//": (ast.FloorDiv, operator.floordiv),
    "**": (ast.Pow, operator.pow),
}
_UNARY_OPERATORS: dict[str, tuple[type[ast.unaryop], Callable[..., Any]]] = {
    "-": (ast.USub, operator.neg),
}


@dataclass(frozen=True)
class CustomSpelling:
    """A spelling that is not a plain call, e.g. ``math.copysign(1.0, x)``."""

    emit: Callable[[Sequence[ast.expr], EmitContext], ast.expr]
    evaluate: Callable[..., object]


@dataclass(frozen=True, eq=False)
class Primitive:
    """An op with a Python spelling and derivative rules.

    Attributes:
        name: canonical name, as the IR prints it (``asin``, not ``arcsin``).
        arity: number of operands, or None for a variadic one (``hypot``).
        spellings: namespace -> function name (or operator symbol for the
            ``operator`` namespace, or a ``CustomSpelling``). Only namespaces
            that have the primitive are listed.
        vjp, jvp: the derivative rules; None for a primitive whose
            derivative is zero wherever it exists (``floordiv``, ``sign``),
            which says so with ``zero_derivative``.
        domain: per operand, an interval where tests may sample it.
        sympy_form: builds the SymPy expression of the primitive, given the
            ``sympy`` module and symbols; elementwise rules derive from it.
        commutative: operands may be swapped (CSE uses this).
        needs_domain_check: namespaces in which the function raises
            outside its domain where its derivative would not (``math.log``
            raises for x <= 0, ``1/x`` does not): reverse mode keeps such an
            op in the gradient so the gradient raises where ``f`` does.
        zero_derivative: the derivative is zero wherever it exists, by
            declaration: reverse mode gives its operands no cotangent. A
            primitive with no rules that does not declare this cannot be
            differentiated, and reverse mode refuses it.
    """

    name: str
    arity: int | None
    spellings: Mapping[str, str | CustomSpelling]
    vjp: VjpRule | None
    jvp: JvpRule | None
    domain: tuple[tuple[float, float], ...]
    sympy_form: Callable[..., Any] | None = None
    commutative: bool = False
    needs_domain_check: frozenset[str] = frozenset()
    zero_derivative: bool = False
    pure: bool = True
    is_terminator: bool = False

    @property
    def differentiable(self) -> bool:
        return self.vjp is not None

    def emit(
        self,
        args: Sequence[ast.expr],
        attributes: Mapping[str, object],
        context: EmitContext,
    ) -> ast.expr:
        namespace = str(attributes["namespace"])
        spelling = self.spellings[namespace]
        if isinstance(spelling, CustomSpelling):
            return spelling.emit(args, context)
        if namespace == "operator":
            if len(args) == 1:
                return ast.UnaryOp(_UNARY_OPERATORS[spelling][0](), args[0])
            left, right = args
            return ast.BinOp(left, _BINARY_OPERATORS[spelling][0](), right)
        if namespace == "builtins":
            function = context.builtin(spelling)
        else:
            function = ast.Attribute(context.module(namespace), spelling, ast.Load())
        return ast.Call(function, list(args), [])

    def python_callable(self, namespace: str) -> Callable[..., Any]:
        """The Python function this primitive runs as in ``namespace``."""
        spelling = self.spellings[namespace]
        if isinstance(spelling, CustomSpelling):
            return spelling.evaluate
        if namespace == "operator":
            table = _UNARY_OPERATORS if self.arity == 1 else _BINARY_OPERATORS
            return table[spelling][1]
        if namespace == "builtins":
            return getattr(builtins, spelling)
        if namespace == "math":
            return getattr(math, spelling)
        import numpy

        return getattr(numpy, spelling)

    def evaluate(self, namespace: str, args: Sequence[object]) -> object:
        """Run the primitive on Python values (constant folding, tests)."""
        return self.python_callable(namespace)(*args)

    def __repr__(self) -> str:
        return f"Primitive({self.name})"
