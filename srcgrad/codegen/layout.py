"""Program points of the generated code, and where each value is live.

Statements are numbered in the order they are written, nested bodies
included. A compound statement takes a few points of its own:

* ``if``: its header (which reads the condition), then the then-branch,
  then the point where that branch assigns the results, then the
  else-branch and the point where it assigns them;
* a loop: the point before it (copies of the initial values,
  ``broke = False``), its header (which binds the targets), for a ``while
  True`` the condition's statements and ``if not flag: break``, the body,
  then at the end of the body a snapshot of the stop flag where one is
  needed, the copies of the yielded values, and ``if stop: break``.

A value is *live* at a point if its name must keep its value across the
assignments made there; ``intervals`` gives, per value, the half-open ranges
of points where it is. A value read in a branch is not live in the other
branch; a value read inside a loop but defined outside it is live across
the whole loop, since every iteration reads it.

*Flows* are where one value becomes another: a branch's yielded value
becomes the ``if``'s result, an initial or yielded value becomes a loop's
carried value. Where both share a name, no copy is written.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from srcgrad.codegen.inline import Inlining
from srcgrad.ir import (
    APPEND,
    CONDITION,
    CONST,
    FOR,
    GLOBAL,
    IF,
    UNDEF,
    UNPACK,
    WHILE,
    YIELD,
    Block,
    Function,
    Op,
    Value,
    branch_yields,
    loop_parts,
)

#: Points ``[start, end)`` where a value is live.
Interval = tuple[int, int]


@dataclass(frozen=True)
class IfPoints:
    """The points of an ``if`` statement (see the module docstring)."""

    header: int
    then_end: int
    else_end: int


@dataclass(frozen=True)
class LoopPoints:
    """The points of a ``for`` or ``while`` statement."""

    before: int
    header: int
    condition_end: int | None
    snapshot: int
    end: int
    test: int


@dataclass(frozen=True)
class Flow:
    """``source`` becomes ``target`` at ``position`` (a copy, unless named alike)."""

    source: Value
    target: Value
    position: int


@dataclass
class Layout:
    """The points of ``function``'s code, and what is read and assigned where.

    Attributes:
        positions: the point of each op written as a simple statement.
        ifs, loops: the points of each compound statement.
        sites: where each named value is defined: its point and block.
        reads: where each named value is read: points and blocks.
        assigned: points where each value is itself assigned.
        extra: live ranges not due to reads (a loop's carried values across
            the back edge, an ``if`` result at the end of the then-branch).
        flows: in program order.
        forced: values that are one variable by construction (a loop's
            carried value inside it and after it).
        partial: values some path never assigns (an ``undef`` flows in).
        undefined: the flows of an ``undef`` into such a value, in order.
        pushed: the values appended to a tape, on every path through the
            loop body that pushes them.
        snapshots: per loop, the value holding its stop flag before the
            copies that end the body, where the flag is a carried value.
    """

    function: Function
    inlining: Inlining
    #: Name targets nothing reads too (when ``_`` is a name of the source).
    name_every_target: bool = False
    positions: dict[Op, int] = field(default_factory=dict)
    ifs: dict[Op, IfPoints] = field(default_factory=dict)
    loops: dict[Op, LoopPoints] = field(default_factory=dict)
    block_start: dict[Block, int] = field(default_factory=dict)
    sites: dict[Value, tuple[int, Block]] = field(default_factory=dict)
    reads: dict[Value, list[tuple[int, Block]]] = field(default_factory=dict)
    assigned: dict[Value, list[int]] = field(default_factory=dict)
    extra: dict[Value, list[Interval]] = field(default_factory=dict)
    flows: list[Flow] = field(default_factory=list)
    forced: list[tuple[Value, Value]] = field(default_factory=list)
    partial: set[Value] = field(default_factory=set)
    undefined: list[Flow] = field(default_factory=list)
    pushed: set[Value] = field(default_factory=set)
    snapshots: dict[Op, Value] = field(default_factory=dict)
    _counter: int = 0

    def __post_init__(self) -> None:
        entry = self.function.entry
        for argument in self.function.arguments:
            self._define(argument, -1, entry)
        self._block(entry)

    # -- liveness -----------------------------------------------------------
    def intervals(self, value: Value) -> list[Interval]:
        """Where ``value`` is live (see the module docstring)."""
        start, block = self.sites[value]
        found = list(self.extra.get(value, ()))
        for position, reader in self.reads.get(value, ()):
            found += self._path(start, block, position, reader)
        return [(low, high) for low, high in found if low < high]

    def _path(
        self, start: int, home: Block, position: int, block: Block
    ) -> list[Interval]:
        """The points from a value's definition to one read, block by block."""
        found: list[Interval] = []
        while block is not home:
            assert block.parent is not None and block.parent.parent is not None
            owner = block.parent.parent
            if owner in self.loops:
                position = self.loops[owner].test + 1
            else:
                found.append((self.block_start[block], position))
                position = self.ifs[owner].header + 1
            assert owner.parent is not None
            block = owner.parent
        found.append((start, position))
        return found

    # -- walking ------------------------------------------------------------
    def _next(self) -> int:
        self._counter += 1
        return self._counter - 1

    def _define(self, value: Value, position: int, block: Block) -> None:
        self.sites[value] = (position, block)

    def _assign(self, value: Value, position: int, block: Block) -> None:
        self._define(value, position, block)
        self.assigned.setdefault(value, []).append(position)

    def read(self, value: Value, position: int, block: Block) -> None:
        """Record the reads of writing ``value`` at ``position`` in ``block``."""
        op = value.defining_op
        if op is not None and op.definition in (CONST, GLOBAL):
            return
        if op is not None and self.inlining.inlined(op):
            self._read_op(op, position, block)
            return
        assert not _is_undef(value), "an undef value is read"
        self.reads.setdefault(value, []).append((position, block))

    def _read_op(self, op: Op, position: int, block: Block) -> None:
        for operand in op.operands:
            self.read(operand, position, block)
        if op.definition is IF:  # an if written as an expression
            for values in branch_yields(op):
                for value in values:
                    self.read(value, position, block)

    def _block(self, block: Block) -> None:
        self.block_start[block] = self._counter
        for op in block.ops:
            definition = op.definition
            if definition in (UNDEF, YIELD, CONDITION) or self.inlining.inlined(op):
                continue
            if definition is IF and not self.inlining.expression_if(op):
                self._if(op, block)
            elif definition in (FOR, WHILE):
                self._loop(op, block)
            else:
                position = self._next()
                self.positions[op] = position
                self._read_op(op, position, block)
                if getattr(definition, "statements", None) is not None:
                    self._read_after_binding(op, block)
                if definition is APPEND:
                    self.pushed.add(op.operands[1])
                for result in op.results:
                    if self._named(op, result):
                        self._assign(result, position, block)

    def _read_after_binding(self, op: Op, block: Block) -> None:
        """An op written as statements binds its result first (``y =
        np.zeros_like(x)``) and reads operands after (``y[i] = g``): those
        stay live past its point, so no name is shared with them. The
        array a write goes into (``bound_first`` operands) is read first."""
        after = self._next()
        first = int(getattr(op.definition, "bound_first", 0))
        for operand in op.operands[first:]:
            self.read(operand, after, block)

    def _named(self, op: Op, result: Value) -> bool:
        """A result gets a name unless it is one of several nothing reads
        (written ``_``, where ``_`` is not a name of the source)."""
        several = len(op.results) > 1 or op.definition is UNPACK
        return not several or self.name_every_target or self.inlining.used(result)

    def _if(self, op: Op, block: Block) -> None:
        header = self._next()
        self.read(op.operands[0], header, block)
        ends = []
        for region, values in zip(op.regions, branch_yields(op), strict=True):
            self._block(region.block)
            end = self._next()
            ends.append(end)
            for result, value in zip(op.results, values, strict=True):
                self._flow(value, result, end, region.block)
        for result in op.results:
            self._define(result, ends[1], block)
            if self.inlining.used(result):
                self.extra[result] = [(ends[0], ends[0] + 1)]
        self.ifs[op] = IfPoints(header, ends[0], ends[1])

    def _flow(self, source: Value, target: Value, position: int, block: Block) -> None:
        """``source`` becomes ``target`` at ``position``, if ``target`` is needed."""
        if not self._needed(target):
            return
        if _is_undef(source):
            self.partial.add(target)
            self.undefined.append(Flow(source, target, position))
            return
        self.read(source, position, block)
        self.flows.append(Flow(source, target, position))

    def _needed(self, value: Value) -> bool:
        """A result is needed if read; a carried value if read in or after its loop."""
        owner = value.owner
        if isinstance(owner, Block) and owner.parent is not None:
            loop = owner.parent.parent
            if loop is not None and loop.definition in (FOR, WHILE):
                parts = loop_parts(loop)
                if value in parts.carried:
                    return self._slot_needed(loop, parts.carried.index(value))
        return self.inlining.used(value)

    def _slot_needed(self, loop: Op, index: int) -> bool:
        parts = loop_parts(loop)
        values = [parts.carried[index], parts.results[index]]
        if parts.condition is not None:
            values.append(parts.condition.arguments[index])
        return any(self.inlining.used(value) for value in values)

    def _loop(self, op: Op, block: Block) -> None:
        parts = loop_parts(op)
        before = self._next()
        for init, carried in zip(parts.inits, parts.carried, strict=True):
            self._flow(init, carried, before, block)
        header = self._next()
        condition_end = self._loop_header(op, block, header)
        self._block(parts.body)
        snapshot, end, test = self._next(), self._next(), self._next()
        points = LoopPoints(before, header, condition_end, snapshot, end, test)
        self.loops[op] = points
        self._loop_end(op, points)
        # A carried value is kept from the copies before the loop to its
        # header, across a while's condition statements (the loop may leave
        # at their end), and from the copies ending the body to the test.
        kept = header if condition_end is None else condition_end + 1
        for index, carried in enumerate(parts.carried):
            self._define(parts.results[index], test, block)
            if self._slot_needed(op, index):
                self.extra[carried] = [(before, kept), (end, test + 1)]
                self.forced.append((carried, parts.results[index]))
        if parts.broke is not None and self.inlining.used(parts.broke):
            self._assign(parts.broke, before, block)
            self.assigned[parts.broke].append(test)
            self.extra[parts.broke] = [(before, test + 1)]

    def _loop_header(self, op: Op, block: Block, header: int) -> int | None:
        """Define the targets and carried values; read the header's operands."""
        parts = loop_parts(op)
        for value in parts.carried:
            self._define(value, header, parts.body)
        if parts.iterable is not None:
            self.read(parts.iterable, header, block)
            for target in parts.targets:
                if self.name_every_target or self.inlining.used(target):
                    self._assign(target, header, parts.body)
            return None
        condition = parts.condition
        assert condition is not None
        for index, inner in enumerate(condition.arguments):
            self._define(inner, header, condition)
            if self._slot_needed(op, index):
                self.forced.append((inner, parts.carried[index]))
        terminator = condition.terminator
        assert terminator is not None
        if self.condition_inline(op):
            self.read(terminator.operands[0], header, condition)
            return None
        self._block(condition)
        condition_end = self._next()
        self.read(terminator.operands[0], condition_end, condition)
        return condition_end

    def condition_inline(self, op: Op) -> bool:
        """A ``while`` whose condition is written in its header."""
        condition = op.regions[0].block
        return all(self.inlining.inlined(inner) for inner in condition.ops[:-1])

    def _loop_end(self, op: Op, points: LoopPoints) -> None:
        parts = loop_parts(op)
        for value, carried in zip(parts.yields, parts.carried, strict=True):
            self._flow(value, carried, points.end, parts.body)
        stop = parts.stop
        if stop is None:
            return
        if stop in parts.carried:
            snapshot = Value(stop.name_hint, stop.loc)
            self.snapshots[op] = snapshot
            self.read(stop, points.snapshot, parts.body)
            self._assign(snapshot, points.snapshot, parts.body)
            stop = snapshot
        self.read(stop, points.test, parts.body)


def _is_undef(value: Value) -> bool:
    op = value.defining_op
    return op is not None and op.definition is UNDEF
