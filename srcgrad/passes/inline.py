"""Inlining: a small helper's body written out at each call, before AD.

A call costs the generated code a Python call, and with a derivative two
(the forward and the backward sweep) and a tuple of saved values; for a
helper of a few operations that is most of the work (``benchmarks/calls.py``
measures it). So a callee that is not recursive and has at most
``settings.INLINE_LIMIT`` operations is copied into each caller instead. The bound
keeps code linear in the source: a call site grows by at most the limit,
and a helper is measured after its own small callees were inlined into it.

The inlined operations take the call's source location, so the comments of
the generated code name the line of the call, in the caller's file.
"""

from __future__ import annotations

import srcgrad.settings as settings
from srcgrad.ir import (
    CONST,
    GLOBAL,
    Block,
    Builder,
    Function,
    Op,
    Program,
    Value,
    callee_of,
    walk,
)
from srcgrad.ir.clone import clone_into


def size(function: Function) -> int:
    """The operations of ``function`` that do work, at any depth."""
    return sum(
        1
        for op in walk(function.entry)
        if op.definition not in (CONST, GLOBAL) and not op.definition.is_terminator
    )


def inline_calls(program: Program, limit: int | None = None) -> bool:
    """Write out each call to a small, non-recursive callee; True if any was.

    ``limit`` is ``settings.INLINE_LIMIT`` unless given (read when called,
    so a benchmark may set it). Callees are visited before their callers, so a
    helper is measured with its own small callees already written out.
    """
    limit = settings.INLINE_LIMIT if limit is None else limit
    recursive = program.recursive()
    changed = False
    for symbol in program.bottom_up():
        calls = list(program.calls(symbol))
        for op in calls:
            callee = program.functions[callee_of(op)]
            if callee_of(op) in recursive or size(callee) > limit:
                continue
            inline(op, callee)
            changed = True
    if changed:
        program.drop_unreachable()
    return changed


def inline(call: Op, callee: Function) -> None:
    """Replace ``call`` by a copy of ``callee``'s body, at the call's place."""
    block = call.parent
    assert block is not None
    mapping: dict[Value, Value] = dict(
        zip(callee.arguments, call.operands, strict=True)
    )
    copies = Block()
    clone_into(Builder(copies, call.loc), callee.entry.ops[:-1], mapping)
    for op in walk(copies):
        _relocate(op, call)
    terminator = callee.entry.terminator
    assert terminator is not None
    returned = [mapping.get(value, value) for value in terminator.operands]
    replacements = dict(zip(call.results, returned, strict=True))
    copied = {result for op in copies.ops for result in op.results}
    for result, value in replacements.items():
        if value in copied and result.name_hint is not None:
            value.name_hint = result.name_hint  # `y = helper(x)` names it y
    position = block.ops.index(call)
    for op in copies.ops:
        op.parent = block
    block.ops[position : position + 1] = copies.ops
    root = _root_block(block)
    for op in walk(root):
        op.operands = [replacements.get(value, value) for value in op.operands]


def _relocate(op: Op, call: Op) -> None:
    """Give an inlined op, its results and block arguments the call's place."""
    op.loc = call.loc
    for result in op.results:
        result.loc = call.loc
    for region in op.regions:
        for inner in region.blocks:
            for argument in inner.arguments:
                argument.loc = call.loc


def _root_block(block: Block) -> Block:
    """The entry block of the function ``block`` is in."""
    while block.parent is not None and block.parent.parent is not None:
        parent = block.parent.parent.parent
        assert parent is not None
        block = parent
    return block
