"""Forward mode for a program: the entry's transform and its callees'.

The entry is transformed by ``srcgrad.ad.jvp``. A call with a result that
depends on ``wrt`` calls the callee's forward sweep instead, ``h_jvp``:
it takes the callee's parameters, then the tangents (one per direction)
of each parameter active at some call, and returns the callee's results,
then the tangents of each result active at some call::

    y, y_dot = h_jvp(x, n, x_dot)

Each callee is transformed once, its activity the union over its calls
(``srcgrad.passes.interprocedural``); a call passes a zero for a tangent
it does not have. A call where nothing is active calls the callee itself.
"""

from __future__ import annotations

from collections.abc import Sequence

from srcgrad.ad.forward import ForwardSweep, tapes_with_tangents
from srcgrad.ad.forward_context import ForwardContext, Sweep
from srcgrad.ad.hints import derived_hints
from srcgrad.ad.jvp import Seeding, jvp
from srcgrad.ir import (
    CALL,
    EVALUATE,
    Block,
    Function,
    Op,
    Parameter,
    Program,
    Region,
    Value,
    callee_of,
)
from srcgrad.ir.names import fresh_name
from srcgrad.passes import reaching_output
from srcgrad.passes.interprocedural import Activity, program_activity, summaries


class _Plan:
    """The ``ForwardCalls`` of one program: each callee's forward sweep,
    named when first called and built afterwards."""

    def __init__(self, program: Program, wrt: Sequence[str], reserved: str) -> None:
        self.program = program
        self.summaries = summaries(program)
        entry = program.entry_function
        names = [parameter.name for parameter in entry.parameters]
        indices = [names.index(name) for name in wrt]
        self.activities = program_activity(program, indices, self.summaries)
        self.taken = set(program.functions) | {reserved}
        self.symbols: dict[str, str] = {}
        self.plains: set[str] = set()
        self.pending: list[str] = []

    def activity(self, symbol: str) -> Activity:
        return self.activities[symbol]

    def plain(self, symbol: str) -> None:
        self.plains.add(symbol)

    def call(self, sweep: Sweep, op: Op) -> None:
        """Append the copy of call ``op`` at ``sweep``: to the callee's
        forward sweep if a result is active, else to the callee itself."""
        context, mapping = sweep.context, sweep.context.mapping
        callee = callee_of(op)
        operands = [mapping[operand] for operand in op.operands]
        results = [Value(r.name_hint, r.loc, type=r.type) for r in op.results]
        mapping.update(zip(op.results, results, strict=True))
        if not any(result in context.active for result in op.results):
            self.plain(callee)
            attributes = dict(op.attributes)
            sweep.block.append(
                Op(op.definition, operands, results, attributes, loc=op.loc)
            )
            if results and any(r in context.reaching for r in op.results):
                # it may raise where f does, though nothing needs its value
                sweep.primal.create(EVALUATE, [results[0]], result_count=0)
            return
        activity = self.activity(callee)
        directions = range(context.directions)
        with sweep.derivative.at(op.loc):
            tangents = [
                sweep.tangent_or_zero(op.operands[index], direction)
                for index in activity.parameters
                for direction in directions
            ]
        made = [
            Value(context.hints.get(r) or f"{callee}_dot", op.loc, type=r.type)
            for index in activity.results
            for r in [op.results[index]]
            for _ in directions
        ]
        symbol = self._symbol(callee)
        call = Op(CALL, operands + tangents, results + made, {"callee": symbol})
        call.loc = op.loc
        sweep.block.append(call)
        width = len(directions)
        for position, index in enumerate(activity.results):
            run = made[position * width : (position + 1) * width]
            sweep.tangents[op.results[index]] = list(run)

    def _symbol(self, callee: str) -> str:
        if callee not in self.symbols:
            symbol = fresh_name(f"{callee}_jvp", self.taken)
            self.taken.add(symbol)
            self.symbols[callee] = symbol
            self.pending.append(callee)
        return self.symbols[callee]


def jvp_program(
    program: Program,
    wrt: Sequence[str],
    *,
    seeding: Seeding,
    with_value: bool,
    name: str,
    as_tuple: bool = False,
    check_inputs: bool = True,
) -> Program:
    """The forward-mode transform of ``program``'s entry (see the module);
    ``check_inputs`` as ``jvp``'s."""
    entry = program.entry_function

    def transform(**calls: object) -> Function:
        return jvp(
            entry,
            wrt,
            seeding=seeding,
            with_value=with_value,
            name=name,
            as_tuple=as_tuple,
            check_inputs=check_inputs,
            **calls,  # type: ignore[arg-type]
        )

    if len(program.functions) == 1 and not any(program.calls(program.entry)):
        return Program.of(transform())
    plan = _Plan(program, wrt, name)
    transformed = transform(
        calls=plan,
        active=plan.activity(program.entry).active,
        reaching=reaching_output(entry, plan.summaries),
    )
    directions = len(wrt) if seeding == "basis" else 1
    functions = {name: transformed}
    while plan.pending:
        callee = plan.pending.pop(0)
        symbol = plan.symbols[callee]
        functions[symbol] = _callee(program.functions[callee], plan, symbol, directions)
    pending = list(plan.plains)
    while pending:  # the callees called where nothing is active, and theirs
        symbol = pending.pop()
        if symbol not in functions:
            functions[symbol] = program.functions[symbol]
            pending += [callee_of(op) for op in program.calls(symbol)]
    return Program(functions, name)


def _callee(function: Function, plan: _Plan, symbol: str, directions: int) -> Function:
    """``function``'s forward sweep, ``symbol``: see the module."""
    activity = plan.activity(function.name)
    arguments = [Value(a.name_hint, a.loc, type=a.type) for a in function.arguments]
    block = Block(arguments)
    mapping = dict(zip(function.arguments, arguments, strict=True))
    hints = derived_hints(function, "_dot")
    context = ForwardContext(
        mapping,
        activity.active,
        reaching_output(function, plan.summaries),
        hints,
        directions,
        function.name,
        plan,
        tapes_with_tangents(function, activity.active),
    )
    sweep = ForwardSweep(block, context)
    parameters = [Parameter(parameter.name) for parameter in function.parameters]
    taken = {parameter.name for parameter in parameters}
    for index in activity.parameters:
        value = function.arguments[index]
        seeds = []
        for _ in range(directions):
            name = fresh_name(hints.get(value) or "t", taken)
            taken.add(name)
            seed = Value(name, value.loc, block, type=value.type)
            block.arguments.append(seed)
            parameters.append(Parameter(name))
            seeds.append(seed)
        sweep.tangents[value] = list(seeds)
    sweep.sweep(function.entry.ops[:-1])
    terminator = function.entry.terminator
    assert terminator is not None
    returned = list(terminator.operands)
    with sweep.derivative.at(terminator.loc):
        tangents = [
            sweep.tangent_or_zero(returned[index], direction)
            for index in activity.results
            for direction in range(directions)
        ]
        end = sweep.derivative.ret([mapping[value] for value in returned] + tangents)
    if len(end.operands) != 1:
        end.attributes["tuple"] = True
    what = "its value, then its" if len(returned) == 1 else "its values, then their"
    doc = f"Forward sweep of {function.name}: {what} tangents."
    return Function(symbol, parameters, Region([block]), function.loc, doc)
