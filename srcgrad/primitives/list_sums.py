"""Adjoints of lists added, filled and summed, and lists stacked into
arrays: ``sum(xs)``, ``np.array(xs)``, ``np.stack(xs, axis)``.

A list's adjoint is a list of its items' adjoints (``primitives/lists.py``);
two are added item by item (``list_add``), the adjoint of ``sum(xs)`` is
the sum's adjoint for every item (``[g] * len(xs)``), and the adjoint of
a stack is its rows (``list(g)``).
"""

from __future__ import annotations

import ast
from collections.abc import Mapping, Sequence

from srcgrad.ir import EmitContext, Value
from srcgrad.ir.types import (
    Array,
    ListOf,
    Scalar,
    Type,
    TypeRuleError,
    broadcast,
    join,
    kind_of,
    same_shape,
    wider,
)
from srcgrad.primitives.creation import ASARRAY, ASTYPE, COPY
from srcgrad.primitives.iteration import write_sum
from srcgrad.primitives.lists import (
    LIST,
    LIST_APPEND,
    LIST_DROP,
    LIST_ITEM,
    LIST_ITEM_ADD,
    LIST_ZEROS,
    item_type,
    list_type,
)
from srcgrad.primitives.primitive import (
    Cotangents,
    Primitive,
    RuleBuilder,
    Tangents,
)

_NAMESPACE = {"list": "list"}


def _add_vjp(
    e: RuleBuilder, g: Value, args: tuple[Value, ...], out: Value
) -> Cotangents:
    return (g, g)


def _add_jvp(
    e: RuleBuilder, t: Tangents, args: tuple[Value, ...], out: Value
) -> Value | None:
    if t[0] is None or t[1] is None:
        return t[0] if t[1] is None else t[1]
    return e.call(LIST_ADD, t[0], t[1])


def _write_add(
    args: Sequence[ast.expr], attributes: Mapping[str, object], context: EmitContext
) -> ast.expr:
    """``[a + b for a, b in zip(first, second)]``."""
    a, b = ast.Name("a", ast.Load()), ast.Name("b", ast.Load())
    pair = ast.Tuple([ast.Name("a", ast.Store()), ast.Name("b", ast.Store())])
    pair.ctx = ast.Store()
    zipped = ast.Call(context.builtin("zip"), list(args), [])
    loop = ast.comprehension(pair, zipped, [], 0)
    return ast.ListComp(ast.BinOp(a, ast.Add(), b), [loop])


#: Two lists of one length added item by item: two adjoints of one list.
LIST_ADD = Primitive(
    "list_add",
    2,
    _NAMESPACE,
    _add_vjp,
    _add_jvp,
    (),
    result_type=lambda types, attributes: list_type(
        join(types[0], types[1]), "adding adjoints of lists"
    ),
    writer=_write_add,
    allocates=True,
)


def _fill_vjp(
    e: RuleBuilder, g: Value, args: tuple[Value, ...], out: Value
) -> Cotangents:
    return (e.call(LIST_SUM, g, e.const(0)), None)


def _fill_jvp(
    e: RuleBuilder, t: Tangents, args: tuple[Value, ...], out: Value
) -> Value | None:
    return None if t[0] is None else e.call(LIST_FILL, t[0], args[1])


def _write_fill(
    args: Sequence[ast.expr], attributes: Mapping[str, object], context: EmitContext
) -> ast.expr:
    """``[g] * len(xs)``: one value for every item (none is changed in
    place); with ``stretch``, ``g`` broadcast to each item's shape (it
    may be smaller: the adjoint of ``np.sum(sum(xs))`` is a number)."""
    g, xs = args
    if attributes.get("stretch"):
        numpy = context.module("numpy")
        item = ast.Name("item", ast.Load())
        shape = ast.Call(ast.Attribute(numpy, "shape", ast.Load()), [item], [])
        stretched = ast.Call(
            ast.Attribute(numpy, "broadcast_to", ast.Load()), [g, shape], []
        )
        loop = ast.comprehension(ast.Name("item", ast.Store()), xs, [], 0)
        return ast.ListComp(stretched, [loop])
    length = ast.Call(context.builtin("len"), [xs], [])
    return ast.BinOp(ast.List([g], ast.Load()), ast.Mult(), length)


#: ``[g] * len(xs)``: the adjoint of ``sum(xs)`` for each item.
LIST_FILL = Primitive(
    "list_fill",
    2,
    _NAMESPACE,
    _fill_vjp,
    _fill_jvp,
    (),
    result_type=lambda types, attributes: ListOf(types[0]),
    writer=_write_fill,
    allocates=True,
)


# -- sum(xs), np.array(xs), np.stack(xs) ----------------------------------------
def _sum_type(
    types: Sequence[Type | None], attributes: Mapping[str, object]
) -> Type | None:
    base = list_type(types[0], "sum")
    start = types[1]
    if base is None:
        return None
    if base.empty:
        return start
    item = base.item
    kinds = (kind_of(item), kind_of(start))
    if kinds[0] is None or kinds[1] is None:
        return None
    return broadcast(wider(kinds[0], kinds[1]), [item, start])


def _sum_vjp(
    e: RuleBuilder, g: Value, args: tuple[Value, ...], out: Value
) -> Cotangents:
    # Elementwise: g may be smaller than the sum (np.sum's adjoint is a
    # number), and the sweep sums start's back to its shape.
    xs, start = args
    item = item_type(xs.type)
    if isinstance(xs.type, ListOf) and xs.type.empty:
        return (None, g)
    if item is None or not same_shape(item, out.type):
        raise TypeRuleError(
            "sum of a list whose items may differ in shape from their sum "
            "(an item that broadcasts) is not supported; stack them "
            "(np.sum(np.stack(xs), axis=0)) or add them one by one"
        )
    stretch = g.type is None or not same_shape(g.type, item)
    return (e.call(LIST_FILL, g, xs, stretch=stretch), g)


def _sum_jvp(
    e: RuleBuilder, t: Tangents, args: tuple[Value, ...], out: Value
) -> Value | None:
    total = None if t[0] is None else e.call(LIST_SUM, t[0], e.const(0))
    return e.add_tangents(total, t[1])


#: ``sum(xs, start)`` of a list (``start`` 0 where not given).
LIST_SUM = Primitive(
    "list_sum",
    2,
    _NAMESPACE,
    _sum_vjp,
    _sum_jvp,
    (),
    result_type=_sum_type,
    writer=write_sum,
    elementwise=True,
)


def _stack_axis(rank: int, attributes: Mapping[str, object]) -> int:
    axis = int(attributes.get("axis", 0))  # type: ignore[call-overload]
    if not -rank - 1 <= axis <= rank:
        raise TypeRuleError(f"axis {axis} is out of bounds for {rank + 1} axes")
    return axis % (rank + 1)


def array_of(
    operand: Type | None, attributes: Mapping[str, object]
) -> tuple[Primitive, dict[str, object]] | None:
    """What ``np.array(x)`` or ``np.asarray(x)`` (attribute ``function``,
    and ``dtype``) is where ``x`` is not a list the function makes: the op
    and its attributes (``passes.lists`` makes it that op once types are
    known); None where it stacks a list's items.

    ``np.asarray`` of an array is the array itself, and of anything else
    (a sequence passed in) an array of it; ``np.array`` of an array
    copies it, as ``np.copy``, or makes floats of it (``x.astype(float)``).
    """
    function = attributes.get("function")
    dtype = {"dtype": attributes["dtype"]} if "dtype" in attributes else {}
    if function == "asarray" and not isinstance(operand, ListOf):
        return ASARRAY, {"namespace": "numpy", **dtype}
    if function != "array" or not isinstance(operand, Array):
        return None
    if dtype and operand.kind != "real":
        return ASTYPE, {"namespace": "method", **dtype}
    return COPY, {"namespace": "numpy"}


def _stack_type(
    types: Sequence[Type | None], attributes: Mapping[str, object]
) -> Type | None:
    made = array_of(types[0], attributes)
    if made is not None:
        primitive, options = made
        return primitive.result_types(types, options)[0]
    base = list_type(types[0], str(attributes.get("function", "np.stack")))
    item = item_type(base)
    if not isinstance(item, (Scalar, Array)):
        return None
    dims = list(item.dims) if isinstance(item, Array) else []
    dims.insert(_stack_axis(len(dims), attributes), None)
    kind = "real" if "dtype" in attributes else item.kind  # dtype is float
    return Array(kind, tuple(dims))


def _stack_vjp(
    e: RuleBuilder, g: Value, args: tuple[Value, ...], out: Value
) -> Cotangents:
    # Elementwise, so g may broadcast to the stack (np.sum's is a number):
    # a number is every item's adjoint, stretched to the item; else g is
    # stretched to the stack and taken apart.
    if isinstance(g.type, Scalar):
        stretch = not isinstance(item_type(args[0].type), Scalar)
        return (e.call(LIST_FILL, g, args[0], stretch=stretch),)
    g = e.materialize(g, out)
    return (e.call(ROWS, g, axis=e.attributes.get("axis", 0)),)


def _stack_jvp(
    e: RuleBuilder, t: Tangents, args: tuple[Value, ...], out: Value
) -> Value | None:
    if t[0] is None:
        return None
    axis = e.attributes.get("axis", 0)
    return e.call(STACK_LIST, t[0], function="stack", axis=axis)


def _write_stack(
    args: Sequence[ast.expr], attributes: Mapping[str, object], context: EmitContext
) -> ast.expr:
    function = str(attributes.get("function", "stack"))
    call = ast.Attribute(context.module("numpy"), function, ast.Load())
    keywords = []
    if attributes.get("axis", 0) != 0:
        axis = ast.Constant(int(attributes["axis"]))  # type: ignore[call-overload]
        keywords.append(ast.keyword("axis", axis))
    if "dtype" in attributes:
        keywords.append(ast.keyword("dtype", context.builtin(str(attributes["dtype"]))))
    return ast.Call(call, [args[0]], keywords)


#: ``np.array(xs)``, ``np.asarray(xs)`` or ``np.stack(xs, axis)`` of a list
#: the function made (attribute ``function``; ``dtype``, float, if given):
#: its items stacked along a new axis.
STACK_LIST = Primitive(
    "stack_list",
    1,
    _NAMESPACE,
    _stack_vjp,
    _stack_jvp,
    (),
    result_type=_stack_type,
    writer=_write_stack,
    elementwise=True,
)


def _rows_type(
    types: Sequence[Type | None], attributes: Mapping[str, object]
) -> Type | None:
    array = types[0]
    if not isinstance(array, Array):
        return ListOf(None) if array is None else None
    axis = int(attributes.get("axis", 0))  # type: ignore[call-overload]
    dims = list(array.dims)
    del dims[axis % len(dims)]
    return ListOf(Array(array.kind, tuple(dims)) if dims else Scalar(array.kind))


def _rows_vjp(
    e: RuleBuilder, g: Value, args: tuple[Value, ...], out: Value
) -> Cotangents:
    axis = e.attributes.get("axis", 0)
    return (e.call(STACK_LIST, g, function="stack", axis=axis),)


def _rows_jvp(
    e: RuleBuilder, t: Tangents, args: tuple[Value, ...], out: Value
) -> Value | None:
    return None if t[0] is None else e.call(ROWS, t[0], **e.attributes)


def _write_rows(
    args: Sequence[ast.expr], attributes: Mapping[str, object], context: EmitContext
) -> ast.expr:
    """``list(g)``, or ``list(np.moveaxis(g, axis, 0))``."""
    array = args[0]
    axis = attributes.get("axis", 0)
    if axis != 0:
        moveaxis = ast.Attribute(context.module("numpy"), "moveaxis", ast.Load())
        moved = [array, ast.Constant(int(axis)), ast.Constant(0)]  # type: ignore[call-overload]
        array = ast.Call(moveaxis, moved, [])
    return ast.Call(context.builtin("list"), [array], [])


#: The items of an array along ``axis``, as a list: a stack's adjoint.
ROWS = Primitive(
    "rows",
    1,
    _NAMESPACE,
    _rows_vjp,
    _rows_jvp,
    (),
    result_type=_rows_type,
    writer=_write_rows,
    allocates=True,
)


LISTS = (
    LIST,
    LIST_APPEND,
    LIST_DROP,
    LIST_ITEM,
    LIST_ITEM_ADD,
    LIST_ZEROS,
    LIST_ADD,
    LIST_FILL,
    LIST_SUM,
    STACK_LIST,
    ROWS,
)
