"""Dead code elimination: drop what nobody uses.

Pure ops whose results nobody uses go, and so do the parts of control flow
nobody uses: an ``if`` result (and what each branch yields for it), a loop's
carried value that neither a result, the next iteration's live work, the
condition nor a stop flag needs. Ops with effects (a tape push, a check)
stay, and keep alive what they read.
"""

from __future__ import annotations

from srcgrad.ir import (
    FOR,
    IF,
    WHILE,
    Block,
    Function,
    Op,
    Value,
    has_effects,
    loop_parts,
)


def dce(function: Function) -> bool:
    """Remove unused code from ``function``; True if anything changed."""
    return _sweep(function.entry, set(), {})


def dce_block(block: Block) -> bool:
    """Remove unused code from one block (what its terminator reads is live)."""
    return _sweep(block, set(), {})


def _sweep(block: Block, live: set[Value], effects: dict[Op, bool]) -> bool:
    """Walk ``block`` backwards, keeping ops with effects or live results.

    ``effects`` remembers which ops have effects (``has_effects``), which
    every block around an op asks again.
    """
    changed = False
    kept = []
    for op in reversed(block.ops):
        needed = _has_effects(op, effects)
        for result in op.results:
            needed = needed or result in live
        if not needed and not op.definition.is_terminator:
            changed = True
            continue
        if op.definition is IF:
            changed |= _prune_if(op, live)
        elif op.definition in (FOR, WHILE):
            changed |= _prune_loop(op, live)
        for region in op.regions:
            for inner in region.blocks:
                changed |= _sweep(inner, live, effects)
        live.update(op.operands)
        kept.append(op)
    kept.reverse()
    block.ops = kept
    return changed


def _has_effects(op: Op, effects: dict[Op, bool]) -> bool:
    """``has_effects(op)``, each op's answer computed once.

    Dropping ops nobody uses never changes it: only ops without effects go.
    """
    found = effects.get(op)
    if found is None:
        definition = op.definition
        found = not definition.is_terminator and (
            not definition.pure
            or any(
                _has_effects(inner, effects)
                for region in op.regions
                for block in region.blocks
                for inner in block.ops
            )
        )
        effects[op] = found
    return found


def _prune_if(op: Op, live: set[Value]) -> bool:
    dead = [index for index, result in enumerate(op.results) if result not in live]
    for index in reversed(dead):
        del op.results[index]
        for region in op.regions:
            terminator = region.block.terminator
            assert terminator is not None
            del terminator.operands[index]
    return bool(dead)


def _prune_loop(op: Op, live: set[Value]) -> bool:
    """Drop the carried values nothing needs; True if there were any."""
    parts = loop_parts(op)
    count = len(parts.carried)
    needed = {index for index in range(count) if parts.results[index] in live}
    condition_arguments = parts.condition.arguments if parts.condition else []
    while True:
        roots = {parts.yields[index] for index in needed}
        if parts.stop is not None:
            roots.add(parts.stop)
        used = _used(parts.body, roots)
        if parts.condition is not None:
            used |= _used(parts.condition, set(parts.condition.ops[-1].operands))
        more = {
            index
            for index in range(count)
            if parts.carried[index] in used
            or (condition_arguments and condition_arguments[index] in used)
        }
        if more <= needed:
            break
        needed |= more
    dead = sorted(set(range(count)) - needed, reverse=True)
    first_init = 1 if op.definition is FOR else 0
    targets = len(parts.targets)
    for index in dead:
        del op.operands[first_init + index]
        del op.results[index]
        del parts.body.arguments[targets + index]
        terminator = parts.body.terminator
        assert terminator is not None
        del terminator.operands[index]
        if parts.condition is not None:
            del parts.condition.arguments[index]
    return bool(dead)


def _used(block: Block, roots: set[Value]) -> set[Value]:
    """What the ops of ``block`` that have effects or feed ``roots`` read."""
    live = set(roots)
    for op in reversed(block.ops[:-1]):
        if has_effects(op) or any(result in live for result in op.results):
            live.update(op.operands)
            live.update(_nested_operands(op))
    return live


def _nested_operands(op: Op) -> set[Value]:
    found: set[Value] = set()
    for region in op.regions:
        for block in region.blocks:
            for inner in block.ops:
                found.update(inner.operands)
                found.update(_nested_operands(inner))
    return found
