"""Array reductions: ``sum`` and ``mean`` over all axes or some (``axis``,
``keepdims``), as functions (``np.sum``) or methods (``x.sum()``).

A reduction's adjoint is the cotangent with the reduced axes put back with
size 1 (``np.expand_dims(g, axis)``): it broadcasts to the operand's shape,
and the reverse sweep stretches it only where an op needs the whole shape
(an elementwise op's operands already broadcast it).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from srcgrad.ir import Value
from srcgrad.ir.types import Array, Dim, Scalar, Type, TypeRuleError, dims_of, kind_of
from srcgrad.primitives.primitive import Cotangents, Primitive, RuleBuilder, Tangents
from srcgrad.primitives.shapes import (
    ANY,
    DIM,
    EXPAND_DIMS,
    SIZE,
    normalized_axes,
    one_axis_or_tuple,
)


def _reduction_type(
    types: Sequence[Type | None], attributes: Mapping[str, object]
) -> Type | None:
    operand = types[0]
    if operand is None:
        return None
    kind = "real" if attributes.get("mean") else kind_of(operand)
    if kind is None:
        raise TypeRuleError("a reduction of something that is not a number")
    dims = dims_of(operand)
    axes = normalized_axes(attributes.get("axis"), len(dims))
    if attributes.get("keepdims"):
        kept: tuple[Dim, ...] = tuple(1 if i in axes else d for i, d in enumerate(dims))
        return Array(kind, kept) if isinstance(operand, Array) else Scalar(kind)
    rest = tuple(d for i, d in enumerate(dims) if i not in axes)
    return Array(kind, rest) if rest else Scalar(kind)


def expand_reduced(e: RuleBuilder, g: Value, x: Value) -> Value:
    """``g``, the adjoint of a reduction of ``x`` (the op being differentiated),
    with the reduced axes put back with size 1, so it broadcasts to ``x``."""
    axis = e.attributes.get("axis")
    if isinstance(x.type, Scalar) or axis is None or e.attributes.get("keepdims"):
        return g
    if x.type is None:
        # The rank is not known when building; np.expand_dims counts the
        # axes as given (negative ones from the end) in x's own rank.
        return e.call(EXPAND_DIMS, g, axis=axis)
    axes = normalized_axes(axis, len(dims_of(x.type)))
    return e.call(EXPAND_DIMS, g, axis=one_axis_or_tuple(axes))


def _options(e: RuleBuilder) -> dict[str, object]:
    return {
        name: e.attributes[name]
        for name in ("axis", "keepdims")
        if name in e.attributes
    }


def _sum_vjp(
    e: RuleBuilder, g: Value, args: tuple[Value, ...], out: Value
) -> Cotangents:
    return (expand_reduced(e, g, args[0]),)


def _sum_jvp(
    e: RuleBuilder, t: Tangents, args: tuple[Value, ...], out: Value
) -> Value | None:
    return None if t[0] is None else e.call(REDUCE_SUM, t[0], **_options(e))


def _count(e: RuleBuilder, x: Value) -> Value:
    """How many numbers a mean of ``x`` over the op's axes averages."""
    rank = len(dims_of(x.type))
    if e.attributes.get("axis") is None:
        if isinstance(x.type, Scalar):
            return e.const(1)
        return e.apply(SIZE, x, namespace="numpy")  # np.size: of anything
    if x.type is None:
        raise TypeRuleError(
            "the mean over an axis of a value whose number of axes is not known "
            "when the gradient is built (it comes from a function srcgrad has "
            "no rule for, or is an array on some paths and a number on others)"
        )
    count: Value | None = None
    for axis in normalized_axes(e.attributes.get("axis"), rank):
        size = e.call(DIM, x, axis=axis)
        count = size if count is None else e.mul(count, size)
    assert count is not None
    return count


def _mean_vjp(
    e: RuleBuilder, g: Value, args: tuple[Value, ...], out: Value
) -> Cotangents:
    x = args[0]
    return (expand_reduced(e, e.div(g, _count(e, x)), x),)


def _mean_jvp(
    e: RuleBuilder, t: Tangents, args: tuple[Value, ...], out: Value
) -> Value | None:
    return None if t[0] is None else e.call(REDUCE_MEAN, t[0], **_options(e))


#: ``np.sum(x, axis, keepdims=...)``, ``x.sum(...)``.
REDUCE_SUM = Primitive(
    "reduce_sum",
    1,
    {"numpy": "sum", "method": "sum"},
    _sum_vjp,
    _sum_jvp,
    (ANY,),
    result_type=_reduction_type,
    options=("axis", "keepdims"),
)
#: ``np.mean(x, axis, keepdims=...)``, ``x.mean(...)``.
REDUCE_MEAN = Primitive(
    "reduce_mean",
    1,
    {"numpy": "mean", "method": "mean"},
    _mean_vjp,
    _mean_jvp,
    (ANY,),
    result_type=lambda types, attributes: _reduction_type(
        types, {**attributes, "mean": True}
    ),
    options=("axis", "keepdims"),
)

REDUCTIONS = (REDUCE_SUM, REDUCE_MEAN)
