"""Ops on lists, told apart from ops on arrays by their types, and loops
over either walked by index.

The frontend writes ``xs[i]``, ``sum(xs)`` and ``for v in xs`` the same
whatever ``xs`` holds; once types are known (``passes.types``), those on a
list the function makes (``ListOf``) become the list ops of
``primitives/lists.py``, whose rules know a list's adjoint is a list:

* ``xs[i]`` is ``list_item xs, i``; a slice of a list is refused;
* ``sum(xs, start)`` is ``list_sum xs, start``, and of an array
  ``rows_sum X, start``, its rows added (an array is a sequence of them);
* ``np.array(xs)`` stacks a list's items, and of an array is ``np.copy``
  (``np.asarray(x)`` is ``x`` itself: ``list_sums.array_of``);
* ``for v in xs`` iterates over ``range(len(xs))`` and reads ``v = xs[k]``,
  so the reverse loop adds each item's adjoint at its place.

A loop over an array (``for row in X``) is walked by index the same way,
reading ``row = X[k]``, whose adjoint is an indexed read's: one addition
per item.
"""

from __future__ import annotations

from srcgrad.errors import ValueTypeError
from srcgrad.ir import (
    FOR,
    Block,
    Function,
    Op,
    Program,
    Value,
    callee_of,
    is_call,
    loop_parts,
    target_pattern,
    walk,
)
from srcgrad.ir.builder import Builder
from srcgrad.ir.control import LoopParts, Pattern
from srcgrad.ir.types import INT, Array, ListOf, Type
from srcgrad.primitives.indexing import INDEX, items_of
from srcgrad.primitives.iteration import (
    ENUMERATE,
    LEN,
    RANGE,
    REVERSED,
    ROWS_SUM,
    SUM,
    ZIP,
)
from srcgrad.primitives.list_sums import LIST_SUM, STACK_LIST, array_of
from srcgrad.primitives.lists import LIST_ITEM

_BUILTINS = {"namespace": "builtins"}


def resolve_lists(program: Program) -> bool:
    """Make the ops on lists list ops (see the module); True if any
    loop over a list changed (the types its body infers may then too)."""
    changed = False
    for function in program.functions.values():
        for op in list(walk(function.entry)):
            if op.definition is FOR:
                changed |= _loop(function, op)
            elif op.definition is STACK_LIST:
                _array_of(op)
            elif op.definition is SUM and _walked_by_index(op.operands[0].type):
                _sum(function, op)
            elif op.definition is INDEX and isinstance(op.operands[0].type, ListOf):
                _item(function, op)
    return changed


def refuse_lists_across_calls(program: Program) -> None:
    """A list passed to or returned from a helper that is not written out
    at its call: the helper's own gradient has no list adjoints yet.

    Raises:
        ValueTypeError: at the call, saying what to pass instead.
    """
    for function in program.functions.values():
        for op in walk(function.entry):
            if not is_call(op):
                continue
            values = [*op.operands, *op.results]
            if any(isinstance(value.type, ListOf) for value in values):
                raise ValueTypeError(
                    f"a list is passed to or returned from {callee_of(op)}(), "
                    "which srcgrad differentiates on its own rather than "
                    "writing it out here (it has more than 16 operations, or "
                    "calls itself): pass an array (np.array(xs)) or the "
                    "numbers themselves",
                    op.loc,
                )


def _array_of(op: Op) -> None:
    """``np.array(x)`` of an array is a copy of it, ``np.asarray(x)`` is
    ``x``; of a list, either stacks its items."""
    made = array_of(op.operands[0].type, op.attributes)
    if made is not None:
        op.definition, op.attributes = made


def _item(function: Function, op: Op) -> None:
    items = items_of(op.attributes)
    if len(items) != 1 or items[0][0] != "int":
        raise ValueTypeError(
            "a list is indexed by one integer (`xs[i]`, `xs[-1]`); slices and "
            "other indices of a list are not supported: make it an array "
            "(np.array(xs)) to slice it",
            op.loc,
        )
    base, *operands = op.operands
    literal = items[0][1]
    index = operands[0] if literal is None else _before(op, lambda b: b.const(literal))
    op.definition = LIST_ITEM
    op.operands = [base, index]
    op.attributes = {"namespace": "list"}


def _sum(function: Function, op: Op) -> None:
    """``sum(xs, start)`` of a list, or of an array's rows."""
    start = op.operands[1] if len(op.operands) == 2 else _before(op, _zero)
    is_list = isinstance(op.operands[0].type, ListOf)
    op.definition = LIST_SUM if is_list else ROWS_SUM
    op.operands = [op.operands[0], start]
    op.attributes = {"namespace": "list" if is_list else "builtins"}


def _zero(builder: Builder) -> Value:
    return builder.const(0)


def _loop(function: Function, op: Op) -> bool:
    """A loop over lists the function makes, or over arrays, walks their
    indices instead: ``for v in xs`` as ``for k in range(len(xs)): v =
    xs[k]``, and the same inside ``enumerate``, ``zip`` and ``reversed``;
    each item read is then a ``list_item`` (an indexed read of an array)
    whose adjoint adds at its place."""
    parts = loop_parts(op)
    reads: list[tuple[Value, Value]] = []  # (list, target bound to its item)
    iterable = _indexed(op, op, op.operands[0], target_pattern(op), parts, reads)
    if not reads:
        return False
    op.operands[0] = iterable
    body = parts.body
    for position, (xs, item) in enumerate(reads):
        index = Value("k", item.loc)
        index.type = INT
        index.owner = body
        body.arguments[body.arguments.index(item)] = index
        read = _item_read(xs, index, item)
        read.parent = body
        body.ops.insert(position, read)
    return True


def _indexed(
    loop: Op,
    anchor: Op,
    iterable: Value,
    pattern: Pattern,
    parts: LoopParts,
    reads: list[tuple[Value, Value]],
) -> Value:
    """``iterable`` with each list in it (by itself, or inside
    ``enumerate``, ``zip`` or ``reversed``) walked by index; ``reads`` gets
    each list and the target its item binds. New ops go before ``anchor``,
    the op that reads ``iterable``."""
    source = iterable.defining_op
    if _walked_by_index(iterable.type):
        _refuse_walk(loop, iterable, pattern, parts)
        assert isinstance(pattern, int)
        reads.append((iterable, parts.targets[pattern]))

        def indices(builder: Builder) -> Value:
            length = builder.create(LEN, [iterable], _BUILTINS).result
            return builder.create(RANGE, [length], _BUILTINS).result

        return _before(anchor, indices)
    if source is None or source.definition not in (ENUMERATE, ZIP, REVERSED):
        return iterable
    operands = list(source.operands)
    if source.definition is ENUMERATE and isinstance(pattern, tuple):
        operands[0] = _indexed(loop, source, operands[0], pattern[1], parts, reads)
    elif source.definition is REVERSED:
        operands[0] = _indexed(loop, source, operands[0], pattern, parts, reads)
    elif source.definition is ZIP and isinstance(pattern, tuple):
        operands = [
            _indexed(loop, source, operand, inner, parts, reads)
            for operand, inner in zip(operands, pattern, strict=False)
        ] + operands[len(pattern) :]
    if operands == source.operands:
        return iterable
    source.operands = operands  # the iterator is made for this loop alone
    return iterable


def _walked_by_index(type_: Type | None) -> bool:
    """A list the function makes, or an array with axes (Python refuses to
    iterate over one of none, and so does the gradient)."""
    return isinstance(type_, ListOf) or (isinstance(type_, Array) and type_.rank > 0)


def _refuse_walk(loop: Op, iterable: Value, pattern: Pattern, parts: LoopParts) -> None:
    """Refuse a loop over a list or an array that unpacks its items, or
    that changes what it walks (Python's iterator reads the changes)."""
    is_list = isinstance(iterable.type, ListOf)
    if not isinstance(pattern, int):
        example = "`for v in xs`" if is_list else "`for row in X`"
        instead = "" if is_list else ": read them by index (`row[0]`, `X[i, 0]`)"
        raise ValueTypeError(
            f"a loop over {'a list' if is_list else 'an array'} binds one name to "
            f"each item ({example}); unpacking its items is not supported" + instead,
            loop.loc,
        )
    if iterable not in parts.inits:
        return
    if is_list:
        raise ValueTypeError(
            "this loop appends to the list it walks; Python then walks the "
            "new items too, which srcgrad does not follow: walk a copy "
            "(`items = xs.copy()`, then `for v in items`), or loop with "
            "`while i < len(xs)`",
            loop.loc,
        )
    raise ValueTypeError(
        "this loop changes or rebinds the array it walks; Python's iterator "
        "then reads the array as changed, which srcgrad does not follow: walk "
        "a copy (`rows = X.copy()`, then `for row in rows`), or loop over "
        "`range(len(X))` and read `X[i]`",
        loop.loc,
    )


def _item_read(sequence: Value, index: Value, item: Value) -> Op:
    """``item = sequence[index]``: a list's item, or an array's."""
    if isinstance(sequence.type, ListOf):
        attributes: dict[str, object] = {"namespace": "list"}
        return Op(LIST_ITEM, [sequence, index], [item], attributes, loc=item.loc)
    attributes = {"namespace": "subscript", "index": (("int", None),)}
    return Op(INDEX, [sequence, index], [item], attributes, loc=item.loc)


def _before(op: Op, make: object) -> Value:
    """A value ``make(builder)`` creates right before ``op``, typed."""
    block = op.parent
    assert isinstance(block, Block)
    scratch = Block()
    builder = Builder(scratch)
    with builder.at(op.loc):
        value = make(builder)  # type: ignore[operator]
    position = block.ops.index(op)
    for made in scratch.ops:
        made.parent = block
    block.ops[position:position] = scratch.ops
    return value
