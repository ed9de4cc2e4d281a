"""Sums of products with rules of their own: ``np.inner`` and ``np.trace``.

``np.inner(a, b)`` sums over the last axis of each: for vectors and
matrices its adjoints are products (``A @ B.T`` has ``a_bar = g @ B``);
for more axes they are einsums (``einsum.einsum_cotangent``).
``np.trace(x)`` sums a diagonal: its adjoint is the cotangent times an
identity matrix (``np.eye(n, m, k=offset)``) laid along the two axes.
"""

from __future__ import annotations

import string
from collections.abc import Mapping, Sequence

from srcgrad.ir import Value
from srcgrad.ir.types import Array, Scalar, Type, TypeRuleError, dims_of, wider
from srcgrad.primitives.creation import EYE
from srcgrad.primitives.einsum import Subscripts, einsum_cotangent
from srcgrad.primitives.linalg import OUTER, matmul, rank_of, surely_differ
from srcgrad.primitives.primitive import Cotangents, Primitive, RuleBuilder, Tangents
from srcgrad.primitives.reordering import TRANSPOSE
from srcgrad.primitives.shapes import (
    ANY,
    DIM,
    EXPAND_DIMS,
    normalized_axes,
    one_axis_or_tuple,
)


# -- inner --------------------------------------------------------------------
def _inner_type(
    types: Sequence[Type | None], attributes: Mapping[str, object]
) -> Type | None:
    a, b = types
    if a is None or b is None:
        return None
    if not isinstance(a, Array) or not isinstance(b, Array) or not a.rank or not b.rank:
        raise TypeRuleError(
            "np.inner needs two arrays of at least one axis; use * for numbers"
        )
    if surely_differ(a.dims[-1], b.dims[-1]):
        raise TypeRuleError(
            f"np.inner: the last axes differ in size ({a.dims[-1]} and {b.dims[-1]})"
        )
    kind = wider(a.kind, b.kind)
    dims = a.dims[:-1] + b.dims[:-1]
    return Array(kind, dims) if dims else Scalar(kind)


def _inner_vjp(
    e: RuleBuilder, g: Value, args: tuple[Value, ...], out: Value
) -> Cotangents:
    a, b = args
    rank_a, rank_b = rank_of(a), rank_of(b)
    if rank_a == 1 and rank_b == 1:  # sum(a * b)
        return e.mul(g, b), e.mul(g, a)
    if rank_a == 2 and rank_b == 1:  # A @ b
        return e.call(OUTER, g, b), matmul(e, g, a)
    if rank_a == 1 and rank_b == 2:  # B @ a
        return matmul(e, g, b), e.call(OUTER, g, a)
    if rank_a == 2 and rank_b == 2:  # A @ B.T
        return matmul(e, g, b), matmul(e, e.call(TRANSPOSE, g), a)
    # Any ranks: np.inner(a, b) is np.einsum("...z,...z->......", a, b).
    letters = iter(string.ascii_letters)
    rows = "".join(next(letters) for _ in range(rank_a - 1))
    columns = "".join(next(letters) for _ in range(rank_b - 1))
    summed = next(letters)
    subscripts = Subscripts((rows + summed, columns + summed), rows + columns)
    return tuple(einsum_cotangent(e, subscripts, i, g, args) for i in range(2))


def _inner_jvp(
    e: RuleBuilder, t: Tangents, args: tuple[Value, ...], out: Value
) -> Value | None:
    a, b = args
    left = None if t[0] is None else e.call(INNER, t[0], b)
    right = None if t[1] is None else e.call(INNER, a, t[1])
    return e.add_tangents(left, right)


#: ``np.inner(a, b)``: sums of products over the last axis of each.
INNER = Primitive(
    "inner",
    2,
    {"numpy": "inner"},
    _inner_vjp,
    _inner_jvp,
    (ANY, ANY),
    result_type=_inner_type,
)


# -- trace --------------------------------------------------------------------
def _trace_axes(rank: int, attributes: Mapping[str, object]) -> tuple[int, int]:
    """The two axes a trace sums the diagonal of (``axis1``, ``axis2``)."""
    first = normalized_axes(attributes.get("axis1", 0), rank)[0]
    second = normalized_axes(attributes.get("axis2", 1), rank)[0]
    if first == second:
        raise TypeRuleError("np.trace: axis1 and axis2 are the same axis")
    return first, second


def _trace_type(
    types: Sequence[Type | None], attributes: Mapping[str, object]
) -> Type | None:
    x = types[0]
    if x is None:
        return None
    if not isinstance(x, Array) or x.rank < 2:
        raise TypeRuleError("np.trace needs an array of at least two axes")
    if not isinstance(attributes.get("offset", 0), int):
        raise TypeRuleError("np.trace: offset is an integer")
    axes = _trace_axes(x.rank, attributes)
    dims = tuple(dim for axis, dim in enumerate(x.dims) if axis not in axes)
    return Array(x.kind, dims) if dims else Scalar(x.kind)


def _trace_vjp(
    e: RuleBuilder, g: Value, args: tuple[Value, ...], out: Value
) -> Cotangents:
    # trace(x) = sum_i x[i, i + offset]: each such item gets g, the rest 0:
    # g times np.eye(n, m, k=offset), laid along the two axes.
    x = args[0]
    dims = dims_of(x.type) or (None,) * rank_of(x)
    first, second = _trace_axes(len(dims), e.attributes)
    offset = e.attributes.get("offset") or 0
    sizes = [e.call(DIM, x, axis=first)]
    if dims[first] != dims[second] or dims[first] is None:  # not known square
        sizes.append(e.call(DIM, x, axis=second))
    k = {"k": offset} if offset else {}
    eye = e.call(EYE, *sizes, dims=(dims[first], dims[second]), **k)
    if first > second:
        eye = e.call(TRANSPOSE, eye)
    others = tuple(axis for axis in range(len(dims)) if axis not in (first, second))
    if others:  # a stack of matrices: the diagonal's axes are size 1 in g
        eye = e.call(EXPAND_DIMS, eye, axis=one_axis_or_tuple(others))
        g = e.call(EXPAND_DIMS, g, axis=tuple(sorted((first, second))))
    return (e.mul(g, eye),)


def _trace_jvp(
    e: RuleBuilder, t: Tangents, args: tuple[Value, ...], out: Value
) -> Value | None:
    if t[0] is None:
        return None
    options = {
        name: e.attributes[name]
        for name in ("offset", "axis1", "axis2")
        if name in e.attributes
    }
    return e.call(TRACE, t[0], **options)


#: ``np.trace(x, offset, axis1, axis2)``, ``x.trace()``: a diagonal's sum.
TRACE = Primitive(
    "trace",
    1,
    {"numpy": "trace", "method": "trace"},
    _trace_vjp,
    _trace_jvp,
    (ANY,),
    result_type=_trace_type,
    options=("offset", "axis1", "axis2"),
)

CONTRACTIONS = (INNER, TRACE)
