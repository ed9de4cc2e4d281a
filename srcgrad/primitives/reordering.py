"""Array primitives that put the same items in another order: transposes,
``np.swapaxes``, ``np.flip`` and ``np.roll``.

Each one is a permutation ``P`` of its operand's items, so its Jacobian is
a permutation matrix and the adjoint is the inverse permutation applied to
the cotangent: ``np.transpose(g, argsort(axes))`` for ``np.transpose(x,
axes)``, the same swap or flip again, and a roll by ``-shift``. Their
tangents are the same permutation of the operand's tangent.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping, Sequence

from srcgrad.ir import EmitContext, Value
from srcgrad.ir.types import INT, Array, Scalar, Type, TypeRuleError, dims_of
from srcgrad.primitives.primitive import (
    Cotangents,
    Primitive,
    RuleBuilder,
    Tangents,
    TypeRule,
    literal,
)
from srcgrad.primitives.shapes import ANY, normalized_axes, one_axis


def _checked(operand: Type | None, what: str) -> Array | Scalar | None:
    """``operand``, an array or a number (whose one item stays put, as in
    NumPy); None if not known."""
    if operand is None or isinstance(operand, (Array, Scalar)):
        return operand
    raise TypeRuleError(f"{what} of something that is not an array")


def _rank(operand: Array | Scalar) -> int:
    return operand.rank if isinstance(operand, Array) else 0


# -- transpose -----------------------------------------------------------------
def _permutation(axes: object, rank: int) -> tuple[int, ...]:
    """``axes`` of ``np.transpose(x, axes)``, checked and non-negative; the
    reversed axes where None (``x.T``)."""
    if axes is None:
        return tuple(reversed(range(rank)))
    if not isinstance(axes, tuple) or len(axes) != rank:
        raise TypeRuleError(
            f"axes {axes!r} of a transpose must name each of the array's "
            f"{rank} axes once"
        )
    found = tuple(one_axis(axis, rank) for axis in axes)
    if sorted(found) != list(range(rank)):
        raise TypeRuleError(f"axes {axes!r} of a transpose name an axis twice")
    return found


def _transpose_type(
    types: Sequence[Type | None], attributes: Mapping[str, object]
) -> Type | None:
    operand = types[0]
    if operand is None:
        return None
    if not isinstance(operand, (Array, Scalar)):
        raise TypeRuleError(".T of something that is not an array")
    rank = operand.rank if isinstance(operand, Array) else 0
    order = _permutation(attributes.get("axes"), rank)
    if isinstance(operand, Scalar):
        return operand
    return Array(operand.kind, tuple(operand.dims[axis] for axis in order))


def _transposed(e: RuleBuilder, value: Value, axes: tuple[int, ...]) -> Value:
    """``value.T`` where ``axes`` reverses them all, else
    ``np.transpose(value, axes)`` (or ``value.transpose(...)``, as the op
    being differentiated is written)."""
    if axes == tuple(reversed(range(len(axes)))):
        return e.call(TRANSPOSE, value)
    namespace = e.attributes.get("namespace")
    written = "method" if namespace == "method" else "numpy"
    return e.apply(TRANSPOSE, value, namespace=written, axes=axes)


def _transpose_vjp(
    e: RuleBuilder, g: Value, args: tuple[Value, ...], out: Value
) -> Cotangents:
    # out's axis i is x's axis axes[i]: g's axis i goes back to axes[i].
    rank = out.type.rank if isinstance(out.type, Array) else 0
    order = _permutation(e.attributes.get("axes"), rank)
    inverse = tuple(sorted(range(rank), key=lambda i: order[i]))
    return (_transposed(e, g, inverse),)


def _transpose_jvp(
    e: RuleBuilder, t: Tangents, args: tuple[Value, ...], out: Value
) -> Value | None:
    if t[0] is None:
        return None
    rank = out.type.rank if isinstance(out.type, Array) else 0
    return _transposed(e, t[0], _permutation(e.attributes.get("axes"), rank))


def _write_transpose(
    args: Sequence[ast.expr], attributes: Mapping[str, object], context: EmitContext
) -> ast.expr:
    """``x.T``, ``x.transpose(1, 0, 2)`` or ``np.transpose(x, (1, 0, 2))``."""
    (value,) = args
    axes = attributes.get("axes")
    namespace = attributes["namespace"]
    if namespace == "attribute" and axes is None:
        return ast.Attribute(value, "T", ast.Load())
    items = [literal(axis) for axis in axes] if isinstance(axes, tuple) else []
    if namespace == "method":
        method = ast.Attribute(value, "transpose", ast.Load())
        return ast.Call(method, items, [])
    function = ast.Attribute(context.module("numpy"), "transpose", ast.Load())
    rest = [ast.Tuple(items, ast.Load())] if items else []
    return ast.Call(function, [value, *rest], [])


#: ``x.T``, ``np.transpose(x)``, ``x.transpose()``: all axes reversed; with
#: attribute ``axes`` (``np.transpose(x, (1, 0, 2))``), in that order.
TRANSPOSE = Primitive(
    "transpose",
    1,
    {"attribute": "T", "numpy": "transpose", "method": "transpose"},
    _transpose_vjp,
    _transpose_jvp,
    (ANY,),
    result_type=_transpose_type,
    options=("axes",),
    writer=_write_transpose,
    view=True,
)


# -- swapaxes --------------------------------------------------------------------
def _swapaxes_type(
    types: Sequence[Type | None], attributes: Mapping[str, object]
) -> Type | None:
    operand = _checked(types[0], "np.swapaxes")
    if operand is None:
        return None
    first, second = _swapped(attributes, _rank(operand))
    dims = list(dims_of(operand))
    dims[first], dims[second] = dims[second], dims[first]
    return Array(operand.kind, tuple(dims))


def _swapped(attributes: Mapping[str, object], rank: int) -> tuple[int, int]:
    if "axis1" not in attributes or "axis2" not in attributes:
        raise TypeRuleError("np.swapaxes takes the two axes it swaps")
    return (
        one_axis(attributes["axis1"], rank),
        one_axis(attributes["axis2"], rank),
    )


def _swapaxes_vjp(
    e: RuleBuilder, g: Value, args: tuple[Value, ...], out: Value
) -> Cotangents:
    # Swapping two axes is its own inverse.
    return (e.call(SWAPAXES, g, **_options(e, "axis1", "axis2")),)


def _swapaxes_jvp(
    e: RuleBuilder, t: Tangents, args: tuple[Value, ...], out: Value
) -> Value | None:
    if t[0] is None:
        return None
    return e.call(SWAPAXES, t[0], **_options(e, "axis1", "axis2"))


def _options(e: RuleBuilder, *names: str) -> dict[str, object]:
    return {name: e.attributes[name] for name in names if name in e.attributes}


def _write_swapaxes(
    args: Sequence[ast.expr], attributes: Mapping[str, object], context: EmitContext
) -> ast.expr:
    """``np.swapaxes(x, 0, 1)`` or ``x.swapaxes(0, 1)``, as people write it."""
    (value,) = args
    axes = [literal(attributes["axis1"]), literal(attributes["axis2"])]
    if attributes["namespace"] == "method":
        return ast.Call(ast.Attribute(value, "swapaxes", ast.Load()), axes, [])
    function = ast.Attribute(context.module("numpy"), "swapaxes", ast.Load())
    return ast.Call(function, [value, *axes], [])


#: ``np.swapaxes(x, axis1, axis2)``, ``x.swapaxes(axis1, axis2)``.
SWAPAXES = Primitive(
    "swapaxes",
    1,
    {"numpy": "swapaxes", "method": "swapaxes"},
    _swapaxes_vjp,
    _swapaxes_jvp,
    (ANY,),
    result_type=_swapaxes_type,
    options=("axis1", "axis2"),
    writer=_write_swapaxes,
    view=True,
)


# -- flip and roll ---------------------------------------------------------------
def _same_type(what: str) -> TypeRule:
    """The type rule of a reordering of ``what`` along ``axis``: the
    operand's type, with the axes checked."""

    def rule(
        types: Sequence[Type | None], attributes: Mapping[str, object]
    ) -> Type | None:
        operand = _checked(types[0], what)
        if operand is not None:
            normalized_axes(attributes.get("axis"), _rank(operand))
        shift = types[1] if len(types) > 1 else INT
        if shift is not None and shift not in (INT, Scalar("bool")):
            raise TypeRuleError(
                "np.roll's shift must be one integer (a tuple of shifts is not "
                "supported: roll one axis at a time)"
            )
        return operand

    return rule


def _flip_vjp(
    e: RuleBuilder, g: Value, args: tuple[Value, ...], out: Value
) -> Cotangents:
    return (e.call(FLIP, g, **_options(e, "axis")),)  # a flip undoes itself


def _flip_jvp(
    e: RuleBuilder, t: Tangents, args: tuple[Value, ...], out: Value
) -> Value | None:
    return None if t[0] is None else e.call(FLIP, t[0], **_options(e, "axis"))


#: ``np.flip(x, axis)``: the items along ``axis`` (all axes if None) reversed.
FLIP = Primitive(
    "flip",
    1,
    {"numpy": "flip"},
    _flip_vjp,
    _flip_jvp,
    (ANY,),
    result_type=_same_type("np.flip"),
    options=("axis",),
    view=True,
)


def _roll_vjp(
    e: RuleBuilder, g: Value, args: tuple[Value, ...], out: Value
) -> Cotangents:
    # out[i + shift] = x[i] (cyclically): x's adjoint is g rolled back.
    back = e.call(ROLL, g, e.neg(args[1]), **_options(e, "axis"))
    return back, None


def _roll_jvp(
    e: RuleBuilder, t: Tangents, args: tuple[Value, ...], out: Value
) -> Value | None:
    if t[0] is None:
        return None
    return e.call(ROLL, t[0], args[1], **_options(e, "axis"))


#: ``np.roll(x, shift, axis)``: items moved ``shift`` places along ``axis``
#: (along the flattened array if None), those past the end coming round.
ROLL = Primitive(
    "roll",
    2,
    {"numpy": "roll"},
    _roll_vjp,
    _roll_jvp,
    (ANY, ANY),
    result_type=_same_type("np.roll"),
    options=("axis",),
    integer_operands=True,
    differentiable_operands=(0,),
)

REORDERING = (TRANSPOSE, SWAPAXES, FLIP, ROLL)
