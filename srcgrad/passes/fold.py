"""Constant folding and algebraic identities.

Derivative rules are written generally (``g * (y * x**(y - 1))``) and the
seed of reverse mode is ``1.0``; this pass turns what that produces for
concrete programs into what a person would write (``2 * x``): it evaluates
ops on constants and applies ``x*1 = x``, ``x+0 = x``, ``0*x = 0``,
``x**1 = x``, ``x + (-y) = x - y``, ``a * (1/b) = a / b`` and friends,
and merges scalings by powers of two (``0.5 * (2 * t) = t``, exactly).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from srcgrad.ir import CONST, Builder, Function, Op, Value
from srcgrad.ir.core import Block
from srcgrad.primitives import PRIMITIVES, Primitive

_Rewrite = Callable[[Builder, list[Value]], "Value | None"]


def fold(function: Function) -> bool:
    """Fold constants and simplify identities; True if anything changed."""
    return _fold_block(function.entry, {})


def _fold_block(block: Block, replacements: dict[Value, Value]) -> bool:
    changed = False
    old_ops, block.ops = block.ops, []
    builder = Builder(block)
    for op in old_ops:
        op.operands = [replacements.get(operand, operand) for operand in op.operands]
        for region in op.regions:
            for inner in region.blocks:
                changed |= _fold_block(inner, replacements)
        first_new = len(block.ops)
        with builder.at(op.loc):
            simpler = _simplify(builder, op)
        if simpler is None:
            block.append(op)
            continue
        if simpler.name_hint is None and simpler.defining_op in block.ops[first_new:]:
            simpler.name_hint = op.result.name_hint
        replacements[op.result] = simpler
        changed = True
    return changed


def _simplify(builder: Builder, op: Op) -> Value | None:
    """A value equal to ``op``'s result built from fewer ops, or None."""
    primitive = op.definition
    if not isinstance(primitive, Primitive) or len(op.results) != 1:
        return None
    constants = [_constant(operand) for operand in op.operands]
    if all(constant is not None for constant in constants):
        return _evaluate(builder, primitive, str(op.attributes["namespace"]), constants)
    rewrite = _IDENTITIES.get(primitive.name)
    return None if rewrite is None else rewrite(builder, op.operands)


def _constant(value: Value) -> float | int | None:
    op = value.defining_op
    if op is None or op.definition is not CONST:
        return None
    return op.attributes["value"]  # type: ignore[return-value]


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


def _is(value: Value, number: float) -> bool:
    constant = _constant(value)
    return constant is not None and constant == number


def _negated(value: Value) -> Value | None:
    op = value.defining_op
    return (
        op.operands[0]
        if op is not None and op.definition is PRIMITIVES["neg"]
        else None
    )


def _op(builder: Builder, name: str, *operands: Value) -> Value:
    return builder.create(PRIMITIVES[name], operands, {"namespace": "operator"}).result


def _add(builder: Builder, operands: list[Value]) -> Value | None:
    x, y = operands
    if _is(y, 0):
        return x
    if _is(x, 0):
        return y
    if (inner := _negated(y)) is not None:
        return _op(builder, "sub", x, inner)
    if (inner := _negated(x)) is not None:
        return _op(builder, "sub", y, inner)
    return None


def _sub(builder: Builder, operands: list[Value]) -> Value | None:
    x, y = operands
    if _is(y, 0):
        return x
    if _is(x, 0):
        return _op(builder, "neg", y)
    if (inner := _negated(y)) is not None:
        return _op(builder, "add", x, inner)
    return None


def _mul(builder: Builder, operands: list[Value]) -> Value | None:
    x, y = operands
    for one, other in ((x, y), (y, x)):
        if _is(one, 1):
            return other
        if _is(one, 0):
            return one
        if _is(one, -1):
            return _op(builder, "neg", other)
    negated_x, negated_y = _negated(x), _negated(y)
    if negated_x is not None and negated_y is not None:
        return _op(builder, "mul", negated_x, negated_y)
    for scale, other in ((x, y), (y, x)):
        if (divisor := _reciprocal(other)) is not None:
            return _op(builder, "div", scale, divisor)  # a * (1/b) = a / b
        if (merged := _merge_scalings(builder, scale, other)) is not None:
            return merged
    return None


def _merge_scalings(builder: Builder, scale: Value, other: Value) -> Value | None:
    """``c1 * (c2 * t)`` as ``(c1*c2) * t`` where that is exact.

    Scaling by a power of two only changes the exponent, so the product of
    two such scalings rounds exactly as the scalings one after the other.
    """
    outer = _constant(scale)
    inner_op = other.defining_op
    if outer is None or not _power_of_two(outer) or inner_op is None:
        return None
    if inner_op.definition is not PRIMITIVES["mul"]:
        return None
    for constant, rest in (inner_op.operands, reversed(inner_op.operands)):
        inner = _constant(constant)
        if inner is not None and _power_of_two(inner):
            return _op(builder, "mul", builder.const(outer * inner), rest)
    return None


def _power_of_two(number: float | int) -> bool:
    return number != 0 and math.isfinite(number) and math.frexp(abs(number))[0] == 0.5


def _reciprocal(value: Value) -> Value | None:
    op = value.defining_op
    if (
        op is None
        or op.definition is not PRIMITIVES["div"]
        or not _is(op.operands[0], 1)
    ):
        return None
    return op.operands[1]


def _div(builder: Builder, operands: list[Value]) -> Value | None:
    x, y = operands
    if _is(y, 1):
        return x
    return None


def _neg(builder: Builder, operands: list[Value]) -> Value | None:
    return _negated(operands[0])


def _pow(builder: Builder, operands: list[Value]) -> Value | None:
    x, y = operands
    if _is(y, 1):
        return x
    if _is(y, 0):
        return builder.const(1)
    return None


_IDENTITIES: dict[str, _Rewrite] = {
    "add": _add,
    "sub": _sub,
    "mul": _mul,
    "div": _div,
    "neg": _neg,
    "pow": _pow,
}
