"""Activity analysis: which values need derivative code.

A value is *varied* if it depends on a ``wrt`` input through ops whose
derivative is not zero, and *useful* if the output depends on it. Only
values that are both (active) get adjoints; everything else (constants,
inputs not in ``wrt``, the result of ``//``, comparisons, loop counters)
costs nothing in the generated derivative. Usefulness for activity counts
only paths a derivative flows along: a value read only by a comparison
(``1 / (x - 1) > 0``) is not active, so no derivative term is assumed to
compute it, and the derivative keeps it to fail where f fails.

Both are data-flow problems over structured control flow: a value flows
from an ``if``'s yields to its results, and around a loop from the body's
yields back to its block arguments, so loops are iterated to a fixed
point. What decides a branch or a trip count (a condition, an iterable)
is *reaching* the output, so the gradient checks it is a real number, but
it is never varied: a comparison's derivative is zero.

The analysis fails closed: an op on a path from ``wrt`` to the output must
be a primitive with one result and either a VJP rule or a derivative
declared zero, or one of the control-flow ops reverse mode knows. Anything
else is refused, never skipped into a silent zero. So is a value that
depends on ``wrt`` where Python needs an integer or a sequence (a ``range``
bound, what a loop iterates over).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from srcgrad.ir import (
    APPEND,
    FOR,
    IF,
    WHILE,
    Block,
    Function,
    Op,
    Value,
    branch_yields,
    is_call,
    loop_parts,
)
from srcgrad.passes.activity_checks import check_activity, has_zero_derivative
from srcgrad.passes.tape_activity import pushes, varied_targets
from srcgrad.primitives.iteration import ENUMERATE, REVERSED, ZIP

#: What a loop walks through to the items of its operands, which carry
#: their derivatives to the loop's targets.
_WALKERS = (ZIP, ENUMERATE, REVERSED)


class CallEffects(Protocol):
    """What a call does to variation and usefulness (``interprocedural.py``)."""

    def varied_results(self, op: Op, operands: set[int]) -> set[int]:
        """The results of call ``op`` varied when ``operands`` are."""
        ...

    def useful_operands(self, op: Op, results: set[int]) -> set[int]:
        """The operands of call ``op`` that ``results`` depend on."""
        ...


class Conservative:
    """Without a program's summaries: every result depends on every operand."""

    def varied_results(self, op: Op, operands: set[int]) -> set[int]:
        return set(range(len(op.results))) if operands else set()

    def useful_operands(self, op: Op, results: set[int]) -> set[int]:
        return set(range(len(op.operands))) if results else set()


CONSERVATIVE = Conservative()


def active_values(
    function: Function,
    wrt: Iterable[Value],
    calls: CallEffects = CONSERVATIVE,
    outputs: Iterable[Value] | None = None,
) -> frozenset[Value]:
    """Values on a differentiable path from ``wrt`` to the output.

    ``outputs`` are the returned values differentiated (all by default);
    ``calls`` says what calls to the program's other functions do.

    Raises:
        DifferentiationError: an op on such a path is one reverse mode does
            not understand, or needs an integer (see the module docstring);
            the message names it and its source location.
    """
    varied = varied_values(function, wrt, calls)
    useful = reaching_output(function, calls, outputs)
    check_activity(function, varied, useful)
    return frozenset(varied & derivatives_reach(function, calls, outputs))


def derivatives_reach(
    function: Function,
    calls: CallEffects = CONSERVATIVE,
    outputs: Iterable[Value] | None = None,
) -> set[Value]:
    """The values a derivative of ``outputs`` flows back to (see the module
    docstring): of the values that reach the output, not those that only
    decide something (``1 / (x - 1) > 0``), which no derivative term
    computes, so the derivative keeps them to raise where f does."""
    return reaching_output(function, calls, outputs, derivatives=True)


def varied_values(
    function: Function, wrt: Iterable[Value], calls: CallEffects = CONSERVATIVE
) -> set[Value]:
    """The values that depend on ``wrt`` through ops with a derivative."""
    varied = set(wrt)
    _vary_block(function.entry, varied, calls)
    return varied


def reaching_output(
    function: Function,
    calls: CallEffects = CONSERVATIVE,
    outputs: Iterable[Value] | None = None,
    *,
    derivatives: bool = False,
) -> set[Value]:
    """The values ``outputs`` (by default, all the function returns) depend
    on, through data or control; with ``derivatives``, only those a
    derivative flows back to (not a comparison's operands, nor what
    decides a branch or a trip count)."""
    terminator = function.entry.terminator
    assert terminator is not None
    useful = set(terminator.operands if outputs is None else outputs)
    _Reach(useful, calls, derivatives).ops(function.entry)
    return useful


# -- varied: forward, to a fixed point around loops ----------------------
def _vary_block(block: Block, varied: set[Value], calls: CallEffects) -> None:
    for op in block.ops:
        if op.definition is APPEND:
            # a gradient's tape holds what is pushed on it (forward mode
            # over a gradient differentiates the values it reads back)
            if op.operands[1] in varied:
                varied.add(op.operands[0])
        elif is_call(op):
            operands = {i for i, operand in enumerate(op.operands) if operand in varied}
            results = calls.varied_results(op, operands)
            varied.update(op.results[index] for index in results)
        elif op.definition is IF:
            for region in op.regions:
                _vary_block(region.block, varied, calls)
            then, otherwise = branch_yields(op)
            for result, a, b in zip(op.results, then, otherwise, strict=True):
                if a in varied or b in varied:
                    varied.add(result)
        elif op.definition in (FOR, WHILE):
            _vary_loop(op, varied, calls)
        elif not has_zero_derivative(op) and any(o in varied for o in op.operands):
            # Conservative: any op but a declared-zero one passes variation
            # on, so an op nobody understands is found on the path.
            varied.update(op.results)


def _vary_loop(op: Op, varied: set[Value], calls: CallEffects) -> None:
    parts = loop_parts(op)
    if parts.iterable is not None and parts.iterable in varied:
        varied.update(parts.targets)
    elif parts.iterable is not None:
        varied.update(varied_targets(op, varied))
    argument_sets = [parts.carried]
    if parts.condition is not None:
        argument_sets.append(parts.condition.arguments)
    while True:
        before = len(varied)
        for index, init in enumerate(parts.inits):
            if init in varied or parts.yields[index] in varied:
                varied.update(arguments[index] for arguments in argument_sets)
        if parts.condition is not None:
            _vary_block(parts.condition, varied, calls)
        _vary_block(parts.body, varied, calls)
        if len(varied) == before:
            break
    for index, result in enumerate(parts.results):
        if parts.inits[index] in varied or parts.yields[index] in varied:
            varied.add(result)


# -- useful: backward, to a fixed point around loops ---------------------
class _Reach:
    """Marks, backwards, what the values in ``useful`` depend on: through
    data and control, or (``derivatives``) only where a derivative flows,
    through the data of ops whose derivative is not zero."""

    def __init__(self, useful: set[Value], calls: CallEffects, derivatives: bool):
        self.useful = useful
        self.calls = calls
        self.derivatives = derivatives

    def block(self, block: Block) -> None:
        """Mark what ``block``'s return or condition reads, and what that reads."""
        terminator = block.terminator
        assert terminator is not None
        self.useful.update(terminator.operands)
        self.ops(block)

    def ops(self, block: Block) -> None:
        """Mark the operands of ``block``'s ops whose results are useful
        (the caller has marked what its terminator hands on)."""
        useful = self.useful
        for op in reversed(block.ops[:-1]):
            if is_call(op) and op.definition.pure:
                results = {i for i, result in enumerate(op.results) if result in useful}
                operands = self.calls.useful_operands(op, results)
                useful.update(op.operands[index] for index in operands)
            elif op.definition is IF:
                self.branches(op)
            elif op.definition in (FOR, WHILE):
                self.loop(op)
            elif (
                self.derivatives
                and has_zero_derivative(op)
                and op.definition not in _WALKERS
            ):
                continue  # a comparison, ``//``: no derivative flows back
            elif not op.definition.pure or any(r in useful for r in op.results):
                useful.update(op.operands)

    def branches(self, op: Op) -> None:
        useful = self.useful
        then, otherwise = branch_yields(op)
        needed = [index for index, r in enumerate(op.results) if r in useful]
        if not needed and not pushes(op):
            return
        if not self.derivatives:
            useful.add(op.operands[0])
        for yields, region in zip((then, otherwise), op.regions, strict=True):
            useful.update(yields[index] for index in needed)
            self.ops(region.block)

    def loop(self, op: Op) -> None:
        useful = self.useful
        parts = loop_parts(op)
        if (
            not any(result in useful for result in parts.results)
            and (parts.broke is None or parts.broke not in useful)
            and not pushes(op)
        ):
            return
        # The trip count decides every result (an item carries a derivative).
        if parts.iterable is not None:
            useful.add(parts.iterable)
        if parts.stop is not None and not self.derivatives:
            useful.add(parts.stop)
        if parts.condition is not None and not self.derivatives:
            self.block(parts.condition)
        while True:
            before = len(useful)
            for index, result in enumerate(parts.results):
                argument = parts.carried[index]
                if result in useful or argument in useful:
                    useful.add(parts.yields[index])
                    useful.add(parts.inits[index])
            if parts.condition is not None:
                for index, argument in enumerate(parts.condition.arguments):
                    if argument in useful:
                        useful.add(parts.yields[index])
                        useful.add(parts.inits[index])
                        useful.add(parts.carried[index])
            self.ops(parts.body)
            if len(useful) == before:
                break
