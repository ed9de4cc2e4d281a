"""NumPy array primitives: reductions, products, transposes, shapes.

Their rules are the textbook ones a person writes for a NumPy gradient
(``W_bar = X.T @ z_bar``); a reduction's adjoint is broadcast back to its
operand's shape. Options such as ``axis`` and ``keepdims`` are attributes
of the op, written out in the code, never operands: the shape of every
value follows from them when the gradient is built.

An elementwise op's adjoint is summed back to each operand's own shape by
the reverse sweep (``RuleEmitter.unbroadcast``), not here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from srcgrad.ir import Value
from srcgrad.ir.types import (
    INT,
    OTHER,
    Array,
    Dim,
    Scalar,
    Type,
    TypeRuleError,
    dims_of,
    kind_of,
    wider,
)
from srcgrad.primitives.primitive import (
    Cotangents,
    Primitive,
    RuleBuilder,
    Spelling,
    Tangents,
)

_ANY = (-2.0, 2.0)


def reduced_axes(axis: object, rank: int) -> tuple[int, ...]:
    """The axes ``axis`` (None, an int or a tuple, negative from the end)
    names in an array of ``rank`` axes, as non-negative sorted ints."""
    if axis is None:
        return tuple(range(rank))
    items = axis if isinstance(axis, tuple) else (axis,)
    axes = []
    for item in items:
        if isinstance(item, bool) or not isinstance(item, int):
            raise TypeRuleError(f"axis must be an int or a tuple of ints, not {item!r}")
        if not -rank <= item < rank:
            raise TypeRuleError(
                f"axis {item} is out of bounds for an array of {rank} axes"
            )
        axes.append(item % rank)
    if len(set(axes)) != len(axes):
        raise TypeRuleError(f"axis {axis!r} names an axis twice")
    return tuple(sorted(axes))


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
    axes = reduced_axes(attributes.get("axis"), len(dims))
    if attributes.get("keepdims"):
        kept: tuple[Dim, ...] = tuple(1 if i in axes else d for i, d in enumerate(dims))
        return Array(kind, kept) if isinstance(operand, Array) else Scalar(kind)
    rest = tuple(d for i, d in enumerate(dims) if i not in axes)
    return Array(kind, rest) if rest else Scalar(kind)


def expand_reduced(
    e: RuleBuilder, g: Value, x: Value, attributes: Mapping[str, object]
) -> Value:
    """``g``, the adjoint of a reduction of ``x``, broadcast back to ``x``'s shape."""
    rank = len(dims_of(x.type))
    if rank == 0:
        return g
    axes = reduced_axes(attributes.get("axis"), rank)
    if attributes.get("axis") is not None and not attributes.get("keepdims"):
        g = e.call(EXPAND_DIMS, g, axis=axes if len(axes) > 1 else axes[0])
    return e.call(BROADCAST_TO, g, e.call(SHAPE, x), type=x.type)


def _sum_vjp(
    e: RuleBuilder, g: Value, args: tuple[Value, ...], out: Value
) -> Cotangents:
    return (expand_reduced(e, g, args[0], e.attributes),)


def _sum_jvp(
    e: RuleBuilder, t: Tangents, args: tuple[Value, ...], out: Value
) -> Value | None:
    return None if t[0] is None else e.call(REDUCE_SUM, t[0], **_options(e))


def _count(e: RuleBuilder, x: Value, attributes: Mapping[str, object]) -> Value:
    """How many numbers a mean over ``attributes``' axes of ``x`` averages."""
    rank = len(dims_of(x.type))
    if attributes.get("axis") is None:
        return e.call(SIZE, x) if rank else e.const(1)
    count: Value | None = None
    for axis in reduced_axes(attributes.get("axis"), rank):
        size = e.call(DIM, x, axis=axis)
        count = size if count is None else e.mul(count, size)
    assert count is not None
    return count


def _mean_vjp(
    e: RuleBuilder, g: Value, args: tuple[Value, ...], out: Value
) -> Cotangents:
    x = args[0]
    return (expand_reduced(e, e.div(g, _count(e, x, e.attributes)), x, e.attributes),)


def _mean_jvp(
    e: RuleBuilder, t: Tangents, args: tuple[Value, ...], out: Value
) -> Value | None:
    return None if t[0] is None else e.call(REDUCE_MEAN, t[0], **_options(e))


def _options(e: RuleBuilder) -> dict[str, object]:
    return {
        name: e.attributes[name]
        for name in ("axis", "keepdims")
        if name in e.attributes
    }


REDUCE_SUM = Primitive(
    "reduce_sum",
    1,
    {"numpy": "sum", "method": "sum"},
    _sum_vjp,
    _sum_jvp,
    (_ANY,),
    result_type=_reduction_type,
    options=("axis", "keepdims"),
)
REDUCE_MEAN = Primitive(
    "reduce_mean",
    1,
    {"numpy": "mean", "method": "mean"},
    _mean_vjp,
    _mean_jvp,
    (_ANY,),
    result_type=lambda types, attributes: _reduction_type(
        types, {**attributes, "mean": True}
    ),
    options=("axis", "keepdims"),
)


# -- products --------------------------------------------------------------
def _matmul_type(
    types: Sequence[Type | None], attributes: Mapping[str, object]
) -> Type | None:
    a, b = types
    if a is None or b is None:
        return None
    if not isinstance(a, Array) or not isinstance(b, Array) or not a.rank or not b.rank:
        raise TypeRuleError(
            "@ (matmul) needs two arrays of at least one axis; use * for numbers"
        )
    kind = wider(a.kind, b.kind)
    if a.rank > 2 or b.rank > 2:
        raise TypeRuleError(
            "@ of arrays of more than two axes (stacked matrices) is not supported yet"
        )
    dims = a.dims[:-1] + b.dims[1:] if b.rank == 2 else a.dims[:-1]
    if a.rank == 1:
        dims = b.dims[1:]
    return Array(kind, dims) if dims else Scalar(kind)


def _matmul_vjp(
    e: RuleBuilder, g: Value, args: tuple[Value, ...], out: Value
) -> Cotangents:
    # out = a @ b: a_bar = g @ b.T, b_bar = a.T @ g, with a vector's
    # missing axis written out (outer products where it was one).
    a, b = args
    rank_a, rank_b = len(dims_of(a.type)), len(dims_of(b.type))
    if rank_a == 1 and rank_b == 1:
        return e.mul(g, b), e.mul(g, a)
    if rank_a == 2 and rank_b == 1:
        return e.call(OUTER, g, b), e.call(MATMUL, e.call(TRANSPOSE, a), g)
    if rank_a == 1:
        return e.call(MATMUL, b, g), e.call(OUTER, a, g)
    return (
        e.call(MATMUL, g, e.call(TRANSPOSE, b)),
        e.call(MATMUL, e.call(TRANSPOSE, a), g),
    )


def _matmul_jvp(
    e: RuleBuilder, t: Tangents, args: tuple[Value, ...], out: Value
) -> Value | None:
    a, b = args
    left = None if t[0] is None else e.call(MATMUL, t[0], b)
    right = None if t[1] is None else e.call(MATMUL, a, t[1])
    return e.add_tangents(left, right)


MATMUL = Primitive(
    "matmul",
    2,
    {"operator": "@", "numpy": "matmul"},
    _matmul_vjp,
    _matmul_jvp,
    (_ANY, _ANY),
    result_type=_matmul_type,
)
DOT = Primitive(
    "dot",
    2,
    {"numpy": "dot", "method": "dot"},
    _matmul_vjp,
    _matmul_jvp,
    (_ANY, _ANY),
    result_type=_matmul_type,
)


def _outer_type(
    types: Sequence[Type | None], attributes: Mapping[str, object]
) -> Type | None:
    a, b = types
    if a is None or b is None:
        return None
    kind = wider(kind_of(a) or "real", kind_of(b) or "real")
    size_a = _flat_size(dims_of(a))
    size_b = _flat_size(dims_of(b))
    return Array(kind, (size_a, size_b))


def _flat_size(dims: tuple[Dim, ...]) -> Dim:
    if not dims:
        return 1
    return dims[0] if len(dims) == 1 else None


def _outer_vjp(
    e: RuleBuilder, g: Value, args: tuple[Value, ...], out: Value
) -> Cotangents:
    # out[i, j] = a[i] * b[j]: a_bar = g @ b, b_bar = a @ g.
    a, b = args
    if len(dims_of(a.type)) != 1 or len(dims_of(b.type)) != 1:
        raise TypeRuleError("the derivative of np.outer is for two vectors")
    return e.call(MATMUL, g, b), e.call(MATMUL, a, g)


def _outer_jvp(
    e: RuleBuilder, t: Tangents, args: tuple[Value, ...], out: Value
) -> Value | None:
    a, b = args
    left = None if t[0] is None else e.call(OUTER, t[0], b)
    right = None if t[1] is None else e.call(OUTER, a, t[1])
    return e.add_tangents(left, right)


OUTER = Primitive(
    "outer",
    2,
    {"numpy": "outer"},
    _outer_vjp,
    _outer_jvp,
    (_ANY, _ANY),
    result_type=_outer_type,
)


# -- shapes ----------------------------------------------------------------
def _transpose_type(
    types: Sequence[Type | None], attributes: Mapping[str, object]
) -> Type | None:
    operand = types[0]
    if operand is None or isinstance(operand, Scalar):
        return operand
    if not isinstance(operand, Array):
        raise TypeRuleError(".T of something that is not an array")
    return Array(operand.kind, operand.dims[::-1])


def _transpose_vjp(
    e: RuleBuilder, g: Value, args: tuple[Value, ...], out: Value
) -> Cotangents:
    return (e.call(TRANSPOSE, g),)


def _transpose_jvp(
    e: RuleBuilder, t: Tangents, args: tuple[Value, ...], out: Value
) -> Value | None:
    return None if t[0] is None else e.call(TRANSPOSE, t[0])


TRANSPOSE = Primitive(
    "transpose",
    1,
    {"attribute": "T", "numpy": "transpose"},
    _transpose_vjp,
    _transpose_jvp,
    (_ANY,),
    result_type=_transpose_type,
)


def _array_only(what: str, gives: Type):
    def rule(
        types: Sequence[Type | None], attributes: Mapping[str, object]
    ) -> Type | None:
        if isinstance(types[0], Scalar):
            raise TypeRuleError(f"{what} of a number: it is an attribute of arrays")
        return gives

    return rule


def _inactive(
    name: str,
    spellings: Mapping[str, object],
    gives: Type,
    options: tuple[str, ...] = (),
) -> Primitive:
    return Primitive(
        name,
        1,
        spellings,  # type: ignore[arg-type]
        None,
        None,
        (_ANY,),
        zero_derivative=True,
        result_type=_array_only(f".{name}", gives),
        options=options,
    )


#: ``x.shape``, ``x.ndim``, ``x.size``: integers, not differentiated.
SHAPE = _inactive("shape", {"attribute": "shape", "numpy": "shape"}, OTHER)
NDIM = _inactive("ndim", {"attribute": "ndim", "numpy": "ndim"}, INT)
SIZE = _inactive("size", {"attribute": "size", "numpy": "size"}, INT)
#: ``x.shape[axis]``: the size of one axis.
DIM = Primitive(
    "dim",
    1,
    {"attribute": Spelling("shape")},
    None,
    None,
    (_ANY,),
    zero_derivative=True,
    result_type=lambda types, attributes: INT,
    subscript="axis",
)


def _expand_dims_type(
    types: Sequence[Type | None], attributes: Mapping[str, object]
) -> Type | None:
    operand = types[0]
    if operand is None:
        return None
    kind = kind_of(operand) or "real"
    dims = list(dims_of(operand))
    axis = attributes.get("axis")
    axes = axis if isinstance(axis, tuple) else (axis,)
    rank = len(dims) + len(axes)
    for item in reduced_axes(axes, rank):
        dims.insert(item, 1)
    return Array(kind, tuple(dims))


def _expand_dims_vjp(
    e: RuleBuilder, g: Value, args: tuple[Value, ...], out: Value
) -> Cotangents:
    return (e.call(REDUCE_SUM, g, axis=e.attributes["axis"]),)


def _expand_dims_jvp(
    e: RuleBuilder, t: Tangents, args: tuple[Value, ...], out: Value
) -> Value | None:
    return (
        None if t[0] is None else e.call(EXPAND_DIMS, t[0], axis=e.attributes["axis"])
    )


EXPAND_DIMS = Primitive(
    "expand_dims",
    1,
    {"numpy": "expand_dims"},
    _expand_dims_vjp,
    _expand_dims_jvp,
    (_ANY,),
    result_type=_expand_dims_type,
    options=("axis",),
)


def _broadcast_to_vjp(
    e: RuleBuilder, g: Value, args: tuple[Value, ...], out: Value
) -> Cotangents:
    return e.unbroadcast(g, args[0]), None


def _broadcast_to_jvp(
    e: RuleBuilder, t: Tangents, args: tuple[Value, ...], out: Value
) -> Value | None:
    return None if t[0] is None else e.call(BROADCAST_TO, t[0], args[1])


def _broadcast_to_type(
    types: Sequence[Type | None], attributes: Mapping[str, object]
) -> Type | None:
    return attributes.get("type")  # type: ignore[return-value]


#: ``np.broadcast_to(g, x.shape)``: an adjoint stretched back to its value's
#: shape. Its attribute ``type`` is that value's type.
BROADCAST_TO = Primitive(
    "broadcast_to",
    2,
    {"numpy": "broadcast_to"},
    _broadcast_to_vjp,
    _broadcast_to_jvp,
    (_ANY, _ANY),
    result_type=_broadcast_to_type,
)


def _unbroadcast_type(
    types: Sequence[Type | None], attributes: Mapping[str, object]
) -> Type | None:
    return attributes.get("type")  # type: ignore[return-value]


#: ``sum_to_shape(g, x)``: ``g`` summed over the axes along which ``x`` was
#: broadcast, where that is known only when the code runs (a helper).
SUM_TO_SHAPE = Primitive(
    "sum_to_shape",
    2,
    {"helper": "sum_to_shape"},
    lambda e, g, args, out: (
        e.call(BROADCAST_TO, g, e.call(SHAPE, args[1]), type=args[1].type),
        None,
    ),
    lambda e, t, args, out: (
        None if t[0] is None else e.call(SUM_TO_SHAPE, t[0], args[1], type=args[1].type)
    ),
    (_ANY, _ANY),
    result_type=_unbroadcast_type,
)

ARRAYS = (
    REDUCE_SUM,
    REDUCE_MEAN,
    MATMUL,
    DOT,
    OUTER,
    TRANSPOSE,
    SHAPE,
    NDIM,
    SIZE,
    DIM,
    EXPAND_DIMS,
    BROADCAST_TO,
    SUM_TO_SHAPE,
)


#: ``np.zeros_like(x)``: the adjoint of an array nothing reached.
ZEROS_LIKE = Primitive(
    "zeros_like",
    1,
    {"numpy": "zeros_like"},
    None,
    None,
    (_ANY,),
    zero_derivative=True,
    result_type=lambda types, attributes: types[0],
)
ARRAYS = (*ARRAYS, ZEROS_LIKE)
