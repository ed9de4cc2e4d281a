"""Reading arrays by index: ``x[i]``, ``x[1:, ::2]``, ``x[mask]``, ``x[idx]``.

An ``index`` op's operands are the array and the index values that are not
literals; its attribute ``index`` describes the subscript item by item:

* ``("int", k)``: the literal integer ``k``; ``("int", None)`` an operand
  (an integer, an integer array or a boolean mask: its type says which);
* ``("slice", start, stop, step)``: each a literal, None (omitted), or
  ``OPERAND`` (the next operand);
* ``("newaxis",)`` for ``None``/``np.newaxis``, ``("ellipsis",)`` for ``...``.

The adjoint of ``y = x[index]`` is an array of zeros of ``x``'s shape with
the cotangent written at ``index`` (added, where an integer array may name
an item twice: ``np.add.at``), as a person writes it.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping, Sequence

from srcgrad.ir import EmitContext, Value
from srcgrad.ir.types import (
    Array,
    Dim,
    ListOf,
    Other,
    Scalar,
    Type,
    TypeRuleError,
    broadcast_dims,
    sliced_dim,
)
from srcgrad.primitives.primitive import Cotangents, Primitive, RuleBuilder, Tangents

#: A part of a slice, or an item, given as an operand rather than a literal.
OPERAND = "operand"

Item = tuple[object, ...]


def items_of(attributes: Mapping[str, object]) -> tuple[Item, ...]:
    return attributes["index"]  # type: ignore[return-value]


def index_expression(items: Sequence[Item], operands: Sequence[ast.expr]) -> ast.expr:
    """The subscript ``[...]`` as Python: literals in place, operands in order."""
    pending = iter(operands)

    def part(value: object) -> ast.expr | None:
        if value is None:
            return None
        if value == OPERAND:
            return next(pending)
        return _literal(value)

    written: list[ast.expr] = []
    for item in items:
        kind = item[0]
        if kind == "int":
            written.append(next(pending) if item[1] is None else _literal(item[1]))
        elif kind == "slice":
            start, stop, step = (part(value) for value in item[1:])
            written.append(ast.Slice(start, stop, step))
        elif kind == "newaxis":
            written.append(ast.Constant(None))
        else:
            written.append(ast.Constant(Ellipsis))
    if len(written) == 1:
        return written[0]
    return ast.Tuple(written, ast.Load())


def index_value(
    items: Sequence[Item], operands: Sequence[ast.expr], context: EmitContext
) -> ast.expr:
    """The index as a value passed to a function (``np.add.at``): as
    ``index_expression`` writes it, with ``slice(a, b, c)`` for ``a:b:c``."""
    written = index_expression(items, operands)
    parts = written.elts if isinstance(written, ast.Tuple) else [written]
    values = [
        _slice_object(part, context) if isinstance(part, ast.Slice) else part
        for part in parts
    ]
    if isinstance(written, ast.Tuple):
        return ast.Tuple(values, ast.Load())
    return values[0]


def _slice_object(part: ast.Slice, context: EmitContext) -> ast.expr:
    """``a:b:c`` as ``slice(a, b, c)``, shortest: ``slice(b)`` for ``:b``
    (one argument is the stop), ``slice(a, None)`` for ``a:``."""
    bounds = [part.lower, part.upper, part.step]
    if part.step is None:
        bounds.pop()
        if part.lower is None:
            bounds.pop(0)
    args = [ast.Constant(None) if b is None else b for b in bounds]
    return ast.Call(context.builtin("slice"), args, [])


def _literal(value: object) -> ast.expr:
    if isinstance(value, int) and value < 0:
        return ast.UnaryOp(ast.USub(), ast.Constant(-value))
    return ast.Constant(value)  # type: ignore[arg-type]


def _write_index(
    args: Sequence[ast.expr], attributes: Mapping[str, object], context: EmitContext
) -> ast.expr:
    array, *operands = args
    return ast.Subscript(
        array, index_expression(items_of(attributes), operands), ast.Load()
    )


# -- the type of x[index] ------------------------------------------------------
def index_type(
    types: Sequence[Type | None], attributes: Mapping[str, object]
) -> Type | None:
    given = attributes.get("type")
    if given is not None:  # a rule's read of a piece whose shape it knows
        return given  # type: ignore[return-value]
    array, *operands = as_indices(types)
    if array is None or any(operand is None for operand in operands):
        return None
    if isinstance(array, Scalar):
        raise TypeRuleError("a number cannot be indexed (it is not an array)")
    if isinstance(array, ListOf):  # passes.lists makes it a list's item read
        return None if array.empty else array.item
    if type(array) is Other:  # a sequence passed in, of numbers not differentiated
        return None
    if not isinstance(array, Array):
        raise TypeRuleError("indexing is supported on arrays")
    dims = _indexed_dims(array, items_of(attributes), list(operands))
    return Array(array.kind, dims) if dims else Scalar(array.kind)


def as_indices(types: Sequence[Type | None]) -> list[Type | None]:
    """``types`` of a subscript's operands, a list of integers (or of
    booleans) taken as the array NumPy makes of it: ``x[ks]`` with
    ``ks = [0, 2, 2]``. The first, the array indexed, is as it is."""
    found = list(types[:1])
    for type_ in types[1:]:
        item = type_.item if isinstance(type_, ListOf) else None
        if isinstance(item, Scalar) and item.kind in ("int", "bool"):
            type_ = Array(item.kind, (None,))
        found.append(type_)
    return found


def _indexed_dims(
    array: Array, items: Sequence[Item], operands: list[Type | None]
) -> tuple[Dim, ...]:
    """The dimensions of ``array[items]`` (see NumPy's indexing rules)."""
    pending = iter(operands)
    consumed = sum(_axes_taken(item, pending) for item in items)
    if consumed > array.rank:
        raise TypeRuleError(
            f"too many indices: the array has {array.rank} axes, the index {consumed}"
        )
    pending = iter(operands)
    axes = iter(array.dims)
    basic: list[Dim | tuple[str, tuple[Dim, ...]]] = []
    advanced: list[tuple[Dim, ...]] = []
    for item in items:
        kind = item[0]
        if kind == "newaxis":
            basic.append(1)
        elif kind == "ellipsis":
            for _ in range(array.rank - consumed):
                basic.append(next(axes))
        elif kind == "slice":
            parts = [next(pending) if value == OPERAND else value for value in item[1:]]
            basic.append(sliced_dim(next(axes), parts))
        else:
            index = next(pending) if item[1] is None else None
            taken = _advanced_dims(index, axes)
            if taken is None:  # an integer: the axis goes, but beside an
                basic.append(("integer", ()))  # array it places the result
                continue
            advanced.append(taken)
            basic.append(("advanced", taken))
    basic.extend(axes)  # axes no item names are kept whole
    return _place_advanced(basic, advanced)


def _axes_taken(item: Item, pending: object) -> int:
    kind = item[0]
    if kind in ("newaxis", "ellipsis"):
        return 0
    if kind == "slice":
        for value in item[1:]:
            if value == OPERAND:
                next(pending)  # type: ignore[call-overload]
        return 1
    if item[1] is not None:
        return 1
    index = next(pending)  # type: ignore[call-overload]
    if isinstance(index, Array) and index.kind == "bool":
        return index.rank
    return 1


def _advanced_dims(index: Type | None, axes: object) -> tuple[Dim, ...] | None:
    """What an integer, integer array or mask makes of the axes it takes."""
    if index is None or isinstance(index, Scalar):
        if isinstance(index, Scalar) and index.kind == "real":
            raise TypeRuleError("an index must be an integer, not a real number")
        next(axes)  # type: ignore[call-overload]
        return None
    if not isinstance(index, Array):
        raise TypeRuleError("an index must be an integer, a slice or an array")
    if index.kind == "bool":
        for _ in range(index.rank):
            next(axes)  # type: ignore[call-overload]
        return (None,)  # as many as are true
    if index.kind != "int":
        raise TypeRuleError("an array index must hold integers or booleans")
    next(axes)  # type: ignore[call-overload]
    return index.dims


def _place_advanced(
    basic: list[Dim | tuple[str, tuple[Dim, ...]]], advanced: list[tuple[Dim, ...]]
) -> tuple[Dim, ...]:
    """NumPy puts the dimensions of array indices where the (one, or
    adjacent) array index was, else first; several broadcast together.
    Beside an array index an integer is one too (of no dimensions), so
    ``x[0, :, idx]`` puts ``idx``'s first: the two are not adjacent."""
    if not advanced:
        return tuple(dim for dim in basic if not isinstance(dim, tuple))
    shape: tuple[Dim, ...] = ()
    for dims in advanced:
        shape = broadcast_dims(shape, dims)
    positions = [i for i, dim in enumerate(basic) if isinstance(dim, tuple)]
    rest = [dim for dim in basic if not isinstance(dim, tuple)]
    adjacent = positions == list(range(positions[0], positions[0] + len(positions)))
    at = positions[0] if adjacent else 0
    return (*rest[:at], *shape, *rest[at:])


# -- rules -----------------------------------------------------------------------
def _index_vjp(
    e: RuleBuilder, g: Value, args: tuple[Value, ...], out: Value
) -> Cotangents:
    array, *operands = args
    items = e.attributes["index"]
    repeats = _may_repeat(items, operands)  # type: ignore[arg-type]
    adjoint = e.call(INDEX_ADJOINT, g, array, *operands, index=items, repeats=repeats)
    return (adjoint,) + (None,) * len(operands)


def _index_jvp(
    e: RuleBuilder, t: Tangents, args: tuple[Value, ...], out: Value
) -> Value | None:
    if t[0] is None:
        return None
    return e.call(INDEX, t[0], *args[1:], index=e.attributes["index"])


def _may_repeat(items: Sequence[Item], operands: Sequence[Value]) -> bool:
    """Whether the index may name an item twice (an integer array may)."""
    pending = iter(operands)
    for item in items:
        if item[0] == "slice":
            for value in item[1:]:
                if value == OPERAND:
                    next(pending)
        elif item[0] == "int" and item[1] is None:
            index = next(pending)
            if not isinstance(index.type, Scalar) and not (
                isinstance(index.type, Array) and index.type.kind == "bool"
            ):
                return True
    return False


#: ``x[index]``: see the module. Attribute ``type``, where a rule sets it:
#: the result's type, which the index alone does not tell (``g[:n]`` of a
#: concatenation's cotangent has the shape of the operand it was).
INDEX = Primitive(
    "index",
    None,
    {"subscript": "[]"},
    _index_vjp,
    _index_jvp,
    (),
    result_type=index_type,
    writer=_write_index,
    view=True,
)


def _adjoint_statements(
    target: ast.Name,
    args: Sequence[ast.expr],
    attributes: Mapping[str, object],
    context: EmitContext,
) -> list[ast.stmt]:
    """``x_bar = np.zeros_like(x)``, then ``x_bar[index] = g`` (or
    ``np.add.at(x_bar, index, g)`` where items may repeat)."""
    g, array, *operands = args
    numpy = context.module("numpy")
    zeros = ast.Call(ast.Attribute(numpy, "zeros_like", ast.Load()), [array], [])
    made = ast.Assign([ast.Name(target.id, ast.Store())], zeros, lineno=0)
    index = index_expression(items_of(attributes), operands)
    load = ast.Name(target.id, ast.Load())
    if attributes.get("repeats"):
        add = ast.Attribute(ast.Attribute(numpy, "add", ast.Load()), "at", ast.Load())
        at = index_value(items_of(attributes), operands, context)
        written: ast.stmt = ast.Expr(ast.Call(add, [load, at, g], []))
    else:
        place = ast.Subscript(load, index, ast.Store())
        written = ast.Assign([place], g, lineno=0)
    return [made, written]


def _adjoint_vjp(
    e: RuleBuilder, g: Value, args: tuple[Value, ...], out: Value
) -> Cotangents:
    # zeros with c at index: its adjoint is the cotangent at index.
    _, array, *operands = args
    read = e.call(INDEX, g, *operands, index=e.attributes["index"])
    return (read, None) + (None,) * len(operands)


def _adjoint_jvp(
    e: RuleBuilder, t: Tangents, args: tuple[Value, ...], out: Value
) -> Value | None:
    if t[0] is None:
        return None
    return e.call(INDEX_ADJOINT, t[0], *args[1:], **e.attributes)


def _adjoint_type(
    types: Sequence[Type | None], attributes: Mapping[str, object]
) -> Type | None:
    array = types[1]
    return Array("real", array.dims) if isinstance(array, Array) else array


#: ``zeros_like(x)`` with ``g`` written at ``index``: the adjoint of ``x[index]``.
#: Operands: ``g``, ``x``, then the index operands.
INDEX_ADJOINT = Primitive(
    "index_adjoint",
    None,
    {"subscript": "zeros_like"},  # not NumPy's: np.zeros_like is ZEROS_LIKE
    _adjoint_vjp,
    _adjoint_jvp,
    (),
    result_type=_adjoint_type,
    statements=_adjoint_statements,
)


INDEXING = (INDEX, INDEX_ADJOINT)
