"""Python lists the function makes: ``[a, b]``, ``xs.append(v)``, ``xs[i]``,
``sum(xs)``, ``np.array(xs)`` and ``np.stack(xs)``.

A list is a value in the IR, as an array is: ``list_append xs, v`` is
``xs`` with ``v`` after its items, and the name ``xs`` then holds it.
Codegen appends in place where nothing reads the old list afterwards
(``passes/in_place.mark_in_place``), so a loop that appends is linear.

A list's adjoint is a list of its items' adjoints, each of its item's
shape (never a number standing for an array of zeros: rules downstream
take it as the item's adjoint). The adjoint of an append takes the last
item's adjoint off the end (``v_bar = xs_bar[-1]``, then ``del
xs_bar[-1]``), so the reverse of a loop that appends reads its list back to
front, in place. An item read ``xs[i]`` adds its adjoint at ``i``
(``xs_bar[i] = xs_bar[i] + g``: the item may be an array other items
share, so never ``+=``).
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
    join,
)
from srcgrad.primitives.creation import ZEROS_LIKE
from srcgrad.primitives.item_writes import bound_to_target
from srcgrad.primitives.primitive import (
    Cotangents,
    Primitive,
    RuleBuilder,
    Tangents,
)

_NAMESPACE = {"list": "list"}


def _items_type(types: Sequence[Type | None]) -> Type | None:
    """The join of items' types; a list of lists is refused."""
    joined: Type | None = types[0] if types else None
    for type_ in types:
        if isinstance(type_, ListOf):
            raise TypeRuleError(
                "a list of lists is not supported; make each inner list an "
                "array (np.array(row)) or keep the values in one flat list"
            )
        joined = join(joined, type_)
    return joined


def list_type(type_: Type | None, what: str) -> ListOf | None:
    """``type_`` as a list's, or None where it is not known; anything else
    is refused (``what`` says which operation needed a list)."""
    if type_ is None or isinstance(type_, ListOf):
        return type_
    raise TypeRuleError(f"{what} takes a list, and this is {type_}")


def item_type(type_: Type | None) -> Type | None:
    """The type of an item of a list of ``type_`` (None where unknown)."""
    if isinstance(type_, ListOf) and not type_.empty:
        return type_.item
    return None


def made_list(value: Value) -> bool:
    """Whether ``value`` is surely a list the function makes, before types
    are known: made by a list op, or what a loop or branch carries of one."""
    op = value.defining_op
    if op is None:
        return False
    if isinstance(op.definition, Primitive):
        return op.definition in (LIST, LIST_APPEND)
    if op.name in ("for", "while"):
        position = op.results.index(value)
        inits = op.operands[1:] if op.name == "for" else op.operands
        return position < len(inits) and made_list(inits[position])
    return False


def _zero_item(e: RuleBuilder, item: Value) -> Value:
    """A zero of ``item``'s shape: an adjoint list's items have their items'."""
    if isinstance(item.type, Scalar):
        return e.const(0.0)
    return e.call(ZEROS_LIKE, item)


def _subscript(target: ast.expr, index: ast.expr, load: bool = True) -> ast.Subscript:
    context: ast.expr_context = ast.Load() if load else ast.Store()
    return ast.Subscript(target, index, context)


# -- [a, b, c] -----------------------------------------------------------------
def _list_type(
    types: Sequence[Type | None], attributes: Mapping[str, object]
) -> Type | None:
    if not types:
        return ListOf(None, empty=True)
    return ListOf(_items_type(types))


def _list_vjp(
    e: RuleBuilder, g: Value, args: tuple[Value, ...], out: Value
) -> Cotangents:
    return tuple(e.call(LIST_ITEM, g, e.const(k)) for k in range(len(args)))


def _list_jvp(
    e: RuleBuilder, t: Tangents, args: tuple[Value, ...], out: Value
) -> Value | None:
    if all(tangent is None for tangent in t):
        return None
    items = [
        tangent if tangent is not None else _zero_item(e, arg)
        for tangent, arg in zip(t, args, strict=True)
    ]
    return e.call(LIST, *items)


def _write_list(
    args: Sequence[ast.expr], attributes: Mapping[str, object], context: EmitContext
) -> ast.expr:
    return ast.List(list(args), ast.Load())


#: ``[a, b, c]``: a new list of its operands.
LIST = Primitive(
    "list",
    None,
    _NAMESPACE,
    _list_vjp,
    _list_jvp,
    (),
    result_type=_list_type,
    writer=_write_list,
    allocates=True,
    view=True,  # it holds its items: a write into one is seen through it
)


# -- xs.append(v) -------------------------------------------------------------
def _append_type(
    types: Sequence[Type | None], attributes: Mapping[str, object]
) -> Type | None:
    base = types[0]
    if base is not None and not isinstance(base, ListOf):
        raise TypeRuleError(
            "append is supported on a list the function makes (`xs = []` or "
            "`xs = [a, b]`); this one is a parameter, a global or a value of "
            f"type {base}, and appending to a list passed in would change the "
            "caller's list: append to a new list"
        )
    if base is None:
        return None
    item = _items_type([types[1]])
    return ListOf(item) if base.empty else ListOf(join(base.item, item))


def _append_vjp(
    e: RuleBuilder, g: Value, args: tuple[Value, ...], out: Value
) -> Cotangents:
    last = e.call(LIST_ITEM, g, e.const(-1))  # read before it is taken off
    return (e.call(LIST_DROP, g), last)


def _append_jvp(
    e: RuleBuilder, t: Tangents, args: tuple[Value, ...], out: Value
) -> Value | None:
    if t[0] is None and t[1] is None:
        return None
    base = t[0] if t[0] is not None else list_zeros(e, args[0])
    item = t[1] if t[1] is not None else _zero_item(e, args[1])
    return e.call(LIST_APPEND, base, item)


def _append_statements(
    target: ast.Name,
    args: Sequence[ast.expr],
    attributes: Mapping[str, object],
    context: EmitContext,
) -> list[ast.stmt]:
    base, item = args
    statements = bound_to_target(target, base, attributes)
    append = ast.Attribute(ast.Name(target.id, ast.Load()), "append", ast.Load())
    statements.append(ast.Expr(ast.Call(append, [item], [])))
    return statements


#: ``xs.append(v)``, as a new value: ``xs`` with ``v`` at its end.
LIST_APPEND = Primitive(
    "list_append",
    2,
    _NAMESPACE,
    _append_vjp,
    _append_jvp,
    (),
    result_type=_append_type,
    statements=_append_statements,
    view=True,
    bound_first=1,
)


# -- del xs[-1] (the adjoint of an append) ----------------------------------
def _drop_vjp(
    e: RuleBuilder, g: Value, args: tuple[Value, ...], out: Value
) -> Cotangents:
    last = e.call(LIST_ITEM, args[0], e.const(-1))
    return (e.call(LIST_APPEND, g, _zero_item(e, last)),)


def _drop_jvp(
    e: RuleBuilder, t: Tangents, args: tuple[Value, ...], out: Value
) -> Value | None:
    return None if t[0] is None else e.call(LIST_DROP, t[0])


def _drop_statements(
    target: ast.Name,
    args: Sequence[ast.expr],
    attributes: Mapping[str, object],
    context: EmitContext,
) -> list[ast.stmt]:
    statements = bound_to_target(target, args[0], attributes)
    last = ast.UnaryOp(ast.USub(), ast.Constant(1))
    item = _subscript(ast.Name(target.id, ast.Load()), last, load=False)
    item.ctx = ast.Del()
    statements.append(ast.Delete([item]))
    return statements


#: ``xs`` without its last item: ``del xs[-1]``.
LIST_DROP = Primitive(
    "list_drop",
    1,
    _NAMESPACE,
    _drop_vjp,
    _drop_jvp,
    (),
    result_type=lambda types, attributes: list_type(types[0], "del xs[-1]"),
    statements=_drop_statements,
    view=True,
    bound_first=1,
)


# -- xs[i] ------------------------------------------------------------------------
def _item_vjp(
    e: RuleBuilder, g: Value, args: tuple[Value, ...], out: Value
) -> Cotangents:
    xs, index = args
    zeros = list_zeros(e, xs)
    return (e.call(LIST_ITEM_ADD, zeros, g, index), None)


def _item_jvp(
    e: RuleBuilder, t: Tangents, args: tuple[Value, ...], out: Value
) -> Value | None:
    return None if t[0] is None else e.call(LIST_ITEM, t[0], args[1])


def _write_item(
    args: Sequence[ast.expr], attributes: Mapping[str, object], context: EmitContext
) -> ast.expr:
    return _subscript(args[0], args[1])


#: ``xs[i]`` of a list, ``i`` an integer.
LIST_ITEM = Primitive(
    "list_item",
    2,
    _NAMESPACE,
    _item_vjp,
    _item_jvp,
    (),
    result_type=lambda types, attributes: item_type(list_type(types[0], "xs[i]")),
    writer=_write_item,
    view=True,  # the item itself, which other values may hold
)


# -- acc[i] = acc[i] + g ------------------------------------------------------
def _item_add_vjp(
    e: RuleBuilder, g: Value, args: tuple[Value, ...], out: Value
) -> Cotangents:
    return (g, e.call(LIST_ITEM, g, args[2]), None)


def _item_add_jvp(
    e: RuleBuilder, t: Tangents, args: tuple[Value, ...], out: Value
) -> Value | None:
    if t[0] is None and t[1] is None:
        return None
    base = t[0] if t[0] is not None else list_zeros(e, args[0])
    added = t[1] if t[1] is not None else _zero_item(e, args[1])
    return e.call(LIST_ITEM_ADD, base, added, args[2])


def _item_add_statements(
    target: ast.Name,
    args: Sequence[ast.expr],
    attributes: Mapping[str, object],
    context: EmitContext,
) -> list[ast.stmt]:
    base, added, index = args
    statements = bound_to_target(target, base, attributes)
    item = _subscript(ast.Name(target.id, ast.Load()), index)
    place = _subscript(ast.Name(target.id, ast.Load()), index, load=False)
    total = ast.BinOp(item, ast.Add(), added)
    statements.append(ast.Assign([place], total, lineno=0))
    return statements


#: ``acc`` with ``g`` added to its item ``i``: an item read's adjoint.
LIST_ITEM_ADD = Primitive(
    "list_item_add",
    3,
    _NAMESPACE,
    _item_add_vjp,
    _item_add_jvp,
    (),
    result_type=lambda types, attributes: list_type(types[0], "adding at an item"),
    statements=_item_add_statements,
    view=True,
    bound_first=1,
)


# -- zeros, sums and copies of adjoints -----------------------------------------
def _write_zeros(
    args: Sequence[ast.expr], attributes: Mapping[str, object], context: EmitContext
) -> ast.expr:
    """``[0.0] * len(xs)`` for numbers; an array of zeros per item else.
    With ``maybe_none``, ``[]`` where ``xs`` is None: a loop that returned
    early leaves a list None on the path that never reads it."""
    zeros: ast.expr
    if attributes.get("numbers"):
        length = ast.Call(context.builtin("len"), [args[0]], [])
        zero = ast.List([ast.Constant(0.0)], ast.Load())
        zeros = ast.BinOp(zero, ast.Mult(), length)
    else:
        numpy = context.module("numpy")
        zeros_like = ast.Attribute(numpy, "zeros_like", ast.Load())
        item = ast.Call(zeros_like, [ast.Name("item", ast.Load())], [])
        loop = ast.comprehension(ast.Name("item", ast.Store()), args[0], [], 0)
        zeros = ast.ListComp(item, [loop])
    if not attributes.get("maybe_none"):
        return zeros
    none = ast.Compare(args[0], [ast.Is()], [ast.Constant(None)])
    return ast.IfExp(none, ast.List([], ast.Load()), zeros)


def _zeros_type(
    types: Sequence[Type | None], attributes: Mapping[str, object]
) -> Type | None:
    base = list_type(types[0], "zeros of a list")
    if base is None or base.empty:
        return base
    item = base.item
    return ListOf(Array("real", item.dims) if isinstance(item, Array) else item)


#: Zeros shaped as the items of a list: the adjoint nothing reached yet.
#: Attribute ``numbers``: every item is a number (``[0.0] * len(xs)``).
LIST_ZEROS = Primitive(
    "list_zeros",
    1,
    _NAMESPACE,
    None,
    None,
    (),
    zero_derivative=True,
    result_type=_zeros_type,
    writer=_write_zeros,
    allocates=True,
)


def list_zeros(e: RuleBuilder, xs: Value) -> Value:
    """``LIST_ZEROS`` of ``xs``, written for numbers where its items are."""
    numbers = isinstance(item_type(xs.type), Scalar)
    made = xs.defining_op
    maybe_none = made is not None and (
        made.name == "if"
        or (made.name in ("for", "while") and "exit" in made.attributes)
    )
    return e.call(LIST_ZEROS, xs, numbers=numbers, maybe_none=maybe_none)


#: The ops that change a list (in place where ``mark_in_place`` allows).
LIST_WRITES = (LIST_APPEND, LIST_DROP, LIST_ITEM_ADD)
