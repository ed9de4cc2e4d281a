"""Activity analysis: which values need derivative code.

A value is *varied* if it depends on a ``wrt`` input through ops whose
derivative is not zero, and *useful* if the output depends on it. Only
values that are both (active) get adjoints; everything else (constants,
inputs not in ``wrt``, the result of ``//``, comparisons, loop counters)
costs nothing in the generated derivative.

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

from srcgrad.errors import DifferentiationError, ValueTypeError
from srcgrad.ir import (
    APPEND,
    FOR,
    IF,
    PACK,
    UNPACK,
    WHILE,
    Block,
    Function,
    Op,
    Value,
    branch_yields,
    is_call,
    loop_parts,
)
from srcgrad.ir.types import Array, ListOf, Scalar
from srcgrad.passes.tape_activity import is_tape, pushes, varied_targets
from srcgrad.primitives import Primitive


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
    return frozenset(varied & useful)


def check_activity(function: Function, varied: set[Value], useful: set[Value]) -> None:
    """Refuse what reverse mode cannot do between ``varied`` and ``useful``.

    Raises:
        DifferentiationError: see ``active_values``.
    """
    _check_block(function.entry, varied, useful)


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
) -> set[Value]:
    """The values ``outputs`` (by default, all the function returns) depend
    on, through data or control."""
    terminator = function.entry.terminator
    assert terminator is not None
    useful = set(terminator.operands if outputs is None else outputs)
    _reach_ops(function.entry, useful, calls)
    return useful


def has_zero_derivative(op: Op) -> bool:
    """``op`` is a primitive whose derivative is zero by declaration (``//``)."""
    return isinstance(op.definition, Primitive) and op.definition.zero_derivative


def check_differentiable(op: Op) -> Primitive:
    """``op``'s primitive, if reverse mode can apply its VJP rule.

    Raises:
        DifferentiationError: ``op`` has several results, owns regions, has
            no VJP rule, or is not a primitive at all.
    """
    definition = op.definition
    if op.attributes.get("namespace") == "custom" and op.name != "custom_call":
        raise custom_rule_error(op)
    if op.regions:
        reason = "owns regions that reverse mode does not know"
    elif len(op.results) != 1:
        reason = f"has {len(op.results)} results; reverse mode handles one"
    elif not isinstance(definition, Primitive):
        reason = "is not a primitive, so it has no derivative rule"
    elif definition.opaque:
        raise DifferentiationError(
            f"no derivative rule for {op.attributes.get('display', definition.name)};"
            " it lies between wrt and "
            "the output, and srcgrad differentiates the math and NumPy "
            "functions it has rules for (listed in the reference)",
            op.loc,
        )
    elif definition.vjp is None:
        reason = "has no derivative rule (VJP) and no declared zero derivative"
    else:
        return definition
    raise DifferentiationError(
        f"op {op.name!r} lies between wrt and the output but {reason}", op.loc
    )


def custom_rule_error(op: Op) -> DifferentiationError:
    """The error for differentiating a custom rule's own result (a second
    derivative through a function with a rule of the user's)."""
    shown = str(op.attributes.get("display", "a custom rule"))
    return DifferentiationError(
        f"{shown} gives first derivatives only: a second derivative through "
        "it (hessian, grad of grad) is not available; differentiate the "
        "function itself instead of giving it a rule",
        op.loc,
    )


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
def _reach_block(block: Block, useful: set[Value], calls: CallEffects) -> None:
    """Mark what ``block``'s return or condition reads, and what that reads."""
    terminator = block.terminator
    assert terminator is not None
    useful.update(terminator.operands)
    _reach_ops(block, useful, calls)


def _reach_if(op: Op, useful: set[Value], calls: CallEffects) -> None:
    then, otherwise = branch_yields(op)
    needed = [index for index, r in enumerate(op.results) if r in useful]
    if not needed and not pushes(op):
        return
    useful.add(op.operands[0])
    for yields, region in zip((then, otherwise), op.regions, strict=True):
        useful.update(yields[index] for index in needed)
        _reach_ops(region.block, useful, calls)


def _reach_loop(op: Op, useful: set[Value], calls: CallEffects) -> None:
    parts = loop_parts(op)
    if (
        not any(result in useful for result in parts.results)
        and (parts.broke is None or parts.broke not in useful)
        and not pushes(op)
    ):
        return
    # The trip count decides every result.
    if parts.iterable is not None:
        useful.add(parts.iterable)
    if parts.stop is not None:
        useful.add(parts.stop)
    if parts.condition is not None:
        _reach_block(parts.condition, useful, calls)
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
        _reach_ops(parts.body, useful, calls)
        if len(useful) == before:
            break


def _reach_ops(block: Block, useful: set[Value], calls: CallEffects) -> None:
    """Mark, backwards, the operands of ``block``'s ops whose results are
    useful (the caller has marked what its terminator hands on)."""
    for op in reversed(block.ops[:-1]):
        if is_call(op) and op.definition.pure:
            results = {i for i, result in enumerate(op.results) if result in useful}
            operands = calls.useful_operands(op, results)
            useful.update(op.operands[index] for index in operands)
        elif op.definition is IF:
            _reach_if(op, useful, calls)
        elif op.definition in (FOR, WHILE):
            _reach_loop(op, useful, calls)
        elif not op.definition.pure or any(r in useful for r in op.results):
            useful.update(op.operands)


# -- the checks ------------------------------------------------------------
def _check_block(block: Block, varied: set[Value], useful: set[Value]) -> None:
    for op in block.ops:
        if op.definition.is_terminator:
            continue
        if op.definition in (FOR, WHILE, IF):
            _check_control(op, varied, useful)
            for region in op.regions:
                _check_block(region.block, varied, useful)
            continue
        if is_call(op):
            continue  # reverse mode differentiates the callee itself
        if not op.results or op.definition in (PACK, UNPACK):
            # a check, a push on a tape: nothing to differentiate; a tuple
            # of a callee's saved values: forward mode carries its
            # tangents (reverse mode's own, never differentiated by it)
            continue
        reads_varied = any(operand in varied for operand in op.operands)
        feeds_output = not op.definition.pure or any(r in useful for r in op.results)
        if not (reads_varied and feeds_output):
            continue
        primitive = op.definition
        if isinstance(primitive, Primitive) and primitive.integer_operands:
            exempt = primitive.differentiable_operands
            refused = [
                operand
                for index, operand in enumerate(op.operands)
                if operand in varied
                and index not in exempt
                and not _length_of_array(op, operand)
            ]
            if refused:
                _refuse_integer_use(op, refused)
        if not has_zero_derivative(op):
            check_differentiable(op)


def _length_of_array(op: Op, operand: Value) -> bool:
    """``len(x)`` of an array is its first size, of a list its count of
    items: no derivative to lose. A gradient's tape is walked, reversed
    and counted as the sequence it is (``tape_activity``)."""
    if is_tape(operand):
        return True
    return op.name == "len" and isinstance(operand.type, (Array, ListOf))


def _check_control(op: Op, varied: set[Value], useful: set[Value]) -> None:
    if op.definition is not FOR:
        return
    parts = loop_parts(op)
    if parts.iterable in varied and any(t in useful for t in parts.targets):
        _refuse_iterating_a_number(op, [parts.iterable])
        raise DifferentiationError(
            "this loop iterates over values that depend on wrt; srcgrad "
            "differentiates loops over range(), enumerate, zip and data "
            "sequences, over an array or a list the function makes (`for v "
            "in xs`), and unrolls literal tuples such as (x, y, z); loop over "
            "range(len(xs)) and read xs[i] instead",
            op.loc,
        )


def _refuse_iterating_a_number(op: Op, iterated: list[Value]) -> None:
    """Python cannot iterate over a number: ``for v in x`` of a real ``x``
    only runs where ``x`` is an array (a build for numbers hands such a
    function on to the one for its arguments' types, on this error)."""
    if any(isinstance(value.type, Scalar) for value in iterated):
        raise ValueTypeError(
            "this iterates over a number, which Python cannot do (TypeError: "
            "'float' object is not iterable); iterate over an array, a list "
            "or a tuple",
            op.loc,
        )


def _refuse_integer_use(op: Op, refused: list[Value]) -> None:
    if op.definition.name in ("zip", "enumerate", "reversed", "sum"):
        _refuse_iterating_a_number(op, refused)
    if op.definition.name == "len" and any(
        isinstance(value.type, Scalar) for value in refused
    ):
        # A build for numbers hands the function on to arrays, on this error.
        raise ValueTypeError(
            "len() of a number, which Python refuses (TypeError: object of "
            "type 'float' has no len()); it is an array's first size",
            op.loc,
        )
    what = {
        "range": "a range() bound",
        "len": "the argument of len()",
        "zip": "an argument of zip()",
        "enumerate": "an argument of enumerate()",
        "reversed": "the argument of reversed()",
    }.get(op.definition.name, f"an argument of {op.definition.name}()")
    raise DifferentiationError(
        f"a value that depends on wrt is used as {what}, where Python needs an "
        "integer or a sequence; srcgrad cannot differentiate with respect to "
        "it. Differentiate with respect to real-valued parameters only",
        op.loc,
    )
