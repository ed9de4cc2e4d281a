"""Array primitives that move numbers around: size-1 axes, broadcasting,
and the inactive ``.shape``, ``.ndim`` and ``.size``.

Each one's adjoint moves the cotangent back (``np.squeeze(g, axis)`` for
``np.expand_dims(x, axis)``); the
helpers a gradient calls where a shape is known only when it runs
(``sum_to_shape``, ``shaped_like``) are primitives too, so a gradient that
contains them can be differentiated again.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping, Sequence

from srcgrad.ir import EmitContext, Value
from srcgrad.ir.types import (
    INT,
    Array,
    Dim,
    Scalar,
    Shape,
    SizeRuleError,
    Type,
    TypeRuleError,
    dims_of,
    kind_of,
    may_be_one,
)
from srcgrad.primitives.primitive import (
    Cotangents,
    CustomSpelling,
    Primitive,
    RuleBuilder,
    Spelling,
    Tangents,
    TypeRule,
)

ANY = (-2.0, 2.0)


def normalized_axes(axis: object, rank: int) -> tuple[int, ...]:
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


def shape_dims(shape: Type | None) -> tuple[Dim, ...] | None:
    """The dimensions a shape operand gives (``n``, ``(n, 3)``, ``x.shape``)."""
    if shape == INT:
        return (None,)
    if isinstance(shape, Shape):
        return shape.dims
    if shape is None:
        return None
    raise TypeRuleError("a shape is an integer or a tuple of integers")


def written_dims(attributes: Mapping[str, object]) -> tuple[Dim, ...] | None:
    """The sizes a shape written out in the code gives (attribute ``dims``:
    each a literal, or None where the item is not one)."""
    return attributes.get("dims")  # type: ignore[return-value]


def one_axis(axis: object, rank: int) -> int:
    """``axis`` (one int, negative from the end) as a non-negative int."""
    if axis is None or isinstance(axis, tuple):
        raise TypeRuleError(f"axis must be one int, not {axis!r}")
    return normalized_axes(axis, rank)[0]


def one_axis_or_tuple(axes: tuple[int, ...]) -> int | tuple[int, ...]:
    """``axis=`` as a person writes it: ``0``, or ``(0, 1)``."""
    return axes[0] if len(axes) == 1 else axes


# -- what arrays tell about themselves ---------------------------------------
def _of_arrays(what: str, gives: Type) -> TypeRule:
    def rule(
        types: Sequence[Type | None], attributes: Mapping[str, object]
    ) -> Type | None:
        if isinstance(types[0], Scalar) and attributes.get("namespace") != "numpy":
            raise TypeRuleError(f"{what} of a number: it is an attribute of arrays")
        return gives

    return rule


def _shape_of(type_: Type | None, namespace: object) -> Type | None:
    """``x.shape``, or ``np.shape(x)``, which is ``()`` for a number."""
    if isinstance(type_, Scalar):
        if namespace == "numpy":
            return Shape(())
        raise TypeRuleError(".shape of a number: it is an attribute of arrays")
    return Shape(type_.dims) if isinstance(type_, Array) else type_


def _inactive(name: str, gives: Type) -> Primitive:
    return Primitive(
        name,
        1,
        {"attribute": name, "numpy": name},
        None,
        None,
        (ANY,),
        zero_derivative=True,
        result_type=_of_arrays(f".{name}", gives),
    )


#: ``x.shape``, ``x.ndim``, ``x.size``: integers, not differentiated.
SHAPE = Primitive(
    "shape",
    1,
    {"attribute": "shape", "numpy": "shape"},
    None,
    None,
    (ANY,),
    zero_derivative=True,
    result_type=lambda types, attributes: _shape_of(
        types[0], attributes.get("namespace")
    ),
)
NDIM = _inactive("ndim", INT)
SIZE = _inactive("size", INT)
#: ``x.shape[axis]``: the size of one axis.
DIM = Primitive(
    "dim",
    1,
    {"attribute": Spelling("shape")},
    None,
    None,
    (ANY,),
    zero_derivative=True,
    result_type=lambda types, attributes: INT,
    subscript="axis",
)


# -- size-1 axes -------------------------------------------------------------
def _expand_dims_type(
    types: Sequence[Type | None], attributes: Mapping[str, object]
) -> Type | None:
    operand = types[0]
    if operand is None:
        return None
    dims: list[Dim] = list(dims_of(operand))
    axis = attributes.get("axis")
    count = len(axis) if isinstance(axis, tuple) else 1
    for item in normalized_axes(axis, len(dims) + count):
        dims.insert(item, 1)
    return Array(kind_of(operand) or "real", tuple(dims))


def _expand_dims_vjp(
    e: RuleBuilder, g: Value, args: tuple[Value, ...], out: Value
) -> Cotangents:
    return (e.call(SQUEEZE, g, axis=e.attributes["axis"]),)


def _expand_dims_jvp(
    e: RuleBuilder, t: Tangents, args: tuple[Value, ...], out: Value
) -> Value | None:
    return (
        None if t[0] is None else e.call(EXPAND_DIMS, t[0], axis=e.attributes["axis"])
    )


#: ``np.expand_dims(x, axis)``: new axes of size 1.
EXPAND_DIMS = Primitive(
    "expand_dims",
    1,
    {"numpy": "expand_dims"},
    _expand_dims_vjp,
    _expand_dims_jvp,
    (ANY,),
    result_type=_expand_dims_type,
    options=("axis",),
    view=True,
)


def _squeeze_type(
    types: Sequence[Type | None], attributes: Mapping[str, object]
) -> Type | None:
    operand = types[0]
    if operand is None or isinstance(operand, Scalar):
        return operand
    if not isinstance(operand, Array):
        raise TypeRuleError("squeeze of something that is not an array")
    axis = attributes.get("axis")
    if axis is None:
        if any(dim != 1 and may_be_one(dim) for dim in operand.dims):
            raise TypeRuleError(
                "squeeze without axis= of an array whose sizes are not known "
                "when the gradient is built: name the axes (axis=0)"
            )
        axes = tuple(i for i, dim in enumerate(operand.dims) if dim == 1)
    else:
        # An axis that may be 1 (a slice x[i:i + 1] of an axis that may be
        # too short) is squeezed as NumPy does, which raises if it is not.
        axes = normalized_axes(axis, operand.rank)
        if any(not may_be_one(operand.dims[i]) for i in axes):
            raise SizeRuleError(f"squeeze of axis {axis!r}, whose size is not 1")
    dims = tuple(dim for i, dim in enumerate(operand.dims) if i not in axes)
    return Array(operand.kind, dims) if dims else Scalar(operand.kind)


def _squeeze_vjp(
    e: RuleBuilder, g: Value, args: tuple[Value, ...], out: Value
) -> Cotangents:
    if isinstance(out.type, Scalar):  # every axis squeezed: g may be a float
        return (e.materialize(g, args[0]),)
    return (e.call(RESHAPE_LIKE, g, args[0]),)


def _squeeze_jvp(
    e: RuleBuilder, t: Tangents, args: tuple[Value, ...], out: Value
) -> Value | None:
    return None if t[0] is None else e.call(SQUEEZE, t[0], **_axis(e))


def _axis(e: RuleBuilder) -> dict[str, object]:
    return {"axis": e.attributes["axis"]} if "axis" in e.attributes else {}


#: ``np.squeeze(x, axis)``, ``x.squeeze()``: axes of size 1 dropped.
SQUEEZE = Primitive(
    "squeeze",
    1,
    {"numpy": "squeeze", "method": "squeeze"},
    _squeeze_vjp,
    _squeeze_jvp,
    (ANY,),
    result_type=_squeeze_type,
    options=("axis",),
    view=True,
)


def _reshape_like_vjp(
    e: RuleBuilder, g: Value, args: tuple[Value, ...], out: Value
) -> Cotangents:
    return e.call(RESHAPE_LIKE, g, args[0]), None


def _reshape_like_jvp(
    e: RuleBuilder, t: Tangents, args: tuple[Value, ...], out: Value
) -> Value | None:
    return None if t[0] is None else e.call(RESHAPE_LIKE, t[0], args[1])


def _emit_reshape_like(args: Sequence[ast.expr], context: EmitContext) -> ast.expr:
    value, like = args
    shape = ast.Attribute(like, "shape", ast.Load())
    return ast.Call(ast.Attribute(value, "reshape", ast.Load()), [shape], [])


#: ``g.reshape(x.shape)``: an adjoint given back its value's shape.
RESHAPE_LIKE = Primitive(
    "reshape_like",
    2,
    {
        "numpy": CustomSpelling(
            _emit_reshape_like, lambda value, like: value.reshape(like.shape)
        )
    },
    _reshape_like_vjp,
    _reshape_like_jvp,
    (ANY, ANY),
    result_type=lambda types, attributes: types[1],
    view=True,
)


SHAPES = (
    SHAPE,
    NDIM,
    SIZE,
    DIM,
    EXPAND_DIMS,
    SQUEEZE,
    RESHAPE_LIKE,
)
#: Used by rules elsewhere; keep the names importable.
__all__ = [
    "ANY",
    "DIM",
    "EXPAND_DIMS",
    "NDIM",
    "RESHAPE_LIKE",
    "SHAPE",
    "SHAPES",
    "SIZE",
    "SQUEEZE",
    "normalized_axes",
    "shape_dims",
    "written_dims",
    "one_axis",
    "one_axis_or_tuple",
]
