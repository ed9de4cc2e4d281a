"""Functions of ``numpy.linalg``: ``solve``, ``inv``, ``det``, ``slogdet``,
``norm``.

They live in the namespace ``numpy.linalg``, which generated code writes
``np.linalg.solve(A, b)`` (through NumPy's binding). Each takes a square
matrix, or a stack of them (the last two axes), and each rule reuses the
function's own value where that saves work:

* ``x = solve(A, b)``: ``b_bar = solve(A.T, g)``, ``A_bar = -b_bar @ x.T``
  (``-outer(b_bar, x)`` for a vector ``b``);
* ``Y = inv(A)``: ``A_bar = -Y.T @ g @ Y.T``;
* ``d = det(A)``: ``A_bar = g * d * inv(A).T`` (Jacobi's formula);
* ``slogdet(A)[1]``, ``log|det A|``: ``A_bar = g * inv(A).T``.

At a singular ``A`` these call ``inv`` or ``solve`` of it, which raise
``numpy.linalg.LinAlgError`` as ``solve`` and ``inv`` themselves do. For
``det``, whose value there is 0, the derivative (the cofactor matrix)
exists but this formula cannot reach it: the gradient raises, and near a
singular matrix it loses accuracy as ``inv`` does.

For the 2-norm (and Frobenius norm) ``out = sqrt(sum(x**2))``,
``x_bar = g * x / out``, taken as 0 at ``x = 0`` (0 / 0 there; the norm has
a kink, whose smallest subgradient is 0, as ``np.sign`` gives
``d abs(x) = 0`` at 0; JAX gives NaN); for the 1-norm ``sum(abs(x))``,
``x_bar = g * sign(x)``.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping, Sequence
from typing import Any

from srcgrad.ir import EmitContext, Value
from srcgrad.ir.types import (
    Array,
    Scalar,
    SizeRuleError,
    Type,
    TypeRuleError,
    broadcast_dims,
    dims_of,
    kind_of,
)
from srcgrad.primitives.elementwise import SIGN
from srcgrad.primitives.linalg import (
    OUTER,
    matmul,
    matrix_transpose,
    rank_of,
    surely_differ,
)
from srcgrad.primitives.primitive import (
    Cotangents,
    CustomSpelling,
    Primitive,
    RuleBuilder,
    Tangents,
    module_expression,
)
from srcgrad.primitives.reductions import (
    REDUCE_SUM,
    expand_reduced,
    reduce_options,
    reduced,
)
from srcgrad.primitives.selection import zero_as_one
from srcgrad.primitives.shapes import ANY, EXPAND_DIMS, normalized_axes

_NAMESPACE = "numpy.linalg"


def _square(type_: Type | None, what: str) -> Array | None:
    """``type_``, refused unless it is a square matrix or a stack of them;
    None where it is not known."""
    if type_ is None:
        return None
    if not isinstance(type_, Array) or type_.rank < 2:
        raise TypeRuleError(
            f"np.linalg.{what} needs a square matrix (or a stack of them, "
            "in the last two axes)"
        )
    if surely_differ(type_.dims[-2], type_.dims[-1]):
        raise TypeRuleError(f"np.linalg.{what} needs square matrices")
    return type_


def _is_stack(x: Value) -> bool:
    return rank_of(x) > 2


# -- solve --------------------------------------------------------------------
def _solve_type(
    types: Sequence[Type | None], attributes: Mapping[str, object]
) -> Type | None:
    a = _square(types[0], "solve")
    b = types[1]
    if a is None or b is None:
        return None
    if not isinstance(b, Array) or not b.rank:
        raise TypeRuleError("np.linalg.solve(A, b) needs b a vector or a matrix")
    if (b.rank == 1 and a.rank > 2) or (a.rank > 2 and b.rank == a.rank - 1):
        raise TypeRuleError(
            "np.linalg.solve of a stack of matrices and an array of one axis "
            "less is read differently by NumPy 1 (a stack of vectors) and 2 "
            "(matrices); give b a last axis of size 1 (b[..., None])"
        )
    if surely_differ(a.dims[-1], b.dims[-2] if b.rank > 1 else b.dims[0]):
        raise SizeRuleError("np.linalg.solve(A, b): b has a size A does not")
    if b.rank == 1:
        return Array("real", (a.dims[-1],))
    batch = broadcast_dims(a.dims[:-2], b.dims[:-2])
    return Array("real", batch + (a.dims[-1], b.dims[-1]))


def _solve_vjp(
    e: RuleBuilder, g: Value, args: tuple[Value, ...], out: Value
) -> Cotangents:
    # A x = b: b_bar solves A.T b_bar = g, and A_bar = -b_bar x.T.
    a, b = args
    b_bar = e.call(SOLVE, matrix_transpose(e, a), g)
    if rank_of(b) == 1:
        product = e.call(OUTER, b_bar, out)
    else:
        product = matmul(e, b_bar, matrix_transpose(e, out))
    return e.neg(e.unbroadcast(product, a)), e.unbroadcast(b_bar, b)


def _solve_jvp(
    e: RuleBuilder, t: Tangents, args: tuple[Value, ...], out: Value
) -> Value | None:
    # A dx + dA x = db: dx = solve(A, db - dA @ x).
    a, _ = args
    moved = None if t[0] is None else matmul(e, t[0], out)
    if moved is None:
        right = t[1]
    else:
        right = e.neg(moved) if t[1] is None else e.sub(t[1], moved)
    return None if right is None else e.call(SOLVE, a, right)


#: ``np.linalg.solve(A, b)``: ``x`` with ``A @ x == b``.
SOLVE = Primitive(
    "solve",
    2,
    {_NAMESPACE: "solve"},
    _solve_vjp,
    _solve_jvp,
    (ANY, ANY),
    result_type=_solve_type,
)


# -- inv ----------------------------------------------------------------------
def _inv_type(
    types: Sequence[Type | None], attributes: Mapping[str, object]
) -> Type | None:
    a = _square(types[0], "inv")
    return None if a is None else Array("real", a.dims)


def _inv_vjp(
    e: RuleBuilder, g: Value, args: tuple[Value, ...], out: Value
) -> Cotangents:
    # d inv(A) = -Y dA Y (Y = inv(A)), so A_bar = -Y.T @ g @ Y.T.
    transposed = matrix_transpose(e, out)
    return (e.neg(matmul(e, matmul(e, transposed, g), transposed)),)


def _inv_jvp(
    e: RuleBuilder, t: Tangents, args: tuple[Value, ...], out: Value
) -> Value | None:
    if t[0] is None:
        return None
    return e.neg(matmul(e, matmul(e, out, t[0]), out))


#: ``np.linalg.inv(A)``.
INV = Primitive(
    "inv",
    1,
    {_NAMESPACE: "inv"},
    _inv_vjp,
    _inv_jvp,
    (ANY,),
    result_type=_inv_type,
)


# -- det and slogdet ----------------------------------------------------------
def _det_type(
    types: Sequence[Type | None], attributes: Mapping[str, object]
) -> Type | None:
    a = _square(types[0], "det")
    if a is None:
        return None
    return Array("real", a.dims[:-2]) if a.rank > 2 else Scalar("real")


def _per_matrix(e: RuleBuilder, factor: Value, a: Value) -> Value:
    """``factor``, one number per matrix of ``a``, as size-1 matrix axes so
    that it scales each matrix of a stack (a number already does)."""
    if not _is_stack(a):
        return factor
    return e.call(EXPAND_DIMS, factor, axis=(-2, -1))


def _log_det_gradient(e: RuleBuilder, a: Value) -> Value:
    """d log|det A| / dA = inv(A).T, matrix by matrix."""
    return matrix_transpose(e, e.call(INV, a))


def _det_vjp(
    e: RuleBuilder, g: Value, args: tuple[Value, ...], out: Value
) -> Cotangents:
    # Jacobi's formula: d det(A) = det(A) * trace(inv(A) @ dA).
    (a,) = args
    return (e.mul(_per_matrix(e, e.mul(g, out), a), _log_det_gradient(e, a)),)


def _log_det_tangent(e: RuleBuilder, a: Value, tangent: Value) -> Value:
    """trace(inv(A) @ dA), matrix by matrix, as a sum of products."""
    product = e.mul(_log_det_gradient(e, a), tangent)
    if _is_stack(a):
        return e.call(REDUCE_SUM, product, axis=(-2, -1))
    return e.call(REDUCE_SUM, product)


def _det_jvp(
    e: RuleBuilder, t: Tangents, args: tuple[Value, ...], out: Value
) -> Value | None:
    if t[0] is None:
        return None
    return e.mul(out, _log_det_tangent(e, args[0], t[0]))


#: ``np.linalg.det(A)``.
DET = Primitive(
    "det",
    1,
    {_NAMESPACE: "det"},
    _det_vjp,
    _det_jvp,
    (ANY,),
    result_type=_det_type,
)


def _slogdet_item(position: int) -> CustomSpelling:
    """``np.linalg.slogdet(A)[position]``: its sign (0) or log|det A| (1)."""

    def write(args: Sequence[ast.expr], context: EmitContext) -> ast.expr:
        module = module_expression(_NAMESPACE, context)
        call = ast.Call(ast.Attribute(module, "slogdet", ast.Load()), list(args), [])
        return ast.Subscript(call, ast.Constant(position), ast.Load())

    def evaluate(a: Any) -> object:
        import numpy

        return numpy.linalg.slogdet(a)[position]

    return CustomSpelling(write, evaluate)


def _log_det_vjp(
    e: RuleBuilder, g: Value, args: tuple[Value, ...], out: Value
) -> Cotangents:
    # d log|det A| = trace(inv(A) @ dA).
    (a,) = args
    return (e.mul(_per_matrix(e, g, a), _log_det_gradient(e, a)),)


def _log_det_jvp(
    e: RuleBuilder, t: Tangents, args: tuple[Value, ...], out: Value
) -> Value | None:
    return None if t[0] is None else _log_det_tangent(e, args[0], t[0])


_LOG_ABS_DET = _slogdet_item(1)
#: ``np.linalg.slogdet(A)[1]``: log|det A|. ``np.linalg.slogdet(A)`` is the
#: pair of ``SIGN_OF_DET`` and this, which the frontend makes.
LOG_ABS_DET = Primitive(
    "log_abs_det",
    1,
    {_NAMESPACE: "slogdet"},
    _log_det_vjp,
    _log_det_jvp,
    (ANY,),
    result_type=_det_type,
    writer=lambda args, attributes, context: _LOG_ABS_DET.emit(args, context),
)
#: ``np.linalg.slogdet(A)[0]``: the sign of det A, piecewise constant.
SIGN_OF_DET = Primitive(
    "sign_of_det",
    1,
    {_NAMESPACE: _slogdet_item(0)},
    None,
    None,
    (ANY,),
    zero_derivative=True,
    result_type=_det_type,
)


# -- norm ---------------------------------------------------------------------
_NORMS = (
    "np.linalg.norm is supported for the 2-norm and the 1-norm of vectors "
    "(ord=None, 2 or 1; along one axis) and the Frobenius norm (ord=None or "
    "'fro'; of a matrix, or along two axes)"
)


def _is(order: object, number: int) -> bool:
    return not isinstance(order, bool) and order == number


def norm_kind(rank: int | None, attributes: Mapping[str, object]) -> str:
    """Which norm ``np.linalg.norm`` computes of an operand of ``rank`` axes
    (None if not known): ``"2"`` (a 2-norm or the Frobenius norm: the square
    root of a sum of squares) or ``"1"``."""
    order, axis = attributes.get("ord"), attributes.get("axis")
    if axis is None:
        if order is None:
            return "2"  # of x flattened, whatever its rank
        if rank is None:
            raise TypeRuleError(
                f"np.linalg.norm with ord={order!r} and no axis, of a value "
                "whose number of axes is not known when the gradient is built"
            )
        axes = rank
    else:
        axes = len(axis) if isinstance(axis, tuple) else 1
        if rank is not None:
            normalized_axes(axis, rank)
    if axes == 1 and (order is None or _is(order, 2)):
        return "2"
    if axes == 1 and _is(order, 1):
        return "1"
    if axes == 2 and (order is None or order == "fro"):
        return "2"
    raise TypeRuleError(f"{_NORMS}, not ord={order!r} over {axes} axes")


def _norm_type(
    types: Sequence[Type | None], attributes: Mapping[str, object]
) -> Type | None:
    operand = types[0]
    if operand is None:
        return None
    if kind_of(operand) is None:
        raise TypeRuleError("the norm of something that is not a number")
    norm_kind(len(dims_of(operand)), attributes)
    return reduced(operand, attributes, "real")


def _rank_of(x: Value) -> int | None:
    return None if x.type is None else len(dims_of(x.type))


def _norm_slopes(e: RuleBuilder, x: Value, out: Value, g: Value) -> Value:
    """``g`` times the norm's partial in each item of ``x``."""
    if norm_kind(_rank_of(x), e.attributes) == "1":
        return e.mul(expand_reduced(e, g, x), e.call(SIGN, x))
    return e.mul(expand_reduced(e, e.div(g, zero_as_one(e, out)), x), x)


def _norm_vjp(
    e: RuleBuilder, g: Value, args: tuple[Value, ...], out: Value
) -> Cotangents:
    return (_norm_slopes(e, args[0], out, g),)


def _norm_jvp(
    e: RuleBuilder, t: Tangents, args: tuple[Value, ...], out: Value
) -> Value | None:
    if t[0] is None:
        return None
    x = args[0]
    if norm_kind(_rank_of(x), e.attributes) == "1":
        return e.call(REDUCE_SUM, e.mul(e.call(SIGN, x), t[0]), **reduce_options(e))
    moved = e.call(REDUCE_SUM, e.mul(x, t[0]), **reduce_options(e))
    return e.div(moved, zero_as_one(e, out))


#: ``np.linalg.norm(x, ord, axis, keepdims)``: see ``norm_kind``.
NORM = Primitive(
    "norm",
    1,
    {_NAMESPACE: "norm"},
    _norm_vjp,
    _norm_jvp,
    (ANY,),
    result_type=_norm_type,
    options=("ord", "axis", "keepdims"),
)

NUMPY_LINALG = (SOLVE, INV, DET, LOG_ABS_DET, SIGN_OF_DET, NORM)
