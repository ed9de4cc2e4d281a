"""The writes of a loop that Python would show elsewhere (for
``passes.writes``): another name for the array the loop starts from, read
after it, sees every step's writes; an array written and put in a list
each step is the same array in every place of the list.
"""

from __future__ import annotations

from srcgrad.errors import ValueTypeError
from srcgrad.ir import Block, Op, Value, loop_of_argument, loop_parts
from srcgrad.passes.aliases import (
    aliases_of,
    carried_in_body,
    evolution,
    on_other_paths,
    ops_after,
    walk_regions,
)
from srcgrad.primitives.lists import LIST, LIST_APPEND


def check_listed(
    base: Value, write: Op, users: dict[Value, list[Op]], name: str
) -> None:
    """A loop that writes an array and puts it in a list each step puts the
    same array in every time (``h[i] = ...; out.append(h)``): in Python
    the list's items all see the later steps' writes. Put in a list after
    the loop, or in a loop around it that makes the array anew each step
    (a row filled by an inner loop), it is there once."""
    within = {op for loop in carrying_loops(base) for op in walk_regions(loop)}
    for value in evolution(write.result, users):
        for user in users.get(value, []):
            if user in within and (
                user.definition is LIST
                or (user.definition is LIST_APPEND and user.operands[0] is not value)
            ):
                raise ValueTypeError(
                    f"{name} is changed in this loop and put in a list each "
                    f"time round: in Python the list holds the one array "
                    f"{name}, whose items the later steps change; put a copy "
                    f"in the list ({name}.copy())",
                    write.loc,
                )


def carrying_loops(base: Value) -> list[Op]:
    """The loops each of whose steps holds the array ``base`` holds, from
    the innermost out: the loop that carries ``base``, the one around it
    that carries what it starts from, and so on."""
    found: list[Op] = []
    current = base
    while carried_in_body(current):
        block = current.owner
        assert isinstance(block, Block) and block.parent is not None
        loop = block.parent.parent
        assert loop is not None
        found.append(loop)
        current = loop_parts(loop).inits[loop_parts(loop).carried.index(current)]
    return found


def check_loop_start(
    base: Value, write: Op, users: dict[Value, list[Op]], name: str, what: str = "array"
) -> None:
    """A loop's array starts as a value another name may still hold
    (``z = y`` before the loop): reading it after the loop would not see
    the loop's writes, as it does in Python."""
    loop = loop_of_argument(base)
    if loop is None:
        return
    parts = loop_parts(loop)
    if base.owner is not parts.body or base not in parts.carried:
        return
    position = parts.carried.index(base)
    init = parts.inits[position]
    later = set(ops_after(loop))
    # What the loop hands on, and the branch values it flows into, are the
    # variable written: on a path where the loop did not run they hold its
    # start unchanged, as in Python.
    written = evolution(parts.results[position], users)
    held = [init, *aliases_of(init, written, users, loop)]
    for value in held:
        if any(
            user is not loop and user in later and not on_other_paths(loop, user, value)
            for user in users.get(value, [])
        ):
            shown = value.name_hint or "a value"
            holder = f"{shown}, which holds" if shown != name else "another name for"
            raise ValueTypeError(
                f"{name} is changed in this loop, and {holder} the {what} {name} "
                f"starts as, is read after the loop; in Python it would see the "
                f"loop's changes: copy the {what} before the loop "
                f"({name} = {name}.copy())",
                write.loc,
            )
