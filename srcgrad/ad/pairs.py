"""A callee's derivative: its forward sweep and its backward sweep.

For a callee ``h`` whose results are active somewhere, one function is
differentiated first whole, as the gradient of a function is: its forward
sweep (``h``'s body, calls replaced as in any forward sweep), then its
reverse sweep, seeded with one adjoint per active result, a parameter of
its own. That function returns ``h``'s results and the adjoints of its
active parameters. It is optimised as one, so the reverse sweep reuses
what the forward sweep computed, and then *split*:

- ``h_forward(params) -> (results..., saved)``: the forward part, which
  returns its results and, in one tuple, every value of it the reverse part
  reads (constants and global reads aside: those are repeated);
- ``h_backward(saved, adjoints of results...) -> adjoints of parameters``:
  the reverse part, which first unpacks ``saved``.

The forward part is every op the forward sweep made (``Op.derivative`` is
False), the reverse part every op the reverse sweep made; optimising never
moves one before the other.
"""

from __future__ import annotations

from collections.abc import Iterator

from srcgrad.ad.context import CallPlan, SweepContext
from srcgrad.ad.hints import adjoint_hints
from srcgrad.ad.reverse import forward_sweep
from srcgrad.ad.sweep import ReverseSweep
from srcgrad.ir import (
    CONST,
    PACK,
    RETURN,
    UNDEF,
    UNPACK,
    Block,
    Builder,
    Function,
    Op,
    Parameter,
    Region,
    SourceLocation,
    Value,
)
from srcgrad.ir.types import Array, Scalar
from srcgrad.passes import optimize, reaching_output
from srcgrad.passes.tape_activity import is_tape


def differentiate_callee(
    function: Function, plan: CallPlan, symbols: tuple[str, str]
) -> tuple[Function, Function]:
    """The forward and backward sweeps of ``function`` (named ``symbols``)."""
    whole = _forward_and_reverse(function, plan)
    optimize(whole)
    forward, backward = _split(
        whole, len(function.arguments), len(_returned(function)), symbols
    )
    name, count = function.name, len(_returned(function))
    forward.doc = (
        f"Forward sweep of {name}: {'its value' if count == 1 else 'its values'}, "
        "and what its backward sweep reads."
    )
    active = plan.activity(name).parameters
    wrt = ", ".join(function.parameters[index].name for index in active)
    plural = "s" if len(active) > 1 else ""
    backward.doc = (
        f"Backward sweep of {name}: the adjoint{plural} of {wrt}, from "
        f"{'that of its value' if count == 1 else 'those of its values'}."
    )
    return forward, backward


def _forward_and_reverse(function: Function, plan: CallPlan) -> Function:
    """``function``'s forward sweep, then its reverse sweep, as one function
    of its parameters and one adjoint per active result."""
    activity = plan.activity(function.name)
    block = Block(
        [
            Value(value.name_hint, value.loc, type=value.type)
            for value in function.arguments
        ]
    )
    mapping = dict(zip(function.arguments, block.arguments, strict=True))
    hints = adjoint_hints(function)
    context = SweepContext(mapping, activity.active, hints, {}, plan)
    reaching = reaching_output(function, plan.summaries)
    forward_sweep(Builder(block), function, context, reaching)
    returned = _returned(function)
    # As in the gradient, the seeds and the adjoints returned are the
    # `return` line's; sums the sweep adds outside any op belong to no line.
    end_loc = function.entry.terminator.loc if function.entry.terminator else None
    seeds = _seeds(function, activity.results, hints, end_loc)
    builder = Builder(block, derivative=True)
    sweep = ReverseSweep(builder, context)
    with builder.at(end_loc):
        for index, seed in zip(activity.results, seeds, strict=True):
            sweep.accumulate(returned[index], seed)
    sweep.sweep(function.entry.ops[:-1])
    with builder.at(end_loc):
        adjoints = [
            sweep.adjoint_or_zero(function.arguments[index])
            for index in activity.parameters
        ]
        end = builder.ret([mapping[value] for value in returned] + adjoints)
    end.attributes["hints"] = (None,) * len(returned) + tuple(
        hints[function.arguments[index]] for index in activity.parameters
    )
    for seed in seeds:
        seed.owner = block
    block.arguments += seeds
    parameters = list(function.parameters) + [
        Parameter(seed.name_hint or "g") for seed in seeds
    ]
    return Function(function.name, parameters, Region([block]), function.loc)


def _seeds(
    function: Function,
    results: list[int],
    hints: dict[Value, str | None],
    loc: SourceLocation | None,
) -> list[Value]:
    """The adjoints of ``results``: parameters of the backward sweep, named
    apart from the parameters and ``saved``."""
    returned = _returned(function)
    taken = {parameter.name for parameter in function.parameters} | {"saved"}
    seeds = []
    for index in results:
        hint = base = _seed_hint(function, index, returned[index], hints)
        suffix = 0
        while hint in taken:
            suffix += 1
            hint = f"{base}_{suffix}"
        taken.add(hint)
        seeds.append(Value(hint, loc, type=returned[index].type))
    return seeds


def _seed_hint(
    function: Function, index: int, value: Value, hints: dict[Value, str | None]
) -> str:
    """``power_bar`` for the one result of ``power``; for a tuple, the
    adjoint's own hint (``a_bar``) or ``pair_bar_0``."""
    if len(_returned(function)) == 1:
        return f"{function.name}_bar"
    return hints.get(value) or f"{function.name}_bar_{index}"


def _split(
    whole: Function, parameters: int, results: int, symbols: tuple[str, str]
) -> tuple[Function, Function]:
    """The forward and backward functions ``whole`` is made of (see module)."""
    block = whole.entry
    terminator = block.terminator
    assert terminator is not None
    body = block.ops[:-1]
    cut = next((i for i, op in enumerate(body) if op.derivative), len(body))
    forward_ops, reverse_ops = body[:cut], body[cut:]
    assert not any(op.derivative for op in forward_ops)
    assert all(op.derivative for op in reverse_ops), "a value of f after its terms"
    returned, adjoints = terminator.operands[:results], terminator.operands[results:]
    defined = set(block.arguments[:parameters])
    defined.update(result for op in forward_ops for result in op.results)
    read = _read_by(reverse_ops, adjoints, defined)
    saved = [value for value in read if not _repeatable(value)]
    forward = _forward(whole, parameters, forward_ops, returned, saved, symbols[0])
    backward = _backward(
        whole, parameters, reverse_ops, adjoints, read, saved, symbols[1]
    )
    return forward, backward


def _read_by(ops: list[Op], adjoints: list[Value], defined: set[Value]) -> list[Value]:
    """The ``defined`` values ``ops`` (at any depth) and ``adjoints`` read,
    in order of first read."""
    found: dict[Value, None] = {}
    for op in _walk(ops):
        for operand in op.operands:
            if operand in defined:
                found.setdefault(operand)
    for value in adjoints:
        if value in defined:
            found.setdefault(value)
    return list(found)


def _walk(ops: list[Op]) -> Iterator[Op]:
    for op in ops:
        yield op
        for region in op.regions:
            for block in region.blocks:
                yield from _walk(block.ops)


def _repeatable(value: Value) -> bool:
    """A constant or a global read: repeated in the backward sweep, not saved."""
    op = value.defining_op
    return op is not None and not op.operands and not op.regions and op.definition.pure


def _forward(
    whole: Function,
    parameters: int,
    ops: list[Op],
    returned: list[Value],
    saved: list[Value],
    symbol: str,
) -> Function:
    """``symbol(params) -> (results..., saved)``: the forward part."""
    block = Block(list(whole.entry.arguments[:parameters]))
    for op in ops:
        block.append(op)
    for op in _walk(ops):
        if op.definition is UNDEF:
            # Never read, but packed into `saved` on every path: it must exist.
            op.definition, op.attributes = CONST, {"value": None}
    builder = Builder(block)  # no line of the source: no comment
    attributes = {"carried": carried(saved)}
    packed = builder.create(PACK, saved, attributes, hint="saved").result
    builder.ret([*returned, packed]).attributes["tuple"] = True
    return Function(symbol, whole.parameters[:parameters], Region([block]), whole.loc)


def _backward(
    whole: Function,
    parameters: int,
    ops: list[Op],
    adjoints: list[Value],
    read: list[Value],
    saved: list[Value],
    symbol: str,
) -> Function:
    """``symbol(saved, adjoints...) -> adjoints``: the reverse part, reading
    what it ``read`` of the forward part from ``saved`` (or repeating it)."""
    packed = Value("saved", whole.loc)
    seeds = list(whole.entry.arguments[parameters:])
    block = Block([packed, *seeds])
    builder = Builder(block, derivative=True)
    replacements: dict[Value, Value] = {}
    if saved:
        attributes = {"carried": carried(saved)}
        unpack = builder.create(UNPACK, [packed], attributes, result_count=len(saved))
        for value, copy in zip(saved, unpack.results, strict=True):
            copy.name_hint = value.name_hint
            replacements[value] = copy
    for value in read:
        if value not in replacements:
            replacements[value] = _repeat(builder, value)
    for op in ops:
        block.append(op)
    for op in _walk(ops):
        op.operands = [replacements.get(value, value) for value in op.operands]
    returned = [replacements.get(value, value) for value in adjoints]
    terminator = whole.entry.terminator
    assert terminator is not None
    end = Op(RETURN, returned, [], {}, loc=terminator.loc, derivative=True)
    if len(returned) != 1:
        end.attributes["tuple"] = True
    block.append(end)
    hints = terminator.attributes.get("hints", ())
    end.attributes["hints"] = tuple(hints)[-len(adjoints) :] if adjoints else ()  # type: ignore[arg-type]
    names = ["saved"] + [seed.name_hint or "g" for seed in seeds]
    return Function(
        symbol, [Parameter(name) for name in names], Region([block]), whole.loc
    )


def carried(saved: list[Value]) -> tuple[bool, ...]:
    """For each saved value, whether forward mode over the pair (a Hessian)
    may give it a tangent: a real number or array, or a tape; never a
    count, a flag or a range, which the backward sweep iterates over or
    branches on as they are."""
    return tuple(_may_carry(value) for value in saved)


def _may_carry(value: Value) -> bool:
    type_ = value.type
    if isinstance(type_, (Scalar, Array)):
        return type_.kind == "real"
    if type_ is None:
        return True
    return is_tape(value)


def _repeat(builder: Builder, value: Value) -> Value:
    """A copy of the constant or global read defining ``value``."""
    op = value.defining_op
    assert op is not None
    return builder.create(
        op.definition, [], dict(op.attributes), hint=value.name_hint
    ).result


def _returned(function: Function) -> list[Value]:
    terminator = function.entry.terminator
    assert terminator is not None
    return list(terminator.operands)
