"""Structured control flow: ``if``, ``for`` and ``while`` as ops owning regions.

Control flow stays structured, as in MLIR's ``scf`` dialect, so generated
Python keeps the shape of the user's code. Each op owns single-block
regions; values flow in as operands and block arguments, and out through a
``yield`` that ends each region::

    %y = if %c {            # then
      yield %a
    } {                     # else
      yield %b
    }

    %x_out = for %range, %x_in {targets = 1} (%i, %x) {
      %x_1 = mul %x, %i
      yield %x_1
    }

    %s_out = for %pairs, %s_in {targets = 3, pattern = (0, (1, 2))} (%i, %a, %b, %s) {
      ...                   # for i, (a, b) in pairs
    }

    %x_out = while %x_in (%x) {
      %c = lt %x, %ten
      condition %c
    } (%x) {
      yield ...
    }

A loop may also stop early (``break``, or a ``return`` inside it): with the
attribute ``exit`` its body yields one more value, the *stop* flag, and the
loop has one more result, ``broke``, true if it stopped that way.
``continue`` and code after an early exit are lowered to ``if`` ops by the
frontend; there is no jump in the IR.

``undef`` stands for a value on a path where the name holding it is never
read again (the branch that returned). It is never written as code.
"""

from __future__ import annotations

from dataclasses import dataclass

from srcgrad.ir.core import Block, Op, Value
from srcgrad.ir.ops import StructuralOp

#: ``if %cond {then} {else}``: each region yields one value per result.
IF = StructuralOp("if")
#: ``for %iterable, %inits... {targets = n, pattern = ..., exit = bool}``; the
#: body's block arguments are the ``n`` loop targets, then one per carried
#: value. ``pattern`` (see ``target_pattern``) says how an item unpacks.
FOR = StructuralOp("for")
#: ``while %inits... {exit = bool}``: a condition region, then the body;
#: both take one block argument per carried value.
WHILE = StructuralOp("while")
#: Ends the condition region of a ``while``: loop again while true.
CONDITION = StructuralOp("condition", pure=False, is_terminator=True)
#: A value never read on the path that produces it.
UNDEF = StructuralOp("undef")
#: ``[]``: a new, empty list (a tape). Not pure: two are never the same list.
NEW_LIST = StructuralOp("new_list", pure=False)
#: ``list.append(value)``: push a value on a tape.
APPEND = StructuralOp("append", pure=False)

CONTROL_FLOW = (IF, FOR, WHILE)


def is_control_flow(op: Op) -> bool:
    return op.definition in CONTROL_FLOW


@dataclass(frozen=True)
class LoopParts:
    """The pieces of a ``for`` or ``while`` op, named.

    Attributes:
        op: the loop.
        body: its body block.
        condition: the condition block of a ``while`` (None for a ``for``).
        iterable: what a ``for`` iterates over (None for a ``while``).
        targets: the body's block arguments bound to each item.
        carried: the body's block arguments for the carried values.
        inits: the carried values' initial values (operands).
        yields: the carried values at the end of an iteration.
        stop: the stop flag the body yields, if the loop can exit early.
        results: the carried values after the loop.
        broke: the result that says the loop stopped early, if it can.
    """

    op: Op
    body: Block
    condition: Block | None
    iterable: Value | None
    targets: list[Value]
    carried: list[Value]
    inits: list[Value]
    yields: list[Value]
    stop: Value | None
    results: list[Value]
    broke: Value | None


def loop_parts(op: Op) -> LoopParts:
    """Name the pieces of the loop ``op`` (see ``LoopParts``)."""
    exits = bool(op.attributes.get("exit"))
    body = op.regions[-1].block
    terminator = body.terminator
    assert terminator is not None
    yields = list(terminator.operands)
    stop = yields.pop() if exits else None
    results = list(op.results)
    broke = results.pop() if exits else None
    if op.definition is FOR:
        count = int(op.attributes.get("targets", 1))  # type: ignore[call-overload]
        return LoopParts(
            op,
            body,
            None,
            op.operands[0],
            body.arguments[:count],
            body.arguments[count:],
            op.operands[1:],
            yields,
            stop,
            results,
            broke,
        )
    assert op.definition is WHILE
    return LoopParts(
        op,
        body,
        op.regions[0].block,
        None,
        [],
        list(body.arguments),
        list(op.operands),
        yields,
        stop,
        results,
        broke,
    )


#: How a ``for`` item binds its targets: a target's index, or a tuple of
#: patterns (``for i, (a, b) in ...`` is ``(0, (1, 2))``).
Pattern = int | tuple["Pattern", ...]


def target_pattern(op: Op) -> Pattern:
    """How each item of a ``for`` op's iterable binds the loop's targets.

    Without a ``pattern`` attribute: one target takes the item, several
    unpack it (``for a, b in pairs``).
    """
    pattern = op.attributes.get("pattern")
    if pattern is not None:
        return pattern  # type: ignore[return-value]
    count = int(op.attributes.get("targets", 1))  # type: ignore[call-overload]
    return 0 if count == 1 else tuple(range(count))


def bind_pattern(pattern: Pattern, item: object, bound: list[object]) -> None:
    """Unpack ``item`` by ``pattern`` into ``bound`` (indexed by target)."""
    if isinstance(pattern, int):
        bound[pattern] = item
        return
    items = list(item)  # type: ignore[call-overload]
    if len(items) != len(pattern):
        raise ValueError(f"cannot unpack {len(items)} values into {len(pattern)}")
    for inner, value in zip(pattern, items, strict=True):
        bind_pattern(inner, value, bound)


def branch_yields(op: Op) -> tuple[list[Value], list[Value]]:
    """The values an ``if`` op's then and else regions yield."""
    then, otherwise = (region.block.terminator for region in op.regions)
    assert then is not None and otherwise is not None
    return list(then.operands), list(otherwise.operands)


def has_effects(op: Op) -> bool:
    """``op``, or an op in its regions, does more than compute its results."""
    if op.definition.is_terminator:
        return False
    if not op.definition.pure:
        return True
    return any(
        has_effects(inner)
        for region in op.regions
        for block in region.blocks
        for inner in block.ops
    )


def loop_of_argument(value: Value) -> Op | None:
    """The ``for`` or ``while`` op whose region's block ``value`` is an
    argument of (a carried value, a target, a condition's argument), if
    any."""
    block = value.owner
    region = block.parent if isinstance(block, Block) else None
    loop = region.parent if region is not None else None
    if loop is None or loop.definition not in (FOR, WHILE):
        return None
    return loop
