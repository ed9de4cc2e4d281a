"""Activity analysis: which values need derivative code.

A value is *varied* if it depends on a ``wrt`` input through ops whose
derivative is not zero, and *useful* if the output depends on it. Only
values that are both (active) get adjoints; everything else (constants,
inputs not in ``wrt``, the result of ``//``) costs nothing in the generated
derivative.

The analysis fails closed: an op on a path from ``wrt`` to the output must
be a primitive with one result, no regions, and either a VJP rule or a
derivative declared zero (``Primitive.zero_derivative``). Anything else
(an op with several results, one owning regions, a primitive without
rules, a definition that is not a primitive) is refused, never skipped into
a silent zero. Ops off every such path need no rule.
"""

from __future__ import annotations

from collections.abc import Iterable

from srcgrad.errors import DifferentiationError
from srcgrad.ir import Block, Function, Op, Value, walk
from srcgrad.primitives import Primitive


def active_values(function: Function, wrt: Iterable[Value]) -> frozenset[Value]:
    """Values on a differentiable path from ``wrt`` to the output.

    Raises:
        DifferentiationError: an op on such a path is one reverse mode does
            not understand (see the module docstring); the message names it
            and its source location.
    """
    varied = _varied(function.entry, set(wrt))
    useful = reaching_output(function)
    for op in walk(function.entry):
        on_path = _reads_varied(op, varied) and _feeds_output(op, useful)
        if on_path and not has_zero_derivative(op):
            check_differentiable(op)
    return frozenset(varied & useful)


def reaching_output(function: Function) -> set[Value]:
    """The values the output depends on (and those a terminator uses)."""
    return _useful(function.entry)


def has_zero_derivative(op: Op) -> bool:
    """``op`` is a primitive whose derivative is zero by declaration (``//``)."""
    return isinstance(op.definition, Primitive) and op.definition.zero_derivative


def check_differentiable(op: Op) -> Primitive:
    """``op``'s primitive, if reverse mode can apply its VJP rule.

    Raises:
        DifferentiationError: ``op`` has several results, owns regions, has
            no VJP rule, or is not a primitive at all.
    """
    definition = op.definition
    if op.regions:
        reason = "owns regions, which reverse mode does not handle yet"
    elif len(op.results) != 1:
        reason = f"has {len(op.results)} results; reverse mode handles one"
    elif not isinstance(definition, Primitive):
        reason = "is not a primitive, so it has no derivative rule"
    elif definition.opaque:
        raise DifferentiationError(
            f"no derivative rule for {op.attributes.get('display', definition.name)};"
            " it lies between wrt and "
            "the output, and srcgrad differentiates the math and NumPy "
            "functions it has rules for (listed in the reference)",
            op.loc,
        )
    elif definition.vjp is None:
        reason = "has no derivative rule (VJP) and no declared zero derivative"
    else:
        return definition
    raise DifferentiationError(
        f"op {op.name!r} lies between wrt and the output but {reason}", op.loc
    )


def _varied(block: Block, varied: set[Value]) -> set[Value]:
    # Conservative: every op but a declared-zero one passes variation on, so
    # an op nobody understands is found on the path instead of cutting it.
    for op in walk(block):
        if not has_zero_derivative(op) and _reads_varied(op, varied):
            varied.update(op.results)
    return varied


def _reads_varied(op: Op, varied: set[Value]) -> bool:
    if any(operand in varied for operand in op.operands):
        return True
    inner = (
        inner_op
        for region in op.regions
        for block in region.blocks
        for inner_op in walk(block)
    )
    return any(operand in varied for inner_op in inner for operand in inner_op.operands)


def _feeds_output(op: Op, useful: set[Value]) -> bool:
    if op.definition.is_terminator:
        return False
    return not op.definition.pure or any(result in useful for result in op.results)


def _useful(block: Block) -> set[Value]:
    useful: set[Value] = set()
    for op in reversed(list(walk(block))):
        if op.definition.is_terminator or any(
            result in useful for result in op.results
        ):
            useful.update(op.operands)
    return useful
