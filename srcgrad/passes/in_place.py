"""Which writes the generated code does in place.

``mark_in_place`` decides, on the finished gradient, which writes
(``y[i] = v``, ``acc[i] += g``, ``xs.append(v)``, ``del xs_bar[-1]``) may
change their array or list itself rather than a copy: those whose value
the function made and nothing else holds or reads afterwards
(``passes/writes.py`` has refused, before, the writes whose meaning the IR
would not keep). ``accumulate_in_place`` turns an indexed read's adjoint
added to another into such a write (``acc[i] += g``).
"""

from __future__ import annotations

from srcgrad.ir import (
    FOR,
    IF,
    WHILE,
    YIELD,
    Function,
    Op,
    Region,
    Value,
    branch_yields,
    loop_of_argument,
    loop_parts,
    uses,
    walk,
)
from srcgrad.ir.types import Array, ListOf, Scalar, same_shape
from srcgrad.passes.aliases import undefined
from srcgrad.passes.dce import dce
from srcgrad.primitives import Primitive
from srcgrad.primitives.creation import COPY
from srcgrad.primitives.indexing import INDEX_ADJOINT
from srcgrad.primitives.item_writes import INDEX_ADD, SETITEM
from srcgrad.primitives.lists import LIST_ITEM, LIST_WRITES

#: The writes ``mark_in_place`` decides for: into an array, or added to it,
#: and the changes to a list.
WRITES = (SETITEM, INDEX_ADD, *LIST_WRITES)


def mark_in_place(function: Function) -> None:
    """Let each write whose array nothing else holds write into it in place.

    A write is in place when its array was made by an op of this function
    that makes a new array (not a view, a parameter or a loop's item), and
    every other op that reads it comes before it in its block and keeps no
    reference to it (a number read out, a sum; not a tape, not a view).
    """
    _copy_loop_starts(function)
    users = None  # asked only of writes (most functions make none)
    for op in walk(function.entry):
        if op.definition in WRITES:
            users = uses(function.entry) if users is None else users
            base = op.operands[0]
            op.attributes["in_place"] = _fresh(base, users) and _only_read_before(
                base, op, users
            )


def _copy_loop_starts(function: Function) -> None:
    """A loop that writes a value it carries, starting from one it does not
    hold alone (a view, another slot's start, a value read after), starts
    from a copy, made once: then each step writes in place, and the loop
    costs one copy rather than one a step."""
    users = None  # asked only of loops that write what they carry
    for loop in list(walk(function.entry)):
        if loop.definition not in (FOR, WHILE) or loop.parent is None:
            continue
        parts = loop_parts(loop)
        offset = 1 if loop.definition is FOR else 0
        for position, carried in enumerate(parts.carried):
            init, yielded = parts.inits[position], parts.yields[position]
            if (
                not isinstance(carried.type, (Array, ListOf))
                or yielded is carried
                or not _evolves(yielded, carried)
            ):
                continue
            users = uses(function.entry) if users is None else users
            if _fresh_carried(carried, users):
                continue
            chain = _chain(yielded, carried)
            if parts.condition is not None:
                chain.append(parts.condition.arguments[position])
            if any(_kept(step, users) for step in chain):
                continue
            copy = Op(
                COPY,
                [init],
                [Value(init.name_hint, loop.loc, type=init.type)],
                {"namespace": "method"},
                loc=loop.loc,
                derivative=loop.derivative,
            )
            block = loop.parent
            block.ops.insert(block.ops.index(loop), copy)
            copy.parent = block
            loop.operands[offset + position] = copy.result
            users = uses(function.entry)


def _fresh(value: Value, users: dict[Value, list[Op]]) -> bool:
    """Whether ``value`` is an array no other value holds: made by an op
    that makes a new one (a write gives one: its array, or a copy), or
    carried by a loop that starts from such an array read by nothing else
    and hands on such arrays (``y = np.zeros(n); for i...: y[i] = ...``)."""
    op = value.defining_op
    if op is None:
        return _fresh_carried(value, users)
    if op.definition in (FOR, WHILE):
        return _fresh_result(op, value, users)
    if op.definition is IF:  # fresh on each path, and held by nothing else
        position = op.results.index(value)
        return all(
            _fresh(branch[position], users)
            and len(users.get(branch[position], [])) == 1
            for branch in branch_yields(op)
        )
    if not isinstance(op.definition, Primitive):
        return False
    if op.definition in WRITES:
        return True  # its array, or a copy of it
    if isinstance(value.type, ListOf):
        return op.definition is not LIST_ITEM  # a new list (of shared items)
    return not op.definition.view and isinstance(value.type, Array)


def _fresh_carried(value: Value, users: dict[Value, list[Op]]) -> bool:
    loop = loop_of_argument(value)
    if loop is None:
        return False
    parts = loop_parts(loop)
    if value.owner is not parts.body or value not in parts.carried:
        return False
    position = parts.carried.index(value)
    init, yielded = parts.inits[position], parts.yields[position]
    chain = _chain(yielded, value)
    if parts.condition is not None:
        chain.append(parts.condition.arguments[position])
    return (
        loop.operands.count(init) == 1  # `a = b = []` (or CSE) is one
        and _fresh(init, users)
        and _only_read_before(init, loop, users)
        and _evolves(yielded, value)
        and not any(_kept(step, users) for step in chain)
    )


def _chain(value: Value, base: Value) -> list[Value]:
    """The values between ``base`` and ``value`` that ``_evolves`` follows
    (``value`` included, ``base`` not)."""
    if value is base:
        return []
    op = value.defining_op
    if op is None:
        return [value]
    found = [value]
    if op.definition in WRITES:
        found += _chain(op.operands[0], base)
    elif op.definition is IF:
        position = op.results.index(value)
        for branch in branch_yields(op):
            if not undefined(branch[position]):
                found += _chain(branch[position], base)
    elif op.definition in (FOR, WHILE):
        parts = loop_parts(op)
        found += _chain(parts.inits[parts.results.index(value)], base)
    return found


def _kept(value: Value, users: dict[Value, list[Op]]) -> bool:
    """Whether something keeps ``value`` beyond the step of a loop that
    makes it (a tape, a list, a tuple, a view, a second name): the next
    step's write into it, in place, would change what that holds."""
    for user in users.get(value, []):
        definition = user.definition
        if definition is YIELD:
            if user.operands.count(value) > 1:
                return True  # two names for it after the branch or the step
            continue
        if not isinstance(definition, Primitive):
            return True  # a tape, a call, a tuple
        if definition in WRITES and user.operands[0] is value:
            continue  # the next write of the chain
        if isinstance(value.type, ListOf) and definition is LIST_ITEM:
            continue
        if definition.view and not isinstance(user.result.type, Scalar):
            return True  # a view of it, or a list that holds it
    return False


def _fresh_result(loop: Op, value: Value, users: dict[Value, list[Op]]) -> bool:
    """A loop's result is fresh where the value it carries is (the loop
    changes one array or list it alone holds, in place)."""
    parts = loop_parts(loop)
    if value not in parts.results:
        return False
    return _fresh_carried(parts.carried[parts.results.index(value)], users)


def _evolves(value: Value, base: Value) -> bool:
    """Whether ``value`` is ``base`` after writes only: itself, a write into
    what evolves from it, or an ``if``'s value each branch so makes."""
    op = value.defining_op
    if value is base:
        return True
    if op is None:
        return False
    if op.definition in WRITES:
        return _evolves(op.operands[0], base)
    if op.definition is IF:
        position = op.results.index(value)
        return all(
            _evolves(branch[position], base)
            for branch in branch_yields(op)
            if not undefined(branch[position])
        )
    if op.definition in (FOR, WHILE):  # an inner loop that writes it
        parts = loop_parts(op)
        if value not in parts.results:
            return False
        position = parts.results.index(value)
        carried = parts.carried[position]
        return _evolves(parts.inits[position], base) and _evolves(
            parts.yields[position], carried
        )
    return False


def _exclusive_yield(user: Op, base: Value, write: Op) -> bool:
    """``user`` yields ``base`` from one branch of an ``if`` whose other
    branch holds ``write``, where that branch yields what the write makes
    of ``base``: the paths never meet, and the ``if``'s value is ``base``
    evolved on both (``if c: xs.append(v)`` in a loop)."""
    if user.definition is not YIELD or user.parent is None:
        return False
    region = user.parent.parent
    owner = region.parent if region is not None else None
    if owner is None or owner.definition is not IF:
        return False
    others = [other for other in owner.regions if other is not region]
    if not any(write in walk(other.block) for other in others):
        return False
    positions = [i for i, operand in enumerate(user.operands) if operand is base]
    return all(
        _evolves(branch[i], base) for branch in branch_yields(owner) for i in positions
    )


def _only_read_before(base: Value, write: Op, users: dict[Value, list[Op]]) -> bool:
    before = _places_before(write)
    for user in users.get(base, []):
        if user is write or _exclusive_yield(user, base, write):
            continue
        if _other_branch(user, write) and isinstance(user.definition, Primitive):
            if user.definition in WRITES and user.operands[0] is base:
                continue  # the other branch's own write: the paths never meet
            if not user.definition.view or isinstance(user.result.type, Scalar):
                continue  # read there, kept by nothing
        position = before.get(id(user.parent))
        if position is None or user.parent.ops.index(user) > position:  # type: ignore[union-attr]
            return False
        definition = user.definition
        if not isinstance(definition, Primitive):
            return False  # a tape, a call, a yield: it keeps the array
        if isinstance(base.type, ListOf):
            if definition in WRITES:
                return False  # another change to the same list
            continue  # an item read out, a length, a sum: none keeps the list
        if definition.view and not isinstance(user.result.type, Scalar):
            return False  # a view of it, or a list that holds it
    return True


def _branches_around(op: Op) -> dict[int, Region]:
    """The ``if`` ops around ``op`` (up to the first loop), each with the
    region ``op`` is in."""
    found: dict[int, Region] = {}
    current = op
    while current.parent is not None and current.parent.parent is not None:
        region = current.parent.parent
        owner = region.parent
        if owner is None or owner.definition is not IF:
            break
        found[id(owner)] = region
        current = owner
    return found


def _other_branch(user: Op, write: Op) -> bool:
    """Whether ``user`` and ``write`` are in different branches of one
    ``if``: one run takes one of them."""
    mine = _branches_around(write)
    theirs = _branches_around(user)
    return any(
        key in theirs and theirs[key] is not region for key, region in mine.items()
    )


def _places_before(write: Op) -> dict[int, int]:
    """The blocks whose ops up to a position run before ``write`` every time
    it runs: its own, and those of the ``if`` ops around it (not a loop's:
    a loop runs its body again after the write)."""
    places: dict[int, int] = {}
    current = write
    while current.parent is not None:
        block = current.parent
        places[id(block)] = block.ops.index(current)
        region = block.parent
        owner = region.parent if region is not None else None
        if owner is None or owner.definition is not IF:
            break
        current = owner
    return places


def accumulate_in_place(function: Function) -> bool:
    """Add an indexed read's adjoint into the adjoint it is summed with.

    ``acc + index_adjoint(g, x, i)`` (zeros of ``x``'s shape with ``g`` at
    ``i``, added to ``acc``) is ``index_add(acc, g, i)``: ``acc[i] += g``,
    in place where ``mark_in_place`` allows. A loop over items then costs
    one addition per item, not an array per item.
    """
    users = None  # asked only of adjoints of indexed reads
    changed = False
    for op in list(walk(function.entry)):
        if op.name != "add" or op.attributes.get("namespace") != "operator":
            continue
        for position in (1, 0):
            scattered = op.operands[position].defining_op
            acc = op.operands[1 - position]
            if scattered is None or scattered.definition is not INDEX_ADJOINT:
                continue
            users = uses(function.entry) if users is None else users
            if (
                len(users.get(scattered.result, [])) == 1
                and isinstance(acc.type, Array)
                and same_shape(acc.type, op.result.type)
            ):
                g, _, *operands = scattered.operands
                op.definition = INDEX_ADD
                op.operands = [acc, g, *operands]
                op.attributes = {
                    "namespace": "subscript",
                    "index": scattered.attributes["index"],
                    "repeats": scattered.attributes.get("repeats", False),
                }
                changed = True
                break
    if changed:
        dce(function)
    return changed
