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

from srcgrad.ir import (
    FOR,
    IF,
    PACK,
    UNDEF,
    WHILE,
    YIELD,
    Block,
    Op,
    Value,
    is_call,
    loop_of_argument,
    loop_parts,
    walk,
)
from srcgrad.ir.types import Array, ListOf
from srcgrad.primitives import Primitive
from srcgrad.primitives.item_writes import INDEX_ADD, SETITEM
from srcgrad.primitives.lists import LIST_ITEM, LIST_WRITES
from srcgrad.primitives.logic import NOT


def evolution(written: Value, users: dict[Value, list[Op]]) -> set[Value]:
    """The values the written array becomes: the write's, the branch and
    loop values it flows into, and what later writes make of it (the same
    variable, later)."""
    found = {written}
    pending = [written]
    while pending:
        current = pending.pop()
        later = [
            user.result
            for user in users.get(current, [])
            if (
                user.definition in (SETITEM, INDEX_ADD, *LIST_WRITES)
                or user.attributes.get("augmented")  # a += b, on an array
            )
            and user.operands[0] is current
        ]
        for merged in _merged_into(current, users) + later:
            if carried_in_body(merged):
                continue  # a step's start: before this write, in the step after
            if merged not in found:
                found.add(merged)
                pending.append(merged)
    return found


def aliases_of(
    base: Value, written: set[Value], users: dict[Value, list[Op]], change: Op
) -> list[Value]:
    """The values that may hold ``base``'s items other than the variable
    written, where ``change`` (a write, or a loop of them) has run: views
    of it, what a call or a function srcgrad only evaluates returns from
    it, and a branch's or loop's value it flows into that the write does
    not (``z = y`` in one branch; not in a branch ``change`` is not on)."""
    found: list[Value] = []
    pending = [base]
    seen = {base}
    while pending:
        current = pending.pop()
        derived = _derived_from(current, users)
        merged = [
            value
            for value in _merged_into(current, users, change)
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


def carried_in_body(value: Value) -> bool:
    """Whether ``value`` is a loop's carried value in its body (what each
    step starts from)."""
    loop = loop_of_argument(value)
    return loop is not None and value in loop_parts(loop).carried


def _merged_into(
    value: Value, users: dict[Value, list[Op]], change: Op | None = None
) -> list[Value]:
    """The branch and loop values ``value`` flows into (yielded, or a
    loop's initial value); with ``change``, only on paths through it."""
    found: list[Value] = []
    for user in users.get(value, []):
        if user.definition in (FOR, WHILE):
            parts = loop_parts(user)
            for position, init in enumerate(parts.inits):
                if init is value:
                    found += [parts.results[position], parts.carried[position]]
        elif user.definition is YIELD and (
            change is None or not on_other_paths(change, user, value)
        ):
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
    """Whether an op after ``write`` (in its block, or around it) reads
    ``view``: in a loop, every op of its body runs after the write too (in
    the next step) where ``view`` is made outside the loop, and so is the
    same object in every step. An op on a path the write is not on
    (``on_other_paths``) does not count."""
    later = set(ops_after(write))
    for loop in _loops_around(write):
        if not made_inside(view, loop):
            later.update(walk_regions(loop))
    return any(
        user in later and not on_other_paths(write, user, view)
        for user in users.get(view, [])
    )


def on_other_paths(first: Op, second: Op, value: Value) -> bool:
    """Whether ``second`` runs only where ``first`` does not, with ``value``
    the same object: each is in the opposite branch of one ``if``, or of
    two ``if``s of one block on one condition (the frontend writes what
    follows an ``if`` whose branch always leaves as ``if c {} {rest}``).
    Around a loop whose steps test the condition anew, that holds within
    a step only, so ``value`` must be made in each step too."""
    for outer, branch in _branches_around(first):
        for inner, other in _branches_around(second):
            if outer.parent is not inner.parent:
                continue
            (condition, taken), (tested, other_taken) = (
                _test(outer, branch),
                _test(inner, other),
            )
            if (
                condition is tested
                and taken != other_taken
                and _tested_once_for(condition, outer, value)
            ):
                return True
    return False


def _branches_around(op: Op) -> list[tuple[Op, int]]:
    """The ``if``s around ``op``, each with the branch (0 then, 1 else)
    ``op`` is in, from the innermost out."""
    found = []
    current: Op | None = op
    while current is not None and current.parent is not None:
        region = current.parent.parent
        current = region.parent if region is not None else None
        if region is not None and current is not None and current.definition is IF:
            found.append((current, current.regions.index(region)))
    return found


def _test(branching: Op, branch: int) -> tuple[Value, bool]:
    """The value an ``if`` tests, and whether ``branch`` runs where it is
    true (``if not c`` runs its then branch where ``c`` is false)."""
    condition, taken = branching.operands[0], branch == 0
    while condition.defining_op is not None and condition.defining_op.definition is NOT:
        condition, taken = condition.defining_op.operands[0], not taken
    return condition, taken


def _tested_once_for(condition: Value, branching: Op, value: Value) -> bool:
    """Whether ``condition`` keeps one value while ``value`` is one object:
    in each loop around ``branching`` where the condition is computed anew
    each step, ``value`` is made anew too (by an op of the step)."""
    return all(
        not made_inside(condition, loop)
        or (value.defining_op is not None and made_inside(value, loop))
        for loop in _loops_around(branching)
    )


def _loops_around(op: Op) -> list[Op]:
    found = []
    current: Op | None = op
    while current is not None and current.parent is not None:
        region = current.parent.parent
        current = region.parent if region is not None else None
        if current is not None and current.definition in (FOR, WHILE):
            found.append(current)
    return found


def made_inside(value: Value, loop: Op) -> bool:
    """Whether ``value`` is made inside ``loop``'s regions (anew in each
    step of a loop; on one path of an ``if``)."""
    owner = value.owner
    block = owner if isinstance(owner, Block) else getattr(owner, "parent", None)
    while block is not None:
        region = block.parent
        op = region.parent if region is not None else None
        if op is loop:
            return True
        block = op.parent if op is not None else None
    return False


def walk_regions(op: Op) -> list[Op]:
    """Every op inside ``op``'s regions, however deep."""
    return [
        inner
        for region in op.regions
        for block in region.blocks
        for inner in walk(block)
    ]


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
    """The values a branch's or a loop's value ``value`` may be, on each
    path (``z = y if c else np.ones(n)`` may be ``y``; a loop's value is
    what it starts from, or what a step hands on): another name for one
    of them sees a write into ``value``.

    What a loop's body carries is, after the first step, what the step
    before yielded: of that, only values made outside the loop (``v = u``
    in a branch) are the same objects now; one made in the body is what
    the names it was yielded to hold then (``_siblings`` in
    passes/writes.py), not what they hold now, so it is followed but not
    listed."""
    found: list[Value] = []
    seen: set[tuple[Value, Op | None]] = set()
    pending: list[tuple[Value, Op | None]] = [(value, None)]
    while pending:
        current, within = pending.pop()
        if within is not None and current is not value and carried_in_body(current):
            continue  # another name's start of the step: not this object now
        for incoming, loop in _incoming(current):
            source = incoming.defining_op
            if source is not None and source.definition is UNDEF:
                continue  # a path on which the variable is never read
            hidden = loop or within
            if hidden is not None and not made_inside(incoming, hidden):
                hidden = None  # made outside the loop: the same object
            if (incoming, hidden) in seen:
                continue
            seen.add((incoming, hidden))
            if hidden is None and incoming not in found and incoming is not value:
                found.append(incoming)
            pending.append((incoming, hidden))
    return found


def _incoming(value: Value) -> list[tuple[Value, Op | None]]:
    """What ``value``, a branch's or loop's value, is on each path in; each
    with the loop whose earlier step it comes from, if it does."""
    op = value.defining_op
    if op is not None and op.definition is IF:
        position = op.results.index(value)
        return [
            (region.block.terminator.operands[position], None)  # type: ignore[union-attr]
            for region in op.regions
        ]
    owner = value.owner
    region = owner.parent if isinstance(owner, Block) else None
    loop = op if op is not None and op.definition in (FOR, WHILE) else None
    loop = loop or (region.parent if region is not None else None)
    if loop is None or loop.definition not in (FOR, WHILE):
        return []
    parts = loop_parts(loop)
    if value in parts.results:
        position = parts.results.index(value)
        return [(parts.inits[position], None), (parts.yields[position], None)]
    if value in parts.carried:
        position = parts.carried.index(value)
        return [(parts.inits[position], None), (parts.yields[position], loop)]
    return []


def undefined(value: Value) -> bool:
    """``value`` is ``undef``: a path on which the variable is never read."""
    op = value.defining_op
    return op is not None and op.definition is UNDEF
