"""Products of arrays: ``a @ b`` (``np.matmul``), ``np.dot``, ``np.outer``.

Their adjoints are the ones written by hand: for ``out = a @ b``,
``a_bar = g @ b.T`` and ``b_bar = a.T @ g``, with a vector's missing axis
handled as NumPy does (an outer product where it was one).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from srcgrad.ir import Value
from srcgrad.ir.types import (
    Array,
    Scalar,
    Type,
    TypeRuleError,
    dims_of,
    wider,
)
from srcgrad.primitives.primitive import Cotangents, Primitive, RuleBuilder, Tangents
from srcgrad.primitives.reordering import TRANSPOSE
from srcgrad.primitives.shapes import ANY


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
    if a.rank > 2 or b.rank > 2:
        raise TypeRuleError(
            "@ of arrays of more than two axes (stacked matrices) is not supported yet"
        )
    kind = wider(a.kind, b.kind)
    dims = b.dims[1:] if a.rank == 1 else a.dims[:-1] + b.dims[1:]
    return Array(kind, dims) if dims else Scalar(kind)


def _matmul_vjp(
    e: RuleBuilder, g: Value, args: tuple[Value, ...], out: Value
) -> Cotangents:
    a, b = args
    rank_a, rank_b = len(dims_of(a.type)), len(dims_of(b.type))
    if rank_a == 1 and rank_b == 1:  # a @ b = sum(a * b)
        return e.mul(g, b), e.mul(g, a)
    if rank_b == 1:  # (m, n) @ (n,) = (m,)
        return e.call(OUTER, g, b), e.call(MATMUL, e.call(TRANSPOSE, a), g)
    if rank_a == 1:  # (n,) @ (n, k) = (k,)
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


#: ``a @ b``, ``np.matmul(a, b)``: vectors and matrices.
MATMUL = Primitive(
    "matmul",
    2,
    {"operator": "@", "numpy": "matmul"},
    _matmul_vjp,
    _matmul_jvp,
    (ANY, ANY),
    result_type=_matmul_type,
)
#: ``np.dot(a, b)``, ``a.dot(b)``: ``@`` for vectors and matrices.
DOT = Primitive(
    "dot",
    2,
    {"numpy": "dot", "method": "dot"},
    _matmul_vjp,
    _matmul_jvp,
    (ANY, ANY),
    result_type=_matmul_type,
)


def _outer_type(
    types: Sequence[Type | None], attributes: Mapping[str, object]
) -> Type | None:
    a, b = types
    if a is None or b is None:
        return None
    if (
        not isinstance(a, Array)
        or not isinstance(b, Array)
        or a.rank != 1
        or b.rank != 1
    ):
        raise TypeRuleError("np.outer is supported for two vectors (1-D arrays)")
    return Array(wider(a.kind, b.kind), (a.dims[0], b.dims[0]))


def _outer_vjp(
    e: RuleBuilder, g: Value, args: tuple[Value, ...], out: Value
) -> Cotangents:
    # out[i, j] = a[i] * b[j]: a_bar = g @ b, b_bar = a @ g.
    a, b = args
    return e.call(MATMUL, g, b), e.call(MATMUL, a, g)


def _outer_jvp(
    e: RuleBuilder, t: Tangents, args: tuple[Value, ...], out: Value
) -> Value | None:
    a, b = args
    left = None if t[0] is None else e.call(OUTER, t[0], b)
    right = None if t[1] is None else e.call(OUTER, a, t[1])
    return e.add_tangents(left, right)


#: ``np.outer(a, b)``.
OUTER = Primitive(
    "outer",
    2,
    {"numpy": "outer"},
    _outer_vjp,
    _outer_jvp,
    (ANY, ANY),
    result_type=_outer_type,
)

LINALG = (MATMUL, DOT, OUTER)
