"""Algebraic identities on derivative terms, as rewrites of one op.

Each rule returns a simpler value equal to the op's result, or None. The
rules run only on derivative terms (``Op.derivative``), never on values the
user's code computes: none of them is exact for *every* number the primal
can see, and the user's values are kept bit for bit. Where each fails:

- ``x + 0 = x`` changes ``-0.0`` (``-0.0 + 0 = 0.0``); ``x + 0.0``,
  ``x - 0.0``, ``x * 1.0``, ``x / 1`` and ``x ** 1.0`` turn an int into a
  float (and raise ``OverflowError`` for a huge int); ``x * 1``, ``x ** 1``
  and ``-(-x)`` turn ``True`` into ``1``.
- ``0 * x = 0`` drops a NaN or an infinity in ``x`` and the sign of zero.
- Moving a sign (``x + (-y) = x - y``, ``(-a) * b = -(a * b)``) needs IEEE
  negation, which flips the sign of zero; an int 0 has no sign, so with
  ``y = 0`` and ``x = -0.0`` the two sides differ (``0.0`` and ``-0.0``).
- ``a * (1/b) = a / b`` rounds twice on the left, once on the right.
- ``s * a + s * b = s * (a + b)`` rounds differently, and overflows where
  ``a + b`` does.
- ``0.5 * (2 * t) = t`` differs where ``2 * t`` overflows.
- ``x ** 0`` is ``1`` or ``1.0`` depending on the type of ``x``.
- ``x * 1.0 = x`` keeps a mask or an int array as it is, where the product
  is reals: ``fold`` makes no rewrite that narrows a term's kind (a
  gradient adds into its terms in place, and ``True + True`` is ``True``),
  nor one that computes an int array the original did not (``2 * (m * x)``
  as ``(2 * m) * x`` wraps around for ``uint8`` data ``m``).
- A term on arrays cancelled as a rational function
  (``srcgrad.passes.rational``: ``c * (y*(1 + t) - (1 - y)/(1 - p)) * p *
  p * t = c * (y - 1 + y*t) * p`` with ``p = 1/(1 + t)``) is a different
  formula: it rounds differently, usually better; a form that would subtract nearly
  equal numbers the original never did is found by running both at
  sampled points (``srcgrad.passes.rational_accuracy``) and not taken.
  It is finite where the original overflows to a NaN (``t = exp(-z)`` is
  inf for ``z < -709``, where the rules give ``inf * 0``), and where a
  cancelled divisor is 0 (``a * b / a`` at ``a = 0``);
  it overflows or divides by zero only where the cancelled function has a
  pole, and then not necessarily where the original did. Terms that read
  integer or boolean arrays are not cancelled (a new form could wrap
  around). Dtypes: it reads every value the original read, so NumPy
  gives it the original's dtype.

On derivative terms these are the simplifications a person makes by hand:
the seed ``1.0`` and the zeros and ones rules produce for concrete programs
disappear. A structural zero may drop a NaN, as JAX's symbolic zeros do
(``docs/reference.md``, "Derivative terms are simplified"). Constant
folding (``srcgrad.passes.fold``) applies to both kinds of value: it
evaluates exactly what Python would.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from srcgrad.ir import CONST, Builder, Op, Value
from srcgrad.ir.types import Array, same_shape
from srcgrad.primitives import PRIMITIVES

_MUL, _DIV, _NEG = PRIMITIVES["mul"], PRIMITIVES["div"], PRIMITIVES["neg"]


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


Rewrite = Callable[[Rewriter, list[Value]], "Value | None"]


def constant_of(value: Value) -> float | int | None:
    """The number ``value`` is, if it is a constant."""
    op = value.owner  # its defining op, if an op (asked of every operand)
    if not isinstance(op, Op) or op.definition is not CONST:
        return None
    return op.attributes["value"]  # type: ignore[return-value]


def _is(value: Value, number: float) -> bool:
    constant = constant_of(value)
    return constant is not None and constant == number


def _negative_constant(value: Value) -> float | int | None:
    """``-c`` for a constant ``c`` written with a minus sign (``-6.67e-11``)."""
    constant = constant_of(value)
    if isinstance(constant, bool) or not isinstance(constant, (int, float)):
        return None
    if isinstance(constant, float) and math.isnan(constant):
        return None
    return -constant if math.copysign(1, constant) < 0 else None


def _negation_operand(value: Value) -> Value | None:
    """``x`` for a ``value`` that is ``-x``."""
    op = value.defining_op
    if op is not None and op.definition is _NEG:
        return op.operands[0]
    return None


def _is_negation(value: Value) -> bool:
    """``value`` is ``-x`` or a negative constant."""
    return _negation_operand(value) is not None or _negative_constant(value) is not None


def _sign_path(r: Rewriter, value: Value) -> list[tuple[Op, int]] | None:
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
        if _is_negation(candidate):
            return path
        op = candidate.defining_op
        if op is not None and op.definition in (_MUL, _DIV) and r.used_once(candidate):
            # Pushed right first, so the left factor is searched first.
            for index in (1, 0):
                stack.append((op.operands[index], [*path, (op, index)]))
    return None


def _carries_sign(r: Rewriter, value: Value) -> bool:
    """``value`` is ``-v`` for a ``v`` that can be built without a negation."""
    return _sign_path(r, value) is not None


def _without_sign(r: Rewriter, value: Value) -> Value:
    """``-value`` for a ``value`` that ``_carries_sign``, with no negation.

    A product or quotient absorbs the sign into the factor that has one; it
    was used once, so the rewrite adds no op: the sum or negation around it
    absorbs the sign (``s + (-a) * b = s - a * b``, ``-((-a) * b) = a * b``).
    """
    path = _sign_path(r, value)
    assert path is not None
    leaf = path[-1][0].operands[path[-1][1]] if path else value
    if (operand := _negation_operand(leaf)) is not None:
        rebuilt = operand
    else:
        positive = _negative_constant(leaf)
        assert positive is not None
        rebuilt = r.const(positive)
    for op, index in reversed(path):
        operands = list(op.operands)
        operands[index] = rebuilt
        rebuilt = r.op(op.definition.name, *operands)
    return rebuilt


def _made_by(value: Value) -> object:
    """The definition of the op that made ``value`` (None for an argument)."""
    op = value.owner
    return op.definition if isinstance(op, Op) else None


#: What a term of a sum must be made by for any rule of ``_add`` or ``_sub``
#: to apply (each needs a constant, a product, a quotient or a negation):
#: asked first, as most sums of a gradient have no such term.
_SIMPLIFIABLE_TERMS = (CONST, _MUL, _DIV, _NEG)


def _add(r: Rewriter, operands: list[Value]) -> Value | None:
    x, y = operands
    if x is not y and not (
        _made_by(x) in _SIMPLIFIABLE_TERMS or _made_by(y) in _SIMPLIFIABLE_TERMS
    ):
        return None
    if _is(y, 0):
        return x
    if _is(x, 0):
        return y
    if x is y:
        return r.op("mul", r.const(2), x)  # a + a, as CSE leaves a sum of equal terms
    for multiple, term in ((x, y), (y, x)):
        if (count := _count_of(r, multiple, term)) is not None:
            return r.op("mul", r.const(count + 1), term)  # 2 * a + a = 3 * a
    if (combined := _combine_multiples(r, x, y, sign=1)) is not None:
        return combined
    if (factored := _common_factor(r, "add", x, y)) is not None:
        return factored
    if _carries_sign(r, y):
        return r.op("sub", x, _without_sign(r, y))
    if _carries_sign(r, x):
        return r.op("sub", y, _without_sign(r, x))
    return None


def _combine_multiples(r: Rewriter, x: Value, y: Value, *, sign: int) -> Value | None:
    """``c1 * a + sign * c2 * a`` as ``(c1 + sign * c2) * a`` where the new
    coefficient is exact: ``-0.5 * z - z * 0.5`` is ``-z``."""
    left, right = _multiple(r, x), _multiple(r, y)
    if left is None or right is None or left[1] is not right[1]:
        return None
    coefficient = _exact_sum(left[0], sign * right[0])
    return None if coefficient is None else r.op("mul", r.const(coefficient), left[1])


def _multiple(r: Rewriter, value: Value) -> tuple[float | int, Value] | None:
    """``(c, a)`` for a ``value`` used once that is ``c * a``, ``c`` a number."""
    op = value.defining_op
    if op is None or op.definition is not _MUL or not r.used_once(value):
        return None
    for constant, other in (op.operands, reversed(op.operands)):
        number = constant_of(constant)
        is_number = isinstance(number, (int, float)) and not isinstance(number, bool)
        if is_number and constant_of(other) is None:
            return number, other  # type: ignore[return-value]
    return None


def _common_factor(r: Rewriter, name: str, x: Value, y: Value) -> Value | None:
    """``s * a ± s * b`` as ``s * (a ± b)``: one product fewer, where both
    terms are products (or quotients, ``s * a / c``) used once with the
    same value ``s`` among their factors, and ``s`` is not a constant
    (``_combine_multiples`` adds those). The chain rule multiplies each
    term by the same cotangent; a person writes it once.

    Only for terms of one shape: ``s`` then multiplies an array no larger
    than the sum. (``s * a + s * b`` with ``a`` a column and ``b`` a row
    would multiply the whole matrix instead of a column and a row.)
    """
    if not same_shape(x.type, y.type):
        return None
    theirs: dict[Value, list[tuple[Op, int]]] = {}
    for factor, path in _factor_paths(r, y):
        theirs.setdefault(factor, path)
    for factor, mine in _factor_paths(r, x):
        if constant_of(factor) is None and factor in theirs:
            rest = r.op(name, _without(r, mine), _without(r, theirs[factor]))
            return r.op("mul", factor, rest)
    return None


def _factor_paths(
    r: Rewriter, value: Value
) -> list[tuple[Value, list[tuple[Op, int]]]]:
    """Each factor of ``value``, a product or quotient used once (through
    products and numerators used once), with the path of ops down to it."""
    found = []
    stack: list[tuple[Value, list[tuple[Op, int]]]] = [(value, [])]
    while stack:
        candidate, path = stack.pop()
        op = candidate.defining_op
        if op is None or not r.used_once(candidate):
            continue
        if op.definition is _MUL:
            indices: tuple[int, ...] = (1, 0)
        elif op.definition is _DIV:
            indices = (0,)  # a factor of its numerator
        else:
            continue
        for index in indices:
            step = [*path, (op, index)]
            if op.definition is _MUL:
                found.append((op.operands[index], step))
            stack.append((op.operands[index], step))
    return found


def _without(r: Rewriter, path: list[tuple[Op, int]]) -> Value:
    """The value ``path`` starts from, with the factor it leads to dropped:
    the product holding it becomes its other operand."""
    op, index = path[-1]
    rebuilt = op.operands[1 - index]
    for op, index in reversed(path[:-1]):
        operands = list(op.operands)
        operands[index] = rebuilt
        rebuilt = r.op(op.definition.name, *operands)
    return rebuilt


def _exact_sum(a: float | int, b: float | int) -> float | int | None:
    """``a + b`` if it is exact (always for ints), else None.

    For floats, the rounding error of ``s = a + b`` is ``small - (s - big)``
    (Fast2Sum, with ``|big| >= |small|``); the sum is exact when it is 0.
    """
    total = a + b
    if isinstance(total, int):
        return total
    if not math.isfinite(total):
        return None
    big, small = (a, b) if abs(a) >= abs(b) else (b, a)
    return total if small - (total - big) == 0 else None


def _count_of(r: Rewriter, value: Value, term: Value) -> int | None:
    """``n`` for a ``value`` that is ``n * term``, used once, ``n`` an int."""
    op = value.defining_op
    if op is None or op.definition is not _MUL or not r.used_once(value):
        return None
    for count, other in (op.operands, reversed(op.operands)):
        number = constant_of(count)
        if other is term and type(number) is int:
            return number
    return None


def _sub(r: Rewriter, operands: list[Value]) -> Value | None:
    x, y = operands
    if not (_made_by(x) in _SIMPLIFIABLE_TERMS or _made_by(y) in _SIMPLIFIABLE_TERMS):
        return None
    if _is(y, 0):
        return x
    if _is(x, 0):
        return r.op("neg", y)
    if (combined := _combine_multiples(r, x, y, sign=-1)) is not None:
        return combined
    if (factored := _common_factor(r, "sub", x, y)) is not None:
        return factored
    if _carries_sign(r, y):
        return r.op("add", x, _without_sign(r, y))
    return None


def _mul(r: Rewriter, operands: list[Value]) -> Value | None:
    x, y = operands
    # Each rule needs a constant or a quotient among the factors, or two
    # products or two negations: asked first, as most products have none.
    first, second = _made_by(x), _made_by(y)
    if not (
        CONST in (first, second)
        or _DIV in (first, second)
        or (first is second and first in (_MUL, _NEG))
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
    if _is_negation(x) and _is_negation(y):
        return r.op("mul", _without_sign(r, x), _without_sign(r, y))
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
    if op is None or op.definition is not _DIV:
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
    if op.definition is not _MUL or not r.used_once(other):
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
    if op is None or op.definition is not _MUL:
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
    if op is None or op.definition is not _DIV or not _is(op.operands[0], 1):
        return None
    if isinstance(value.type, Array) and not r.used_once(value):
        return None
    return op.operands[1]


def _div(r: Rewriter, operands: list[Value]) -> Value | None:
    x, y = operands
    if _is(y, 1):
        return x
    reciprocal = y.defining_op
    if (
        isinstance(y.type, Array)
        and reciprocal is not None
        and reciprocal.definition is _DIV
        and _is(reciprocal.operands[0], 1)
    ):
        # a / (1/b) = a * b, rounded once, and NumPy multiplies faster than
        # it divides (a number's 1/0 raises, where a * 0 would not).
        return r.op("mul", x, reciprocal.operands[1])
    return None


def _neg(r: Rewriter, operands: list[Value]) -> Value | None:
    # -(-x) = x, -((-a) * b) = a * b
    if _carries_sign(r, operands[0]):
        return _without_sign(r, operands[0])
    # -(c * x) = (-c) * x, exactly (negation is exact, rounding symmetric):
    # one op fewer, for an array a pass over it fewer. Not of a value the
    # user named (N2 = 0.5 * (...)), which stays as written.
    op = operands[0].defining_op
    if op is None or op.definition is not _MUL or not op.derivative:
        return None
    if not r.used_once(operands[0]):
        return None
    for index, constant in enumerate(op.operands):
        number = constant_of(constant)
        if isinstance(number, (int, float)) and not isinstance(number, bool) and number:
            factors = [r.const(-number), op.operands[1 - index]]
            return r.op("mul", *(factors if index == 0 else reversed(factors)))
    return None


def _pow(r: Rewriter, operands: list[Value]) -> Value | None:
    x, y = operands
    if _is(y, 1):
        return x
    if _is(y, 0):
        return r.const(1)
    return None


#: Rules by primitive name; ``fold`` applies them to derivative terms only.
IDENTITIES: dict[str, Rewrite] = {
    "add": _add,
    "sub": _sub,
    "mul": _mul,
    "div": _div,
    "neg": _neg,
    "pow": _pow,
}
