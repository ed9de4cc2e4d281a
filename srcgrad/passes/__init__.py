"""Optimisation passes over the IR, and the order they run in.

Each pass rewrites a function in place and returns whether it changed
anything; ``optimize`` runs ``PIPELINE`` until nothing changes.
"""

from __future__ import annotations

from collections.abc import Callable

import srcgrad.settings as settings
from srcgrad.ir import Function
from srcgrad.passes.activity import active_values, reaching_output
from srcgrad.passes.activity_checks import check_differentiable
from srcgrad.passes.cse import cse
from srcgrad.passes.dce import dce, dce_block
from srcgrad.passes.fold import fold, fold_chained
from srcgrad.passes.rounds import is_straight, optimize_straight

Pass = Callable[[Function], bool]

#: CSE first, so folding sees how often each merged value is used (a sign is
#: only moved where that costs no op); folding exposes equal ops to the next
#: round of CSE; both leave dead ops to DCE.
PIPELINE: tuple[Pass, ...] = (cse, fold, dce)

#: The pipeline for functions with branches or loops, whose rounds are
#: always whole: folding goes on with what its rewrites make, so a long sum
#: needs a few rounds, not one per term.
CHAINED: tuple[Pass, ...] = (cse, fold_chained, dce)


def optimize(
    function: Function, *, after_each: Callable[[Function], object] | None = None
) -> Function:
    """Run ``PIPELINE`` to a fixed point; ``after_each`` sees every step.

    A function with no branches nor loops takes the same rounds, redone
    only where they can change something (``rounds``): a round that
    factors one more term out of a long sum no longer redoes all of it.
    Any other takes whole rounds of ``CHAINED``.
    """
    if is_straight(function):
        optimize_straight(function, after_each)
        return function
    return full_rounds(function, after_each=after_each, passes=CHAINED)


def full_rounds(
    function: Function,
    *,
    after_each: Callable[[Function], object] | None = None,
    passes: tuple[Pass, ...] = PIPELINE,
    budget: int | None = None,
) -> Function:
    """Run every pass of ``passes`` on all of ``function`` until a round
    changes nothing, or ``budget`` rounds have run (each folds every op;
    ``settings.FOLD_BUDGET`` unless given)."""
    changed = True
    if budget is None:
        budget = settings.FOLD_BUDGET
    while changed and budget > 0:
        budget -= 1
        changed = False
        for run in passes:
            changed |= run(function)
            if after_each is not None:
                after_each(function)
    return function


__all__ = [
    "CHAINED",
    "PIPELINE",
    "Pass",
    "active_values",
    "check_differentiable",
    "cse",
    "dce",
    "dce_block",
    "fold",
    "fold_chained",
    "full_rounds",
    "optimize",
    "reaching_output",
]
