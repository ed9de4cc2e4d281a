"""Products of arrays: ``a @ b`` (``np.matmul``), ``np.dot``, ``np.outer``,
``np.inner``, and ``np.swapaxes``, the transpose of a stack of matrices.

Their adjoints are the ones written by hand: for ``out = a @ b``,
``a_bar = g @ b.T`` and ``b_bar = a.T @ g``, with a vector's missing axis
handled as NumPy does (an outer product where it was one). For stacks of
matrices (more than two axes) the same holds matrix by matrix, with
``np.swapaxes(b, -1, -2)`` for ``b.T``, and each adjoint is then summed
over the stack axes its operand was broadcast along.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from srcgrad.ir import Op, Value
from srcgrad.ir.types import (
    Array,
    Dim,
    Scalar,
    Size,
    SizeRuleError,
    Type,
    TypeRuleError,
    broadcast_dims,
    wider,
)
from srcgrad.primitives.primitive import (
    Cotangents,
    Primitive,
    RuleBuilder,
    Tangents,
)
from srcgrad.primitives.reordering import SWAPAXES, TRANSPOSE
from srcgrad.primitives.shapes import (
    ANY,
    EXPAND_DIMS,
    SQUEEZE,
)


def rank_of(x: Value) -> int:
    """The number of axes of ``x``, which a rule needs to know which
    product it differentiates: refused where it is not known when the
    gradient is built, rather than guessed."""
    if isinstance(x.type, Scalar):
        return 0
    if isinstance(x.type, Array):
        return x.type.rank
    made = x.defining_op
    if made is not None and made.name == "custom_call":
        raise TypeRuleError(
            f"the number of axes of {made.attributes.get('display', 'a function')}"
            "'s value is not known when the gradient is built (srcgrad calls "
            "its rule, and never reads it), and this derivative depends on "
            "it: apply the product inside the function with the rule, or "
            "take this derivative in forward mode (srcgrad.jvp, "
            "srcgrad.jacobian(mode='forward'))"
        )
    raise TypeRuleError(
        "the number of axes of an operand is not known when the gradient is "
        "built (it comes from a function srcgrad has no rule for), and this "
        "derivative depends on it"
    )


def matrix_transpose(e: RuleBuilder, x: Value) -> Value:
    """Each matrix of ``x`` transposed: ``x.T`` for a matrix (or a vector,
    which it leaves be), ``np.swapaxes(x, -1, -2)`` for a stack of them.
    The transpose of a transpose is the value transposed (``X`` where
    ``x = X.T``), as exact and one view fewer."""
    op = x.defining_op
    stack = rank_of(x) > 2
    if op is not None and _transposes_matrices(op, stack):  # x is X.T: X
        return op.operands[0]
    if stack:
        return e.call(SWAPAXES, x, axis1=-1, axis2=-2)
    return e.call(TRANSPOSE, x)


def _transposes_matrices(op: Op, stack: bool) -> bool:
    """Whether ``op`` transposes each matrix of its operand, as
    ``matrix_transpose`` writes it."""
    if not stack:
        return op.definition is TRANSPOSE
    axes = {op.attributes.get("axis1"), op.attributes.get("axis2")}
    return op.definition is SWAPAXES and axes == {-1, -2}


# -- matmul and dot -----------------------------------------------------------
def matmul(e: RuleBuilder, a: Value, b: Value) -> Value:
    """``a @ b``, as a rule writes it whatever the op's own namespace."""
    return e.apply(MATMUL, a, b, namespace="operator")


def surely_differ(first: Dim, second: Dim) -> bool:
    """Whether two sizes differ whatever the inputs: two known sizes that
    differ, or 0 or 1 and an input's size (which is 2 or more)."""
    if isinstance(first, int) and isinstance(second, int):
        return first != second
    return (first in (0, 1) and isinstance(second, Size)) or (
        second in (0, 1) and isinstance(first, Size)
    )


def matmul_dims(a: Sequence[Dim], b: Sequence[Dim], what: str) -> tuple[Dim, ...]:
    """The dimensions of ``a @ b`` (NumPy's ``matmul``) for operands of
    dimensions ``a`` and ``b``, each of at least one axis.

    A vector ``a`` is a row (1, n) and a vector ``b`` a column (n, 1), and
    that axis is left out of the result; the axes in front of the last two
    (stacks of matrices) broadcast together.
    """
    inner_b = b[-2] if len(b) > 1 else b[0]
    if surely_differ(a[-1], inner_b):
        raise SizeRuleError(
            f"{what}: the last axis of the first operand (size {a[-1]}) "
            f"must match the {'second-to-last' if len(b) > 1 else 'only'} axis "
            f"of the second (size {inner_b})"
        )
    batch = broadcast_dims(a[:-2], b[:-2])
    rows = tuple(a[-2:-1])  # none for a vector
    columns = tuple(b[-1:]) if len(b) > 1 else ()
    return batch + rows + columns


def _product_of_arrays(
    types: Sequence[Type | None], what: str
) -> tuple[Array, Array] | None:
    """The two operands of a product, refused unless both are arrays of at
    least one axis; None where one is not known."""
    a, b = types
    if a is None or b is None:
        return None
    if not isinstance(a, Array) or not isinstance(b, Array) or not a.rank or not b.rank:
        raise TypeRuleError(
            f"{what} needs two arrays of at least one axis; use * for numbers"
        )
    return a, b


def _matmul_type(
    types: Sequence[Type | None], attributes: Mapping[str, object]
) -> Type | None:
    operands = _product_of_arrays(types, "@ (matmul)")
    if operands is None:
        return None
    a, b = operands
    kind = wider(a.kind, b.kind)
    dims = matmul_dims(a.dims, b.dims, "@ (matmul)")
    return Array(kind, dims) if dims else Scalar(kind)


def _dot_type(
    types: Sequence[Type | None], attributes: Mapping[str, object]
) -> Type | None:
    operands = _product_of_arrays(types, "np.dot")
    if operands is not None and max(operands[0].rank, operands[1].rank) > 2:
        raise TypeRuleError(
            "np.dot of an array of more than two axes pairs every matrix of "
            "one with every matrix of the other (NumPy's dot rules, not "
            "matmul's), which srcgrad does not support; srcgrad takes np.dot "
            "of vectors and matrices: for stacks of matrices use @ "
            "(np.matmul), which broadcasts the stack axes, or np.einsum"
        )
    return _matmul_type(types, attributes)


def _matmul_vjp(
    e: RuleBuilder, g: Value, args: tuple[Value, ...], out: Value
) -> Cotangents:
    a, b = args
    rank_a, rank_b = rank_of(a), rank_of(b)
    if max(rank_a, rank_b) > 2:
        return _stacked_matmul_vjp(e, g, a, b)
    if rank_a == 1 and rank_b == 1:  # a @ b = sum(a * b)
        return e.mul(g, b), e.mul(g, a)
    if rank_b == 1:  # (m, n) @ (n,) = (m,)
        return e.call(OUTER, g, b), matmul(e, matrix_transpose(e, a), g)
    if rank_a == 1:  # (n,) @ (n, k) = (k,)
        return matmul(e, b, g), e.call(OUTER, a, g)
    return (
        matmul(e, g, matrix_transpose(e, b)),
        matmul(e, matrix_transpose(e, a), g),
    )


def _stacked_matmul_vjp(e: RuleBuilder, g: Value, a: Value, b: Value) -> Cotangents:
    """The adjoints of ``a @ b`` where an operand is a stack of matrices:
    matrix by matrix as for matrices, each then summed over the stack axes
    its operand was broadcast along (``unbroadcast``)."""
    rank_a, rank_b = rank_of(a), rank_of(b)
    if rank_a == 1:
        # (n,) @ (..., n, k) = (..., k): a_bar[n] = sum b[..., n, k] g[..., k];
        # b_bar[..., n, k] = a[n] g[..., k], an outer product per matrix.
        column = e.call(EXPAND_DIMS, g, axis=-1)
        a_bar = e.call(SQUEEZE, matmul(e, b, column), axis=-1)
        row = e.call(EXPAND_DIMS, g, axis=-2)
        b_bar = e.mul(e.call(EXPAND_DIMS, a, axis=-1), row)
    elif rank_b == 1:
        # (..., m, n) @ (n,) = (..., m): a_bar[..., m, n] = g[..., m] b[n];
        # b_bar[n] = sum g[..., m] a[..., m, n].
        a_bar = e.mul(e.call(EXPAND_DIMS, g, axis=-1), b)
        row = e.call(EXPAND_DIMS, g, axis=-2)
        b_bar = e.call(SQUEEZE, matmul(e, row, a), axis=-2)
    else:
        a_bar = matmul(e, g, matrix_transpose(e, b))
        b_bar = matmul(e, matrix_transpose(e, a), g)
    return e.unbroadcast(a_bar, a), e.unbroadcast(b_bar, b)


def _matmul_jvp(
    e: RuleBuilder, t: Tangents, args: tuple[Value, ...], out: Value
) -> Value | None:
    a, b = args
    left = None if t[0] is None else matmul(e, t[0], b)
    right = None if t[1] is None else matmul(e, a, t[1])
    return e.add_tangents(left, right)


#: ``a @ b``, ``np.matmul(a, b)``: vectors, matrices and stacks of them.
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
    result_type=_dot_type,
)


# -- outer --------------------------------------------------------------------
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
    return matmul(e, g, b), matmul(e, a, g)


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
