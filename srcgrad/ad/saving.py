"""What a reverse region reads from the forward region it mirrors.

A reverse region may read only what is in scope where it runs. Each value
it reads from inside the forward region it mirrors is provided exactly
once, the cheapest way that is exact:

- *repeated*: a constant or a global read is written again at the top of
  the reverse region;
- *replayed*: the index of a ``for`` over a ``range`` without an early
  exit comes back from iterating the same ``range`` backwards;
- *recomputed*, in a reverse loop: integer-cheap arithmetic, comparisons,
  ``range`` and ``len`` over values the reverse loop has anyway (``i * x``
  from the replayed ``i``; ``i % 2 == 0``, the branch taken) is computed
  again, bit for bit, rather than taped;
- *carried out*: a value the same in every iteration (``-GRAVITY /
  length``) is handed out of the forward loop once;
- *saved*: from a branch, as an extra result of the forward ``if``; from a
  loop body, on a tape, a list created before the forward loop, appended to
  right where the value is defined and read back to front by the reverse
  loop (``for theta, omega in zip(reversed(theta_tape), ...)``).

A loop whose reverse reads nothing iterates its ``range`` again, or else
counts its trips. As each reverse step reads the values of its own
iteration, no step can see another iteration's value.
"""

from __future__ import annotations

from collections.abc import Callable, Container, Mapping

from srcgrad.ad.regions import Within
from srcgrad.ir import (
    APPEND,
    CONST,
    FOR,
    IF,
    NEW_LIST,
    UNDEF,
    WHILE,
    Block,
    Builder,
    Op,
    Region,
    Value,
    walk,
)
from srcgrad.passes import dce_block
from srcgrad.primitives import PRIMITIVES
from srcgrad.primitives.iteration import LEN, RANGE, REVERSED, ZIP
from srcgrad.primitives.primitive import Primitive

#: What a reverse loop computes again rather than tapes: one cheap step on
#: Python numbers (``namespace`` operator or builtins), never a call into
#: ``math`` whose cost rivals a tape's.
_RECOMPUTED = frozenset(
    {"add", "sub", "mul", "neg", "mod", "floordiv"}
    | {"lt", "le", "gt", "ge", "eq", "ne", "not"}
    | {RANGE.name, LEN.name}
)


class _Provider:
    """Provides the values a reverse block reads from a forward region,
    without saving them where it can (see the module docstring).

    Attributes:
        replacements: each value provided -> what the reverse block reads
            instead.
        clones: the ops repeated or recomputed, in an order that defines
            each operand before its use.
    """

    def __init__(
        self,
        forward: Region,
        *,
        replayed: Mapping[Value, Value],
        recompute: bool,
        carry_out: Callable[[Value], Value] | None,
    ) -> None:
        self.inside = Within(forward)
        self.invariant = _loop_invariant(forward.block) if carry_out else set()
        self.recompute = recompute
        self.carry_out = carry_out
        self.replacements: dict[Value, Value] = dict(replayed)
        self.clones: list[Op] = []
        self._unavailable: set[Value] = set()

    def provide(self, value: Value) -> Value | None:
        """What the reverse block reads for ``value``, or None: save it."""
        if value not in self.inside:
            return value
        if value in self.replacements:
            return self.replacements[value]
        if value in self._unavailable:
            return None
        op = value.defining_op
        provided: Value | None = None
        repeatable = op is not None and self._repeatable(op)
        if op is not None and repeatable and not op.operands:
            provided = self._clone(op)
        elif value in self.invariant and self.carry_out is not None:
            # Once, after the forward loop, rather than in every iteration.
            provided = self.carry_out(value)
        elif op is not None and repeatable:
            provided = self._clone(op)
        if provided is None:
            self._unavailable.add(value)
        else:
            self.replacements[value] = provided
        return provided

    def _repeatable(self, op: Op) -> bool:
        if op.regions or not op.definition.pure or len(op.results) != 1:
            return False
        if not op.operands:
            return True
        return (
            self.recompute
            and op.definition.name in _RECOMPUTED
            and op.attributes.get("namespace") in ("operator", "builtins")
        )

    def _clone(self, op: Op) -> Value | None:
        operands = []
        for operand in op.operands:
            provided = self.provide(operand)
            if provided is None:
                return None
            operands.append(provided)
        result = Value(op.result.name_hint, op.result.loc, type=op.result.type)
        clone = Op(
            op.definition,
            operands,
            [result],
            dict(op.attributes),
            loc=op.loc,
            derivative=op.derivative,
        )
        self.clones.append(clone)
        return result


def _saved_values(reverse: Block, forward: Region, provider: _Provider) -> list[Value]:
    """The values ``reverse`` reads from ``forward`` that must be saved.

    Dead reverse code (a cotangent of a constant) reads nothing; what
    ``provider`` provides otherwise is put in place (its clones at the top
    of ``reverse``). Returns the rest, in order of definition.
    """
    dce_block(reverse)
    read = sorted(
        _reads_of(reverse, provider.inside),
        key=_definition_order(forward.block),
    )
    saved = [value for value in read if provider.provide(value) is None]
    for clone in reversed(provider.clones):
        clone.parent = reverse
        reverse.ops.insert(0, clone)
    _replace_uses(reverse, provider.replacements)
    return saved


def _definition_order(block: Block) -> Callable[[Value], int]:
    """Sort key: block arguments first, then op results, as defined."""
    order = {argument: index for index, argument in enumerate(block.arguments)}
    for op in block.ops:
        for result in op.results:
            order[result] = len(order)
    return lambda value: order.get(value, len(order))


def _reads_of(block: Block, candidates: Container[Value]) -> list[Value]:
    """The ``candidates`` the ops of ``block`` read, in order of first read."""
    found: dict[Value, None] = {}
    for op in walk(block):
        for operand in op.operands:
            if operand in candidates:
                found.setdefault(operand)
    return list(found)


def _replace_uses(block: Block, replacements: Mapping[Value, Value]) -> None:
    for op in walk(block):
        op.operands = [replacements.get(value, value) for value in op.operands]


def save_from_branch(copy: Op, index: int, reverse: Block, *, in_loop: bool) -> None:
    """Make what ``reverse`` reads from branch ``index`` of ``copy`` a result."""
    branch = copy.regions[index].block
    provider = _Provider(
        copy.regions[index], replayed={}, recompute=False, carry_out=None
    )
    saved = _saved_values(reverse, copy.regions[index], provider)
    if not saved:
        return
    other = copy.regions[1 - index].block
    placeholder = _placeholder(other, copy, in_loop)
    replacements = {}
    for value in saved:
        result = Value(value.name_hint, value.loc, copy, type=value.type)
        copy.results.append(result)
        _terminator(branch).operands.append(value)
        _terminator(other).operands.append(placeholder)
        replacements[value] = result
    _replace_uses(reverse, replacements)


def _placeholder(block: Block, copy: Op, in_loop: bool) -> Value:
    """What a branch that did not compute the saved values yields for them.

    Never read; inside a loop it is pushed on a tape, so it must exist.
    """
    builder = Builder(block, copy.loc)
    if in_loop:
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


def save_from_loop(
    copy: Op, reverse: Block, builder: Builder, *, in_loop: bool
) -> tuple[Value, list[Value]]:
    """Provide what ``reverse``, the body of the reverse of loop ``copy``,
    reads from ``copy``'s body, taping what must be saved.

    Returns:
        What the reverse loop iterates over (built at ``builder``), and its
        targets, the block arguments the caller gives ``reverse``.
    """
    body = copy.regions[-1].block
    replay = _replay_source(copy)
    replayed = {}
    if replay is not None:
        index = body.arguments[0]
        replayed[index] = Value(index.name_hint, copy.loc, type=index.type)
    provider = _Provider(
        copy.regions[-1],
        replayed=replayed,
        recompute=True,
        carry_out=lambda value: _carry_out(copy, value, in_loop),
    )
    saved = _saved_values(reverse, copy.regions[-1], provider)
    tapes = [(_tape(copy, value, reverse), value) for value in saved]
    replacements = {
        value: Value(value.name_hint, value.loc, type=value.type) for value in saved
    }
    _replace_uses(reverse, replacements)
    iterables = [_backwards(builder, tape) for tape, _ in tapes]
    targets = [replacements[value] for _, value in tapes]
    if replay is not None:
        sequence, backwards = replay
        (index,) = replayed.values()
        if _reads_of(reverse, {index}):
            if backwards:
                sequence = _backwards(builder, sequence)
            iterables.insert(0, sequence)
            targets.insert(0, index)
        elif not iterables:
            # The same number of trips, in either order.
            return sequence, [Value("_", copy.loc)]
    if not iterables:
        trips = _count_trips(copy)
        return _builtin(builder, RANGE, [trips]), [Value("_", copy.loc)]
    if len(iterables) == 1:
        return iterables[0], targets
    return _builtin(builder, ZIP, iterables), targets


def _replay_source(copy: Op) -> tuple[Value, bool] | None:
    """The ``range`` whose items are the targets of ``for`` loop ``copy``,
    and whether the reverse loop iterates it backwards (True) or as it is
    (``copy`` iterates ``reversed(it)``); None if the loop may stop early
    or iterates something else."""
    if copy.definition is not FOR or copy.attributes.get("exit"):
        return None
    iterable = copy.operands[0]
    op = iterable.defining_op
    if op is None:
        return None
    if op.definition is RANGE:
        return iterable, True
    inner = op.operands[0].defining_op if op.definition is REVERSED else None
    if inner is not None and inner.definition is RANGE:
        return inner.result, False
    return None


def _tape(copy: Op, value: Value, reverse: Block) -> Value:
    """A tape created before ``copy``, on which its body pushes ``value``."""
    if value.name_hint:
        hint = f"{value.name_hint}_tape"
    else:
        conditions = {op.operands[0] for op in walk(reverse) if op.definition is IF}
        hint = "branch_tape" if value in conditions else "tape"
    tape_op = Op(NEW_LIST, [], [Value(hint, copy.loc)], {}, loc=copy.loc)
    _insert_before(copy, tape_op)
    body = copy.regions[-1].block
    # Pushed where it is computed, under that line's comment.
    defining = value.defining_op
    where = defining.loc if defining is not None else copy.loc
    push = Op(APPEND, [tape_op.result, value], [], {}, loc=where)
    push.parent = body
    body.ops.insert(_push_position(body, value), push)
    return tape_op.result


def _backwards(builder: Builder, sequence: Value) -> Value:
    return _builtin(builder, REVERSED, [sequence])


def _builtin(builder: Builder, primitive: Primitive, operands: list[Value]) -> Value:
    return builder.create(primitive, operands, {"namespace": "builtins"}).result


def _loop_invariant(body: Block) -> set[Value]:
    """Values of ``body`` computed, by pure ops, from values defined outside."""
    inside = set(body.arguments)
    invariant: set[Value] = set()
    for op in body.ops:
        inside.update(op.results)
        computed = (
            op.definition.pure
            and not op.regions
            and op.results
            and not getattr(op.definition, "one_shot", False)
        )
        if computed and all(o in invariant or o not in inside for o in op.operands):
            invariant.update(op.results)
    return invariant


def _carry_out(copy: Op, value: Value, in_loop: bool) -> Value:
    """Make loop ``copy`` hand ``value`` (from its body) out as a result.

    Its value before the first iteration is never read: if the loop does
    not run, neither does the reverse loop that reads it. Inside another
    loop it is still pushed on that loop's tape, so it starts as ``None``.
    """
    attributes: dict[str, object] = {"value": None} if in_loop else {}
    definition = CONST if in_loop else UNDEF
    result = Value(value.name_hint, copy.loc, type=value.type)
    initial = Op(definition, [], [result], attributes, loc=copy.loc)
    _insert_before(copy, initial)
    result, _ = _add_carried(copy, initial.result, lambda _: value, value.name_hint)
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
