"""Algebraic identities, as rewrites of one op given its operands.

Each rule returns a simpler value equal to the op's result, or None. All
are exact in IEEE arithmetic up to the sign of zero and NaN propagation
(``0 * x = 0`` drops a NaN in ``x``, which for derivative code is the point):
``x + 0``, ``x * 1``, ``x ** 1``, ``x / 1``, ``x + (-y) = x - y``,
``-(-x) = x``, ``a * (1/b) = a / b``, scalings by powers of two merged
(``0.5 * (2 * t) = t``), and a sign inside a product absorbed by the sum
around it (``s + (-a) * b = s - a * b``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from srcgrad.ir import CONST, Builder, Value
from srcgrad.primitives import PRIMITIVES


@dataclass
class Rewriter:
    """Where rules build replacement ops, and how often each value is used."""

    builder: Builder
    use_counts: Mapping[Value, int]

    def op(self, name: str, *operands: Value) -> Value:
        attributes = {"namespace": "operator"}
        return self.builder.create(PRIMITIVES[name], operands, attributes).result

    def used_once(self, value: Value) -> bool:
        return self.use_counts.get(value, 0) == 1


Rewrite = Callable[[Rewriter, list[Value]], "Value | None"]


def constant_of(value: Value) -> float | int | None:
    """The number ``value`` is, if it is a constant."""
    op = value.defining_op
    if op is None or op.definition is not CONST:
        return None
    return op.attributes["value"]  # type: ignore[return-value]


def _is(value: Value, number: float) -> bool:
    constant = constant_of(value)
    return constant is not None and constant == number


def _negated(value: Value) -> Value | None:
    op = value.defining_op
    return (
        op.operands[0]
        if op is not None and op.definition is PRIMITIVES["neg"]
        else None
    )


def _add(r: Rewriter, operands: list[Value]) -> Value | None:
    x, y = operands
    if _is(y, 0):
        return x
    if _is(x, 0):
        return y
    if (inner := _negated(y)) is not None or (inner := _negated_product(r, y)):
        return r.op("sub", x, inner)
    if (inner := _negated(x)) is not None or (inner := _negated_product(r, x)):
        return r.op("sub", y, inner)
    return None


def _sub(r: Rewriter, operands: list[Value]) -> Value | None:
    x, y = operands
    if _is(y, 0):
        return x
    if _is(x, 0):
        return r.op("neg", y)
    if (inner := _negated(y)) is not None or (inner := _negated_product(r, y)):
        return r.op("add", x, inner)
    return None


def _mul(r: Rewriter, operands: list[Value]) -> Value | None:
    x, y = operands
    for one, other in ((x, y), (y, x)):
        if _is(one, 1):
            return other
        if _is(one, 0):
            return one
        if _is(one, -1):
            return r.op("neg", other)
    negated_x, negated_y = _negated(x), _negated(y)
    if negated_x is not None and negated_y is not None:
        return r.op("mul", negated_x, negated_y)
    for scale, other in ((x, y), (y, x)):
        if (divisor := _reciprocal(other)) is not None:
            return r.op("div", scale, divisor)  # a * (1/b) = a / b
        if (merged := _merge_scalings(r, scale, other)) is not None:
            return merged
    return None


def _merge_scalings(r: Rewriter, scale: Value, other: Value) -> Value | None:
    """``c1 * (c2 * t)`` as ``(c1*c2) * t`` where that is exact.

    Scaling by a power of two only changes the exponent, so the product of
    two such scalings rounds exactly as the scalings one after the other.
    """
    outer = constant_of(scale)
    inner_op = other.defining_op
    if outer is None or not _power_of_two(outer) or inner_op is None:
        return None
    if inner_op.definition is not PRIMITIVES["mul"]:
        return None
    for constant, rest in (inner_op.operands, reversed(inner_op.operands)):
        inner = constant_of(constant)
        if inner is not None and _power_of_two(inner):
            return r.op("mul", r.builder.const(outer * inner), rest)
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


def _div(r: Rewriter, operands: list[Value]) -> Value | None:
    x, y = operands
    if _is(y, 1):
        return x
    return None


def _negated_product(r: Rewriter, value: Value) -> Value | None:
    """``-value``, for a ``value`` that is a product or quotient with a
    negation inside (``(-a) * b * c``), rebuilt without it (``a * b * c``).

    Only through ops used once, so the rewrite adds no op: the sum that uses
    ``value`` absorbs the sign (``s + (-a) * b = s - a * b``). IEEE negation
    is exact, so no bit of the result changes.
    """
    op = value.defining_op
    if op is None or not r.used_once(value):
        return None
    if op.definition not in (PRIMITIVES["mul"], PRIMITIVES["div"]):
        return None
    x, y = op.operands
    if (positive := _negated(x)) is not None or (positive := _negated_product(r, x)):
        return r.op(op.definition.name, positive, y)
    if (positive := _negated(y)) is not None or (positive := _negated_product(r, y)):
        return r.op(op.definition.name, x, positive)
    return None


def _neg(r: Rewriter, operands: list[Value]) -> Value | None:
    return _negated(operands[0])


def _pow(r: Rewriter, operands: list[Value]) -> Value | None:
    x, y = operands
    if _is(y, 1):
        return x
    if _is(y, 0):
        return r.builder.const(1)
    return None


IDENTITIES: dict[str, Rewrite] = {
    "add": _add,
    "sub": _sub,
    "mul": _mul,
    "div": _div,
    "neg": _neg,
    "pow": _pow,
}
