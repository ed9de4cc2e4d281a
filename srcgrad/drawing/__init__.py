"""Computational graphs of the user's functions, drawn from their IR.

``draw`` makes a function's ``Graph`` (``build``) and, at a point, fills in
its values, adjoints and local derivatives (``evaluate``); ``dot`` writes
it in Graphviz's language and ``picture`` renders it. ``srcgrad graph``
and ``srcgrad.graph`` are its two doors.
"""

from __future__ import annotations

from collections.abc import Sequence

from srcgrad.drawing.build import graph_of
from srcgrad.drawing.evaluate import ReadGlobal, annotate
from srcgrad.drawing.model import Graph
from srcgrad.ir import Program
from srcgrad.passes import cse, dce
from srcgrad.passes.inline import inline_calls
from srcgrad.passes.lists import resolve_lists
from srcgrad.passes.none_values import refuse_none_as_number
from srcgrad.passes.specialise import type_per_call
from srcgrad.passes.types import Signature

#: Inline every call a graph meets, whatever its callee's size.
_EVERY = 1 << 30


def draw(
    program: Program,
    wrt: tuple[str, ...],
    signature: Signature,
    at: Sequence[object] | None = None,
    read_global: ReadGlobal | None = None,
) -> Graph:
    """The graph of ``program``'s entry, its inputs ``wrt`` marked; at the
    point ``at`` (a value per parameter, globals read by ``read_global``),
    with its values, adjoints and local derivatives.

    The IR is typed for ``signature``, every call to a function of the
    user's that is not recursive written out (its operations are drawn
    where it is called) and equal subexpressions merged, nothing else:
    each node is an operation the source writes.
    """
    refuse_none_as_number(program)
    type_per_call(program, signature)
    if resolve_lists(program):
        type_per_call(program, signature)
    if len(program.functions) > 1 and inline_calls(program, limit=_EVERY):
        type_per_call(program, signature)  # each copy as its call passes
    function = program.entry_function
    cse(function)
    dce(function)
    drawn = graph_of(function, wrt)
    if at is not None:
        assert read_global is not None
        annotate(drawn.graph, function, drawn.ids, drawn.loops, at, read_global)
    return drawn.graph
