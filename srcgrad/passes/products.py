"""The rules of ``srcgrad.passes.algebra`` for products and quotients:
ones and zeros, signs moved out, scalings by constants merged, and a
division by a scaled divisor cancelled."""

from __future__ import annotations

import math
import sys

from srcgrad.ir import CONST, Value
from srcgrad.ir.types import Array
from srcgrad.passes.terms import (
    DIV,
    MUL,
    NEG,
    Rewriter,
    constant_of,
    is_negation,
    is_number,
    made_by,
    without_sign,
)


def mul(r: Rewriter, operands: list[Value]) -> Value | None:
    x, y = operands
    # Each rule needs a constant or a quotient among the factors, or two
    # products or two negations: asked first, as most products have none.
    first, second = made_by(x), made_by(y)
    if not (
        CONST in (first, second)
        or DIV in (first, second)
        or (first is second and first in (MUL, NEG))
    ):
        return None
    for one, other in ((x, y), (y, x)):
        number = constant_of(one)
        if number is None:
            continue
        if number == 1:
            return other
        if number == 0:
            return one  # a structural zero: drops a NaN in ``other``
        if number == -1:
            return r.op("neg", other)
    if is_negation(x) and is_negation(y):
        return r.op("mul", without_sign(r, x), without_sign(r, y))
    if (merged := _merge_scaled_factors(r, x, y)) is not None:
        return merged
    for quotient, other in ((x, y), (y, x)):
        if (cancelled := _cancel_scaled_divisor(r, quotient, other)) is not None:
            return cancelled
    for scale, other in ((x, y), (y, x)):
        if (divisor := _reciprocal(r, other)) is not None:
            return r.op("div", scale, divisor)  # a * (1/b) = a / b
        if (merged := _merge_scalings(r, scale, other)) is not None:
            return merged
        if (moved := _scale_first_factor(r, scale, other)) is not None:
            return moved
    return None


def _cancel_scaled_divisor(r: Rewriter, quotient: Value, other: Value) -> Value | None:
    """``a / (c * b) * (c * d)`` as ``a / b * d``, for a power of two ``c``.

    The chain rule through ``sqrt(t**2 + ...)`` gives ``r_bar / (2 * r)``
    times ``2 * t``; a person cancels the twos. Scaling by a power of two
    only moves the exponent, so this rounds as the original does unless a
    scaled value overflows or underflows. ``quotient`` may be shared (the
    new ``a / b`` is then shared by CSE); ``c * d`` is rebuilt as ``d``.
    """
    op = quotient.defining_op
    if op is None or op.definition is not DIV:
        return None
    numerator, divisor = op.operands
    below, above = _scaling(divisor), _scaling(other)
    if below is None or above is None or below[0] != above[0]:
        return None
    return r.op("mul", r.op("div", numerator, below[1]), above[1])


def _scale_first_factor(r: Rewriter, scale: Value, other: Value) -> Value | None:
    """``c * (p * q)`` as ``(c * p) * q``, for a power of two ``c`` and a
    product used once: the scaling joins the first factor, where it merges
    with a scaling there (``2 * (2 * d * c) = 4 * d * c``) and reads as a
    coefficient. Exact but where ``p * q`` or ``c * p`` overflows."""
    number = constant_of(scale)
    op = other.defining_op
    if number is None or not _power_of_two(number) or op is None:
        return None
    if op.definition is not MUL or not r.used_once(other):
        return None
    p, q = op.operands
    if constant_of(p) is not None or constant_of(q) is not None:
        return None
    return r.op("mul", r.op("mul", scale, p), q)


def _merge_scalings(r: Rewriter, scale: Value, other: Value) -> Value | None:
    """``c1 * (c2 * t)`` as ``(c1*c2) * t``, for a power of two ``c2`` (and
    ``c1`` a power of two whose product with it is one too, or any number).

    Scaling by a power of two only changes the exponent, so the merged
    scaling rounds as the two did, unless ``c2 * t`` overflowed or lost bits
    to underflow (then the merged one is the closer of the two).
    """
    outer = constant_of(scale)
    if outer is None or isinstance(outer, bool) or (inner := _scaling(other)) is None:
        return None
    if _power_of_two(outer):
        merged = _product(outer, inner[0])
    else:
        # c2 * t is exact (c2 a power of two), so c1 * (c2 * t) rounds once,
        # as (c1 * c2) * t does: 100.0 * (2 * d) is 200.0 * d.
        merged = outer * inner[0]
        if not math.isfinite(merged) or merged == 0:
            return None
    return None if merged is None else r.op("mul", r.const(merged), inner[1])


def _scaling(value: Value) -> tuple[float | int, Value] | None:
    """``(c, t)`` for a ``value`` that is ``c * t``, ``c`` a power of two."""
    op = value.defining_op
    if op is None or op.definition is not MUL:
        return None
    for constant, rest in (op.operands, reversed(op.operands)):
        scale = constant_of(constant)
        if scale is not None and _power_of_two(scale):
            return scale, rest
    return None


def _scaled(r: Rewriter, value: Value) -> tuple[float | int, Value] | None:
    """``_scaling`` of a ``value`` used once (so rewriting it adds no op)."""
    return _scaling(value) if r.used_once(value) else None


def _merge_scaled_factors(r: Rewriter, x: Value, y: Value) -> Value | None:
    """``(a * c1) * (c2 * b)`` as ``(c1*c2) * (a * b)``, or ``a * b`` when
    ``c1 * c2 = 1`` (``t * 0.5 * (2 * s) = t * s``), as ``_merge_scalings``."""
    if (left := _scaled(r, x)) is None or (right := _scaled(r, y)) is None:
        return None
    merged = _product(left[0], right[0])
    if merged is None:
        return None
    product = r.op("mul", left[1], right[1])
    return product if merged == 1 else r.op("mul", r.const(merged), product)


def _product(a: float | int, b: float | int) -> float | int | None:
    """``a * b`` as Python computes it, if that is a power of two again."""
    try:
        product = a * b
    except OverflowError:
        return None
    return product if _power_of_two(product) else None


def _power_of_two(number: float | int) -> bool:
    """``number`` is ``±2**k``: a normal float, or an int of any size."""
    if isinstance(number, bool):
        return False
    if isinstance(number, int):
        magnitude = abs(number)
        return magnitude != 0 and magnitude & (magnitude - 1) == 0
    if not isinstance(number, float) or not math.isfinite(number):
        return False
    return abs(number) >= sys.float_info.min and math.frexp(number)[0] in (0.5, -0.5)


def _reciprocal(r: Rewriter, value: Value) -> Value | None:
    """``b`` for a ``value`` that is ``1/b``, if ``a * value`` is better
    written ``a / b``: where ``1/b`` is then no longer computed, or is a
    number. An array's reciprocal that is computed anyway (the primal's
    ``p = 1.0 / t``) is multiplied by, which NumPy does faster than it
    divides."""
    op = value.defining_op
    if op is None or op.definition is not DIV or not is_number(op.operands[0], 1):
        return None
    if isinstance(value.type, Array) and not r.used_once(value):
        return None
    return op.operands[1]


def div(r: Rewriter, operands: list[Value]) -> Value | None:
    x, y = operands
    if is_number(y, 1):
        return x
    reciprocal = y.defining_op
    if (
        isinstance(y.type, Array)
        and reciprocal is not None
        and reciprocal.definition is DIV
        and is_number(reciprocal.operands[0], 1)
    ):
        # a / (1/b) = a * b, rounded once, and NumPy multiplies faster than
        # it divides (a number's 1/0 raises, where a * 0 would not).
        return r.op("mul", x, reciprocal.operands[1])
    return None
