"""Reverse mode through a call: the callee's forward and backward sweeps.

Each callee with active results has one pair of generated functions
(``srcgrad.ad.pairs``)::

    y, saved = power_forward(x, n)      # forward sweep: results, and saved
    ...
    x_bar = power_backward(saved, y_bar)  # backward sweep: adjoints

In the forward sweep of the caller, a call with an active result calls the
callee's forward sweep, which hands back one more value, ``saved``: the
values its backward sweep reads, in one tuple. A call with no active
result calls the callee itself (its primal copy). In the reverse sweep, the
backward call takes ``saved`` and the adjoint of each result active in the
callee (a zero where this call's result has none), and returns the adjoint
of each parameter active in the callee; the caller adds those of its own
active operands. ``saved`` is a value of the caller's forward sweep like
any other: inside a branch or a loop it is saved the way any value the
reverse sweep reads is (an ``if`` result, a tape).
"""

from __future__ import annotations

from srcgrad.ad.context import Sweep, SweepContext
from srcgrad.ir import CALL, Op, Value, callee_of


def forward_call(context: SweepContext, op: Op, copy: Op) -> None:
    """Make ``copy``, the forward sweep's copy of call ``op``, call the
    callee's forward sweep (saving what its backward reads) if a result is
    active, and the callee itself if not."""
    plan = context.calls
    assert plan is not None, "a call in a function without a call plan"
    callee = callee_of(op)
    if not any(result in context.active for result in op.results):
        copy.attributes["callee"] = plan.plain(callee)
        return
    copy.definition = CALL
    copy.attributes["callee"] = plan.forward(callee)
    saved = Value(f"{callee}_saved", op.loc, copy)
    copy.results.append(saved)
    context.saved[op] = saved


def reverse_call(sweep: Sweep, op: Op) -> None:
    """Append the backward call of call ``op`` at ``sweep``'s builder."""
    context = sweep.context
    plan = context.calls
    assert plan is not None
    callee = callee_of(op)
    activity = plan.activity(callee)
    builder = sweep.builder
    with builder.at(op.loc):
        seeds = [sweep.adjoint_or_zero(op.results[index]) for index in activity.results]
        backward = builder.create(
            CALL,
            [context.saved[op], *seeds],
            {"callee": plan.backward(callee)},
            result_count=len(activity.parameters),
        )
        for index, cotangent in zip(activity.parameters, backward.results, strict=True):
            operand = op.operands[index]
            if operand in context.active:
                sweep.accumulate(operand, cotangent)
