"""Activity analysis: which values need derivative code.

A value is *varied* if it depends differentiably on a ``wrt`` input, and
*useful* if the output depends on it. Only values that are both (active)
get adjoints; everything else (constants, inputs not in ``wrt``, the
result of ``//``) costs nothing in the generated derivative.
"""

from __future__ import annotations

from collections.abc import Iterable

from srcgrad.ir import Block, Function, Value, walk


def active_values(function: Function, wrt: Iterable[Value]) -> frozenset[Value]:
    """Values on a differentiable path from ``wrt`` to the output."""
    varied = _varied(function.entry, set(wrt))
    useful = _useful(function.entry)
    return frozenset(varied & useful)


def _varied(block: Block, varied: set[Value]) -> set[Value]:
    for op in walk(block):
        differentiable = getattr(op.definition, "differentiable", False)
        if differentiable and any(operand in varied for operand in op.operands):
            varied.update(op.results)
    return varied


def _useful(block: Block) -> set[Value]:
    useful: set[Value] = set()
    for op in reversed(list(walk(block))):
        if op.definition.is_terminator or any(
            result in useful for result in op.results
        ):
            useful.update(op.operands)
    return useful
