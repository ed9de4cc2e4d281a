"""Activity across calls: what each function of a program passes on, and
what each callee's derivative must handle.

Two summaries per function, computed once for the whole program to a fixed
point (a recursive function's summary depends on itself):

- ``varies[f][i]``: the results of ``f`` that depend, differentiably, on its
  parameter ``i``;
- ``reaches[f][r]``: the parameters of ``f`` that its result ``r`` depends
  on, through data or control.

A call then varies exactly the results its varied operands vary, and needs
exactly the operands its useful results reach: activity through a call is as
precise as if the callee were written out at the call.

Each callee gets one derivative (a forward/backward pair), so its activity
is the *union over its call sites*: a parameter is varied if it is at some
site, a result useful if it is at some site (``program_activity``, a
worklist from the entry function down to a fixed point). A backward sweep
then returns adjoints for every parameter active anywhere; a call site
uses those of its own active operands, and passes a zero for a result
whose adjoint it does not have.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from srcgrad.ir import Function, Op, Program, Value, callee_of
from srcgrad.passes.activity import (
    check_activity,
    derivatives_reach,
    reaching_output,
    varied_values,
)


@dataclass
class Summaries:
    """``varies`` and ``reaches`` of each function (see the module docstring)."""

    varies: dict[str, list[frozenset[int]]]
    reaches: dict[str, list[frozenset[int]]]

    def varied_results(self, op: Op, operands: set[int]) -> set[int]:
        summary = self.varies[callee_of(op)]
        return set().union(*(summary[index] for index in operands))

    def useful_operands(self, op: Op, results: set[int]) -> set[int]:
        summary = self.reaches[callee_of(op)]
        return set().union(*(summary[index] for index in results))


def summaries(program: Program) -> Summaries:
    """Each function's summaries, to a fixed point over the program."""
    found = Summaries(
        {s: [frozenset()] * len(f.arguments) for s, f in program.functions.items()},
        {s: [frozenset()] * len(_returned(f)) for s, f in program.functions.items()},
    )
    changed = True
    while changed:
        changed = False
        for symbol, function in program.functions.items():
            returned = _returned(function)
            varies = [
                frozenset(_indices(returned, varied_values(function, [arg], found)))
                for arg in function.arguments
            ]
            reaches = [
                frozenset(
                    _indices(function.arguments, reaching_output(function, found, [r]))
                )
                for r in returned
            ]
            if varies != found.varies[symbol] or reaches != found.reaches[symbol]:
                found.varies[symbol], found.reaches[symbol] = varies, reaches
                changed = True
    return found


@dataclass
class Activity:
    """One function's activity, the union over the sites that call it.

    Attributes:
        varied: the parameters varied at some call site (``wrt`` for the
            entry), by index.
        useful: the results useful at some call site, by index.
        active: the values active in the function, given those.
        parameters: the active parameters, by index: its backward sweep
            returns an adjoint for each.
        results: the active results, by index: its backward sweep takes an
            adjoint for each.
    """

    varied: set[int] = field(default_factory=set)
    useful: set[int] = field(default_factory=set)
    active: frozenset[Value] = frozenset()
    parameters: list[int] = field(default_factory=list)
    results: list[int] = field(default_factory=list)


def program_activity(
    program: Program, wrt: Iterable[int], found: Summaries | None = None
) -> dict[str, Activity]:
    """The activity of each function reached from the entry (see the module).

    Raises:
        DifferentiationError: reverse mode cannot differentiate an op that
            lies between ``wrt`` and the output, in any function.
    """
    found = found or summaries(program)
    entry = program.entry_function
    activities = {program.entry: Activity(set(wrt), set(range(len(_returned(entry)))))}
    pending = [program.entry]
    while pending:
        symbol = pending.pop()
        for callee, grown in _spread(program, symbol, activities[symbol], found):
            known = activities.setdefault(callee, Activity())
            if not (grown[0] <= known.varied and grown[1] <= known.useful):
                known.varied |= grown[0]
                known.useful |= grown[1]
                pending.append(callee)
    for symbol, activity in activities.items():
        _settle(program.functions[symbol], activity, found)
    return activities


def _spread(
    program: Program, symbol: str, activity: Activity, found: Summaries
) -> list[tuple[str, tuple[set[int], set[int]]]]:
    """What each call in ``symbol`` asks of its callee, given ``activity``."""
    function = program.functions[symbol]
    varied, useful = _sets(function, activity, found)
    asked = []
    for op in program.calls(symbol):
        operands = {i for i, value in enumerate(op.operands) if value in varied}
        results = {i for i, value in enumerate(op.results) if value in useful}
        asked.append((callee_of(op), (operands, results)))
    return asked


def _sets(
    function: Function, activity: Activity, found: Summaries
) -> tuple[set[Value], set[Value]]:
    """The values of ``function`` varied and useful, given ``activity``."""
    wrt = [function.arguments[index] for index in activity.varied]
    outputs = [_returned(function)[index] for index in activity.useful]
    varied = varied_values(function, wrt, found)
    return varied, reaching_output(function, found, outputs)


def _settle(function: Function, activity: Activity, found: Summaries) -> None:
    """Fill in the active values, checking what reverse mode cannot do."""
    varied, useful = _sets(function, activity, found)
    check_activity(function, varied, useful)
    outputs = [_returned(function)[index] for index in activity.useful]
    activity.active = frozenset(varied & derivatives_reach(function, found, outputs))
    activity.parameters = _indices(function.arguments, activity.active)
    returned = _returned(function)
    activity.results = [
        index
        for index in _indices(returned, activity.active)
        if index in activity.useful
    ]


def _returned(function: Function) -> list[Value]:
    terminator = function.entry.terminator
    assert terminator is not None
    return list(terminator.operands)


def _indices(values: list[Value], among: set[Value] | frozenset[Value]) -> list[int]:
    return [index for index, value in enumerate(values) if value in among]
