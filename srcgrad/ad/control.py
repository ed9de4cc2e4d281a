"""Reverse mode through ``if`` and loops: mirrored control flow and tapes.

The reverse of an ``if`` is an ``if`` on the same condition whose branches
are the reverse sweeps of the original branches; it yields the adjoints of
the outer values the branches use. The reverse of a loop is a loop that
runs its iterations backwards: its body is the reverse sweep of the
original body, and it carries the adjoints of the carried values and of the
outer values the body uses.

A reverse region may read only what is in scope where it runs, so a value
it needs from the forward region it mirrors is *saved*:

- from a branch, as an extra result of the forward ``if`` (on the other
  path the branch never ran, and the value is never read);
- from a loop body, on a *tape*: a list created before the forward loop,
  appended to right where the value is defined, and read back to front by
  the reverse loop (``for theta, omega in zip(reversed(theta_tape), ...)``).
  A loop whose reverse reads nothing counts its trips instead.

Only values the reverse sweep reads are saved, and each one once, so a
reverse step always reads the value of its own iteration.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from srcgrad.ad.context import Sweep
from srcgrad.ir import (
    APPEND,
    CONST,
    FOR,
    IF,
    NEW_LIST,
    UNDEF,
    WHILE,
    YIELD,
    Block,
    Builder,
    Op,
    Region,
    Value,
    loop_parts,
)
from srcgrad.passes import dce_block
from srcgrad.primitives import PRIMITIVES
from srcgrad.primitives.iteration import RANGE, REVERSED, ZIP


def reverse_if(sweep: Sweep, op: Op) -> None:
    """Append the reverse of ``if`` op ``op`` at ``sweep``'s builder."""
    copy = sweep.context.copies[op]
    free = _free_active(op, sweep)
    branches = []
    for index, region in enumerate(op.regions):
        block = Block()
        child = sweep.child(Builder(block, op.loc, derivative=True))
        terminator = region.block.terminator
        assert terminator is not None
        for result, yielded in zip(op.results, terminator.operands, strict=True):
            adjoint = sweep.adjoints.get(result)
            if adjoint is not None and yielded in sweep.context.active:
                child.accumulate(yielded, adjoint)
        child.sweep(region.block.ops[:-1])
        with child.builder.at(op.loc):
            outputs = [child.adjoint_or_zero(value) for value in free]
            child.builder.create(YIELD, outputs, result_count=0)
        _save_from_branch(sweep, copy, index, block)
        branches.append(block)
    condition = sweep.context.mapping[op.operands[0]]
    results = [Value(sweep.context.hints.get(value), op.loc) for value in free]
    mirrored = Op(
        IF,
        [condition],
        results,
        {},
        [Region([b]) for b in branches],
        op.loc,
        derivative=True,
    )
    sweep.builder.block.append(mirrored)
    sweep.adjoints.update(zip(free, results, strict=True))


def reverse_loop(sweep: Sweep, op: Op) -> None:
    """Append the reverse of loop ``op`` (``for`` or ``while``) at ``sweep``."""
    parts = loop_parts(op)
    active = sweep.context.active
    hints = sweep.context.hints
    slots = [
        index
        for index, argument in enumerate(parts.carried)
        if argument in active or parts.results[index] in active
    ]
    free = _free_active(op, sweep, regions=[op.regions[-1]])
    body = Block()
    child = sweep.child(Builder(body, op.loc, derivative=True), in_loop=True)
    carried_adjoints = [Value(hints.get(parts.carried[j]), op.loc) for j in slots]
    free_adjoints = [Value(hints.get(value), op.loc) for value in free]
    child.adjoints.update(zip(free, free_adjoints, strict=True))
    for index, adjoint in zip(slots, carried_adjoints, strict=True):
        if parts.yields[index] in active:
            child.accumulate(parts.yields[index], adjoint)
    child.sweep(parts.body.ops[:-1])
    with child.builder.at(op.loc):
        outputs = [child.adjoint_or_zero(parts.carried[j]) for j in slots]
        outputs += [child.adjoint_or_zero(value) for value in free]
        child.builder.create(YIELD, outputs, result_count=0)
    copy = sweep.context.copies[op]
    saved = _save_from_loop(copy, body, inside_loop=sweep.loop_depth > 0)
    with sweep.builder.at(op.loc):
        iterable, targets = _reverse_iterable(sweep.builder, copy, saved)
        inits = [sweep.adjoint_or_zero(parts.results[j]) for j in slots]
        inits += [sweep.adjoint_or_zero(value) for value in free]
    body.arguments[:0] = targets + carried_adjoints + free_adjoints
    for argument in body.arguments:
        argument.owner = body
    results = [Value(hints.get(parts.inits[j]), op.loc) for j in slots]
    results += [Value(hints.get(value), op.loc) for value in free]
    attributes: dict[str, object] = {"targets": len(targets)}
    operands, regions = [iterable, *inits], [Region([body])]
    mirrored = Op(FOR, operands, results, attributes, regions, op.loc, derivative=True)
    sweep.builder.block.append(mirrored)
    sweep.adjoints.update(zip(free, results[len(slots) :], strict=True))
    for index, result in zip(slots, results[: len(slots)], strict=True):
        if parts.inits[index] in active:
            sweep.accumulate(parts.inits[index], result)


def _free_active(
    op: Op, sweep: Sweep, regions: list[Region] | None = None
) -> list[Value]:
    """Active values defined outside ``op`` that its ``regions`` read, in order."""
    regions = op.regions if regions is None else regions
    inside = _defined_in(regions)
    found: dict[Value, None] = {}
    for inner in _walk_regions(regions):
        for operand in inner.operands:
            if operand not in inside and operand in sweep.context.active:
                found.setdefault(operand)
    return list(found)


def _walk_regions(regions: list[Region]) -> Iterator[Op]:
    for region in regions:
        for block in region.blocks:
            for op in block.ops:
                yield op
                yield from _walk_regions(op.regions)


def _defined_in(regions: list[Region]) -> set[Value]:
    """Every value defined inside ``regions``: block arguments, op results."""
    found: set[Value] = set()
    for region in regions:
        for block in region.blocks:
            found.update(block.arguments)
    for op in _walk_regions(regions):
        found.update(op.results)
        for region in op.regions:
            for block in region.blocks:
                found.update(block.arguments)
    return found


def _saved_values(reverse: Block, forward: Region) -> list[Value]:
    """What the reverse block reads from the forward region it mirrors.

    Dead reverse code (a cotangent of a constant) reads nothing, and a
    constant or a global read is cheaper to repeat than to save: it is
    copied to the top of ``reverse`` instead.
    """
    dce_block(reverse)
    read = sorted(
        _reads_of(reverse, _defined_in([forward])),
        key=_definition_order(forward.block),
    )
    saved, repeated = [], {}
    for value in read:
        op = value.defining_op
        if op is not None and not op.operands and not op.regions and op.definition.pure:
            copy = Op(
                op.definition,
                [],
                [Value(value.name_hint, value.loc)],
                dict(op.attributes),
                loc=op.loc,
                derivative=op.derivative,
            )
            copy.parent = reverse
            reverse.ops.insert(0, copy)
            repeated[value] = copy.result
        else:
            saved.append(value)
    _replace_uses(reverse, repeated)
    return saved


def _definition_order(block: Block) -> Callable[[Value], int]:
    """Sort key: block arguments first, then op results, as defined."""
    order = {argument: index for index, argument in enumerate(block.arguments)}
    for op in block.ops:
        for result in op.results:
            order[result] = len(order)
    return lambda value: order.get(value, len(order))


def _reads_of(block: Block, candidates: set[Value]) -> list[Value]:
    """The ``candidates`` the ops of ``block`` read, in order of first read."""
    found: dict[Value, None] = {}
    for op in _ops_in(block):
        for operand in op.operands:
            if operand in candidates:
                found.setdefault(operand)
    return list(found)


def _ops_in(block: Block) -> Iterator[Op]:
    for op in block.ops:
        yield op
        yield from _walk_regions(op.regions)


def _replace_uses(block: Block, replacements: dict[Value, Value]) -> None:
    for op in _ops_in(block):
        op.operands = [replacements.get(value, value) for value in op.operands]


def _save_from_branch(sweep: Sweep, copy: Op, index: int, reverse: Block) -> None:
    """Make what ``reverse`` reads from branch ``index`` of ``copy`` a result."""
    branch = copy.regions[index].block
    saved = _saved_values(reverse, copy.regions[index])
    if not saved:
        return
    other = copy.regions[1 - index].block
    replacements = {}
    for value in saved:
        result = Value(value.name_hint, value.loc, copy)
        copy.results.append(result)
        _terminator(branch).operands.append(value)
        _terminator(other).operands.append(_placeholder(sweep, other, copy))
        replacements[value] = result
    _replace_uses(reverse, replacements)


def _placeholder(sweep: Sweep, block: Block, copy: Op) -> Value:
    """What a branch that did not compute a saved value yields for it.

    Never read; inside a loop it is pushed on a tape, so it must exist.
    """
    builder = Builder(block, copy.loc)
    if sweep.loop_depth > 0:
        op = builder.create(CONST, [], {"value": None})
    else:
        op = builder.create(UNDEF, [])
    placeholder = block.ops.pop()
    block.ops.insert(len(block.ops) - 1, placeholder)
    return op.result


def _terminator(block: Block) -> Op:
    terminator = block.terminator
    assert terminator is not None
    return terminator


def _save_from_loop(
    copy: Op, reverse: Block, *, inside_loop: bool
) -> list[tuple[Value, Value]]:
    """Save what ``reverse`` reads from ``copy``'s body.

    A value the same in every iteration (``-GRAVITY / length``) is carried
    out of the loop once; any other goes on a tape.

    Returns:
        For each taped value, in order of definition: its tape (created
        before ``copy``) and the value the reverse body reads instead
        (a block argument of the reverse loop, added by the caller).
    """
    body = copy.regions[-1].block
    saved = _saved_values(reverse, copy.regions[-1])
    parent = copy.parent
    assert parent is not None
    invariant = _loop_invariant(body)
    tapes = []
    replacements = {}
    conditions = {op.operands[0] for op in _ops_in(reverse) if op.definition is IF}
    for value in saved:
        if value in invariant:
            replacements[value] = _carry_out(copy, value, inside_loop)
            continue
        if value.name_hint:
            hint = f"{value.name_hint}_tape"
        else:
            hint = "branch_tape" if value in conditions else "tape"
        tape_op = Op(NEW_LIST, [], [Value(hint, copy.loc)], {}, loc=copy.loc)
        tape_op.parent = parent
        parent.ops.insert(parent.ops.index(copy), tape_op)
        # Pushed where it is computed, under that line's comment.
        defining = value.defining_op
        where = defining.loc if defining is not None else copy.loc
        push = Op(APPEND, [tape_op.result, value], [], {}, loc=where)
        push.parent = body
        body.ops.insert(_push_position(body, value), push)
        replacements[value] = Value(value.name_hint, value.loc)
        tapes.append((tape_op.result, replacements[value]))
    _replace_uses(reverse, replacements)
    return tapes


def _loop_invariant(body: Block) -> set[Value]:
    """Values of ``body`` computed, by pure ops, from values defined outside."""
    inside = set(body.arguments)
    invariant: set[Value] = set()
    for op in body.ops:
        inside.update(op.results)
        computed = op.definition.pure and not op.regions and op.results
        if computed and all(o in invariant or o not in inside for o in op.operands):
            invariant.update(op.results)
    return invariant


def _carry_out(copy: Op, value: Value, inside_loop: bool) -> Value:
    """Make loop ``copy`` hand ``value`` (from its body) out as a result.

    Its value before the first iteration is never read: if the loop does
    not run, neither does the reverse loop that reads it. Inside another
    loop it is still pushed on that loop's tape, so it starts as ``None``.
    """
    attributes: dict[str, object] = {"value": None} if inside_loop else {}
    definition = CONST if inside_loop else UNDEF
    result = Value(value.name_hint, copy.loc)
    undef = Op(definition, [], [result], attributes, loc=copy.loc)
    _insert_before(copy, undef)
    result, _ = _add_carried(copy, undef.result, lambda _: value, value.name_hint)
    return result


def _insert_before(anchor: Op, op: Op) -> None:
    parent = anchor.parent
    assert parent is not None
    op.parent = parent
    parent.ops.insert(parent.ops.index(anchor), op)


def _add_carried(
    copy: Op, init: Value, next_value: Callable[[Value], Value], hint: str | None
) -> tuple[Value, Value]:
    """Add a carried value to loop ``copy``: ``init``, then ``next_value(it)``
    at the end of each iteration (built at the end of the body).

    Returns:
        The loop's new result, and the body's new block argument.
    """
    assert copy.definition in (FOR, WHILE)
    copy.operands.append(init)
    arguments = []
    for region in copy.regions:
        argument = Value(hint, copy.loc, region.block)
        region.block.arguments.append(argument)
        arguments.append(argument)
    body = copy.regions[-1].block
    terminator = body.ops.pop()
    yielded = next_value(arguments[-1])
    body.append(terminator)
    exits = 1 if copy.attributes.get("exit") else 0
    terminator.operands.insert(len(terminator.operands) - exits, yielded)
    result = Value(hint, copy.loc, copy)
    copy.results.insert(len(copy.results) - exits, result)
    return result, arguments[-1]


def _push_position(body: Block, value: Value) -> int:
    """Right after ``value`` is defined in ``body`` (after earlier pushes)."""
    if value in body.arguments:
        position = 0
    else:
        defining = value.defining_op
        assert defining is not None and defining in body.ops, "saved too deep"
        position = body.ops.index(defining) + 1
    while position < len(body.ops) and body.ops[position].definition is APPEND:
        position += 1
    return position


def _reverse_iterable(
    builder: Builder, copy: Op, saved: list[tuple[Value, Value]]
) -> tuple[Value, list[Value]]:
    """What the reverse loop iterates over, and its targets.

    The tapes, back to front; or, if nothing was saved, ``range`` of the
    forward loop's trip count.
    """
    namespace = {"namespace": "builtins"}
    if not saved:
        trips = _count_trips(copy)
        iterable = builder.create(RANGE, [trips], namespace).result
        return iterable, [Value("_", copy.loc)]
    backwards = [
        builder.create(REVERSED, [tape], namespace).result for tape, _ in saved
    ]
    if len(backwards) == 1:
        iterable = backwards[0]
    else:
        iterable = builder.create(ZIP, backwards, namespace).result
    return iterable, [target for _, target in saved]


def _count_trips(copy: Op) -> Value:
    """Make the forward loop ``copy`` count its trips; the count after it."""
    zero = Op(CONST, [], [Value("trips", copy.loc)], {"value": 0}, loc=copy.loc)
    _insert_before(copy, zero)
    body = copy.regions[-1].block

    def one_more(trips: Value) -> Value:
        builder = Builder(body, copy.loc)
        attributes = {"namespace": "operator"}
        add = builder.create(PRIMITIVES["add"], [trips, builder.const(1)], attributes)
        add.result.name_hint = "trips"
        return add.result

    result, _ = _add_carried(copy, zero.result, one_more, "trips")
    return result
