"""What a gradient computes only so that it fails, or warns, where ``f`` does.

Reverse mode keeps (``EVALUATE``) each op that raises, or in NumPy warns,
outside its domain. Where a derivative term computes the value anyway, the
evaluation goes. Where the value is an array's NumPy function computed for
its warnings alone, it is computed only where the array's extremes are
outside the interval where the function gives none::

    if outside_domain(p, 0.0, 1.0):
        np.log(p)
        np.log(1 - p)

The checks of one array side by side are one test: ``np.log(1 - p)`` is
quiet where ``p < 1``, so the two logs of a logistic loss cost the
smallest and the largest item of ``p``, where ``f`` computes two logs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from srcgrad.ir import (
    APPEND,
    EVALUATE,
    IF,
    NEW_LIST,
    YIELD,
    Block,
    Function,
    Op,
    Region,
    Value,
    has_effects,
    uses,
)
from srcgrad.ir.ops import CONST
from srcgrad.ir.types import BOOL, Array
from srcgrad.passes.needed import needed_values
from srcgrad.primitives import Primitive
from srcgrad.primitives.broadcasting import OUTSIDE_DOMAIN
from srcgrad.primitives.elementwise import QUIET_INSIDE

Interval = tuple[float, float]


def drop_evaluations_of_used_values(gradient: Function) -> None:
    """Keep an ``EVALUATE`` only where nothing else computes its value.

    Reverse mode evaluates each op that raises outside its domain, so the
    gradient raises where ``f`` does; where an op the gradient needs
    (``passes.needed``: not one only the outputs a forward-mode function
    does not hand back read) uses the value anyway (``d exp = exp``),
    computing it is enough, and one evaluation of a value is. An array's NumPy
    function kept for its warnings alone is computed only where the array
    has an item outside the interval where it warns of nothing.
    """
    users = uses(gradient.entry)
    needed = needed_values(gradient)

    blocks = [gradient.entry]
    while blocks:
        block = blocks.pop()
        evaluated: set[Value] = set()  # once is enough
        kept = []
        for op in block.ops:
            if op.definition is EVALUATE:
                value = op.operands[0]
                if value in evaluated or value in needed:
                    continue
                evaluated.add(value)
            kept.append(op)
        block.ops = kept
        _evaluated_at_extremes(block, users)
        for op in block.ops:
            op.parent = block
        blocks += [
            inner
            for op in block.ops
            if not op.attributes.get("domain_guard")
            for region in op.regions
            for inner in region.blocks
        ]


@dataclass
class _Check:
    """The evaluations of one array's functions, side by side in a block."""

    base: Value
    interval: Interval
    #: The evaluations, and the ops only they read, in the block's order.
    ops: list[Op] = field(default_factory=list)
    last: Op | None = None


def _evaluated_at_extremes(block: Block, users: dict[Value, list[Op]]) -> None:
    """Put each run of evaluations of functions of one array in ``block``
    under one ``if outside_domain(...)``: a run has nothing between its
    evaluations that may raise (a tape push may come between them)."""
    checks: list[_Check] = []
    current: _Check | None = None
    for op in block.ops:
        found = _quiet_where(op, block, users)
        if found is None:
            if op.definition not in (APPEND, NEW_LIST) and has_effects(op):
                current = None  # it may raise: what f raises first stays first
            continue
        base, interval, ops = found
        if current is None or current.base is not base:
            current = _Check(base, interval)
            checks.append(current)
        low, high = current.interval
        current.interval = (max(low, interval[0]), min(high, interval[1]))
        current.ops += ops
        current.last = op
    if not checks:
        return
    moved = {op for check in checks for op in check.ops}
    at_last = {check.last: check for check in checks}
    order = {op: index for index, op in enumerate(block.ops)}
    kept: list[Op] = []
    for op in block.ops:
        check = at_last.get(op)
        if check is not None:
            kept += _guarded(check, sorted(check.ops, key=order.__getitem__))
        elif op not in moved:
            kept.append(op)
    block.ops = kept


def _quiet_where(
    op: Op, block: Block, users: dict[Value, list[Op]]
) -> tuple[Value, Interval, list[Op]] | None:
    """For an evaluation of an array's NumPy function, the array whose items
    all inside an interval make it quiet, the interval, and the ops to
    compute only where they are not (the evaluation and what only it reads)."""
    if op.definition is not EVALUATE:
        return None
    kept = op.operands[0].defining_op
    if (
        kept is None
        or kept.parent is not block
        or kept.attributes.get("namespace") != "numpy"
        or len(kept.operands) != 1
        or not isinstance(kept.operands[0].type, Array)
        or not isinstance(kept.definition, Primitive)
        or "numpy" not in kept.definition.needs_domain_check
        or kept.definition.name not in QUIET_INSIDE
        or not isinstance(kept.definition.written("numpy"), str)
    ):
        return None
    argument = kept.operands[0]
    interval = QUIET_INSIDE[kept.definition.name]
    ops = [kept, op]
    shifted = _of_its_operand(argument, interval)
    if shifted is not None:
        base, interval = shifted
        made = argument.defining_op
        if made is not None and made.parent is block and len(users[argument]) == 1:
            ops.insert(0, made)
        argument = base
    return argument, interval, ops


def _of_its_operand(value: Value, interval: Interval) -> tuple[Value, Interval] | None:
    """Where ``value`` is ``-v``, or ``v`` and a constant added or taken
    away, the array ``v`` and the interval it lies in where ``value`` lies
    in ``interval``: exactly, as rounded. A negation is exact; a sum or a
    difference rounds, but its sign is exact (it is zero only where its
    operands are equal), so only an interval ``(0, inf)`` moves across it."""
    op = value.defining_op
    if op is None or not isinstance(op.definition, Primitive):
        return None
    low, high = interval
    name, operands = op.definition.name, op.operands
    if name == "neg" and isinstance(operands[0].type, Array):
        return operands[0], (0.0 - high, 0.0 - low)  # never -0.0
    if name not in ("add", "sub") or (low, high) != (0.0, math.inf):
        return None
    first, second = (_constant(operand) for operand in operands)
    if (first is None) == (second is None):
        return None
    c, v = (first, operands[1]) if first is not None else (second, operands[0])
    assert c is not None
    if name == "add":
        bound = (0.0 - c, math.inf)  # c + v > 0: v > -c
    elif first is not None:
        bound = (-math.inf, c)  # c - v > 0: v < c
    else:
        bound = (c, math.inf)  # v - c > 0: v > c
    return (v, bound) if isinstance(v.type, Array) else None


def _constant(value: Value) -> float | None:
    """The finite real number ``value`` is, if it is a constant."""
    op = value.defining_op
    if op is None or op.definition is not CONST:
        return None
    number = op.attributes["value"]
    if isinstance(number, bool) or not isinstance(number, int | float):
        return None
    return float(number) if math.isfinite(number) else None


def _guarded(check: _Check, ops: list[Op]) -> list[Op]:
    """``if outside_domain(base, low, high): <ops>``, as two ops."""
    loc = check.last.loc if check.last is not None else None
    test = Value(None, loc)
    test.type = BOOL
    condition = Op(
        OUTSIDE_DOMAIN,
        [check.base],
        [test],
        {"namespace": "helper", "interval": check.interval},
        loc=loc,
        derivative=True,
    )
    then = Block([], ops + [Op(YIELD, [], [], loc=loc)])
    otherwise = Block([], [Op(YIELD, [], [], loc=loc)])
    for block in (then, otherwise):
        for inner in block.ops:
            inner.parent = block
    guard = Op(
        IF,
        [test],
        [],
        {"domain_guard": True},
        [Region([then]), Region([otherwise])],
        loc=loc,
        derivative=True,
    )
    return [condition, guard]
