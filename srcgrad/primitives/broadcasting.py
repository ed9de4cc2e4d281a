"""Broadcasting an array to a shape, and summing an adjoint back.

``np.broadcast_to(x, shape)`` is what users write, and what the reverse
sweep writes to stretch an adjoint to its value's shape. The helpers a
gradient calls where a shape is known only when it runs (``sum_to_shape``,
``shaped_like``) are primitives too, so a gradient that contains them can
be differentiated again.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Mapping, Sequence

from srcgrad.ir import EmitContext, Value
from srcgrad.ir.types import (
    BOOL,
    REAL,
    Array,
    Dim,
    SizeRuleError,
    Type,
    TypeRuleError,
    dims_of,
    kind_of,
    may_be_one,
)
from srcgrad.primitives.primitive import Cotangents, Primitive, RuleBuilder, Tangents
from srcgrad.primitives.shapes import ANY, shape_dims, written_dims


def _given_type(
    types: Sequence[Type | None], attributes: Mapping[str, object]
) -> Type | None:
    return attributes.get("type")  # type: ignore[return-value]


def _broadcast_to_vjp(
    e: RuleBuilder, g: Value, args: tuple[Value, ...], out: Value
) -> Cotangents:
    return e.unbroadcast(g, args[0]), None


def _broadcast_to_jvp(
    e: RuleBuilder, t: Tangents, args: tuple[Value, ...], out: Value
) -> Value | None:
    return None if t[0] is None else e.call(BROADCAST_TO, t[0], args[1], **e.attributes)


def _broadcast_to_type(
    types: Sequence[Type | None], attributes: Mapping[str, object]
) -> Type | None:
    given = attributes.get("type")
    if given is not None:
        return given  # type: ignore[return-value]
    operand = types[0]
    dims = written_dims(attributes)
    if dims is None:
        dims = shape_dims(types[1])
    if operand is None or dims is None:
        return None
    have = dims_of(operand)
    if len(have) > len(dims):
        raise TypeRuleError(
            f"cannot broadcast an array of {len(have)} axes to {len(dims)} axes"
        )
    padded = (1,) * (len(dims) - len(have)) + have
    stretched = tuple(_stretched(h, d) for h, d in zip(padded, dims, strict=True))
    return Array(kind_of(operand) or "real", stretched)


def _stretched(have: Dim, wanted: Dim) -> Dim:
    """The size of an axis of size ``have`` broadcast to size ``wanted``:
    only an axis of size 1 stretches, so any other keeps its size (and
    ``wanted`` must be it: the more that is known of the two)."""
    if isinstance(have, int) and isinstance(wanted, int) and have not in (1, wanted):
        raise SizeRuleError(f"cannot broadcast an axis of size {have} to {wanted}")
    if isinstance(wanted, int) or may_be_one(have):
        return wanted
    return have


#: ``np.broadcast_to(x, shape)``; as an adjoint stretched to its value's
#: shape, ``np.broadcast_to(g, x.shape)`` with attribute ``type``, that
#: value's type. Attribute ``dims``: the sizes a shape written out gives.
BROADCAST_TO = Primitive(
    "broadcast_to",
    2,
    {"numpy": "broadcast_to"},
    _broadcast_to_vjp,
    _broadcast_to_jvp,
    (ANY, ANY),
    result_type=_broadcast_to_type,
    view=True,
)


def _sum_to_shape_vjp(
    e: RuleBuilder, g: Value, args: tuple[Value, ...], out: Value
) -> Cotangents:
    return e.materialize(g, args[0]), None


def _sum_to_shape_jvp(
    e: RuleBuilder, t: Tangents, args: tuple[Value, ...], out: Value
) -> Value | None:
    if t[0] is None:
        return None
    return e.apply(SUM_TO_SHAPE, t[0], args[1], namespace="helper", type=args[1].type)


#: ``sum_to_shape(g, x)``: ``g`` summed over the axes along which ``x`` was
#: broadcast, where they are known only when the code runs.
SUM_TO_SHAPE = Primitive(
    "sum_to_shape",
    2,
    {"helper": "sum_to_shape"},
    _sum_to_shape_vjp,
    _sum_to_shape_jvp,
    (ANY, ANY),
    result_type=_given_type,
    view=True,
)


def _shaped_like_vjp(
    e: RuleBuilder, g: Value, args: tuple[Value, ...], out: Value
) -> Cotangents:
    return e.unbroadcast(g, args[0]), None


def _shaped_like_jvp(
    e: RuleBuilder, t: Tangents, args: tuple[Value, ...], out: Value
) -> Value | None:
    if t[0] is None:
        return None
    return e.apply(SHAPED_LIKE, t[0], args[1], namespace="helper")


#: ``shaped_like(g, x)``: an adjoint that broadcasts to ``x``'s shape, as a
#: new array of that shape (what a gradient returns for an array input).
SHAPED_LIKE = Primitive(
    "shaped_like",
    2,
    {"helper": "shaped_like"},
    _shaped_like_vjp,
    _shaped_like_jvp,
    (ANY, ANY),
    result_type=lambda types, attributes: types[1],
)


def _as_float_vjp(
    e: RuleBuilder, g: Value, args: tuple[Value, ...], out: Value
) -> Cotangents:
    return (g,)


def _as_float_jvp(
    e: RuleBuilder, t: Tangents, args: tuple[Value, ...], out: Value
) -> Value | None:
    return t[0]


#: ``as_float(x)``: ``float(x)`` of a number, a NumPy number or a 0-d
#: array, while a lazy array (Dask's) stays lazy: what a gradient built for
#: arrays hands back for an input that is a number (``passes.returns``).
AS_FLOAT = Primitive(
    "as_float",
    1,
    {"helper": "as_float"},
    _as_float_vjp,
    _as_float_jvp,
    (ANY,),
    result_type=lambda types, attributes: REAL,
)


#: ``one_number(out)``: raises unless the function's value is one number,
#: where that is not known when the gradient is built.
ONE_NUMBER = Primitive(
    "one_number",
    1,
    {"helper": "one_number"},
    None,
    None,
    (ANY,),
    zero_derivative=True,
    pure=False,
    result_type=lambda types, attributes: None,
)


def _write_outside_domain(
    args: Sequence[ast.expr], attributes: Mapping[str, object], context: EmitContext
) -> ast.expr:
    interval: tuple[float, float] = attributes["interval"]  # type: ignore[assignment]
    low, high = interval
    bounds = [ast.Constant(low)] if low != -math.inf else []
    keywords = []
    if high != math.inf and bounds:
        bounds.append(ast.Constant(high))
    elif high != math.inf:
        keywords.append(ast.keyword("high", ast.Constant(high)))
    return ast.Call(context.helper("outside_domain"), [*args, *bounds], keywords)


#: ``outside_domain(p, 0.0, 1.0)``: false only where ``p`` is a NumPy array
#: whose items all lie inside the interval; it guards the NumPy functions a
#: gradient computes only for the warnings they give where ``f`` computes
#: them (``passes/evaluations.py``), such as ``np.log(p)`` and
#: ``np.log(1 - p)``, quiet inside it.
OUTSIDE_DOMAIN = Primitive(
    "outside_domain",
    1,
    {"helper": "outside_domain"},
    None,
    None,
    (ANY,),
    zero_derivative=True,
    result_type=lambda types, attributes: BOOL,
    writer=_write_outside_domain,
)

BROADCASTING = (
    BROADCAST_TO,
    SUM_TO_SHAPE,
    SHAPED_LIKE,
    AS_FLOAT,
    ONE_NUMBER,
    OUTSIDE_DOMAIN,
)
