"""A function's IR as a computational graph (``srcgrad.drawing.model``).

The IR is the function's own, typed, with equal subexpressions merged
(CSE) and unused values dropped, but not otherwise simplified: each node is
an operation the source writes, and a subexpression written twice is one
node. Constants are written into the operations that read them. A loop is
drawn once, as a cluster holding its body, whose values flow to the next
step and out of the loop along ``carried`` edges; an ``if`` is a cluster
with a cluster per branch. What decides a branch or a trip count reaches
the cluster's header along a ``decides`` edge, which carries no derivative.
"""

from __future__ import annotations

from dataclasses import dataclass

from srcgrad.drawing.local import differentiable, local_derivatives, operation_text
from srcgrad.drawing.model import Cluster, Edge, Graph, Node
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
    branch_yields,
    callee_of,
    is_call,
    loop_parts,
    walk,
)


@dataclass
class Drawn:
    """A function's graph, and where each of its values and loops is in it."""

    graph: Graph
    #: The node of each value drawn.
    ids: dict[Value, str]
    #: The cluster of each loop.
    loops: dict[Op, str]


def graph_of(function: Function, wrt: tuple[str, ...]) -> Drawn:
    """The computational graph of ``function`` (typed and merged, see the
    module), its inputs ``wrt`` marked."""
    drawing = _Drawing(function, wrt)
    return Drawn(drawing.graph, drawing.ids, drawing.loops)


class _Drawing:
    def __init__(self, function: Function, wrt: tuple[str, ...]) -> None:
        self.graph = Graph(function.name)
        self.names: dict[Value, str] = {}
        self.ids: dict[Value, str] = {}
        self.loops: dict[Op, str] = {}
        self.unnamed = 0
        #: Every name the source uses: a value named twice (``s`` in a
        #: loop) is ``s``, then ``s_1``, ``s_2``, ... unless the source
        #: uses those, as ``v1``, ``v2``, ... name what it does not name.
        self.taken: set[str] = {
            value.name_hint
            for op in walk(function.entry)
            for value in op.results
            if value.name_hint
        } | {parameter.name for parameter in function.parameters}
        self.given: set[str] = set()
        for parameter, value in zip(
            function.parameters, function.arguments, strict=True
        ):
            node = self._node(value, "(input)", None, name=parameter.name)
            node.wrt = parameter.name in wrt
        self._block(function.entry, None)
        terminator = function.entry.terminator
        assert terminator is not None
        for returned in terminator.operands:
            if returned in self.ids:
                self.graph.node(self.ids[returned]).output = True

    # -- nodes -------------------------------------------------------------
    def _node(
        self, value: Value, operation: str, cluster: str | None, name: str | None = None
    ) -> Node:
        if name is None:
            name = self._name(value)
        elif name:
            self.given.add(name)
        self.names[value] = name
        self.ids[value] = f"n{len(self.graph.nodes)}"
        node = Node(self.ids[value], name, operation, cluster)
        self.graph.nodes.append(node)
        return node

    def _name(self, value: Value) -> str:
        """The source's name of ``value``, made unique (see ``taken``)."""
        hint = value.name_hint
        if hint and hint.isidentifier():
            name, count = hint, 0
            while name in self.given or (count and name in self.taken):
                count += 1
                name = f"{hint}_{count}"
        else:
            while True:
                self.unnamed += 1
                name = f"v{self.unnamed}"
                if name not in self.taken:
                    break
        self.given.add(name)
        return name

    def _edge(
        self,
        tail: Value,
        head: Value,
        derivative: str | None,
        kind: str = "data",
        note: str | None = None,
        place: int | None = None,
    ) -> None:
        if tail in self.ids and head in self.ids:
            edge = Edge(self.ids[tail], self.ids[head], derivative, kind, note, place)  # type: ignore[arg-type]
            self.graph.edges.append(edge)

    def _cluster(self, label: str, parent: str | None) -> str:
        cluster = Cluster(f"cluster_{len(self.graph.clusters)}", label, parent)
        self.graph.clusters.append(cluster)
        return cluster.id

    def _header(self, cluster: str, label: str) -> Value:
        """A node for what decides the cluster (a condition, a trip count)."""
        header = Value(None)
        self._node(header, label, cluster, name="")
        return header

    # -- ops ---------------------------------------------------------------
    def _block(self, block: Block, cluster: str | None) -> None:
        for op in block.ops:
            if op.definition.is_terminator or op.definition in (
                CONST,
                EVALUATE,
                CHECK_REAL,
                UNDEF,
            ):
                continue
            if op.definition is IF:
                self._if(op, cluster)
            elif op.definition in (FOR, WHILE):
                self._loop(op, cluster)
            elif op.results:
                self._operation(op, cluster)

    def _operation(self, op: Op, cluster: str | None) -> None:
        for result in op.results:
            self._node(result, "", cluster)
        first = self.graph.node(self.ids[op.results[0]])
        if op.definition is GLOBAL:
            custom = op.attributes.get("custom")
            first.operation = "(its own rules)" if custom else "(global)"
            return
        if op.definition is PACK:  # a tuple: each item carried into it
            items = ", ".join(self.names.get(v, "…") for v in op.operands)
            first.operation = f"({items},)" if len(op.operands) == 1 else f"({items})"
            for position, operand in enumerate(op.operands):
                self._edge(
                    operand, op.results[0], "1", "carried", note=f"item {position}"
                )
            return
        if op.definition is UNPACK:  # a tuple's items, each a node
            packed = self.names.get(op.operands[0], "…")
            for position, result in enumerate(op.results):
                self.graph.node(self.ids[result]).operation = f"{packed}[{position}]"
                self._edge(
                    op.operands[0], result, "1", "carried", note=f"item {position}"
                )
            return
        if is_call(op):
            arguments = ", ".join(self.names.get(v, "…") for v in op.operands)
            first.operation = f"{callee_of(op)}({arguments})"
            for operand in op.operands:
                callee = callee_of(op)
                partial = f"∂{callee}/∂{self.names.get(operand, '')}"
                self._edge(operand, op.results[0], partial)
            return
        try:
            first.operation = operation_text(op, self.names)
        except Exception:  # an op written only in context (a tuple's item)
            first.operation = op.definition.name
        derivatives = local_derivatives(op, self.names)
        kind = "data" if differentiable(op) else "decides"  # a comparison's
        place = 0
        for operand, derivative in zip(op.operands, derivatives, strict=True):
            maker = operand.defining_op
            if maker is not None and maker.definition is CONST:
                continue  # written into the operation
            if not (maker is not None and maker.attributes.get("custom")):
                # an edge per place read: a * a has two (not from the
                # function a custom rule is read from)
                self._edge(operand, op.results[0], derivative, kind, place=place)
            place += 1

    def _if(self, op: Op, cluster: str | None) -> None:
        label = _source_text(op, "if")
        outer = self._cluster(label, cluster)
        header = self._header(outer, "which branch")
        self._edge(op.operands[0], header, None, "decides")
        branches = []
        for region, side in zip(op.regions, ("then", "else"), strict=True):
            inner = self._cluster(side, outer)
            self._block(region.block, inner)
            branches.append(side)
        for result in op.results:
            self._node(result, "(the branch taken)", cluster)
        for yields, side in zip(branch_yields(op), branches, strict=True):
            for result, value in zip(op.results, yields, strict=True):
                self._edge(value, result, "1", "carried", note=side)

    def _loop(self, op: Op, cluster: str | None) -> None:
        parts = loop_parts(op)
        label = _source_text(op, "for" if op.definition is FOR else "while")
        inner = self._cluster(label, cluster)
        self.loops[op] = inner
        header = self._header(inner, "how many steps")
        if parts.iterable is not None:
            self._edge(parts.iterable, header, None, "decides")
            for target in parts.targets:
                self._node(target, "(item)", inner)
                self._edge(parts.iterable, target, None, "carried", note="item")
        for carried, init in zip(parts.carried, parts.inits, strict=True):
            self._node(carried, "(at the start of a step)", inner)
            self._edge(init, carried, "1", "carried", note="first step")
        if parts.condition is not None:
            for argument, carried in zip(
                parts.condition.arguments, parts.carried, strict=True
            ):
                self.names[argument] = self.names[carried]
                self.ids[argument] = self.ids[carried]
            self._block(parts.condition, inner)
            condition = parts.condition.terminator
            assert condition is not None
            self._edge(condition.operands[0], header, None, "decides")
        self._block(parts.body, inner)
        for carried, value in zip(parts.carried, parts.yields, strict=True):
            self._edge(value, carried, "1", "carried", note="next step")
        for result, carried in zip(parts.results, parts.carried, strict=True):
            self._node(result, "(after the loop)", cluster)
            self._edge(carried, result, "1", "carried", note="when it ends")


def _source_text(op: Op, keyword: str) -> str:
    """The line of source that writes ``op`` (``for k in range(3)``)."""
    loc = op.loc
    if loc is None:
        return keyword
    text = loc.text.strip().rstrip(":")
    return text if text.startswith(keyword) else keyword
