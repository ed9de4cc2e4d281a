"""Writes into arrays: ``y[i] = v`` keeps Python's meaning, and the
generated code writes in place only where no other value can see it.

In the IR a write is a value: ``setitem y, v, i`` is ``y`` with ``v`` at
``i``, and the frontend rebinds every name holding ``y`` to it (they name
one array in Python). Two things make that meaning differ from Python's,
and ``refuse_unsafe_writes`` refuses them where the function is written:

* the array written into is an input (or a view of one): Python would
  change the caller's array, and the gradient must not;
* a view of the array (``v = y[1:]``, ``y.T``) is read after the write:
  in Python it sees the new items.

``mark_in_place`` decides, on the finished gradient, which writes may
write into the array itself (``y[i] = v``) rather than into a copy: those
whose array is made by the function and read by nothing after.
"""

from __future__ import annotations

from srcgrad.errors import ValueTypeError
from srcgrad.ir import (
    FOR,
    IF,
    UNDEF,
    WHILE,
    YIELD,
    Block,
    Function,
    Op,
    Program,
    Region,
    Value,
    branch_yields,
    loop_parts,
    uses,
    walk,
)
from srcgrad.ir.types import Array, ListOf, Scalar, same_shape
from srcgrad.passes.aliases import (
    aliases_of,
    evolution,
    merged_from,
    ops_after,
    read_after,
)
from srcgrad.passes.dce import dce
from srcgrad.primitives import Primitive
from srcgrad.primitives.creation import COPY
from srcgrad.primitives.indexing import INDEX_ADJOINT
from srcgrad.primitives.item_writes import INDEX_ADD, SETITEM
from srcgrad.primitives.lists import LIST, LIST_APPEND, LIST_ITEM, LIST_WRITES

#: The writes ``mark_in_place`` decides for: into an array, or added to it,
#: and the changes to a list.
_WRITES = (SETITEM, INDEX_ADD, *LIST_WRITES)


def refuse_unsafe_writes(program: Program) -> None:
    """Refuse writes whose meaning the IR would not keep (see the module).

    Raises:
        ValueTypeError: at the write, naming the array and what to do.
    """
    for function in program.functions.values():
        users = uses(function.entry)
        for op in walk(function.entry):
            augmented = op.attributes.pop("augmented", None)
            if op.definition is SETITEM:
                _check_write(function, op, users)
            elif op.definition is LIST_APPEND:
                _check_append(function, op, users)
            elif augmented and not isinstance(op.operands[0].type, Scalar):
                _check_augmented(function, op, users, str(augmented))


def _check_write(function: Function, op: Op, users: dict[Value, list[Op]]) -> None:
    base = op.operands[0]
    name = base.name_hint or "the array"
    _refuse_list_item(base, op, name)
    if not _owned(function, base, set()):
        raise ValueTypeError(
            f"{name} is an input array, or a view of one (a slice, .T, a reshape): "
            f"writing into it would change the caller's array; copy it first "
            f"({name} = {name}.copy()) or make a new one (np.zeros_like({name}))",
            op.loc,
        )
    _check_loop_start(base, op, users, name, _what(base))
    _check_listed(base, op, users, name)
    written = evolution(op.result, users)
    for alias in _holders(base, written, users):
        if read_after(alias, op, users):
            shown = _shown(alias, name)
            raise ValueTypeError(
                f"{shown} shares its items with {name} (a slice, .T, a value a "
                f"helper returned, or the same array under another name), and "
                f"it is read after this write into {name}: in Python it would "
                f"see the write; copy it where it is made ({shown} = ....copy())",
                op.loc,
            )


def _holders(
    base: Value, written: set[Value], users: dict[Value, list[Op]]
) -> list[Value]:
    """The values that may hold the array (or list) ``base`` holds, other
    than the variable written: what ``base`` may be on each path (another
    name may hold that), and the views, calls' values and other names of
    each of those."""
    found: list[Value] = _siblings(base)
    for root in [base, *merged_from(base)]:
        candidates = [] if root is base else [root]
        for value in candidates + aliases_of(root, written, users):
            if value is not base and value not in written and value not in found:
                found.append(value)
    return found


def _undefined(value: Value) -> bool:
    """``value`` is ``undef``: a path on which the variable is never read."""
    op = value.defining_op
    return op is not None and op.definition is UNDEF


def _what(base: Value) -> str:
    return "list" if isinstance(base.type, ListOf) else "array"


def _shown(alias: Value, name: str) -> str:
    """How a message names ``alias`` of the variable ``name``."""
    shown = alias.name_hint
    return f"another name for {name}" if shown in (None, name) else str(shown)


def _siblings(base: Value) -> list[Value]:
    """Other names for ``base`` that a branch or a loop step hands on:
    where ``prev = out`` ends a loop's body, the step after starts with
    ``prev`` and ``out`` one list."""
    op = base.defining_op
    owner = base.owner
    region = owner.parent if isinstance(owner, Block) else None
    loop = op if op is not None and op.definition in (FOR, WHILE) else None
    loop = loop or (region.parent if region is not None else None)
    if op is not None and op.definition is IF:
        position = op.results.index(base)
        return [
            result
            for other, result in enumerate(op.results)
            if other != position
            and any(
                yields[other] is yields[position] and not _undefined(yields[other])
                for yields in branch_yields(op)
            )
        ]
    if loop is None or loop.definition not in (FOR, WHILE):
        return []
    parts = loop_parts(loop)
    values = parts.carried if base in parts.carried else parts.results
    if base not in values:
        return []
    position = values.index(base)
    return [
        value
        for other in range(len(parts.carried))
        if other != position
        and (
            parts.yields[other] is parts.yields[position]
            or parts.inits[other] is parts.inits[position]
        )
        for value in (parts.carried[other], parts.results[other])
    ]


def _refuse_list_item(base: Value, write: Op, name: str) -> None:
    """A write into an item of a list changes the list's item too."""
    op = base.defining_op
    if op is not None and op.definition is LIST_ITEM:
        raise ValueTypeError(
            f"{name} is an item of a list, and writing into it would change "
            f"the list's item too; copy it first ({name} = {name}.copy())",
            write.loc,
        )


def _check_append(function: Function, op: Op, users: dict[Value, list[Op]]) -> None:
    """``xs.append(v)`` changes the list ``xs`` for every name holding it."""
    base = op.operands[0]
    name = base.name_hint or "the list"
    if not _owned(function, base, set()):
        raise ValueTypeError(
            f"{name} is a list passed in (or one a helper returned): appending "
            f"to it would change the caller's list; append to a copy "
            f"({name} = {name}.copy())",
            op.loc,
        )
    _check_loop_start(base, op, users, name, _what(base))
    _check_listed(base, op, users, name)
    written = evolution(op.result, users)
    for alias in _holders(base, written, users):
        if read_after(alias, op, users):
            shown = _shown(alias, name)
            raise ValueTypeError(
                f"{shown} holds the list {name} too (another name, a helper "
                f"returned it, or a tuple holds it), and it is read after this "
                f"append: in Python "
                f"it would see the new item; copy the list ({name}.copy())",
                op.loc,
            )


def _check_augmented(
    function: Function, op: Op, users: dict[Value, list[Op]], name: str
) -> None:
    """``a += b`` on an array changes the array ``a`` holds, for every name
    and view that holds it too (Python calls ``__iadd__``)."""
    base = op.operands[0]
    _refuse_list_item(base, op, name)
    if not _owned(function, base, set()):
        raise ValueTypeError(
            f"{name} {_SYMBOLS.get(op.name, 'op')}= ... changes the array {name} "
            f"in place, and {name} is an input (or a view of one): the caller's "
            f"array would change; write {name} = {name} "
            f"{_SYMBOLS.get(op.name, 'op')} ... instead",
            op.loc,
        )
    _check_loop_start(base, op, users, name, _what(base))
    _check_listed(base, op, users, name)
    written = evolution(op.result, users)
    for alias in [base, *_holders(base, written, users)]:
        if read_after(alias, op, users):
            shown = "another name" if alias is base else alias.name_hint or "a value"
            raise ValueTypeError(
                f"{name} {_SYMBOLS.get(op.name, 'op')}= ... changes the array "
                f"{name} in place, and {shown} shares its items and is read "
                f"after: in Python it would see the change; write {name} = "
                f"{name} {_SYMBOLS.get(op.name, 'op')} ... to make a new array, "
                f"or copy {shown}",
                op.loc,
            )


_SYMBOLS = {"add": "+", "sub": "-", "mul": "*", "div": "/", "pow": "**"}


def _owned(function: Function, value: Value, seen: set[Value]) -> bool:
    """Whether ``value`` is an array the function made (not an input, nor a
    view of one): a loop's value is if it starts and stays one."""
    if value in seen:
        return True
    seen.add(value)
    op = value.defining_op
    if op is None:
        return _owned_argument(function, value, seen)
    if isinstance(op.definition, Primitive):
        if op.definition is SETITEM or op.definition in LIST_WRITES:
            return _owned(function, op.operands[0], seen)
        if isinstance(value.type, ListOf):
            return op.definition is not LIST_ITEM  # a list made here
        return not op.definition.view
    if op.definition is IF:
        position = op.results.index(value)
        return all(
            _owned(function, branch[position], seen)
            for branch in branch_yields(op)
            if not _undefined(branch[position])
        )
    if op.definition in (FOR, WHILE):
        parts = loop_parts(op)
        if value not in parts.results:
            return False
        position = parts.results.index(value)
        return _owned(function, parts.inits[position], seen) and _owned(
            function, parts.yields[position], seen
        )
    return False


def _owned_argument(function: Function, value: Value, seen: set[Value]) -> bool:
    block = value.owner
    if not isinstance(block, Block) or block is function.entry:
        return False  # a parameter
    region = block.parent
    loop = region.parent if region is not None else None
    if loop is None or loop.definition not in (FOR, WHILE):
        return False
    parts = loop_parts(loop)
    arguments = parts.carried if block is parts.body else block.arguments
    if value not in arguments:
        return False  # a loop's target: an item of what it iterates over
    position = arguments.index(value)
    return _owned(function, parts.inits[position], seen) and _owned(
        function, parts.yields[position], seen
    )


def _check_listed(
    base: Value, write: Op, users: dict[Value, list[Op]], name: str
) -> None:
    """A loop that writes an array and puts it in a list each step puts the
    same array in every time (``h[i] = ...; out.append(h)``): in Python
    the list's items all see the later steps' writes."""
    if not _carried(base):
        return
    for value in evolution(write.result, users):
        for user in users.get(value, []):
            if user.definition is LIST or (
                user.definition is LIST_APPEND and user.operands[0] is not value
            ):
                raise ValueTypeError(
                    f"{name} is changed in this loop and put in a list each "
                    f"time round: in Python the list holds the one array "
                    f"{name}, whose items the later steps change; put a copy "
                    f"in the list ({name}.copy())",
                    write.loc,
                )


def _carried(value: Value) -> bool:
    """Whether ``value`` is a value a loop carries, in its body."""
    block = value.owner
    region = block.parent if isinstance(block, Block) else None
    loop = region.parent if region is not None else None
    if loop is None or loop.definition not in (FOR, WHILE):
        return False
    parts = loop_parts(loop)
    return block is parts.body and value in parts.carried


def _check_loop_start(
    base: Value, write: Op, users: dict[Value, list[Op]], name: str, what: str = "array"
) -> None:
    """A loop's array starts as a value another name may still hold
    (``z = y`` before the loop): reading it after the loop would not see
    the loop's writes, as it does in Python."""
    block = base.owner
    region = block.parent if isinstance(block, Block) else None
    loop = region.parent if region is not None else None
    if loop is None or loop.definition not in (FOR, WHILE):
        return
    parts = loop_parts(loop)
    if block is not parts.body or base not in parts.carried:
        return
    position = parts.carried.index(base)
    init = parts.inits[position]
    later = set(ops_after(loop))
    held = [init, *aliases_of(init, {parts.results[position]}, users)]
    for value in held:
        if any(user is not loop and user in later for user in users.get(value, [])):
            shown = value.name_hint or "a value"
            holder = f"{shown}, which holds" if shown != name else "another name for"
            raise ValueTypeError(
                f"{name} is changed in this loop, and {holder} the {what} {name} "
                f"starts as, is read after the loop; in Python it would see the "
                f"loop's changes: copy the {what} before the loop "
                f"({name} = {name}.copy())",
                write.loc,
            )


def mark_in_place(function: Function) -> None:
    """Let each write whose array nothing else holds write into it in place.

    A write is in place when its array was made by an op of this function
    that makes a new array (not a view, a parameter or a loop's item), and
    every other op that reads it comes before it in its block and keeps no
    reference to it (a number read out, a sum; not a tape, not a view).
    """
    _copy_loop_starts(function)
    users = uses(function.entry)
    for op in walk(function.entry):
        if op.definition in _WRITES:
            base = op.operands[0]
            op.attributes["in_place"] = _fresh(base, users) and _only_read_before(
                base, op, users
            )


def _copy_loop_starts(function: Function) -> None:
    """A loop that writes a value it carries, starting from one it does not
    hold alone (a view, another slot's start, a value read after), starts
    from a copy, made once: then each step writes in place, and the loop
    costs one copy rather than one a step."""
    users = uses(function.entry)
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
                or _fresh_carried(carried, users)
            ):
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
    if op.definition in _WRITES:
        return True  # its array, or a copy of it
    if isinstance(value.type, ListOf):
        return op.definition is not LIST_ITEM  # a new list (of shared items)
    return not op.definition.view and isinstance(value.type, Array)


def _fresh_carried(value: Value, users: dict[Value, list[Op]]) -> bool:
    block = value.owner
    region = block.parent if isinstance(block, Block) else None
    loop = region.parent if region is not None else None
    if loop is None or loop.definition not in (FOR, WHILE):
        return False
    parts = loop_parts(loop)
    if block is not parts.body or value not in parts.carried:
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
    if op.definition in _WRITES:
        found += _chain(op.operands[0], base)
    elif op.definition is IF:
        position = op.results.index(value)
        for branch in branch_yields(op):
            if not _undefined(branch[position]):
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
        if definition in _WRITES and user.operands[0] is value:
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
    if op.definition in _WRITES:
        return _evolves(op.operands[0], base)
    if op.definition is IF:
        position = op.results.index(value)
        return all(
            _evolves(branch[position], base)
            for branch in branch_yields(op)
            if not _undefined(branch[position])
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
            if user.definition in _WRITES and user.operands[0] is base:
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
            if definition in _WRITES:
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
    users = uses(function.entry)
    changed = False
    for op in list(walk(function.entry)):
        if op.name != "add" or op.attributes.get("namespace") != "operator":
            continue
        for position in (1, 0):
            scattered = op.operands[position].defining_op
            acc = op.operands[1 - position]
            if (
                scattered is not None
                and scattered.definition is INDEX_ADJOINT
                and len(users.get(scattered.result, [])) == 1
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
