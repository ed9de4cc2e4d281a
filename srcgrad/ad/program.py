"""Reverse mode for a program: the entry's gradient and its callees' sweeps.

The result is a program whose entry is the gradient of the primal entry,
next to, per callee called where a result is active, its forward and
backward sweeps (``h_forward``, ``h_backward``: ``srcgrad.ad.pairs``), and
per callee called where nothing is active, the callee itself. Each callee
is differentiated once, with its activity the union over its call sites
(``srcgrad.passes.interprocedural``), so the code stays linear in the
source however often a callee is called.
"""

from __future__ import annotations

from collections.abc import Sequence

from srcgrad.ad.pairs import differentiate_callee
from srcgrad.ad.reverse import global_reads, reverse
from srcgrad.ir import Function, Op, Program, callee_of
from srcgrad.passes import reaching_output
from srcgrad.passes.interprocedural import (
    Activity,
    Summaries,
    program_activity,
    summaries,
)


class _Plan:
    """The ``CallPlan`` of one program: symbols handed out as asked for."""

    def __init__(self, program: Program, wrt: Sequence[str], reserved: str) -> None:
        self.program = program
        self.summaries: Summaries = summaries(program)
        entry = program.entry_function
        names = [parameter.name for parameter in entry.parameters]
        indices = [names.index(name) for name in wrt]
        self.activities = program_activity(program, indices, self.summaries)
        self.taken = set(program.functions) | {reserved}
        self.pairs: dict[str, tuple[str, str]] = {}
        self.plains: dict[str, str] = {}
        self.pending: list[str] = []

    def activity(self, symbol: str) -> Activity:
        return self.activities[symbol]

    def forward(self, symbol: str) -> str:
        return self._pair(symbol)[0]

    def backward(self, symbol: str) -> str:
        return self._pair(symbol)[1]

    def plain(self, symbol: str) -> str:
        self.plains.setdefault(symbol, symbol)  # its symbol in both programs
        return symbol

    def global_reads(self) -> list[Op]:
        found: list[Op] = []
        for symbol in self.program.reachable()[1:]:
            function = self.program.functions[symbol]
            found += global_reads(function, reaching_output(function, self.summaries))
        return found

    def _pair(self, symbol: str) -> tuple[str, str]:
        """The symbols of ``symbol``'s sweeps; the pair is built later."""
        if symbol not in self.pairs:
            names = (
                self._symbol(f"{symbol}_forward"),
                self._symbol(f"{symbol}_backward"),
            )
            self.pairs[symbol] = names
            self.pending.append(symbol)
        return self.pairs[symbol]

    def _symbol(self, base: str) -> str:
        symbol, suffix = base, 0
        while symbol in self.taken:
            suffix += 1
            symbol = f"{base}_{suffix}"
        self.taken.add(symbol)
        return symbol


def reverse_program(
    program: Program,
    wrt: Sequence[str],
    *,
    as_tuple: bool = False,
    with_value: bool = False,
    has_aux: bool = False,
    seeded: bool = False,
    name: str | None = None,
) -> Program:
    """The gradient of ``program``'s entry with respect to ``wrt``, as a
    program (see the module docstring).

    Raises:
        DifferentiationError: the entry does not return one number, or an
            op between ``wrt`` and the output, in any function, cannot be
            differentiated.
    """
    entry = program.entry_function
    gradient_name = name or f"{entry.name}_grad"
    alone = len(program.functions) == 1 and not any(program.calls(program.entry))
    plan = None if alone else _Plan(program, wrt, gradient_name)
    gradient = reverse(
        entry,
        wrt,
        as_tuple=as_tuple,
        with_value=with_value,
        has_aux=has_aux,
        seeded=seeded,
        name=gradient_name,
        calls=plan,
    )
    if plan is None:
        return Program.of(gradient)
    functions: dict[str, Function] = {gradient_name: gradient}
    while plan.pending:
        symbol = plan.pending.pop(0)
        pair = differentiate_callee(program.functions[symbol], plan, plan.pairs[symbol])
        functions.update((function.name, function) for function in pair)
    _add_plain(program, plan, functions)
    return Program(functions, gradient_name)


def _add_plain(program: Program, plan: _Plan, functions: dict[str, Function]) -> None:
    """The callees called where nothing is active, and what they call."""
    pending = list(plan.plains)
    while pending:
        symbol = pending.pop()
        if symbol in functions:
            continue
        functions[symbol] = program.functions[symbol]
        pending += [
            callee_of(op)
            for op in program.calls(symbol)
            if callee_of(op) not in functions
        ]
