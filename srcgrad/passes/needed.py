"""Which values a function's result or effects need, without changing it.

``passes.evaluations`` drops the ``EVALUATE`` of a value some other op
computes anyway, and must not count an op that DCE will drop later: the
outputs a forward-mode function lists after its tangents (past its
return's ``shown`` operands) are not handed back, and a value only they
read is not computed. ``needed_values`` errs the other way: where it is
not sure, a value is not needed, and the ``EVALUATE`` stays (a call made
twice, never a raise lost).
"""

from __future__ import annotations

from srcgrad.ir import (
    APPEND,
    EVALUATE,
    FOR,
    IF,
    NEW_LIST,
    WHILE,
    Block,
    Function,
    LoopParts,
    Op,
    Value,
    loop_parts,
    walk,
)
from srcgrad.primitives.iteration import ZIP


def needed_values(function: Function) -> set[Value]:
    """The values DCE keeps in ``function`` once the outputs its return
    does not show are dropped, not counting what ``EVALUATE`` ops read (or
    fewer: see the module's docstring)."""
    live: set[Value] = set()
    needed: set[Op] = set()
    ops = list(walk(function.entry))
    ops.reverse()  # users before what they use: most values in one sweep
    changed = True
    while changed:
        changed = False
        for op in ops:
            reads = _reads(op, function.entry, live, needed)
            if reads is None:
                continue
            if op.definition is EVALUATE:
                reads = []
            if op not in needed:
                needed.add(op)
                changed = True
            fresh = [value for value in reads if value not in live]
            if fresh:
                live.update(fresh)
                changed = True
    return live


def _reads(
    op: Op, entry: Block, live: set[Value], needed: set[Op]
) -> list[Value] | None:
    """What ``op`` reads that must be computed, if ``op`` is needed now;
    None if it is not (yet)."""
    block = op.parent
    if op.definition.is_terminator:
        if block is entry:
            shown = op.attributes.get("shown")
            count = len(op.operands) if shown is None else int(shown)  # type: ignore[call-overload]
            return op.operands[:count]
        return _yielded(op, live, needed)
    if op.definition is IF:
        if not (_acts(op, live) or any(r in live for r in op.results)):
            return None
        return op.operands[:1]  # the condition; the branches yield the rest
    if op.definition in (FOR, WHILE):
        if not (_acts(op, live) or any(r in live for r in op.results)):
            return None
        parts = loop_parts(op)
        return _walked(parts, live) + _of_needed_carried(parts, parts.inits, live)
    if op.regions:
        return None  # not known here: not counted
    if op.definition is APPEND:  # a push: needed only if the tape is read
        return op.operands if op.operands[0] in live else []
    if _acts(op, live) or any(r in live for r in op.results):
        return op.operands
    return None


def _acts(op: Op, live: set[Value]) -> bool:
    """``op``, or an op in its regions, does more than compute its results,
    not counting an ``EVALUATE`` (what is being decided: a loop that only
    evaluates is not needed for it, and drops its condition with it if
    the evaluations go), a new tape, or a push on a tape nothing reads."""
    definition = op.definition
    if definition in (EVALUATE, NEW_LIST) or definition.is_terminator:
        return False
    if definition is APPEND:
        return op.operands[0] in live
    if not definition.pure:
        return True
    return any(
        _acts(inner, live)
        for region in op.regions
        for block in region.blocks
        for inner in block.ops
    )


def _walked(parts: LoopParts, live: set[Value]) -> list[Value]:
    """What a loop must be given to walk: its iterable, or of a ``zip`` of
    tapes (a reverse loop's), the tapes whose items the body reads (and
    the first, for the count of steps). A tape no reverse loop reads is
    dropped (``passes.tapes``): a push onto it computes nothing."""
    iterable = parts.iterable
    if iterable is None:
        return []
    source = iterable.defining_op
    if (
        source is None
        or source.definition is not ZIP
        or len(source.operands) != len(parts.targets)
    ):
        return [iterable]
    read = [
        walked
        for walked, target in zip(source.operands, parts.targets, strict=True)
        if target in live
    ]
    return read or source.operands[:1]


def _yielded(terminator: Op, live: set[Value], needed: set[Op]) -> list[Value] | None:
    """What a nested block's terminator hands on that is needed."""
    block = terminator.parent
    region = block.parent if block is not None else None
    owner = region.parent if region is not None else None
    if owner is None or owner not in needed:
        return None
    if owner.definition is IF:
        return [
            value
            for value, result in zip(terminator.operands, owner.results, strict=False)
            if result in live
        ]
    if owner.definition not in (FOR, WHILE):
        return None
    parts = loop_parts(owner)
    if block is parts.condition:
        return terminator.operands[:1]  # whether to go on
    reads = [] if parts.stop is None else [parts.stop]
    return reads + _of_needed_carried(parts, parts.yields, live)


def _of_needed_carried(
    parts: LoopParts, values: list[Value], live: set[Value]
) -> list[Value]:
    """Of ``values``, one per carried value of a loop (its initial values,
    or what an iteration yields), those for a carried value that is read in
    the body or after the loop."""
    return [
        value
        for carried, value, result in zip(
            parts.carried, values, parts.results, strict=True
        )
        if carried in live or result in live
    ]
