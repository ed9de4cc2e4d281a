"""Forward mode: IR of ``f`` in, IR of its Jacobian-vector products out.

Each value ``v`` of ``f`` that depends on a ``wrt`` input gets, next to it,
its tangent ``v_dot`` in each of ``directions`` directions: the sum, over
its operands, of the partial derivative times the operand's tangent
(docs/design.md, "Forward mode"). The primitives' JVP rules build those
sums as IR, right after the op they differentiate, so the passes share
what a rule and ``f`` both compute (``cos(x)`` in ``sin(x)``'s tangent).

A tangent that is zero is not computed at all: it is ``None`` in the
sweep, and a rule given only ``None`` is not applied. Control flow keeps
its shape: an ``if`` yields the tangents of its values next to them, a loop
carries them next to the values it carries, and a loop over a tape (the
reverse sweep of a gradient reads its tapes so) walks the tape of tangents
alongside. Several directions (a Hessian's columns) are swept at once, so
``f``'s own values, and a gradient's adjoints, are computed once for all.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from srcgrad.ad.reverse import fail_where_f_fails
from srcgrad.errors import DifferentiationError
from srcgrad.ir import (
    APPEND,
    FOR,
    IF,
    NEW_LIST,
    PACK,
    UNDEF,
    UNPACK,
    WHILE,
    YIELD,
    Block,
    Builder,
    Function,
    Op,
    Pattern,
    Region,
    Value,
    branch_yields,
    is_call,
    loop_parts,
    target_pattern,
    walk,
)
from srcgrad.ir.clone import clone_into
from srcgrad.ir.types import Array, ListOf, TypeRuleError
from srcgrad.passes.activity import custom_rule_error, has_zero_derivative
from srcgrad.primitives import Primitive, RuleEmitter
from srcgrad.primitives.creation import ZEROS_LIKE
from srcgrad.primitives.iteration import ENUMERATE, REVERSED, ZIP
from srcgrad.primitives.lists import LIST_ZEROS, list_zeros

#: A value's tangent in each direction; None where it is zero.
Tangent = list["Value | None"]


class ForwardCalls(Protocol):
    """What the forward sweep of a call needs (``srcgrad.ad.forward_program``)."""

    def call(self, sweep: ForwardSweep, op: Op) -> None:
        """Append the copy of call ``op``, and its results' tangents."""
        ...

    def plain(self, symbol: str) -> None:
        """Note that ``symbol`` is called as it is (in a loop's condition)."""
        ...


@dataclass
class ForwardContext:
    """What every sweep of one forward-mode transform shares.

    Attributes:
        mapping: each value of ``f`` to its copy in the transformed function.
        active: the values of ``f`` whose tangents are wanted (they depend
            on ``wrt`` and reach the output).
        reaching: the values the output depends on (kept where they raise).
        hints: the name hint of each value's tangent (``x_dot``).
        directions: how many tangents each value has.
        function: the user's name of ``f``, for messages.
        calls: the forward sweeps of the functions ``f`` calls, if any.
        tapes: the lists of ``f`` (a gradient's tapes) that hold values
            with tangents, and so get tapes of tangents.
    """

    mapping: dict[Value, Value]
    active: frozenset[Value]
    reaching: set[Value]
    hints: dict[Value, str | None]
    directions: int
    function: str
    calls: ForwardCalls | None = None
    tapes: set[Value] = field(default_factory=set)


class ForwardSweep:
    """Copies ops of ``f`` into ``block``, each followed by its tangents.

    ``tangents`` are those known on entry (a region's sweep starts from
    its parent's: what the region reads from outside).
    """

    def __init__(
        self,
        block: Block,
        context: ForwardContext,
        tangents: dict[Value, Tangent] | None = None,
    ) -> None:
        self.block = block
        self.context = context
        self.primal = Builder(block)
        self.derivative = Builder(block, derivative=True)
        self.tangents: dict[Value, Tangent] = dict(tangents or {})

    def child(self, block: Block) -> ForwardSweep:
        return ForwardSweep(block, self.context, self.tangents)

    def sweep(self, ops: Sequence[Op]) -> None:
        for op in ops:
            self.step(op)

    def step(self, op: Op) -> None:
        """Copy ``op``, then compute its results' tangents."""
        if op.definition is IF:
            self._if(op)
        elif op.definition in (FOR, WHILE):
            self._loop(op)
        elif is_call(op):
            self._call(op)
        else:
            copy = self.copy(op)
            if op.definition is NEW_LIST and op.result in self.context.tapes:
                self._new_tapes(op, copy)
            elif op.definition is APPEND:
                self._append(op)
            elif op.definition in (PACK, UNPACK):
                self._tuple(op)
            elif not op.regions and op.results:
                self._differentiate(op)

    def copy(self, op: Op) -> Op:
        """Append a copy of ``op`` (which owns no region), kept where it
        raises as ``f`` does."""
        mapping = self.context.mapping
        results = [Value(r.name_hint, r.loc, type=r.type) for r in op.results]
        mapping.update(zip(op.results, results, strict=True))
        copy = Op(
            op.definition,
            [mapping[operand] for operand in op.operands],
            results,
            dict(op.attributes),
            [],
            op.loc,
            derivative=op.derivative,
        )
        self.block.append(copy)
        if len(op.results) == 1 and not op.definition.is_terminator:
            fail_where_f_fails(
                self.primal,
                op,
                mapping,
                self.context.active,
                self.context.reaching,
                self.context.function,
            )
        return copy

    def tangent(self, value: Value, direction: int) -> Value | None:
        found = self.tangents.get(value)
        return None if found is None else found[direction]

    def tangent_or_zero(self, value: Value, direction: int) -> Value:
        """``value``'s tangent, or a zero of its shape where it has none."""
        found = self.tangent(value, direction)
        if found is not None:
            return found
        return self.zero_like(value)

    def zero_like(self, value: Value) -> Value:
        """A zero tangent for ``value`` of ``f``: of its shape (an array's
        is an array, a list's a list of zeros), made at this point."""
        copy = self.context.mapping[value]
        op = value.defining_op
        if op is not None and op.definition is UNDEF:
            return self.derivative.create(UNDEF, []).result
        if isinstance(value.type, Array):
            attributes = {"namespace": "numpy"}
            return self.derivative.create(ZEROS_LIKE, [copy], attributes).result
        if isinstance(value.type, ListOf):
            emitter = RuleEmitter(self.derivative, LIST_ZEROS, "list")
            return list_zeros(emitter, copy)
        return self.derivative.const(0.0)

    # -- ops ---------------------------------------------------------------
    def _differentiate(self, op: Op) -> None:
        """Apply ``op``'s JVP rule, once per direction with a tangent."""
        if not any(result in self.context.active for result in op.results):
            return
        given = [self.tangents.get(operand) for operand in op.operands]
        if all(tangent is None for tangent in given) or has_zero_derivative(op):
            return
        primitive = _differentiable(op)
        mapping = self.context.mapping
        args = tuple(mapping[operand] for operand in op.operands)
        out = mapping[op.result]
        emitter = RuleEmitter(
            self.derivative, primitive, str(op.attributes["namespace"]), op.attributes
        )
        hint = self.context.hints.get(op.result)
        made: Tangent = []
        with self.derivative.at(op.loc):
            for direction in range(self.context.directions):
                tangents = tuple(
                    None if tangent is None else tangent[direction] for tangent in given
                )
                if all(tangent is None for tangent in tangents):
                    made.append(None)
                    continue
                if not primitive.broadcasts:  # a tangent may only broadcast
                    tangents = tuple(
                        None if t is None else emitter.materialize(t, arg)
                        for t, arg in zip(tangents, args, strict=True)
                    )
                try:
                    tangent = primitive.jvp(emitter, tangents, args, out)  # type: ignore[misc]
                except TypeRuleError as error:
                    raise DifferentiationError(str(error), op.loc) from None
                if tangent is not None and tangent.name_hint is None:
                    tangent.name_hint = hint
                made.append(tangent)
        if any(tangent is not None for tangent in made):
            self.tangents[op.result] = made

    def _new_tapes(self, op: Op, copy: Op) -> None:
        """A tape of tangents per direction, next to the tape ``op`` makes."""
        hint = f"{copy.result.name_hint or 'tape'}_dot"
        self.tangents[op.result] = [
            self.derivative.create(NEW_LIST, [], hint=hint).result
            for _ in range(self.context.directions)
        ]

    def _append(self, op: Op) -> None:
        """Push the tangent of what ``op`` pushes on a tape of tangents."""
        tape, value = op.operands
        tapes = self.tangents.get(tape)
        if tapes is None:
            return
        with self.derivative.at(op.loc):
            for direction, tangent_tape in enumerate(tapes):
                assert tangent_tape is not None
                pushed = self.tangent_or_zero(value, direction)
                self.derivative.create(APPEND, [tangent_tape, pushed], result_count=0)

    def _tuple(self, op: Op) -> None:
        """A tuple of tangents next to a tuple of values (a callee's saved
        values, in a gradient), and its items next to the values'."""
        given = [self.tangents.get(operand) for operand in op.operands]
        if all(tangent is None for tangent in given):
            return
        made: list[Tangent] = [[] for _ in op.results]
        with self.derivative.at(op.loc):
            for direction in range(self.context.directions):
                if op.definition is PACK:
                    items = [self.tangent_or_zero(v, direction) for v in op.operands]
                    packed = self.derivative.create(PACK, items).result
                    made[0].append(packed)
                    continue
                tangent = given[0][direction] if given[0] is not None else None
                assert tangent is not None
                unpacked = self.derivative.create(
                    UNPACK, [tangent], result_count=len(op.results)
                )
                for index, item in enumerate(unpacked.results):
                    item.name_hint = self.context.hints.get(op.results[index])
                    made[index].append(item)
        for result, tangents in zip(op.results, made, strict=True):
            self.tangents[result] = tangents

    def _call(self, op: Op) -> None:
        if self.context.calls is None:
            raise DifferentiationError(
                f"op {op.name!r} calls a function in a function without others",
                op.loc,
            )
        self.context.calls.call(self, op)

    # -- control flow --------------------------------------------------------
    def _if(self, op: Op) -> None:
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

    def _loop(self, op: Op) -> None:
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
            operands[0], extra = self._iterated_tangents(op, attributes, child)
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
            regions.insert(0, Region([self._condition(op, parts.condition, slots)]))
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

    def _condition(self, op: Op, condition: Block, slots: list[int]) -> Block:
        """A ``while``'s condition, over the values and tangents it carries
        (it reads only the values)."""
        mapping = self.context.mapping
        arguments = [
            Value(a.name_hint, a.loc, type=a.type) for a in condition.arguments
        ]
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
        self, op: Op, attributes: dict[str, object], child: ForwardSweep
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
        _leaves(op.operands[0], target_pattern(op), leaves)
        sequences: list[Value] = []
        patterns: list[Pattern] = []
        extra: list[Value] = []
        count = int(attributes.get("targets", 1))  # type: ignore[call-overload]
        parts = loop_parts(op)
        for leaf, pattern in leaves:
            tangents = self._sequence_tangents(leaf)
            for direction, sequence in enumerate(tangents or []):
                if sequence is None:
                    continue
                renamed: dict[int, int] = {}
                patterns.append(_renumbered(pattern, count + len(extra), renamed))
                sequences.append(sequence)
                for old in sorted(renamed, key=renamed.__getitem__):
                    target = parts.targets[old]
                    made = Value(
                        self.context.hints.get(target), op.loc, type=target.type
                    )
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

    def _sequence_tangents(self, leaf: Value) -> Tangent | None:
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


def _leaves(value: Value, pattern: Pattern, found: list[tuple[Value, Pattern]]) -> None:
    """The sequences a ``for`` item is made of, with the part of the
    pattern each binds: ``zip`` and ``enumerate`` are looked through."""
    op = value.defining_op
    if op is not None and isinstance(pattern, tuple):
        if op.definition is ZIP and len(pattern) == len(op.operands):
            for operand, part in zip(op.operands, pattern, strict=True):
                _leaves(operand, part, found)
            return
        if op.definition is ENUMERATE and len(pattern) == 2:
            _leaves(op.operands[0], pattern[1], found)
            return
    found.append((value, pattern))


def _renumbered(pattern: Pattern, start: int, renamed: dict[int, int]) -> Pattern:
    """``pattern`` with its targets numbered from ``start`` (``renamed``
    maps each old number to its new one)."""
    if isinstance(pattern, int):
        renamed[pattern] = start + len(renamed)
        return renamed[pattern]
    return tuple(_renumbered(part, start, renamed) for part in pattern)


def _differentiable(op: Op) -> Primitive:
    """``op``'s primitive, if forward mode can apply its JVP rule.

    Raises:
        DifferentiationError: it is not a primitive, srcgrad only
            evaluates it, or it has no JVP rule.
    """
    definition = op.definition
    if op.attributes.get("namespace") == "custom" and op.name != "custom_call":
        raise custom_rule_error(op)
    if isinstance(definition, Primitive) and definition.opaque:
        raise DifferentiationError(
            f"no derivative rule for {op.attributes.get('display', definition.name)};"
            " it lies between wrt and the output, and srcgrad differentiates "
            "the math and NumPy functions it has rules for (listed in the "
            "reference)",
            op.loc,
        )
    if not isinstance(definition, Primitive) or definition.jvp is None:
        raise DifferentiationError(
            f"op {op.name!r} lies between wrt and the output but has no "
            "forward-mode rule (JVP)",
            op.loc,
        )
    return definition


def tapes_with_tangents(function: Function, active: frozenset[Value]) -> set[Value]:
    """The lists ``function`` pushes values with tangents on (its tapes)."""
    return {
        op.operands[0]
        for op in walk(function.entry)
        if op.definition is APPEND and op.operands[1] in active
    }
