"""Writing into arrays: ``y[index] = v`` and ``acc[index] += g``, as values.

``setitem`` is ``y`` with ``v`` written at ``index``; ``index_add`` is
``acc`` with ``g`` added there (the adjoint of an indexed read, summed in
place: ``passes/in_place.accumulate_in_place``). Both are written as
statements: into the array itself where nothing reads it afterwards
(attribute ``in_place``, set by ``passes/in_place.mark_in_place``), else into
a copy. The index is described as for ``index`` (``primitives.indexing``).
"""

from __future__ import annotations

import ast
from collections.abc import Mapping, Sequence

from srcgrad.ir import EmitContext, Value
from srcgrad.ir.types import Array, ListOf, Type, TypeRuleError
from srcgrad.primitives.creation import ZEROS_LIKE
from srcgrad.primitives.indexing import (
    INDEX,
    as_indices,
    index_expression,
    index_type,
    index_value,
    items_of,
)
from srcgrad.primitives.primitive import (
    Cotangents,
    JvpRule,
    Primitive,
    RuleBuilder,
    Tangents,
)


def _setitem_type(
    types: Sequence[Type | None], attributes: Mapping[str, object]
) -> Type | None:
    base, value, *rest = types
    operands = as_indices([base, *rest])[1:]
    if isinstance(base, ListOf):
        raise TypeRuleError(
            "writing a list's items (`xs[i] = v`) is not supported; build the "
            "list by appending to it, or write into an array (np.zeros(n))"
        )
    if any(isinstance(t, Array) and t.kind == "int" for t in operands):
        raise TypeRuleError(
            "writing through an array of indices is not supported: NumPy keeps "
            "only the last write where an index repeats; write with a mask or "
            "a slice, or add with np.add.at"
        )
    slot = index_type([base, *operands], attributes)
    if base is None or value is None or slot is None:
        return base
    assert isinstance(base, Array)  # _index_type refuses the rest
    if isinstance(value, Array) and value.rank > len(getattr(slot, "dims", ())):
        raise TypeRuleError(
            f"cannot write an array of {value.rank} axes into {slot} items"
        )
    if base.kind != "real" and getattr(value, "kind", "real") == "real":
        raise TypeRuleError(
            f"writing real numbers into an array of {base.kind}s would round "
            "them: make the array with dtype=float"
        )
    return base


def _setitem_vjp(
    e: RuleBuilder, g: Value, args: tuple[Value, ...], out: Value
) -> Cotangents:
    # out is base with value at index: base's adjoint is g with zeros
    # there, value's is g at the index (summed where value broadcast).
    base, value, *operands = args
    items = e.attributes["index"]
    slot = e.call(INDEX, g, *operands, index=items)  # read before g is written
    base_bar = e.call(SETITEM, g, e.const(0.0), *operands, index=items)
    return (base_bar, e.unbroadcast(slot, value)) + (None,) * len(operands)


def _write_jvp(kind: str) -> JvpRule:
    """A write is linear in its array and its value together: its tangent is
    the same write of their tangents (zeros for one without)."""

    def jvp(
        e: RuleBuilder, t: Tangents, args: tuple[Value, ...], out: Value
    ) -> Value | None:
        if t[0] is None and t[1] is None:
            return None
        base = t[0] if t[0] is not None else e.call(ZEROS_LIKE, args[0])
        value = t[1] if t[1] is not None else e.const(0.0)
        write = SETITEM if kind == "setitem" else INDEX_ADD
        return e.call(write, base, value, *args[2:], **e.attributes)

    return jvp


def _setitem_statements(
    target: ast.Name,
    args: Sequence[ast.expr],
    attributes: Mapping[str, object],
    context: EmitContext,
) -> list[ast.stmt]:
    """``y[index] = value``: into ``y`` itself where nothing reads it after
    (attribute ``in_place``), else into a copy, as the IR's values are."""
    base, value, *operands = args
    statements = bound_to_target(target, base, attributes)
    index = index_expression(items_of(attributes), operands)
    place = ast.Subscript(ast.Name(target.id, ast.Load()), index, ast.Store())
    statements.append(ast.Assign([place], value, lineno=0))
    return statements


def bound_to_target(
    target: ast.Name, base: ast.expr, attributes: Mapping[str, object]
) -> list[ast.stmt]:
    """What makes ``target`` the array a write goes into: ``base`` itself
    where the write may be in place (nothing if it has that name already),
    else a copy of it."""
    store = ast.Name(target.id, ast.Store())
    if not attributes.get("in_place"):
        copy = ast.Call(ast.Attribute(base, "copy", ast.Load()), [], [])
        return [ast.Assign([store], copy, lineno=0)]
    if isinstance(base, ast.Name) and base.id == target.id:
        return []
    return [ast.Assign([store], base, lineno=0)]


#: ``y[index] = value``, as a new value: operands ``y``, ``value``, then the
#: index operands. Its attribute ``in_place`` (set before code is written)
#: says ``y`` may be written into.
SETITEM = Primitive(
    "setitem",
    None,
    {"subscript": "[]="},
    _setitem_vjp,
    _write_jvp("setitem"),
    (),
    result_type=_setitem_type,
    statements=_setitem_statements,
    view=True,
    bound_first=1,
)


def _index_add_vjp(
    e: RuleBuilder, g: Value, args: tuple[Value, ...], out: Value
) -> Cotangents:
    _, added, *operands = args
    slot = e.call(INDEX, g, *operands, index=e.attributes["index"])
    return (g, e.unbroadcast(slot, added)) + (None,) * len(operands)


def _index_add_statements(
    target: ast.Name,
    args: Sequence[ast.expr],
    attributes: Mapping[str, object],
    context: EmitContext,
) -> list[ast.stmt]:
    """``acc[index] += g`` (``np.add.at`` where items may repeat), into
    ``acc`` itself where nothing reads it after (``in_place``), else a copy."""
    base, added, *operands = args
    statements = bound_to_target(target, base, attributes)
    index = index_expression(items_of(attributes), operands)
    load = ast.Name(target.id, ast.Load())
    if attributes.get("repeats"):
        numpy = context.module("numpy")
        add = ast.Attribute(ast.Attribute(numpy, "add", ast.Load()), "at", ast.Load())
        at = index_value(items_of(attributes), operands, context)
        statements.append(ast.Expr(ast.Call(add, [load, at, added], [])))
    else:
        place = ast.Subscript(load, index, ast.Store())
        statements.append(ast.AugAssign(place, ast.Add(), added))
    return statements


#: ``acc`` with ``g`` added at ``index``: an adjoint summed item by item, as
#: ``acc[index] += g``. Operands ``acc``, ``g``, then the index operands.
INDEX_ADD = Primitive(
    "index_add",
    None,
    {"subscript": "[]+="},
    _index_add_vjp,
    _write_jvp("index_add"),
    (),
    result_type=lambda types, attributes: types[0],
    statements=_index_add_statements,
    view=True,
    bound_first=1,
)

ITEM_WRITES = (SETITEM, INDEX_ADD)
