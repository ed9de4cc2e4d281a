"""Dead code elimination: drop pure ops whose results nobody uses."""

from __future__ import annotations

from srcgrad.ir import Block, Function, Value


def dce(function: Function) -> bool:
    """Remove unused pure ops from ``function``; True if anything changed."""
    return _sweep(function.entry, set())


def _sweep(block: Block, live: set[Value]) -> bool:
    """Walk ``block`` backwards, keeping ops with effects or live results."""
    changed = False
    kept = []
    for op in reversed(block.ops):
        needed = not op.definition.pure or any(result in live for result in op.results)
        if not needed:
            changed = True
            continue
        for region in op.regions:
            for inner in region.blocks:
                changed |= _sweep(inner, live)
        live.update(op.operands)
        kept.append(op)
    kept.reverse()
    block.ops = kept
    return changed
