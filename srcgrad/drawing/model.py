"""A computational graph as srcgrad draws it: nodes, edges, clusters.

A node is a value of the function (an input, or what one operation
computes), an edge says that the value at its head is computed from the
value at its tail, and carries the local derivative of the head with
respect to the tail: ``z(i, j)`` in the textbook's notation. A cluster is a
loop (drawn once) or a branch. Values at a point (``--at``) are filled in
by ``srcgrad.drawing.evaluate``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

EdgeKind = Literal["data", "decides", "carried"]


@dataclass
class Node:
    """One value of the function.

    Attributes:
        id: the DOT identifier (``n3``).
        name: the source name of the value, else ``v<k>``.
        operation: how it is computed, as Python (``math.cos(v1)``), or
            ``input`` for an input of the function.
        cluster: the id of the loop or branch it is computed in, if any.
        wrt: an input differentiated with respect to.
        output: the value the function returns.
        value, adjoint: at the point drawn (``--at``); the adjoint is the
            derivative of the output with respect to this value.
        count: how many times it was computed at that point (in a loop).
    """

    id: str
    name: str
    operation: str
    cluster: str | None = None
    wrt: bool = False
    output: bool = False
    value: object = None
    adjoint: object = None
    count: int = 1


@dataclass
class Edge:
    """The head is computed from the tail.

    Attributes:
        derivative: the local derivative of the head with respect to the
            tail, as Python (``-math.sin(v1)``); for an array, what the
            head's adjoint ``g`` gives the tail's (``g @ W.T``). None for an
            edge that carries no derivative (a comparison, a condition).
        kind: ``data``; ``decides`` for a condition or a trip count, which
            carries no derivative; ``carried`` for a loop's value handed to
            its next step or out of the loop.
        note: what a ``carried`` edge hands on (``next step``), or which
            branch yields it.
        place: of a data edge, which of the head's operands (not counting
            constants) the tail is: ``a * a`` has an edge for each.
        value: the local derivative's value at the point drawn.
    """

    tail: str
    head: str
    derivative: str | None
    kind: EdgeKind = "data"
    note: str | None = None
    place: int | None = None
    value: object = None


@dataclass
class Cluster:
    """A loop or one branch of an ``if``, drawn as a box around its values.

    Attributes:
        label: as the source writes it (``for k in range(3)``, ``if x > 0``).
        parent: the cluster it is nested in, if any.
        trips: how many times a loop ran at the point drawn.
    """

    id: str
    label: str
    parent: str | None = None
    trips: int | None = None


@dataclass
class Graph:
    """A function's computational graph (see the module)."""

    name: str
    nodes: list[Node] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)
    clusters: list[Cluster] = field(default_factory=list)
    #: The point drawn, as ``name=value`` texts, if any.
    at: tuple[str, ...] = ()

    def node(self, id_: str) -> Node:
        """The node with the DOT identifier ``id_``."""
        for node in self.nodes:
            if node.id == id_:
                return node
        raise KeyError(id_)
