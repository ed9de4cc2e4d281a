"""The graph at a point: each value, its adjoint, each local derivative.

The function's IR is run op by op on the point's numbers, each operation
and each local derivative by the code srcgrad generates for it
(``drawing.local``), and every value computed is recorded: one record per
value of a straight-line function, one per step for a value of a loop.
The reverse sweep then goes through the records backwards, from the
output's adjoint 1.0: each record hands its adjoint to what it was
computed from, through the operation's VJP rule. That is backpropagation
done by hand, in the textbook's order, and the inputs' adjoints it ends
with are the gradient (the tests compare them with ``srcgrad.grad``).

A node shows its value and adjoint at the last step that computed it
(with how many steps did), an edge its local derivative at that step, and
a loop how many steps it ran.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from srcgrad.drawing.local import operand_nodes, operation_function, vjp_function
from srcgrad.drawing.model import Graph
from srcgrad.errors import SrcgradError
from srcgrad.ir import (
    CHECK_REAL,
    CONST,
    EVALUATE,
    FOR,
    GLOBAL,
    IF,
    PACK,
    UNDEF,
    UNPACK,
    WHILE,
    Block,
    Function,
    Op,
    Value,
    bind_pattern,
    is_call,
    loop_parts,
    target_pattern,
)
from srcgrad.ir.types import Array, Scalar
from srcgrad.primitives import Primitive
from srcgrad.runtime import sum_to_shape

ReadGlobal = Callable[[Op], object]


@dataclass
class _Record:
    """One value computed: by ``op`` from the records ``sources`` (an
    input's has none; a copy, from a loop step to the next or out of a
    branch, has one and no op)."""

    value: Value
    number: object
    op: Op | None = None
    sources: list[int] = field(default_factory=list)
    operands: list[object] = field(default_factory=list)
    #: Of a tuple's item (``UNPACK``), its position; of a tuple made
    #: (``PACK``), the position of each source in it.
    positions: list[int] = field(default_factory=list)


class _Run:
    def __init__(self, read_global: ReadGlobal) -> None:
        self.read_global = read_global
        #: Each op's code and VJP, compiled once (a loop's ops run often).
        self.compiled: dict[Op, Callable[..., Any]] = {}
        self.pullbacks: dict[Op, Callable[..., tuple[Any, ...]] | None] = {}
        self.records: list[_Record] = []
        self.current: dict[Value, int] = {}
        self.trips: dict[Op, int] = {}
        #: A loop's carried value at the start of the last step that ran
        #: (what its node shows), and how many steps it started.
        self.starts: dict[Value, int] = {}
        self.steps: dict[Value, int] = {}

    def number(self, value: Value) -> object:
        return self.records[self.current[value]].number

    def record(
        self,
        value: Value,
        number: object,
        op: Op | None = None,
        sources: Sequence[Value] = (),
    ) -> None:
        found = _Record(value, number, op, [self.current[v] for v in sources])
        if op is not None:
            found.operands = [self.number(v) for v in sources]
        self.current[value] = len(self.records)
        self.records.append(found)

    def copies(self, sources: Sequence[Value], values: Sequence[Value]) -> None:
        """Hand each of ``sources`` on to its value of ``values``, all at
        once: a loop's step may yield one carried value as another's next
        (``a, b = b, a + b``)."""
        read = [
            (
                (self.current[source], self.number(source))
                if source in self.current
                else (None, _constant(source))
            )  # a constant yielded
            for source in sources
        ]
        for value, (index, number) in zip(values, read, strict=True):
            found = _Record(value, number, None, [] if index is None else [index])
            self.current[value] = len(self.records)
            self.records.append(found)

    # -- running -----------------------------------------------------------
    def block(self, block: Block) -> list[Value]:
        """Run ``block``; what its terminator hands on."""
        for op in block.ops:
            definition = op.definition
            if definition.is_terminator:
                return list(op.operands)
            if definition in (CONST, CHECK_REAL, EVALUATE):
                continue
            if definition is IF:
                self.branch(op)
            elif definition in (FOR, WHILE):
                self.loop(op)
            elif definition is GLOBAL:
                self.record(op.results[0], self.read_global(op))
            elif definition is UNDEF:
                self.record(op.results[0], None)  # not bound on this path
            elif definition is PACK:
                self.pack(op)
            elif definition is UNPACK:
                self.unpack(op)
            elif is_call(op) or not isinstance(definition, Primitive):
                what = (
                    "a call of a function of yours" if is_call(op) else definition.name
                )
                raise SrcgradError(
                    f"a graph at a point does not follow {what}; draw the "
                    "functions it calls on their own, or this one without a point",
                    op.loc,
                )
            else:
                self.operation(op)
        raise AssertionError("a block ends with its terminator")

    def operation(self, op: Op) -> None:
        run = self.compiled.get(op)
        if run is None:
            run = self.compiled[op] = operation_function(op)
        nodes = operand_nodes(op)
        try:
            number = run(*[self.number(v) for v in nodes])
        except Exception as error:  # the function fails here, as f does
            line = f"line {op.loc.line}" if op.loc is not None else "an operation"
            raise SrcgradError(
                f"the function raises at this point, at {line} "
                f"({type(error).__name__}: {error}); draw it at a point where it "
                "is defined, or without one",
                op.loc,
            ) from None
        self.record(op.results[0], number, op, nodes)

    def pack(self, op: Op) -> None:
        numbers = tuple(self.read(v) for v in op.operands)
        positions = [i for i, v in enumerate(op.operands) if v in self.current]
        sources = [self.current[op.operands[i]] for i in positions]
        made = _Record(op.results[0], numbers, op, sources, positions=positions)
        self.current[op.results[0]] = len(self.records)
        self.records.append(made)

    def unpack(self, op: Op) -> None:
        packed = op.operands[0]
        items = list(self.read(packed))  # type: ignore[call-overload]
        for position, (result, item) in enumerate(zip(op.results, items, strict=True)):
            made = _Record(
                result, item, op, [self.current[packed]], positions=[position]
            )
            self.current[result] = len(self.records)
            self.records.append(made)

    def pullback(self, op: Op) -> Callable[..., tuple[Any, ...]] | None:
        if op not in self.pullbacks:
            self.pullbacks[op] = vjp_function(op)
        return self.pullbacks[op]

    def branch(self, op: Op) -> None:
        region = op.regions[0] if self.read(op.operands[0]) else op.regions[1]
        yielded = self.block(region.block)
        self.copies(yielded, op.results)

    def loop(self, op: Op) -> None:
        parts = loop_parts(op)
        self.copies(parts.inits, parts.carried)
        trips = 0
        broke = False
        if parts.iterable is not None:
            pattern = target_pattern(op)
            for item in self.read(parts.iterable):  # type: ignore[attr-defined]
                bound: list[object] = [None] * len(parts.targets)
                bind_pattern(pattern, item, bound)
                for target, number in zip(parts.targets, bound, strict=True):
                    self.record(target, number)
                trips += 1
                if self.step(parts):
                    broke = True
                    break
        else:
            assert parts.condition is not None
            while True:
                self.copies(parts.carried, parts.condition.arguments)
                (flag,) = self.block(parts.condition)
                if not self.read(flag):
                    break
                trips += 1
                if self.step(parts):
                    broke = True
                    break
        self.trips[op] = trips
        self.copies(parts.carried, parts.results)
        if parts.broke is not None:
            self.record(parts.broke, broke)

    def step(self, parts: Any) -> bool:
        """Run a loop's body once; whether it stops the loop."""
        for carried in parts.carried:
            self.starts[carried] = self.current[carried]
            self.steps[carried] = self.steps.get(carried, 0) + 1
        yielded = self.block(parts.body)
        stop = yielded.pop() if parts.stop is not None else None
        self.copies(yielded, parts.carried)
        return stop is not None and bool(self.read(stop))

    def read(self, value: Value) -> object:
        return self.number(value) if value in self.current else _constant(value)

    # -- the reverse sweep ---------------------------------------------------
    def adjoints(self, output: Value) -> list[object]:
        """Each record's adjoint: the derivative of ``output`` with respect
        to it, by the reverse sweep (see the module). Each term is fitted to
        the shape of the value it is added to before it is added: NumPy
        would broadcast a scalar term over an array one, counting it once
        per item."""
        adjoints: list[object] = [None] * len(self.records)
        adjoints[self.current[output]] = 1.0

        def add(source: int, term: object) -> None:
            number = self.records[source].number
            if isinstance(number, tuple) and not isinstance(term, dict):
                return  # a shape's: no derivative flows into it
            adjoints[source] = _added(adjoints[source], _fitted(term, number))

        for index in range(len(self.records) - 1, -1, -1):
            record, adjoint = self.records[index], adjoints[index]
            if adjoint is None:
                continue
            if record.op is None:
                for source in record.sources:
                    add(source, adjoint)
                continue
            if record.op.definition is PACK:  # each item's adjoint to its source
                if not isinstance(adjoint, dict):
                    continue
                for source, position in zip(
                    record.sources, record.positions, strict=True
                ):
                    if position in adjoint:
                        add(source, adjoint[position])
                continue
            if record.op.definition is UNPACK:  # to the item of the tuple's
                (source,) = record.sources
                add(source, {record.positions[0]: adjoint})
                continue
            pulled = self.pullback(record.op)
            if pulled is None:
                continue  # a comparison: no derivative flows back
            cotangents = pulled(*record.operands, record.number, adjoint)
            for source, cotangent in zip(record.sources, cotangents, strict=True):
                add(source, cotangent)
        return adjoints


def annotate(
    graph: Graph,
    function: Function,
    ids: Mapping[Value, str],
    loops: Mapping[Op, str],
    arguments: Sequence[object],
    read_global: ReadGlobal,
) -> None:
    """Fill in ``graph`` (drawn from ``function``: ``ids`` are its nodes by
    value, ``loops`` its clusters by loop) with the values, adjoints and
    local derivatives at ``arguments``."""
    run = _Run(read_global)
    for argument, number in zip(function.arguments, arguments, strict=True):
        run.record(argument, number)
    returned = run.block(function.entry)
    terminator = function.entry.terminator
    assert terminator is not None
    one_number = len(returned) == 1 and not terminator.attributes.get("tuple")
    output = returned[0] if one_number else None
    if (
        output is not None
        and output in run.current
        and (isinstance(output.type, Scalar) or _is_zero_d(output))
    ):
        adjoints = run.adjoints(returned[0])
    else:
        adjoints = []  # of one real number only
    last: dict[Value, int] = {}
    counts: dict[Value, int] = {}
    for index, record in enumerate(run.records):
        last[record.value] = index
        counts[record.value] = counts.get(record.value, 0) + 1
    # a carried value's node is its value at the start of a step (not the
    # condition's copy of it, drawn as the same node)
    last.update(run.starts)
    counts.update(run.steps)
    started = {ids[value] for value in run.starts if value in ids}
    for value, id_ in ids.items():
        if value not in last or (id_ in started and value not in run.starts):
            continue
        node = graph.node(id_)
        index = last[value]
        node.value = run.records[index].number
        node.count = counts[value]
        if adjoints and _is_real(value) and _is_numeric(node.value):
            node.adjoint = adjoints[index] if adjoints[index] is not None else 0.0
    for loop, cluster_id in loops.items():
        for cluster in graph.clusters:
            if cluster.id == cluster_id:
                cluster.trips = run.trips.get(loop, 0)
    _edge_values(graph, run, ids, last)


def _edge_values(
    graph: Graph, run: _Run, ids: Mapping[Value, str], last: Mapping[Value, int]
) -> None:
    """Each data edge's local derivative at the last step of its head."""
    by_id = {id_: value for value, id_ in ids.items()}
    for edge in graph.edges:
        head = by_id.get(edge.head)
        if edge.kind != "data" or edge.place is None or head is None:
            continue
        if head not in last:
            continue  # not computed at this point (a branch not taken)
        record = run.records[last[head]]
        if record.op is None or not isinstance(record.number, float):
            continue  # an array's: its VJP, a function of the adjoint
        pulled = run.pullback(record.op)
        if pulled is not None:
            edge.value = pulled(*record.operands, record.number, 1.0)[edge.place]


def _is_zero_d(value: Value) -> bool:
    return isinstance(value.type, Array) and value.type.rank == 0


def _is_numeric(number: object) -> bool:
    """A number or an array: what has an adjoint (not a function a custom
    rule is read from)."""
    return isinstance(number, (int, float)) or hasattr(number, "shape")


def _is_real(value: Value) -> bool:
    """An adjoint is shown for real numbers and arrays of them only (not
    for a counter, a flag or a range)."""
    type_ = value.type
    return isinstance(type_, (Scalar, Array)) and type_.kind == "real"


def _constant(value: Value) -> object:
    op = value.defining_op
    assert op is not None and op.definition is CONST, "a constant"
    return op.attributes["value"]


def _added(total: object, term: object) -> object:
    """``total + term``; a tuple's adjoint is a dict of its items', a list's
    a list of its items' (added item by item, not joined)."""
    if total is None:
        return dict(term) if isinstance(term, dict) else term
    if isinstance(total, dict) and isinstance(term, dict):
        for position, item in term.items():
            total[position] = _added(total.get(position), item)
        return total
    if isinstance(total, list) and isinstance(term, list):
        return [_added(a, b) for a, b in zip(total, term, strict=True)]
    return total + term  # type: ignore[operator]


def _fitted(adjoint: Any, number: Any) -> Any:
    """``adjoint`` of the shape of ``number``: a rule's cotangent may only
    broadcast to its operand (``np.sum``'s is its result's adjoint), or
    carry the axes its operand was broadcast along, summed here."""
    if not isinstance(number, float) and getattr(number, "shape", None) is None:
        return adjoint  # a list's, a tuple's, an int's
    import numpy

    shape = numpy.shape(number)
    if numpy.shape(adjoint) != shape:
        adjoint = sum_to_shape(adjoint, number)
        if numpy.shape(adjoint) != shape:
            adjoint = numpy.broadcast_to(adjoint, shape).copy()
    return float(adjoint) if isinstance(number, float) else adjoint
