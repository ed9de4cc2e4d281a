"""Whether a rewrite of a derivative term keeps its accuracy.

Cancelling a term as a rational function can write it with a difference
the original did not compute: ``y * p * t / 2`` (``p = 1/(1 + t)``, ``t``
a small ``exp(-z)``) becomes ``y * (1 - p) / 2``, and ``1 - p`` loses the
digits of ``t``. Whether a form loses digits depends on the values it
meets, which are not known when the gradient is built; so both forms are
run, in floats and exactly (``fractions.Fraction``), at points spread over
many orders of magnitude and both signs, and the rewrite is kept only where
it is nowhere much less accurate than the original, nor overflows where the
original does not.

Each value is computed from the ops that define it: ``+ - * /``, unary
``-``, integer powers and constants, down to the atoms, which take the
sampled numbers.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Mapping
from fractions import Fraction

from srcgrad.ir import CONST, Value
from srcgrad.passes.algebra import constant_of

#: Magnitudes the atoms take: tiny, moderate and huge, as exp(-z) does.
_MAGNITUDES = (1e-12, 1e-6, 1e-3, 0.3, 0.7, 1.0, 1.5, 3.7, 1e3, 1e6, 1e12)
_SAMPLES = 48
#: How much worse than the original a rewrite may be: a few roundings.
_SLACK = 8.0
_EPSILON = 2.0**-52


def keeps_accuracy(
    original: Value, rewritten: Value, atoms: Mapping[Value, object]
) -> bool:
    """Whether ``rewritten`` computes ``original`` about as accurately, at
    sampled values of ``atoms`` (see the module)."""
    for point in _points(list(atoms)):
        errors = [_error(value, point) for value in (original, rewritten)]
        if errors[0] is None:
            continue  # the original divides by zero there, or is not finite
        if errors[1] is None or errors[1] > _SLACK * max(errors[0], _EPSILON):
            return False
    return True


def _points(atoms: list[Value]) -> list[dict[Value, float]]:
    """Random points, then each atom at 0, 1 or -1 with the others tiny or
    huge: a difference such as ``y - p`` loses every digit only where the
    two nearly cancel (``y = 1``, ``p = 1/(1 + t)`` for a tiny ``t``)."""
    draw = random.Random(len(atoms))  # the same points for every build
    signs = [1.0, -1.0]
    points = [
        {atom: draw.choice(signs) * draw.choice(_MAGNITUDES) for atom in atoms}
        for _ in range(_SAMPLES)
    ]
    for special in atoms:
        for value in (0.0, 1.0, -1.0):
            for extreme in (1e-12, -1e-12, 1e12, -1e12):
                point = dict.fromkeys(atoms, extreme)
                point[special] = value
                points.append(point)
    return points


def _error(value: Value, point: Mapping[Value, float]) -> float | None:
    """``value``'s relative error in floats at ``point``; None where it is
    not finite, or its exact value is 0 or undefined."""
    try:
        exact = _evaluate(value, point, Fraction, {})
        approximate = _evaluate(value, point, float, {})
    except (ZeroDivisionError, OverflowError):
        return None
    assert isinstance(exact, Fraction) and isinstance(approximate, float)
    if not exact:
        return None
    return float(abs(Fraction(approximate) - exact) / abs(exact))


def _evaluate(
    value: Value,
    point: Mapping[Value, float],
    number: Callable[[float], object],
    memo: dict[Value, object],
) -> object:
    if value in memo:
        return memo[value]
    if value in point:
        result = number(point[value])
    else:
        op = value.defining_op
        assert op is not None
        if op.definition is CONST:
            result = number(constant_of(value))  # type: ignore[arg-type]
        else:
            operands = [_evaluate(v, point, number, memo) for v in op.operands]
            result = _apply(op.definition.name, operands, op.operands)
    if isinstance(result, float) and not math.isfinite(result):
        raise OverflowError  # inf or nan: no relative error to speak of
    memo[value] = result
    return result


def _apply(name: str, operands: list[object], values: list[Value]) -> object:
    a = operands[0]
    if name == "neg":
        return -a  # type: ignore[operator]
    b = operands[1]
    if name == "pow":
        exponent = constant_of(values[1])
        return a ** int(exponent)  # type: ignore[operator, arg-type]
    return {
        "add": lambda: a + b,  # type: ignore[operator]
        "sub": lambda: a - b,  # type: ignore[operator]
        "mul": lambda: a * b,  # type: ignore[operator]
        "div": lambda: a / b,  # type: ignore[operator]
    }[name]()
