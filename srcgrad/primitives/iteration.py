"""Builtins that count and iterate: ``range``, ``len``, ``zip``, ``enumerate``,
``reversed``, ``sum`` of a sequence and ``round(x, ndigits)``.

They compute integers and sequences, not real numbers. None is in the
numeric table ``PRIMITIVES``; the frontend lowers their calls (mostly in a
``for`` header) and reverse mode's tapes use ``zip`` and ``reversed``.
Their operands are integers or sequences: one that depends on ``wrt`` (a
``range`` bound computed from ``x``) is an error, never a silent zero.
``sum(X)`` of an array is the exception: an array is a sequence of its
rows, and ``passes.lists`` makes it ``rows_sum``, whose rows each get the
sum's adjoint.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping, Sequence
from types import MappingProxyType

from srcgrad.ir import EmitContext, Value
from srcgrad.ir.types import (
    INT,
    OTHER,
    REAL,
    Array,
    ListOf,
    Scalar,
    Size,
    Type,
    TypeRuleError,
    broadcast,
    dims_of,
    join,
    kind_of,
    same_shape,
    wider,
)
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
    if isinstance(sequence, Array) and sequence.rank:  # passes.lists: rows_sum
        return _rows_sum_type([sequence, types[1] if len(types) == 2 else INT], {})
    return REAL if sequence is not None else None


def _rows_sum_type(
    types: Sequence[Type | None], attributes: Mapping[str, object]
) -> Type | None:
    """``start + X[0] + X[1] + ...``: ``start`` alone where ``X`` has no
    rows (either, where that is not known: ``sum(X[k:])``); a sum of
    booleans counts them."""
    array, start = types
    row = _row_type(array)
    start_kind = kind_of(start)
    if row is None or start_kind is None:
        return None
    kind = "int" if row.kind == "bool" else row.kind
    rows = broadcast(wider(kind, start_kind), [row, start])
    count = dims_of(array)[0]
    if count == 0:
        return start
    return rows if isinstance(count, (int, Size)) else join(rows, start)


def _row_type(type_: Type | None) -> Array | Scalar | None:
    """The type of a row of an array of ``type_`` (None if not known)."""
    if not isinstance(type_, Array) or not type_.rank:
        return None
    rows = type_.dims[1:]
    return Array(type_.kind, rows) if rows else Scalar(type_.kind)


def write_sum(
    args: Sequence[ast.expr], attributes: Mapping[str, object], context: EmitContext
) -> ast.expr:
    """``sum(xs)``, or ``sum(xs, start)`` where ``start`` is not 0."""
    xs, start = args
    given = [xs]
    if not (isinstance(start, ast.Constant) and start.value == 0):
        given.append(start)
    return ast.Call(context.builtin("sum"), given, [])


def _rows_sum_vjp(
    e: RuleBuilder, g: Value, args: tuple[Value, ...], out: Value
) -> Cotangents:
    # Elementwise: g may be smaller than a row (np.sum's adjoint is a
    # number), and broadcasts to every row of X as to start.
    row = _row_type(args[0].type)
    if row is None or not same_shape(row, broadcast("real", [row, args[1].type])):
        raise TypeRuleError(
            "sum(X, start) of an array whose rows broadcast with start to a "
            "larger shape than a row is not supported; write X.sum(axis=0) "
            "+ start"
        )
    return (g, g)


def _rows_sum_jvp(
    e: RuleBuilder, t: Tangents, args: tuple[Value, ...], out: Value
) -> Value | None:
    total = None if t[0] is None else e.call(ROWS_SUM, t[0], e.const(0))
    return e.add_tangents(total, t[1])


#: ``sum(X, start)`` of an array ``X`` (``start`` 0 where not given):
#: Python's sum of its rows, written as the function writes it.
ROWS_SUM = Primitive(
    "rows_sum",
    2,
    {"builtins": "sum"},
    _rows_sum_vjp,
    _rows_sum_jvp,
    (),
    result_type=_rows_sum_type,
    writer=write_sum,
    elementwise=True,
)


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


def _unpacked_type(
    types: Sequence[Type | None], attributes: Mapping[str, object]
) -> Type | None:
    """Refused once the type is known, saying what Python does of it."""
    raise TypeRuleError(_unpacking_refused(types[0], attributes))


def _unpacking_refused(type_: Type | None, attributes: Mapping[str, object]) -> str:
    """Why ``a, *rest = x`` (attribute ``starred``) of ``x`` (``name``, or
    None for a value with no name) of ``type_`` is refused."""
    starred = attributes.get("starred")
    named = attributes.get("name")
    name, x = (named, named) if named else ("the value", "v")
    if isinstance(type_, Scalar) or (isinstance(type_, Array) and not type_.rank):
        what = "a number" if isinstance(type_, Scalar) else "an array of no axes"
        return (
            f"cannot unpack {name} into several names: it is {what} (Python "
            "raises TypeError: it cannot iterate over one)"
        )
    if isinstance(type_, Array) and starred:
        return (
            f"{name} is an array: unpacking it with a starred name (`a, *rest "
            f"= {x}`) is not supported (Python makes rest a list of its "
            f"items); index and slice it: `a, rest = {x}[0], {x}[1:]`"
        )
    if isinstance(type_, Array):
        return (
            f"{name} is an array: unpacking it into names is not supported; "
            f"read its items by index (`a, b = {x}[0], {x}[1]`)"
        )
    return (
        f"unpacking {name} into names is not supported: srcgrad unpacks the "
        "tuples a function makes (`a, b = b, a`, `a, b = f(x)`), shapes (`n, "
        "m = X.shape`) and arrays by index (`a, b = X[0], X[1]`); pass the "
        "items as parameters of their own"
    )


#: ``a, b = x`` or ``a, *rest = x`` of a value that is no tuple or shape:
#: refused once the value's type is known (a build for numbers hands a
#: call with arrays on to the build for them, which says why).
UNPACKED = Primitive(
    "unpacked",
    1,
    {},
    None,
    None,
    (),
    zero_derivative=True,
    pure=False,
    result_type=_unpacked_type,
)

ITERATION = MappingProxyType(
    {
        primitive.name: primitive
        for primitive in (RANGE, LEN, ZIP, ENUMERATE, REVERSED, SUM)
    }
)
