"""Tapes nothing reads back.

Reverse mode decides what a loop saves before the last passes run; those
may leave a tape's value unread in the reverse loop (an indexed read's
adjoint needed the array's shape, until ``accumulate_in_place`` added it
into the adjoint there already). Such a tape costs a push a step, and
holds each step's array, so the forward loop cannot write it in place:
``drop_unread_tapes`` removes it, and the reverse loop walks the rest.
"""

from __future__ import annotations

from srcgrad.ir import (
    APPEND,
    FOR,
    NEW_LIST,
    Block,
    Function,
    Op,
    Value,
    loop_parts,
    uses,
    walk,
)
from srcgrad.primitives.iteration import REVERSED, ZIP


def drop_unread_tapes(function: Function) -> bool:
    """Remove each tape whose items a reverse loop walks but never reads."""
    changed = False
    for loop in list(walk(function.entry)):
        if loop.definition is FOR and "pattern" not in loop.attributes:
            changed |= _drop_from(function, loop)
    return changed


def _drop_from(function: Function, loop: Op) -> bool:
    source = loop.operands[0].defining_op
    if source is None or source.definition is not ZIP:
        return False
    users = uses(function.entry)
    targets = loop_parts(loop).targets
    if len(targets) != len(source.operands):
        return False
    unread = [
        index
        for index, (walked, target) in enumerate(
            zip(source.operands, targets, strict=True)
        )
        if not users.get(target) and _tape_walked(walked, users) is not None
    ]
    if not unread:
        return False
    if len(unread) == len(targets):
        unread = unread[1:]  # the loop still needs its count of steps
    tapes = [_tape_walked(source.operands[index], users) for index in unread]
    body = loop.regions[-1].block
    for index in reversed(unread):
        del source.operands[index]
        body.arguments.remove(targets[index])
    loop.attributes["targets"] = len(source.operands)
    if len(source.operands) == 1:
        loop.operands[0] = source.operands[0]  # zip of one walks 1-tuples
    for tape in tapes:
        assert tape is not None
        _remove_tape(function, tape)
    return True


def _tape_walked(walked: Value, users: dict[Value, list[Op]]) -> Value | None:
    """The tape ``walked`` reads back to front, if it is ``reversed(tape)``
    of a tape that only this reads and pushes add to."""
    op = walked.defining_op
    if op is None or op.definition is not REVERSED or len(users.get(walked, [])) != 1:
        return None
    tape = op.operands[0]
    made = tape.defining_op
    if made is None or made.definition is not NEW_LIST:
        return None
    readers = [user for user in users.get(tape, []) if user.definition is not APPEND]
    return tape if readers == [op] else None


def _remove_tape(function: Function, tape: Value) -> None:
    """Remove ``tape``, its pushes and the ``reversed`` that read it."""
    for op in list(walk(function.entry)):
        reads = op.definition in (APPEND, REVERSED) and op.operands[0] is tape
        if reads or tape in op.results:
            block = op.parent
            assert isinstance(block, Block)
            block.ops.remove(op)
