"""A gradient's tapes, as activity analysis sees them.

Forward mode over a gradient (a Hessian) differentiates the values the
gradient pushes on its tapes and reads back: a push makes the tape varied
and the value pushed useful, and a loop that walks a varied tape has
varied targets (``passes.activity``). Only values a gradient makes are
tapes: a ``new_list``, ``reversed`` of one, one a branch made, or an inner
loop's tape read back from its outer loop's.
"""

from __future__ import annotations

from srcgrad.ir import (
    APPEND,
    FOR,
    IF,
    NEW_LIST,
    Op,
    Value,
    branch_yields,
    loop_of_argument,
    loop_parts,
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
    if op.definition is NEW_LIST:
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


def walks_varied_tape(iterable: Value, varied: set[Value]) -> bool:
    """A loop over ``iterable`` reads items of a varied tape (through
    ``zip``, ``enumerate`` and ``reversed``)."""
    if is_tape(iterable):
        op = iterable.defining_op
        assert op is not None
        return iterable in varied or (
            op.name == "reversed" and op.operands[0] in varied
        )
    op = iterable.defining_op
    if op is None or op.name not in ("zip", "enumerate"):
        return False
    return any(walks_varied_tape(operand, varied) for operand in op.operands)
