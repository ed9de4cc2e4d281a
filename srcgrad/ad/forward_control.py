"""Forward mode through ``if`` and loops: the tangents flow with the values.

An ``if`` yields each of its values' tangents next to it (a zero of its
shape from a branch where it has none); a loop carries them next to the
values it carries; a ``while``'s condition reads only the values. A loop
that walks a tape (a gradient's reverse loop) walks the tapes of tangents
alongside, each target read from one getting the target read from the
other as its tangent. ``self`` is the ``ForwardSweep`` at the op.
"""

from __future__ import annotations

from srcgrad.ad.forward_context import Sweep, Tangent
from srcgrad.ad.reverse import fail_where_f_fails
from srcgrad.ir import (
    IF,
    YIELD,
    Block,
    Builder,
    Op,
    Pattern,
    Region,
    Value,
    branch_yields,
    is_call,
    loop_parts,
    target_pattern,
)
from srcgrad.ir.clone import clone_into
from srcgrad.passes.tape_activity import sequence_leaves
from srcgrad.primitives.iteration import REVERSED, ZIP


def forward_if(self: Sweep, op: Op) -> None:
    """An ``if`` whose branches yield their values' tangents too."""
    mapping = self.context.mapping
    children = []
    for region in op.regions:
        child = self.child(Block())
        child.sweep(region.block.ops[:-1])
        children.append(child)
    yields = branch_yields(op)
    slots = [
        index
        for index, result in enumerate(op.results)
        if result in self.context.active
        and any(
            child.tangents.get(branch[index]) is not None
            for child, branch in zip(children, yields, strict=True)
        )
    ]
    directions = range(self.context.directions)
    for child, branch in zip(children, yields, strict=True):
        with child.derivative.at(op.loc):
            tangents = [
                child.tangent_or_zero(branch[index], direction)
                for index in slots
                for direction in directions
            ]
            operands = [mapping[value] for value in branch] + tangents
            child.block.append(Op(YIELD, operands, [], loc=op.loc))
    results = [Value(r.name_hint, r.loc, type=r.type) for r in op.results]
    mapping.update(zip(op.results, results, strict=True))
    for index in slots:
        value = op.results[index]
        made = [
            Value(self.context.hints.get(value), op.loc, type=value.type)
            for _ in directions
        ]
        results += made
        self.tangents[value] = list(made)
    regions = [Region([child.block]) for child in children]
    condition = mapping[op.operands[0]]
    self.block.append(
        Op(IF, [condition], results, dict(op.attributes), regions, op.loc)
    )


def forward_loop(self: Sweep, op: Op) -> None:
    """A loop that carries its values' tangents next to them."""
    context, mapping = self.context, self.context.mapping
    parts = loop_parts(op)
    directions = range(context.directions)
    slots = [
        index
        for index, argument in enumerate(parts.carried)
        if argument in context.active or parts.results[index] in context.active
    ]
    with self.derivative.at(op.loc):
        inits = [
            self.tangent_or_zero(parts.inits[index], direction)
            for index in slots
            for direction in directions
        ]

    def tangent_values(values: list[Value]) -> list[Value]:
        return [
            Value(context.hints.get(values[index]), op.loc, type=values[index].type)
            for index in slots
            for _ in directions
        ]

    body = Block()
    child = self.child(body)
    targets = [Value(t.name_hint, t.loc, type=t.type) for t in parts.targets]
    carried = [Value(c.name_hint, c.loc, type=c.type) for c in parts.carried]
    mapping.update(zip(parts.targets, targets, strict=True))
    mapping.update(zip(parts.carried, carried, strict=True))
    carried_tangents = tangent_values(parts.carried)
    _record(child.tangents, [parts.carried[i] for i in slots], carried_tangents)
    attributes = dict(op.attributes)
    operands = [mapping[value] for value in op.operands]
    if parts.iterable is not None:
        operands[0], extra = _iterated_tangents(self, op, attributes, child)
        targets += extra
    body.arguments = targets + carried + carried_tangents
    child.sweep(parts.body.ops[:-1])
    with child.derivative.at(op.loc):
        yielded = [mapping[value] for value in parts.yields]
        yielded += [
            child.tangent_or_zero(parts.yields[index], direction)
            for index in slots
            for direction in directions
        ]
        if parts.stop is not None:
            yielded.append(mapping[parts.stop])
        body.append(Op(YIELD, yielded, [], loc=op.loc))
    regions = [Region([body])]
    if parts.condition is not None:
        regions.insert(0, Region([_condition(self, op, parts.condition, slots)]))
    results = [Value(r.name_hint, r.loc, type=r.type) for r in parts.results]
    mapping.update(zip(parts.results, results, strict=True))
    result_tangents = tangent_values(parts.results)
    _record(self.tangents, [parts.results[i] for i in slots], result_tangents)
    results += result_tangents
    if parts.broke is not None:
        broke = Value(parts.broke.name_hint, parts.broke.loc, type=parts.broke.type)
        mapping[parts.broke] = broke
        results.append(broke)
    loop = Op(op.definition, operands + inits, results, attributes, regions, op.loc)
    for region in regions:
        region.parent = loop
        for block in region.blocks:
            for argument in block.arguments:
                argument.owner = block
    self.block.append(loop)


def _condition(self: Sweep, op: Op, condition: Block, slots: list[int]) -> Block:
    """A ``while``'s condition, over the values and tangents it carries
    (it reads only the values)."""
    mapping = self.context.mapping
    arguments = [Value(a.name_hint, a.loc, type=a.type) for a in condition.arguments]
    mapping.update(zip(condition.arguments, arguments, strict=True))
    unused = [
        Value(None, op.loc, type=condition.arguments[index].type)
        for index in slots
        for _ in range(self.context.directions)
    ]
    block = Block(arguments + unused)
    child = self.child(block)

    def keep(builder: Builder, original: Op, copy: Op) -> None:
        if is_call(original):
            assert self.context.calls is not None
            self.context.calls.plain(copy.attributes["callee"])  # type: ignore[arg-type]
        elif len(original.results) == 1 and not original.regions:
            fail_where_f_fails(
                builder,
                original,
                mapping,
                self.context.active,
                self.context.reaching,
                self.context.function,
            )

    clone_into(child.primal, condition.ops, mapping, after=keep)
    return block


def _iterated_tangents(
    self: Sweep, op: Op, attributes: dict[str, object], child: Sweep
) -> tuple[Value, list[Value]]:
    """The iterable of the copy of ``for`` loop ``op``, and the targets
    it adds: a sequence with tangents (a tape) is walked with the
    tangents' sequences alongside, and each target read from it gets
    the target read from them as its tangent in ``child``.

    Loops over an array or a list read their items by index
    (``passes.lists``), so here only a gradient's tapes have tangents.
    """
    mapping = self.context.mapping
    iterable = mapping[op.operands[0]]
    leaves: list[tuple[Value, Pattern]] = []
    sequence_leaves(op.operands[0], target_pattern(op), leaves)
    sequences: list[Value] = []
    patterns: list[Pattern] = []
    extra: list[Value] = []
    count = int(attributes.get("targets", 1))  # type: ignore[call-overload]
    parts = loop_parts(op)
    for leaf, pattern in leaves:
        tangents = _sequence_tangents(self, leaf)
        for direction, sequence in enumerate(tangents or []):
            if sequence is None:
                continue
            renamed: dict[int, int] = {}
            patterns.append(_renumbered(pattern, count + len(extra), renamed))
            sequences.append(sequence)
            for old in sorted(renamed, key=renamed.__getitem__):
                target = parts.targets[old]
                made = Value(self.context.hints.get(target), op.loc, type=target.type)
                extra.append(made)
                known = child.tangents.setdefault(
                    target, [None] * self.context.directions
                )
                known[direction] = made
    if not sequences:
        return iterable, []
    pattern = target_pattern(op)
    zipping = iterable.defining_op
    with self.derivative.at(op.loc):
        if (
            zipping is not None
            and zipping.definition is ZIP
            and isinstance(pattern, tuple)
        ):
            zipped = [*zipping.operands, *sequences]
            attributes["pattern"] = (*pattern, *patterns)
        else:
            zipped = [iterable, *sequences]
            attributes["pattern"] = (pattern, *patterns)
        new = self.derivative.create(ZIP, zipped, {"namespace": "builtins"})
    attributes["targets"] = count + len(extra)
    return new.result, extra


def _sequence_tangents(self: Sweep, leaf: Value) -> Tangent | None:
    """The tangents of the sequence ``leaf`` a loop walks: a tape's, or
    ``reversed`` of them."""
    found = self.tangents.get(leaf)
    if found is not None:
        return found
    op = leaf.defining_op
    if op is None or op.definition is not REVERSED:
        return None
    inner = self.tangents.get(op.operands[0])
    if inner is None:
        return None
    attributes = {"namespace": "builtins"}
    return [
        (
            None
            if tangent is None
            else self.derivative.create(REVERSED, [tangent], attributes).result
        )
        for tangent in inner
    ]


def _record(
    tangents: dict[Value, Tangent], values: list[Value], made: list[Value]
) -> None:
    """Give each of ``values`` its run of ``made``: one per direction."""
    count = len(made) // len(values) if values else 0
    for position, value in enumerate(values):
        tangents[value] = list(made[position * count : (position + 1) * count])


def _renumbered(pattern: Pattern, start: int, renamed: dict[int, int]) -> Pattern:
    """``pattern`` with its targets numbered from ``start`` (``renamed``
    maps each old number to its new one)."""
    if isinstance(pattern, int):
        renamed[pattern] = start + len(renamed)
        return renamed[pattern]
    return tuple(_renumbered(part, start, renamed) for part in pattern)
