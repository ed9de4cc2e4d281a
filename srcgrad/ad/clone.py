"""Copying ops into another function, renaming values as it goes."""

from __future__ import annotations

from collections.abc import Iterable

from srcgrad.ir import Block, Builder, Op, Region, Value


def clone_into(
    builder: Builder, ops: Iterable[Op], mapping: dict[Value, Value]
) -> None:
    """Append copies of ``ops`` at ``builder``; ``mapping`` maps old values to new.

    ``mapping`` must hold every value the ops use from outside; it receives
    the copies' results.
    """
    for op in ops:
        builder.block.append(_clone(op, mapping))


def _clone(op: Op, mapping: dict[Value, Value]) -> Op:
    results = [Value(result.name_hint, result.loc) for result in op.results]
    mapping.update(zip(op.results, results, strict=True))
    regions = []
    for region in op.regions:
        blocks = []
        for block in region.blocks:
            arguments = [Value(value.name_hint, value.loc) for value in block.arguments]
            mapping.update(zip(block.arguments, arguments, strict=True))
            copy = Block(arguments)
            clone_into(Builder(copy), block.ops, mapping)
            blocks.append(copy)
        regions.append(Region(blocks))
    operands = [mapping[operand] for operand in op.operands]
    return Op(
        op.definition,
        operands,
        results,
        dict(op.attributes),
        regions,
        op.loc,
        derivative=op.derivative,
    )
