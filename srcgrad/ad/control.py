"""Reverse mode through ``if`` and loops: mirrored control flow and tapes.

The reverse of an ``if`` is an ``if`` on the same condition whose branches
are the reverse sweeps of the original branches; it yields the adjoints of
the outer values the branches use. The reverse of a loop is a loop that
runs its iterations backwards: its body is the reverse sweep of the
original body, and it carries the adjoints of the carried values and of the
outer values the body uses.

A reverse region may read only what is in scope where it runs: what it
reads from the forward region it mirrors is provided by
``srcgrad.ad.saving`` (repeated, replayed, recomputed, or saved on a tape).
"""

from __future__ import annotations

from srcgrad.ad.context import Sweep
from srcgrad.ad.regions import defined_in, walk_regions
from srcgrad.ad.saving import save_from_branch, save_from_loop
from srcgrad.ir import FOR, IF, YIELD, Block, Builder, Op, Region, Value, loop_parts


def reverse_if(sweep: Sweep, op: Op) -> None:
    """Append the reverse of ``if`` op ``op`` at ``sweep``'s builder."""
    copy = sweep.context.copies[op]
    free = _free_active(op, sweep)
    branches = []
    for index, region in enumerate(op.regions):
        block = Block()
        child = sweep.child(Builder(block, op.loc, derivative=True))
        terminator = region.block.terminator
        assert terminator is not None
        for result, yielded in zip(op.results, terminator.operands, strict=True):
            adjoint = sweep.adjoints.get(result)
            if adjoint is not None and yielded in sweep.context.active:
                # not stretched to the if's value's shape: that may be None,
                # on a path that returned early; the ops that need it
                # stretched stretch it (``_materialize``)
                child.accumulate(yielded, adjoint)
        child.sweep(region.block.ops[:-1])
        with child.builder.at(op.loc):
            outputs = [child.full_adjoint(value) for value in free]
            child.builder.create(YIELD, outputs, result_count=0)
        save_from_branch(copy, index, block, in_loop=sweep.loop_depth > 0)
        branches.append(block)
    condition = sweep.context.mapping[op.operands[0]]
    results = [
        Value(sweep.context.hints.get(value), op.loc, type=value.type) for value in free
    ]
    mirrored = Op(
        IF,
        [condition],
        results,
        {},
        [Region([b]) for b in branches],
        op.loc,
        derivative=True,
    )
    sweep.builder.block.append(mirrored)
    sweep.adjoints.update(zip(free, results, strict=True))


def reverse_loop(sweep: Sweep, op: Op) -> None:
    """Append the reverse of loop ``op`` (``for`` or ``while``) at ``sweep``."""
    parts = loop_parts(op)
    active = sweep.context.active
    hints = sweep.context.hints
    slots = [
        index
        for index, argument in enumerate(parts.carried)
        if argument in active or parts.results[index] in active
    ]
    free = _free_active(op, sweep, regions=[op.regions[-1]])
    body = Block()
    child = sweep.child(Builder(body, op.loc, derivative=True), in_loop=True)
    carried_adjoints = [_adjoint_value(hints, parts.carried[j], op) for j in slots]
    free_adjoints = [_adjoint_value(hints, value, op) for value in free]
    child.adjoints.update(zip(free, free_adjoints, strict=True))
    for index, adjoint in zip(slots, carried_adjoints, strict=True):
        if parts.yields[index] in active:
            child.accumulate(parts.yields[index], adjoint)
    child.sweep(parts.body.ops[:-1])
    with child.builder.at(op.loc):
        outputs = [child.full_adjoint(parts.carried[j]) for j in slots]
        outputs += [child.full_adjoint(value) for value in free]
        child.builder.create(YIELD, outputs, result_count=0)
    copy = sweep.context.copies[op]
    with sweep.builder.at(op.loc):
        iterable, targets = save_from_loop(
            copy, body, sweep.builder, in_loop=sweep.loop_depth > 0
        )
        inits = [sweep.full_adjoint(parts.results[j]) for j in slots]
        inits += [sweep.full_adjoint(value) for value in free]
    body.arguments[:0] = targets + carried_adjoints + free_adjoints
    for argument in body.arguments:
        argument.owner = body
    results = [_adjoint_value(hints, parts.inits[j], op) for j in slots]
    results += [_adjoint_value(hints, value, op) for value in free]
    attributes: dict[str, object] = {"targets": len(targets)}
    operands, regions = [iterable, *inits], [Region([body])]
    mirrored = Op(FOR, operands, results, attributes, regions, op.loc, derivative=True)
    sweep.builder.block.append(mirrored)
    sweep.adjoints.update(zip(free, results[len(slots) :], strict=True))
    for index, result in zip(slots, results[: len(slots)], strict=True):
        if parts.inits[index] in active:
            sweep.accumulate(parts.inits[index], result)


def _free_active(
    op: Op, sweep: Sweep, regions: list[Region] | None = None
) -> list[Value]:
    """Active values defined outside ``op`` that its ``regions`` read, in order."""
    regions = op.regions if regions is None else regions
    inside = defined_in(regions)
    found: dict[Value, None] = {}
    for inner in walk_regions(regions):
        for operand in inner.operands:
            if operand not in inside and operand in sweep.context.active:
                found.setdefault(operand)
    return list(found)


def _adjoint_value(hints: dict[Value, str | None], value: Value, op: Op) -> Value:
    """A new value for the adjoint of ``value``: of ``value``'s type."""
    return Value(hints.get(value), op.loc, type=value.type)
