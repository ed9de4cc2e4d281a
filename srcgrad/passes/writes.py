"""Writes into arrays and lists keep Python's meaning, or are refused.

In the IR a write is a value: ``setitem y, v, i`` is ``y`` with ``v`` at
``i``, and the frontend rebinds every name holding ``y`` to it (they name
one array in Python). Two things make that meaning differ from Python's,
and ``refuse_unsafe_writes`` refuses them where the function is written:

* the array written into is an input (or a view of one): Python would
  change the caller's array, and the gradient must not;
* another name, a view (``v = y[1:]``, ``y.T``), a tuple or list holding
  it, or a value a branch or loop step hands the same array to, is read
  after the write: in Python it sees the new items.

Appends to lists are checked the same way. Which writes then change their
array itself, in the generated code, is ``passes/in_place.py``'s decision.
"""

from __future__ import annotations

from srcgrad.errors import ValueTypeError
from srcgrad.ir import (
    CONST,
    FOR,
    IF,
    WHILE,
    Block,
    Function,
    Op,
    Program,
    Value,
    branch_yields,
    loop_of_argument,
    loop_parts,
    uses,
    walk,
)
from srcgrad.ir.types import ListOf, Scalar
from srcgrad.passes.aliases import (
    aliases_of,
    evolution,
    merged_from,
    read_after,
    undefined,
)
from srcgrad.passes.loop_writes import carrying_loops, check_listed, check_loop_start
from srcgrad.primitives import Primitive
from srcgrad.primitives.item_writes import SETITEM
from srcgrad.primitives.lists import LIST_APPEND, LIST_ITEM, LIST_WRITES


def refuse_unsafe_writes(program: Program) -> None:
    """Refuse writes whose meaning the IR would not keep (see the module).

    Raises:
        ValueTypeError: at the write, naming the array and what to do.
    """
    for function in program.functions.values():
        users: dict[Value, list[Op]] = {}  # made at the first write
        for op in walk(function.entry):
            augmented = op.attributes.get("augmented")
            checked = op.definition in (SETITEM, LIST_APPEND) or (
                augmented and not isinstance(op.operands[0].type, Scalar)
            )
            if checked and not users:
                users = uses(function.entry)
            if op.definition is SETITEM:
                _check_write(function, op, users)
            elif op.definition is LIST_APPEND:
                _check_append(function, op, users)
            elif augmented and not isinstance(op.operands[0].type, Scalar):
                _check_augmented(function, op, users, str(augmented))
        for op in walk(function.entry):
            op.attributes.pop("augmented", None)


def _check_write(function: Function, op: Op, users: dict[Value, list[Op]]) -> None:
    base = op.operands[0]
    name = base.name_hint or "the array"
    _refuse_list_item(base, op, name)
    if not _owned(function, base, set()):
        _refuse_view_of_own(function, base, op, name, f"writing into {name}")
        raise ValueTypeError(
            f"{name} is an input array, or a view of one (a slice, .T, a "
            "reshape, np.asarray): writing into it would change the caller's "
            f"array; copy it first ({name} = {name}.copy()) or make a new one "
            f"(np.zeros_like({name}))",
            op.loc,
        )
    alias = _shared_after(base, op, users, name)
    if alias is not None:
        if alias.name_hint in (None, name):
            raise ValueTypeError(
                f"{name} is held under another name too (one a branch or a "
                f"loop step hands on, or bound before the loop), which is "
                f"read after this write: in Python it would see the write; "
                f"write into a copy ({name} = {name}.copy() before the "
                f"write), or keep one name for the array",
                op.loc,
            )
        raise ValueTypeError(
            f"{alias.name_hint} shares its items with {name} (a slice, .T, "
            f"a value a helper returned, or the same array under another "
            f"name), and it is read after this write into {name}: in "
            f"Python it would see the write; copy it where it is made "
            f"({alias.name_hint} = ....copy())",
            op.loc,
        )


def _shared_after(
    base: Value, write: Op, users: dict[Value, list[Op]], name: str
) -> Value | None:
    """A value that holds ``base``'s array or list too and is read after
    ``write`` changes it, if there is one (``ValueTypeError`` for the
    cases with a message of their own: a loop's start, a list's item)."""
    check_loop_start(base, write, users, name, _what(base))
    check_listed(base, write, users, name)
    written = evolution(write.result, users)
    for alias in _holders(base, written, users, write):
        if read_after(alias, write, users):
            return alias
    return None


def _holders(
    base: Value, written: set[Value], users: dict[Value, list[Op]], write: Op
) -> list[Value]:
    """The values that may hold the array (or list) ``base`` holds where
    ``write`` changes it, other than the variable written: what ``base``
    may be on each path (another name may hold that), and the views,
    calls' values and other names of each of those."""
    own = _own_results(base)
    # the other values of the `if` that made base share its array on some
    # path only if a branch yields them one (``_siblings`` asks each one):
    # after `a, b = b, a` in a branch, a and b are still two arrays
    roots = [base, *merged_from(base)]
    apart = {
        result
        for root in roots
        if (made := root.defining_op) is not None and made.definition is IF
        for result in made.results
        if result is not root
    }
    found: list[Value] = []
    for root in roots:
        found += [s for s in _siblings(root) if s is not base and s not in found]
        apart -= set(found)
        candidates = [] if root is base else [root]
        for value in candidates + aliases_of(root, written, users, write):
            if value is base or value in written or value in own or value in apart:
                continue
            if value not in found:
                found.append(value)
    return found


def _own_results(base: Value) -> set[Value]:
    """What the loops whose carried value ``base`` is (in each loop around
    it, going out) hand on as that variable: the same variable later, which
    holds what its steps yield, not what it started from."""
    found: set[Value] = set()
    current = base
    for loop in carrying_loops(base):
        parts = loop_parts(loop)
        position = parts.carried.index(current)
        found.add(parts.results[position])
        current = parts.inits[position]
    return found


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
                _may_share(yields[other], yields[position])
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
            _may_share(parts.yields[other], parts.yields[position])
            or _may_share(parts.inits[other], parts.inits[position])
        )
        for value in (parts.carried[other], parts.results[other])
    ]


def _may_share(first: Value, second: Value) -> bool:
    """Whether two values may be one array or list on some path."""
    if undefined(first) or undefined(second):
        return False
    op = first.defining_op
    if op is not None and op.definition is IF and second.defining_op is op:
        # Two values of one `if`: on each path, what that branch yields.
        at = op.results.index(first), op.results.index(second)
        return any(
            _may_share(branch[at[0]], branch[at[1]]) for branch in branch_yields(op)
        )
    return not _objects(first).isdisjoint(_objects(second))


def _objects(value: Value) -> set[Value]:
    """The values that may be the same array or list as ``value``: itself,
    what it may be on each path in, and what the writes it results from
    wrote into."""
    found: set[Value] = set()
    pending = [value]
    while pending:
        current = pending.pop()
        if current in found or undefined(current):
            continue
        found.add(current)
        pending += merged_from(current)
        op = current.defining_op
        if op is not None and (
            op.definition is SETITEM
            or op.definition in LIST_WRITES
            or op.attributes.get("augmented")
        ):
            pending.append(op.operands[0])
    return found


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
    alias = _shared_after(base, op, users, name)
    if alias is not None:
        shown = _shown(alias, name)
        raise ValueTypeError(
            f"{shown} holds the list {name} too (another name, a helper "
            f"returned it, or a tuple holds it), and it is read after this "
            f"append: in Python it would see the new item; copy the list "
            f"({name}.copy())",
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
        symbol = _SYMBOLS.get(op.name, "op")
        _refuse_view_of_own(
            function, base, op, name, f"{name} {symbol}= ...", f"{name} {symbol} ..."
        )
        raise ValueTypeError(
            f"{name} {_SYMBOLS.get(op.name, 'op')}= ... changes the array {name} "
            f"in place, and {name} is an input (or a view of one): the caller's "
            f"array would change; write {name} = {name} "
            f"{_SYMBOLS.get(op.name, 'op')} ... instead",
            op.loc,
        )
    alias = base if read_after(base, op, users) else None
    alias = alias or _shared_after(base, op, users, name)
    if alias is not None:
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


def _refuse_view_of_own(
    function: Function,
    base: Value,
    write: Op,
    name: str,
    what: str,
    instead: str | None = None,
) -> None:
    """Refuse a write into a view of an array the function made (the
    caller's arrays are safe, but the write changes that array too, which
    the IR, a value per write, does not follow)."""
    viewed = base
    while (op := viewed.defining_op) is not None and _is_view(op):
        viewed = op.operands[0]
    if viewed is base or not _owned(function, viewed, set()):
        return
    other = viewed.name_hint or "the array it views"
    remedy = (
        f"write {name} = {instead} instead"
        if instead
        else (
            f"write into {other} itself, or copy the view first "
            f"({name} = {name}.copy())"
        )
    )
    raise ValueTypeError(
        f"{name} is a view of {other} (a slice, .T, a reshape, np.asarray): "
        f"{what} would change {other} too, which srcgrad does not follow; {remedy}",
        write.loc,
    )


def _is_view(op: Op) -> bool:
    definition = op.definition
    return (
        isinstance(definition, Primitive)
        and definition.view
        and definition is not SETITEM
        and definition not in LIST_WRITES
    )


def _owned(function: Function, value: Value, seen: set[Value]) -> bool:
    """Whether ``value`` is an array the function made (not an input, nor a
    view of one): a loop's value is if it starts and stays one."""
    if value in seen:
        return True
    seen.add(value)
    op = value.defining_op
    if op is not None and op.definition is CONST:
        return True  # a number: s += x rebinds s to a new array
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
            if not undefined(branch[position])
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
    loop = loop_of_argument(value)
    if loop is None or not isinstance(block, Block):
        return False  # a parameter
    parts = loop_parts(loop)
    arguments = parts.carried if block is parts.body else block.arguments
    if value not in arguments:
        return False  # a loop's target: an item of what it iterates over
    position = arguments.index(value)
    return _owned(function, parts.inits[position], seen) and _owned(
        function, parts.yields[position], seen
    )
