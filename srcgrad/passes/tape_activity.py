"""A gradient's tapes, as activity analysis sees them.

Forward mode over a gradient (a Hessian) differentiates the values the
gradient pushes on its tapes and reads back: a push makes the tape varied
and the value pushed useful, and a loop that walks a varied tape has
varied targets (``passes.activity``). Only values a gradient makes are
tapes: a ``new_list``, ``reversed`` of one, one a branch made, one a
backward sweep unpacks from its saved values, or an inner loop's tape read
back from its outer loop's.
"""

from __future__ import annotations

from srcgrad.ir import (
    APPEND,
    FOR,
    IF,
    NEW_LIST,
    UNPACK,
    Op,
    Pattern,
    Value,
    branch_yields,
    loop_of_argument,
    loop_parts,
    target_pattern,
    walk,
)


def pushes(op: Op) -> bool:
    """``op``'s regions push values on a gradient's tapes: what they push is
    read back after it, whatever ``op``'s own results are."""
    return any(
        inner.definition is APPEND
        for region in op.regions
        for block in region.blocks
        for inner in walk(block)
    )


def is_tape(value: Value) -> bool:
    """A list a gradient pushes values on, ``reversed`` of one, one a
    branch made, or an inner loop's tape read back from its outer loop's."""
    op = value.defining_op
    if op is None:
        loop = loop_of_argument(value)
        if loop is None or loop.definition is not FOR:
            return False
        parts = loop_parts(loop)
        return value in parts.targets and _walks_tape(parts.iterable)
    if op.definition in (NEW_LIST, UNPACK):  # made, or a backward sweep's
        return True
    if op.definition is IF:  # a tape made in a branch (None in the other)
        position = op.results.index(value)
        return any(is_tape(branch[position]) for branch in branch_yields(op))
    return op.name == "reversed" and is_tape(op.operands[0])


def _walks_tape(iterable: Value | None) -> bool:
    """A loop over ``iterable`` reads the items of a tape."""
    if iterable is None:
        return False
    if is_tape(iterable):
        return True
    op = iterable.defining_op
    return (
        op is not None
        and op.name in ("zip", "enumerate")
        and any(_walks_tape(operand) for operand in op.operands)
    )


def varied_targets(loop: Op, varied: set[Value]) -> list[Value]:
    """The targets of ``for`` loop ``loop`` read from a varied tape (only
    those: a loop over ``zip(reversed(k_tape), reversed(x_tape))`` reads a
    counter that no tangent reaches beside a value that has one)."""
    parts = loop_parts(loop)
    assert parts.iterable is not None
    leaves: list[tuple[Value, Pattern]] = []
    sequence_leaves(parts.iterable, target_pattern(loop), leaves)
    found: list[Value] = []
    for leaf, pattern in leaves:
        if is_tape(leaf) and _varied_tape(leaf, varied):
            found += [parts.targets[index] for index in _indices(pattern)]
    return found


def sequence_leaves(
    value: Value, pattern: Pattern, found: list[tuple[Value, Pattern]]
) -> None:
    """The sequences a ``for`` item is made of, with the part of the
    pattern each binds: ``zip`` and ``enumerate`` are looked through."""
    op = value.defining_op
    if op is not None and isinstance(pattern, tuple):
        if op.name == "zip" and len(pattern) == len(op.operands):
            for operand, part in zip(op.operands, pattern, strict=True):
                sequence_leaves(operand, part, found)
            return
        if op.name == "enumerate" and len(pattern) == 2:
            sequence_leaves(op.operands[0], pattern[1], found)
            return
    found.append((value, pattern))


def _varied_tape(tape: Value, varied: set[Value]) -> bool:
    if tape in varied:
        return True
    op = tape.defining_op
    return (
        op is not None
        and op.name == "reversed"
        and _varied_tape(op.operands[0], varied)
    )


def _indices(pattern: Pattern) -> list[int]:
    if isinstance(pattern, int):
        return [pattern]
    return [index for part in pattern for index in _indices(part)]
