"""A ``Graph`` as Graphviz's DOT language.

Each node's label is its name and its operation, and at a point its value
and adjoint; each edge's, its local derivative (and its value at the
point). Inputs are ellipses (filled where they are differentiated), the
output is drawn twice round, what decides a branch or a loop is a dashed
edge to the cluster's header. The text is plain DOT: ``dot -Tsvg`` draws
it, and any DOT reader parses it.
"""

from __future__ import annotations

from srcgrad.drawing.model import Cluster, Edge, Graph, Node


def to_dot(graph: Graph) -> str:
    """``graph`` in the DOT language (see the module)."""
    title = f"{graph.name}"
    if graph.at:
        title += " at " + ", ".join(graph.at)
    lines = [
        f"digraph {_quoted(graph.name)} {{",
        "  rankdir=LR;",
        f"  label={_quoted(title)}; labelloc=t;",
        '  node [shape=box, style=rounded, fontname="Helvetica"];',
        '  edge [fontname="Helvetica", fontsize=10];',
    ]
    children: dict[str | None, list[Cluster]] = {}
    for cluster in graph.clusters:
        children.setdefault(cluster.parent, []).append(cluster)
    members: dict[str | None, list[Node]] = {}
    for node in graph.nodes:
        members.setdefault(node.cluster, []).append(node)
    lines += _contents(None, children, members, "  ")
    lines += [f"  {_edge(edge)}" for edge in graph.edges]
    lines.append("}")
    return "\n".join(lines) + "\n"


def _contents(
    cluster: str | None,
    children: dict[str | None, list[Cluster]],
    members: dict[str | None, list[Node]],
    indent: str,
) -> list[str]:
    lines = [f"{indent}{_node(node)}" for node in members.get(cluster, [])]
    for child in children.get(cluster, []):
        inside = _contents(child.id, children, members, indent + "  ")
        if not inside:
            continue  # an else that computes nothing
        label = child.label
        if child.trips is not None:
            label += f"  ({child.trips} {'step' if child.trips == 1 else 'steps'})"
        lines.append(f"{indent}subgraph {child.id} {{")
        lines.append(f'{indent}  label={_quoted(label)}; style="rounded,dashed";')
        lines += inside
        lines.append(f"{indent}}}")
    return lines


def node_label(node: Node) -> str:
    """What a node says: its name and operation, and at a point its value
    and adjoint."""
    if not node.name:  # a cluster's header: what decides it
        return node.operation
    if node.operation == "(input)":
        parts = [node.name]
    elif node.operation.startswith("("):  # what it is, not how it is computed
        parts = [node.name, node.operation]
    else:
        parts = [f"{node.name} = {node.operation}"]
    if node.value is not None:
        shown = _number(node.value)
        if node.count > 1:
            shown += f"  (last of {node.count})"
        parts.append(f"value {shown}")
    if node.adjoint is not None:
        parts.append(f"adjoint {_number(node.adjoint)}")
    return "\n".join(parts)


def edge_label(edge: Edge) -> str:
    """What an edge says: its local derivative (and its value), or what a
    carried edge hands on."""
    parts = []
    if edge.kind == "carried" and edge.note:
        parts.append(edge.note)
    elif edge.derivative is not None:
        parts.append(edge.derivative)
    if edge.value is not None and not _is_number(edge.derivative):
        parts.append(f"= {_number(edge.value)}")
    return "\n".join(parts)


def _node(node: Node) -> str:
    attributes = [f"label={_quoted(node_label(node))}"]
    if not node.name:
        attributes.append('shape=plaintext, fontcolor="#666666", fontsize=10')
    elif node.operation == "(input)":
        attributes.append("shape=ellipse")
        if node.wrt:
            attributes.append('style=filled, fillcolor="#dbe9f6"')
    if node.output:
        attributes.append("peripheries=2")
    return f"{node.id} [{', '.join(attributes)}];"


def _edge(edge: Edge) -> str:
    attributes = [f"label={_quoted(edge_label(edge))}"]
    if edge.kind == "decides":
        attributes.append('style=dashed, color="#888888"')
    elif edge.kind == "carried":
        attributes.append('color="#4a7ab5"')
    return f"{edge.tail} -> {edge.head} [{', '.join(attributes)}];"


def _is_number(text: str | None) -> bool:
    """``text`` is a number written out (``1.0``): its value says no more."""
    try:
        float(text or "")
    except ValueError:
        return False
    return True


def _number(value: object) -> str:
    """A value as a label shows it: 6 digits; an array by its shape and a
    few of its items."""
    shape = getattr(value, "shape", None)
    if isinstance(value, float) or shape == ():  # a 0-d array too
        return f"{float(value):.6g}"  # type: ignore[arg-type]
    if shape is not None and len(shape):
        import numpy

        items = numpy.array2string(
            numpy.asarray(value), precision=4, threshold=6, edgeitems=2
        )
        size = "x".join(str(n) for n in shape)
        return f"({size}) {' '.join(items.split())}"
    return str(value)


def _quoted(text: str) -> str:
    """``text`` as a DOT string: quotes and backslashes escaped, each line
    break a centred one."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + escaped.replace("\n", "\\n") + '"'
