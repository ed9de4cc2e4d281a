"""Array reductions: ``sum``, ``mean``, ``max``, ``min`` and ``prod`` over
all axes or some (``axis``, ``keepdims``), as functions (``np.sum``,
``np.amax``) or methods (``x.sum()``).

A reduction's adjoint is the cotangent with the reduced axes put back with
size 1 (``np.expand_dims(g, axis)``), times each item's partial derivative
of the result it went into:

    reduction   d out / d x[i]
    ---------   ---------------------------------------------------------
    sum         1
    mean        1 / n, for n items per result
    max, min    1 / k at each of the k items equal to the result, 0
                elsewhere: tied extremes share the cotangent equally
                (JAX's convention); a single extreme takes all of it
    prod        the product of the other items: out / x[i] where no item
                is 0; where one is, the product of the rest at it and 0
                elsewhere; where two are, 0 everywhere

The expanded cotangent broadcasts to the operand's shape, and the reverse
sweep stretches it only where an op needs the whole shape.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from srcgrad.ir import Value
from srcgrad.ir.types import (
    Array,
    Dim,
    Kind,
    Scalar,
    Size,
    Type,
    TypeRuleError,
    dims_of,
    kind_of,
)
from srcgrad.primitives.arithmetic import DIV
from srcgrad.primitives.logic import EQ
from srcgrad.primitives.primitive import (
    Cotangents,
    JvpRule,
    Primitive,
    RuleBuilder,
    Spelling,
    Tangents,
    TypeRule,
    VjpRule,
)
from srcgrad.primitives.selection import WHERE
from srcgrad.primitives.shapes import (
    ANY,
    DIM,
    EXPAND_DIMS,
    SIZE,
    normalized_axes,
    one_axis_or_tuple,
)

#: What NumPy's reductions take after the array, in order (``np.sum(x, 0)``);
#: ``max`` and ``min`` take no ``dtype``.
REDUCTION_ARGUMENTS = ("axis", "dtype", "out", "keepdims")
_EXTREME_ARGUMENTS = ("axis", "out", "keepdims")


def reduced(operand: Type, attributes: Mapping[str, object], kind: Kind) -> Type:
    """The type of a reduction of ``operand`` over the axes ``attributes``
    name (``axis``, ``keepdims``), giving numbers of ``kind``."""
    dims = dims_of(operand)
    axes = normalized_axes(attributes.get("axis"), len(dims))
    if attributes.get("keepdims"):
        kept: tuple[Dim, ...] = tuple(1 if i in axes else d for i, d in enumerate(dims))
        return Array(kind, kept) if isinstance(operand, Array) else Scalar(kind)
    rest = tuple(d for i, d in enumerate(dims) if i not in axes)
    return Array(kind, rest) if rest else Scalar(kind)


def reduction_type(kind: Callable[[Kind], Kind]) -> TypeRule:
    """The type rule of a reduction whose numbers' kind is ``kind`` of its
    operand's (a sum of booleans counts them: it is an int)."""

    def rule(
        types: Sequence[Type | None], attributes: Mapping[str, object]
    ) -> Type | None:
        operand = types[0]
        if operand is None:
            return None
        operand_kind = kind_of(operand)
        if operand_kind is None:
            raise TypeRuleError("a reduction of something that is not a number")
        return reduced(operand, attributes, kind(operand_kind))

    return rule


def _counted(kind: Kind) -> Kind:
    return "int" if kind == "bool" else kind


def _same(kind: Kind) -> Kind:
    return kind


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


def reduce_options(e: RuleBuilder) -> dict[str, object]:
    """The op's ``axis`` and ``keepdims``, to reduce a tangent as it reduced."""
    return {
        name: e.attributes[name]
        for name in ("axis", "keepdims")
        if name in e.attributes
    }


def kept_options(e: RuleBuilder) -> dict[str, object]:
    """The op's axes with ``keepdims=True``: a result that broadcasts back."""
    axis = e.attributes.get("axis")
    return {"keepdims": True} if axis is None else {"axis": axis, "keepdims": True}


def per_item(e: RuleBuilder, g: Value, n: Value, x: Value, ddof: int = 0) -> Value:
    """``g / n``, ``n`` the count of ``x``'s items less ``ddof``: NumPy's
    division (``np.divide``) where ``g`` is a number and ``n`` may be 0 (a
    mask or a slice may hold no item): ``f``'s mean is then nan with a
    warning, where Python's ``1.0 / 0`` raises ``ZeroDivisionError``."""
    if isinstance(g.type, Array) or _fewest_items(x) > ddof:
        return e.div(g, n)
    return e.apply(DIV, g, n, namespace="numpy")


def _fewest_items(x: Value) -> int:
    """The fewest items ``x`` may have: an input's axis has 2 or more."""
    fewest = 1
    for dim in dims_of(x.type):
        fewest *= 2 if isinstance(dim, Size) else dim if isinstance(dim, int) else 0
    return fewest


def count(e: RuleBuilder, x: Value) -> Value:
    """How many numbers of ``x`` go into each result of the op."""
    rank = len(dims_of(x.type))
    if e.attributes.get("axis") is None:
        if isinstance(x.type, Scalar):
            return e.const(1)
        if isinstance(x.type, Array):
            # x.size: an attribute read, where np.size is a call (and Dask
            # warns that it does not implement np.size).
            return e.apply(SIZE, x, namespace="attribute")
        return e.apply(SIZE, x, namespace="numpy")  # np.size: of anything
    if x.type is None:
        raise TypeRuleError(
            "the mean over an axis (np.mean, np.var, np.std) of a value whose "
            "number of axes is not known when the gradient is built (it comes "
            "from a function srcgrad has no rule for, or is an array on some "
            "paths and a number on others)"
        )
    total: Value | None = None
    for axis in normalized_axes(e.attributes.get("axis"), rank):
        size = e.call(DIM, x, axis=axis)
        total = size if total is None else e.mul(total, size)
    assert total is not None
    return total


def is_number(x: Value) -> bool:
    """``x`` is known to have no axes (a number, or an array of none)."""
    return x.type is not None and not dims_of(x.type)


def _weighted_rules(
    weights: Callable[[RuleBuilder, Value, Value], Value],
) -> tuple[VjpRule, JvpRule]:
    """The VJP and JVP of a reduction whose partials are ``weights(e, x,
    out)``, of ``x``'s shape: ``x_bar = g * w`` and ``t_out = sum(w * t)``.
    Of a number, each such reduction is the number itself."""

    def vjp(
        e: RuleBuilder, g: Value, args: tuple[Value, ...], out: Value
    ) -> Cotangents:
        x = args[0]
        if is_number(x):
            return (g,)
        return (e.mul(expand_reduced(e, g, x), weights(e, x, out)),)

    def jvp(
        e: RuleBuilder, t: Tangents, args: tuple[Value, ...], out: Value
    ) -> Value | None:
        x = args[0]
        if t[0] is None or is_number(x):
            return t[0]
        weighted = e.mul(t[0], weights(e, x, out))
        return e.call(REDUCE_SUM, weighted, **reduce_options(e))

    return vjp, jvp


def _sum_vjp(
    e: RuleBuilder, g: Value, args: tuple[Value, ...], out: Value
) -> Cotangents:
    return (expand_reduced(e, g, args[0]),)


def _sum_jvp(
    e: RuleBuilder, t: Tangents, args: tuple[Value, ...], out: Value
) -> Value | None:
    return None if t[0] is None else e.call(REDUCE_SUM, t[0], **reduce_options(e))


def _mean_vjp(
    e: RuleBuilder, g: Value, args: tuple[Value, ...], out: Value
) -> Cotangents:
    x = args[0]
    return (expand_reduced(e, per_item(e, g, count(e, x), x), x),)


def _mean_jvp(
    e: RuleBuilder, t: Tangents, args: tuple[Value, ...], out: Value
) -> Value | None:
    return None if t[0] is None else e.call(REDUCE_MEAN, t[0], **reduce_options(e))


def _extreme_shares(e: RuleBuilder, x: Value, out: Value) -> Value:
    # Each item's share of a max (or min): the items equal to the result
    # split it equally, 1/k each for k ties; the others have none.
    tied = e.apply(EQ, x, expand_reduced(e, out, x), namespace="operator")
    return e.div(tied, e.call(REDUCE_SUM, tied, **kept_options(e)))


def _product_of_others(e: RuleBuilder, x: Value, out: Value) -> Value:
    # d prod / d x[i] = prod of the x[j], j != i. That is out / x[i] where
    # x[i] != 0 (and out is 0 there if another item is). Where x[i] == 0 it
    # is the product of the nonzero items if x[i] is the only zero, else 0.
    zero = e.apply(EQ, x, e.const(0), namespace="operator")
    nonzero = e.call(WHERE, zero, e.const(1.0), x)
    zeros = e.call(REDUCE_SUM, zero, **kept_options(e))
    only_zero = e.apply(EQ, zeros, e.const(1), namespace="operator")
    rest = e.call(REDUCE_PROD, nonzero, **kept_options(e))
    at_zero = e.call(WHERE, only_zero, rest, e.const(0.0))
    return e.call(WHERE, zero, at_zero, e.div(expand_reduced(e, out, x), nonzero))


def _reduction(
    name: str,
    spelling: str | Spelling,
    rules: tuple[VjpRule, JvpRule],
    kind: Callable[[Kind], Kind],
    positional: tuple[str, ...] = REDUCTION_ARGUMENTS,
) -> Primitive:
    """``np.<name>(x, axis, keepdims=...)`` and ``x.<name>(...)``."""
    method = spelling.written if isinstance(spelling, Spelling) else spelling
    return Primitive(
        f"reduce_{name}",
        1,
        {"numpy": spelling, "method": str(method)},
        rules[0],
        rules[1],
        (ANY,),
        result_type=reduction_type(kind),
        options=("axis", "keepdims"),
        positional=positional,
    )


#: ``np.sum(x, axis, keepdims=...)``, ``x.sum(...)``.
REDUCE_SUM = _reduction("sum", "sum", (_sum_vjp, _sum_jvp), _counted)
#: ``np.mean(x, axis, keepdims=...)``, ``x.mean(...)``.
REDUCE_MEAN = _reduction("mean", "mean", (_mean_vjp, _mean_jvp), lambda _: "real")
#: ``np.max(x, axis, keepdims=...)`` (``np.amax``), ``x.max(...)``.
REDUCE_MAX = _reduction(
    "max",
    Spelling("max", also=("amax",)),
    _weighted_rules(_extreme_shares),
    _same,
    _EXTREME_ARGUMENTS,
)
#: ``np.min(x, axis, keepdims=...)`` (``np.amin``), ``x.min(...)``.
REDUCE_MIN = _reduction(
    "min",
    Spelling("min", also=("amin",)),
    _weighted_rules(_extreme_shares),
    _same,
    _EXTREME_ARGUMENTS,
)
#: ``np.prod(x, axis, keepdims=...)``, ``x.prod(...)``.
REDUCE_PROD = _reduction("prod", "prod", _weighted_rules(_product_of_others), _counted)

REDUCTIONS = (REDUCE_SUM, REDUCE_MEAN, REDUCE_MAX, REDUCE_MIN, REDUCE_PROD)
