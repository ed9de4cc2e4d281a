"""Copying ops into another function, renaming values as it goes."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from srcgrad.ir.builder import Builder
from srcgrad.ir.core import Block, Function, Op, Region, Value

#: Called after each op is copied: the builder the copy went to, the
#: original op and its copy.
AfterCopy = Callable[[Builder, Op, Op], None]


def clone_into(
    builder: Builder,
    ops: Iterable[Op],
    mapping: dict[Value, Value],
    *,
    after: AfterCopy | None = None,
) -> None:
    """Append copies of ``ops`` at ``builder``; ``mapping`` maps old values to new.

    ``mapping`` must hold every value the ops use from outside; it receives
    the copies' results and block arguments. ``after``, if given, sees
    every copy, in regions too, right after it is appended.
    """
    for op in ops:
        copy = _clone(op, mapping, after)
        builder.block.append(copy)
        if after is not None:
            after(builder, op, copy)


def _clone(op: Op, mapping: dict[Value, Value], after: AfterCopy | None) -> Op:
    regions = []
    for region in op.regions:
        blocks = []
        for block in region.blocks:
            arguments = [
                Value(value.name_hint, value.loc, type=value.type)
                for value in block.arguments
            ]
            mapping.update(zip(block.arguments, arguments, strict=True))
            copy = Block(arguments)
            clone_into(Builder(copy, op.loc), block.ops, mapping, after=after)
            blocks.append(copy)
        regions.append(Region(blocks))
    results = [
        Value(result.name_hint, result.loc, type=result.type) for result in op.results
    ]
    mapping.update(zip(op.results, results, strict=True))
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


def copy_function(function: Function, name: str) -> Function:
    """A copy of ``function`` named ``name``, sharing no value with it."""
    arguments = [
        Value(value.name_hint, value.loc, type=value.type)
        for value in function.arguments
    ]
    mapping = dict(zip(function.arguments, arguments, strict=True))
    block = Block(arguments)
    clone_into(Builder(block, function.loc), function.entry.ops, mapping)
    return Function(
        name, list(function.parameters), Region([block]), function.loc, function.doc
    )
