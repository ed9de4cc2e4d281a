"""Array primitives that give the same items another shape:
``np.reshape(x, shape)`` (``x.reshape(2, -1)``), ``np.ravel(x)``,
``x.ravel()`` and ``x.flatten()``; and ``x.item()``, the one item of an
array of one, as a number.

Each keeps the items in order (C order) and only changes how they are
indexed, so its Jacobian is the identity on the items: the adjoint is the
cotangent given back the operand's shape, ``g.reshape(x.shape)``, and the
tangent is the operand's tangent reshaped the same way.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Mapping, Sequence

from srcgrad.ir import EmitContext, Value
from srcgrad.ir.types import (
    Array,
    Dim,
    Kind,
    Scalar,
    SizeRuleError,
    Type,
    TypeRuleError,
    dims_of,
    kind_of,
    may_be_one,
)
from srcgrad.primitives.primitive import Cotangents, Primitive, RuleBuilder, Tangents
from srcgrad.primitives.reductions import REDUCE_SUM
from srcgrad.primitives.shapes import ANY, RESHAPE_LIKE, shape_dims, written_dims


def _items(dims: Sequence[Dim]) -> int | None:
    """How many items an array of ``dims`` holds, if known when building."""
    if all(isinstance(dim, int) for dim in dims):
        return math.prod(dims)  # type: ignore[arg-type]
    return None


def shaped_back(e: RuleBuilder, g: Value, x: Value) -> Value:
    """The adjoint of ``x`` from ``g``, the cotangent of a reshape of it:
    ``g.reshape(x.shape)``; for a number, its one item (``g.sum()``)."""
    if isinstance(x.type, Scalar):
        return e.apply(REDUCE_SUM, g, namespace="method")
    return e.call(RESHAPE_LIKE, g, x)


# -- reshape -------------------------------------------------------------------
def _reshape_type(
    types: Sequence[Type | None], attributes: Mapping[str, object]
) -> Type | None:
    operand, shape = types
    wanted = written_dims(attributes)
    if wanted is None:
        wanted = shape_dims(shape)
    if operand is None or wanted is None:
        return None
    kind = kind_of(operand)
    if kind is None:
        raise TypeRuleError("np.reshape of something that is not an array")
    return Array(kind, _reshaped(dims_of(operand), wanted))


def _reshaped(have: tuple[Dim, ...], wanted: tuple[Dim, ...]) -> tuple[Dim, ...]:
    """The sizes of an array of ``have`` reshaped to ``wanted``, whose one
    ``-1`` stands for what the other sizes leave: ``(6,)`` to ``(2, -1)``
    is ``(2, 3)``. Sizes not known when building stay unknown."""
    if any(isinstance(dim, int) and dim < -1 for dim in wanted):
        raise TypeRuleError(f"a shape's sizes are at least 0, not {wanted}")
    free = [axis for axis, dim in enumerate(wanted) if dim == -1]
    if len(free) > 1:
        raise TypeRuleError("a shape can have only one unknown size (-1)")
    total = _items(have)
    rest = _items([dim for dim in wanted if dim != -1])
    if total is None or rest is None:
        return tuple(None if dim == -1 else dim for dim in wanted)
    if free and rest and total % rest == 0:
        return tuple(total // rest if dim == -1 else dim for dim in wanted)
    if free or total != rest:
        raise SizeRuleError(
            f"cannot reshape an array of {total} items into shape {wanted}"
        )
    return wanted


def _reshape_vjp(
    e: RuleBuilder, g: Value, args: tuple[Value, ...], out: Value
) -> Cotangents:
    return shaped_back(e, g, args[0]), None


def _reshape_jvp(
    e: RuleBuilder, t: Tangents, args: tuple[Value, ...], out: Value
) -> Value | None:
    return None if t[0] is None else e.call(RESHAPE, t[0], args[1], **e.attributes)


def _write_reshape(
    args: Sequence[ast.expr], attributes: Mapping[str, object], context: EmitContext
) -> ast.expr:
    """``x.reshape(2, -1)`` as a method, ``np.reshape(x, (2, -1))`` else."""
    value, shape = args
    if attributes["namespace"] == "method":
        sizes = shape.elts if isinstance(shape, ast.Tuple) and shape.elts else [shape]
        return ast.Call(ast.Attribute(value, "reshape", ast.Load()), sizes, [])
    function = ast.Attribute(context.module("numpy"), "reshape", ast.Load())
    return ast.Call(function, [value, shape], [])


#: ``np.reshape(x, shape)``, ``x.reshape(shape)``, ``x.reshape(n, -1)``:
#: operands ``x`` and its new shape; attribute ``dims``, the sizes a shape
#: written out gives (a literal, or None).
RESHAPE = Primitive(
    "reshape",
    2,
    {"numpy": "reshape", "method": "reshape"},
    _reshape_vjp,
    _reshape_jvp,
    (ANY, ANY),
    result_type=_reshape_type,
    writer=_write_reshape,
    view=True,
)


def _numbers_kind(operand: Type, refused: str) -> Kind:
    """The kind of the numbers ``operand`` holds; ``refused`` says why
    anything else is."""
    kind = kind_of(operand)
    if kind is None:
        raise TypeRuleError(refused)
    return kind


# -- ravel, flatten ------------------------------------------------------------
def _flat_type(
    types: Sequence[Type | None], attributes: Mapping[str, object]
) -> Type | None:
    operand = types[0]
    if operand is None:
        return None
    kind = _numbers_kind(operand, "flattening something that is not an array")
    dims = dims_of(operand)
    if len(dims) == 1:
        return Array(kind, dims)
    return Array(kind, (_items(dims),))


def _flat(name: str, spellings: Mapping[str, str], view: bool) -> Primitive:
    """``np.ravel``/``x.ravel()`` (a view where it can be) or
    ``x.flatten()`` (always a copy): the items in one axis."""

    def vjp(
        e: RuleBuilder, g: Value, args: tuple[Value, ...], out: Value
    ) -> Cotangents:
        return (shaped_back(e, g, args[0]),)

    def jvp(
        e: RuleBuilder, t: Tangents, args: tuple[Value, ...], out: Value
    ) -> Value | None:
        return None if t[0] is None else e.call(made, t[0])

    made = Primitive(
        name, 1, spellings, vjp, jvp, (ANY,), result_type=_flat_type, view=view
    )
    return made


#: ``np.ravel(x)``, ``x.ravel()``.
RAVEL = _flat("ravel", {"numpy": "ravel", "method": "ravel"}, view=True)
#: ``x.flatten()``: a copy.
FLATTEN = _flat("flatten", {"method": "flatten"}, view=False)


# -- item ------------------------------------------------------------------------
def _item_type(
    types: Sequence[Type | None], attributes: Mapping[str, object]
) -> Type | None:
    operand = types[0]
    if operand is None:
        return None
    kind = _numbers_kind(operand, "x.item() of something that is not an array")
    # Of a NumPy number (np.sum(x)) it is that number; a Python number has
    # no .item(), and the gradient raises AttributeError where f does.
    # An input's axis of a size not 1 is a Size: never 1.
    if not all(map(may_be_one, dims_of(operand))):
        raise TypeRuleError(
            "x.item() of an array of more than one item (NumPy raises "
            "ValueError); index the item (`x[0, 1]`)"
        )
    return Scalar(kind)


def _item_vjp(
    e: RuleBuilder, g: Value, args: tuple[Value, ...], out: Value
) -> Cotangents:
    # The number is x's one item: its cotangent broadcasts to x, as a sum's.
    return (g,)


def _item_jvp(
    e: RuleBuilder, t: Tangents, args: tuple[Value, ...], out: Value
) -> Value | None:
    # The tangent's one item: a sum of one item is exact, and takes a
    # number too.
    return None if t[0] is None else e.call(REDUCE_SUM, t[0])


#: ``x.item()``: the one item of an array of one, as a number.
ITEM = Primitive(
    "item",
    1,
    {"method": "item"},
    _item_vjp,
    _item_jvp,
    (ANY,),
    result_type=_item_type,
)

RESHAPING = (RESHAPE, RAVEL, FLATTEN, ITEM)
