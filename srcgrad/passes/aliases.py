"""Which values may hold an array's items: for the writes Python would
see through another name (``passes.writes``).

In the IR a write gives a new value; in Python it changes the one array
every name and view of it holds. ``aliases_of`` follows what may share an
array's items: views of it (a slice, ``.T``), what a call or a function
srcgrad only evaluates returns from it, a tuple holding it, and a branch's
or loop's value it flows into that the written variable does not (another
name for it). ``read_after`` says whether one is read after a write.
"""

from __future__ import annotations

from srcgrad.ir import FOR, IF, PACK, WHILE, YIELD, Op, Value, is_call, loop_parts, walk
from srcgrad.ir.types import Array, ListOf
from srcgrad.primitives import Primitive
from srcgrad.primitives.item_writes import INDEX_ADD, SETITEM
from srcgrad.primitives.lists import LIST_ITEM, LIST_WRITES


def evolution(written: Value, users: dict[Value, list[Op]]) -> set[Value]:
    """The values the written array becomes: the write's, and the branch and
    loop values it flows into (the same variable, later)."""
    found = {written}
    pending = [written]
    while pending:
        for merged in _merged_into(pending.pop(), users):
            if merged not in found:
                found.add(merged)
                pending.append(merged)
    return found


def aliases_of(
    base: Value, written: set[Value], users: dict[Value, list[Op]]
) -> list[Value]:
    """The values that may hold ``base``'s items other than the variable
    written: views of it, what a call or a function srcgrad only evaluates
    returns from it, and a branch's or loop's value it flows into that the
    write does not (``z = y`` in one branch)."""
    found: list[Value] = []
    pending = [base]
    seen = {base}
    while pending:
        current = pending.pop()
        derived = _derived_from(current, users)
        merged = [
            value
            for value in _merged_into(current, users)
            if not _receives(value, written, users)
        ]
        for value in derived + merged:
            if value not in seen and value not in written:
                seen.add(value)
                found.append(value)
                pending.append(value)
    return found


def _derived_from(value: Value, users: dict[Value, list[Op]]) -> list[Value]:
    """Values ops compute from ``value`` that may share its memory."""
    found = []
    for user in users.get(value, []):
        definition = user.definition
        if definition is SETITEM or definition is INDEX_ADD:
            continue
        if definition in LIST_WRITES and user.operands[0] is value:
            continue  # the list changed: the variable written, not another
        if definition is LIST_ITEM and isinstance(value.type, ListOf):
            continue  # changing a list leaves the items read out of it be
        if isinstance(definition, Primitive):
            if definition.view and isinstance(
                user.result.type, (Array, ListOf, type(None))
            ):
                found += [r for r in user.results if not _is_number(r)]
        elif is_call(user) or user.definition is PACK:
            found += user.results
    return found


def _merged_into(value: Value, users: dict[Value, list[Op]]) -> list[Value]:
    """The branch and loop values ``value`` flows into (yielded, or a
    loop's initial value)."""
    found: list[Value] = []
    for user in users.get(value, []):
        if user.definition in (FOR, WHILE):
            parts = loop_parts(user)
            for position, init in enumerate(parts.inits):
                if init is value:
                    found += [parts.results[position], parts.carried[position]]
        elif user.definition is YIELD:
            found += _yield_targets(user, value)
    return found


def _yield_targets(terminator: Op, value: Value) -> list[Value]:
    block = terminator.parent
    region = block.parent if block is not None else None
    owner = region.parent if region is not None else None
    if owner is None:
        return []
    positions = [i for i, v in enumerate(terminator.operands) if v is value]
    if owner.definition is IF:
        return [owner.results[i] for i in positions if i < len(owner.results)]
    if owner.definition in (FOR, WHILE):
        parts = loop_parts(owner)
        return [
            target
            for i in positions
            if i < len(parts.carried)
            for target in (parts.results[i], parts.carried[i])
        ]
    return []


def _receives(merged: Value, written: set[Value], users: dict[Value, list[Op]]) -> bool:
    """Whether the written variable flows into ``merged`` too (it is then
    that variable, not another name for its array)."""
    return merged in written


def _is_number(value: Value) -> bool:
    """Holds no array's items (a list may hold arrays)."""
    return value.type is not None and not isinstance(value.type, (Array, ListOf))


def read_after(view: Value, write: Op, users: dict[Value, list[Op]]) -> bool:
    """Whether an op after ``write`` (in its block, or around it) reads ``view``."""
    later = set(ops_after(write))
    return any(user in later for user in users.get(view, []))


def ops_after(op: Op) -> list[Op]:
    found: list[Op] = []
    current: Op | None = op
    while current is not None and current.parent is not None:
        block = current.parent
        position = block.ops.index(current)
        for after in block.ops[position + 1 :]:
            found.append(after)
            found.extend(
                inner
                for region in after.regions
                for inner_block in region.blocks
                for inner in walk(inner_block)
            )
        region = block.parent
        current = region.parent if region is not None else None
    return found


def merged_from(value: Value) -> list[Value]:
    """The values a branch's value ``value`` may be, on each path
    (``z = y if c else np.ones(n)`` may be ``y``): another name for one of
    them sees a write into ``value``."""
    found: list[Value] = []
    pending = [value]
    while pending:
        current = pending.pop()
        op = current.defining_op
        if op is None or op.definition is not IF:
            continue
        position = op.results.index(current)
        for region in op.regions:
            terminator = region.block.terminator
            assert terminator is not None
            incoming = terminator.operands[position]
            if incoming not in found:
                found.append(incoming)
                pending.append(incoming)
    return found
