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

from srcgrad.ir import CONST, Op, Value
from srcgrad.ir.types import same_shape
from srcgrad.passes.products import div, mul
from srcgrad.passes.terms import (
    DIV,
    MUL,
    NEG,
    Rewrite,
    Rewriter,
    carries_sign,
    constant_of,
    is_number,
    made_by,
    without_sign,
)

#: What a term of a sum must be made by for any rule of ``_add`` or ``_sub``
#: to apply (each needs a constant, a product, a quotient or a negation):
#: asked first, as most sums of a gradient have no such term.
_SIMPLIFIABLE_TERMS = (CONST, MUL, DIV, NEG)


def _add(r: Rewriter, operands: list[Value]) -> Value | None:
    x, y = operands
    if x is not y and not (
        made_by(x) in _SIMPLIFIABLE_TERMS or made_by(y) in _SIMPLIFIABLE_TERMS
    ):
        return None
    if is_number(y, 0):
        return x
    if is_number(x, 0):
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
    if carries_sign(r, y):
        return r.op("sub", x, without_sign(r, y))
    if carries_sign(r, x):
        return r.op("sub", y, without_sign(r, x))
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
    if op is None or op.definition is not MUL or not r.used_once(value):
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
        if op.definition is MUL:
            indices: tuple[int, ...] = (1, 0)
        elif op.definition is DIV:
            indices = (0,)  # a factor of its numerator
        else:
            continue
        for index in indices:
            step = [*path, (op, index)]
            if op.definition is MUL:
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
    if op is None or op.definition is not MUL or not r.used_once(value):
        return None
    for count, other in (op.operands, reversed(op.operands)):
        number = constant_of(count)
        if other is term and type(number) is int:
            return number
    return None


def _sub(r: Rewriter, operands: list[Value]) -> Value | None:
    x, y = operands
    if not (made_by(x) in _SIMPLIFIABLE_TERMS or made_by(y) in _SIMPLIFIABLE_TERMS):
        return None
    if is_number(y, 0):
        return x
    if is_number(x, 0):
        return r.op("neg", y)
    if (combined := _combine_multiples(r, x, y, sign=-1)) is not None:
        return combined
    if (factored := _common_factor(r, "sub", x, y)) is not None:
        return factored
    if carries_sign(r, y):
        return r.op("add", x, without_sign(r, y))
    return None


def _neg(r: Rewriter, operands: list[Value]) -> Value | None:
    # -(-x) = x, -((-a) * b) = a * b
    if carries_sign(r, operands[0]):
        return without_sign(r, operands[0])
    # -(c * x) = (-c) * x, exactly (negation is exact, rounding symmetric):
    # one op fewer, for an array a pass over it fewer. Not of a value the
    # user named (N2 = 0.5 * (...)), which stays as written.
    op = operands[0].defining_op
    if op is None or op.definition is not MUL or not op.derivative:
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
    if is_number(y, 1):
        return x
    if is_number(y, 0):
        return r.const(1)
    return None


#: Rules by primitive name; ``fold`` applies them to derivative terms only.
IDENTITIES: dict[str, Rewrite] = {
    "add": _add,
    "sub": _sub,
    "mul": mul,
    "div": div,
    "neg": _neg,
    "pow": _pow,
}


__all__ = ["IDENTITIES", "Rewriter", "constant_of"]
