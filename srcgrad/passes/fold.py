"""Constant folding and algebraic identities.

Derivative rules are written generally (``g * (y * x**(y - 1))``) and the
seed of reverse mode is ``1.0``; this pass turns what that produces for
concrete programs into what a person would write (``2 * x``): it evaluates
ops on constants and applies the identities of ``srcgrad.passes.algebra``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from srcgrad.ir import Block, Builder, Function, Op, Value, uses
from srcgrad.passes.algebra import IDENTITIES, Rewriter, constant_of
from srcgrad.primitives import Primitive


def fold(function: Function) -> bool:
    """Fold constants and simplify identities; True if anything changed."""
    use_counts = {value: len(users) for value, users in uses(function.entry).items()}
    return _fold_block(function.entry, {}, use_counts)


def _fold_block(
    block: Block, replacements: dict[Value, Value], use_counts: dict[Value, int]
) -> bool:
    changed = False
    old_ops, block.ops = block.ops, []
    rewriter = Rewriter(Builder(block), use_counts)
    for op in old_ops:
        op.operands = [replacements.get(operand, operand) for operand in op.operands]
        for region in op.regions:
            for inner in region.blocks:
                changed |= _fold_block(inner, replacements, use_counts)
        first_new = len(block.ops)
        # A rewrite's new ops are what the op was: a value of f, or a term.
        rewriter.builder.derivative = op.derivative
        with rewriter.builder.at(op.loc):
            simpler = _simplify(rewriter, op)
        if simpler is None:
            block.append(op)
            continue
        if simpler.name_hint is None and simpler.defining_op in block.ops[first_new:]:
            simpler.name_hint = op.result.name_hint
        replacements[op.result] = simpler
        changed = True
    return changed


def _simplify(rewriter: Rewriter, op: Op) -> Value | None:
    """A value equal to ``op``'s result built from fewer ops, or None."""
    primitive = op.definition
    if not isinstance(primitive, Primitive) or len(op.results) != 1:
        return None
    constants = [constant_of(operand) for operand in op.operands]
    if all(constant is not None for constant in constants):
        namespace = str(op.attributes["namespace"])
        return _evaluate(rewriter.builder, primitive, namespace, constants)
    rewrite = IDENTITIES.get(primitive.name)
    return None if rewrite is None else rewrite(rewriter, op.operands)


def _evaluate(
    builder: Builder, primitive: Primitive, namespace: str, args: Sequence[object]
) -> Value | None:
    try:
        result = primitive.evaluate(namespace, args)
    except (ArithmeticError, ValueError, TypeError):
        return None  # leave it to fail at run time, as the primal would
    if isinstance(result, bool) or not isinstance(result, (int, float)):
        return None
    if isinstance(result, float) and not math.isfinite(result):
        return None
    return builder.const(result)
