"""What the rules of ``srcgrad.passes.algebra`` read of a term: constants,
signs and the ops that make values, and the ``Rewriter`` they build with."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from srcgrad.ir import CONST, Builder, Op, Value
from srcgrad.primitives import PRIMITIVES

MUL, DIV, NEG = PRIMITIVES["mul"], PRIMITIVES["div"], PRIMITIVES["neg"]


@dataclass
class Rewriter:
    """Where rules build replacement ops, and how often each value is used."""

    builder: Builder
    use_counts: Mapping[Value, int]

    def op(self, name: str, *operands: Value) -> Value:
        attributes = {"namespace": "operator"}
        return self.builder.create(PRIMITIVES[name], operands, attributes).result

    def const(self, value: float | int) -> Value:
        return self.builder.const(value)

    def used_once(self, value: Value) -> bool:
        return self.use_counts.get(value, 0) == 1


def constant_of(value: Value) -> float | int | None:
    """The number ``value`` is, if it is a constant."""
    op = value.owner  # its defining op, if an op (asked of every operand)
    if not isinstance(op, Op) or op.definition is not CONST:
        return None
    return op.attributes["value"]  # type: ignore[return-value]


def is_number(value: Value, number: float) -> bool:
    constant = constant_of(value)
    return constant is not None and constant == number


def negative_constant(value: Value) -> float | int | None:
    """``-c`` for a constant ``c`` written with a minus sign (``-6.67e-11``)."""
    constant = constant_of(value)
    if isinstance(constant, bool) or not isinstance(constant, (int, float)):
        return None
    if isinstance(constant, float) and math.isnan(constant):
        return None
    return -constant if math.copysign(1, constant) < 0 else None


def negation_operand(value: Value) -> Value | None:
    """``x`` for a ``value`` that is ``-x``."""
    op = value.defining_op
    if op is not None and op.definition is NEG:
        return op.operands[0]
    return None


def is_negation(value: Value) -> bool:
    """``value`` is ``-x`` or a negative constant."""
    return negation_operand(value) is not None or negative_constant(value) is not None


def sign_path(r: Rewriter, value: Value) -> list[tuple[Op, int]] | None:
    """Where ``value`` carries a sign it can give away, or None.

    ``value`` carries one if it is a negation or a negative constant, or a
    product or quotient used once with such a factor, at any depth
    (``(-a) * b``, ``a / b * -2.0``). The path lists the ops from ``value``
    down to that factor, each with the operand to follow; it is empty if
    ``value`` itself is the negation. Found before anything is built, so a
    rule that does not apply leaves no dead op behind (which would keep the
    pipeline from a fixed point); walked with a stack, so a product of a
    thousand factors needs no deep recursion.
    """
    stack: list[tuple[Value, list[tuple[Op, int]]]] = [(value, [])]
    while stack:
        candidate, path = stack.pop()
        if is_negation(candidate):
            return path
        op = candidate.defining_op
        if op is not None and op.definition in (MUL, DIV) and r.used_once(candidate):
            # Pushed right first, so the left factor is searched first.
            for index in (1, 0):
                stack.append((op.operands[index], [*path, (op, index)]))
    return None


def carries_sign(r: Rewriter, value: Value) -> bool:
    """``value`` is ``-v`` for a ``v`` that can be built without a negation."""
    return sign_path(r, value) is not None


def without_sign(r: Rewriter, value: Value) -> Value:
    """``-value`` for a ``value`` that ``carries_sign``, with no negation.

    A product or quotient absorbs the sign into the factor that has one; it
    was used once, so the rewrite adds no op: the sum or negation around it
    absorbs the sign (``s + (-a) * b = s - a * b``, ``-((-a) * b) = a * b``).
    """
    path = sign_path(r, value)
    assert path is not None
    leaf = path[-1][0].operands[path[-1][1]] if path else value
    if (operand := negation_operand(leaf)) is not None:
        rebuilt = operand
    else:
        positive = negative_constant(leaf)
        assert positive is not None
        rebuilt = r.const(positive)
    for op, index in reversed(path):
        operands = list(op.operands)
        operands[index] = rebuilt
        rebuilt = r.op(op.definition.name, *operands)
    return rebuilt


def made_by(value: Value) -> object:
    """The definition of the op that made ``value`` (None for an argument)."""
    op = value.owner
    return op.definition if isinstance(op, Op) else None


Rewrite = Callable[[Rewriter, list[Value]], "Value | None"]
