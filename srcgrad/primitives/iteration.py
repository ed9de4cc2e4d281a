"""Builtins that count and iterate: ``range``, ``len``, ``zip``, ``enumerate``,
``reversed``, ``sum`` of a sequence and ``round(x, ndigits)``.

They compute integers and sequences, not real numbers. None is in the
numeric table ``PRIMITIVES``; the frontend lowers their calls (mostly in a
``for`` header) and reverse mode's tapes use ``zip`` and ``reversed``.
Their operands are integers or sequences: one that depends on ``wrt`` (a
``range`` bound computed from ``x``) is an error, never a silent zero.
"""

from __future__ import annotations

import ast
from collections.abc import Sequence
from types import MappingProxyType

from srcgrad.ir import EmitContext, Value
from srcgrad.ir.types import INT, OTHER, REAL, Array, ListOf, Type
from srcgrad.primitives.primitive import (
    Cotangents,
    CustomSpelling,
    Primitive,
    RuleBuilder,
    Tangents,
)


def _builtin(
    name: str, arity: int | None, one_shot: bool = False, gives: Type = OTHER
) -> Primitive:
    return Primitive(
        name,
        arity,
        {"builtins": name},
        None,
        None,
        (),
        zero_derivative=True,
        integer_operands=True,
        one_shot=one_shot,
        result_type=lambda types, attributes: gives,
    )


RANGE = _builtin("range", None)
LEN = _builtin("len", 1, gives=INT)
# Iterators: a second loop over the same one would find it used up.
ZIP = _builtin("zip", None, one_shot=True)
ENUMERATE = _builtin("enumerate", None, one_shot=True)
REVERSED = _builtin("reversed", 1, one_shot=True)


#: ``sum(sequence[, start])`` of a sequence of numbers passed in (inactive data).
def _sum_vjp(
    e: RuleBuilder, g: Value, args: tuple[Value, ...], out: Value
) -> Cotangents:
    # sum(data, start) = start + data[0] + ...: d/dstart = 1; data is data.
    return (None, g) if len(args) == 2 else (None,)


def _sum_jvp(
    e: RuleBuilder, t: Tangents, args: tuple[Value, ...], out: Value
) -> Value | None:
    return t[1] if len(t) == 2 else None


#: ``sum(data[, start])``: the data are numbers f does not differentiate
#: with respect to; the start may be anything.
SUM = Primitive(
    "sum",
    None,
    {"builtins": "sum"},
    _sum_vjp,
    _sum_jvp,
    (),
    integer_operands=True,
    differentiable_operands=(1,),
    result_type=lambda types, attributes: _sum_type(types),
)


def _sum_type(types: Sequence[Type | None]) -> Type | None:
    """``sum(rows)`` of an array adds its rows; of a list, its numbers."""
    sequence = types[0]
    if isinstance(sequence, ListOf):  # passes.lists makes it a list's sum
        item = None if sequence.empty else sequence.item
        return REAL if item is None else item
    if isinstance(sequence, Array):
        rows = sequence.dims[1:]
        return Array(sequence.kind, rows) if rows else REAL
    return REAL if sequence is not None else None


def _sum_of(start: object, *items: object) -> object:
    return sum(items, start)  # type: ignore[call-overload]


def _emit_sum_of(args: Sequence[ast.expr], context: EmitContext) -> ast.expr:
    start, *items = args
    operands: list[ast.expr] = [ast.Tuple(list(items), ast.Load())]
    if not (isinstance(start, ast.Constant) and start.value == 0):
        operands.append(start)
    return ast.Call(context.builtin("sum"), operands, [])


def _sum_of_vjp(
    e: RuleBuilder, g: Value, args: tuple[Value, ...], out: Value
) -> Cotangents:
    return (g,) * len(args)


def _sum_of_jvp(
    e: RuleBuilder, t: Tangents, args: tuple[Value, ...], out: Value
) -> Value | None:
    total: Value | None = None
    for tangent in t:
        total = e.add_tangents(total, tangent)
    return total


#: ``sum((a, b, c), start)`` of numbers written out, operands ``start, a, b,
#: c``. One op, not ``start + a + b + c``: from Python 3.12 ``sum`` of
#: floats is compensated and rounds differently from a chain of ``+``.
SUM_OF = Primitive(
    "sum_of",
    None,
    {"builtins": CustomSpelling(_emit_sum_of, _sum_of)},
    _sum_of_vjp,
    _sum_of_jvp,
    (),
    result_kind=None,
)
#: ``round(x, ndigits)``: a float, piecewise constant in ``x``.
ROUND_DIGITS = Primitive(
    "round_digits",
    2,
    {"builtins": "round"},
    None,
    None,
    (),
    zero_derivative=True,
)

ITERATION = MappingProxyType(
    {
        primitive.name: primitive
        for primitive in (RANGE, LEN, ZIP, ENUMERATE, REVERSED, SUM)
    }
)
