"""Whether a rewrite of a derivative term keeps its accuracy.

Cancelling a term as a rational function can write it with a difference
the original did not compute: ``y * p * t / 2`` (``p = 1/(1 + t)``, ``t``
a small ``exp(-z)``) becomes ``y * (1 - p) / 2``, and ``1 - p`` loses the
digits of ``t``. Whether a form loses digits depends on the values it
meets, which are not known when the gradient is built; so both forms are
run, in floats and exactly, at points spread over many orders of
magnitude and both signs, and the rewrite is kept only where it is
nowhere much less accurate than the original, nor overflows where the
original does not.

Each value is computed from the ops that define it: ``+ - * /``, unary
``-``, integer powers and constants, down to the atoms, which take the
sampled numbers. Each op is computed at every point at once (a column of
values, ``None`` where the value is undefined: a division by zero, or a
float that is not finite), and the original's columns once for all the
rewrites tried (``AccuracyCheck``): a walk of the ops per point, in
``fractions.Fraction``, took most of the build of a logistic regression's
gradient. An exact value is a pair of integers, numerator and denominator
(positive), never reduced (reducing is what makes ``Fraction`` slow): the
relative error, the one number wanted, is the same rational either way,
rounded once.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping, Sequence
from fractions import Fraction
from functools import partial
from typing import Any, TypeVar

from srcgrad.ir import CONST, Value
from srcgrad.passes.algebra import constant_of

#: Magnitudes the atoms take: tiny, moderate and huge, as exp(-z) does.
_MAGNITUDES = (1e-12, 1e-6, 1e-3, 0.3, 0.7, 1.0, 1.5, 3.7, 1e3, 1e6, 1e12)
_SAMPLES = 48
#: How much worse than the original a rewrite may be: a few roundings.
_SLACK = 8.0
_EPSILON = 2.0**-52

Exact = tuple[int, int]
#: A value at each point, exactly or in floats; None where it is undefined.
ExactColumn = list[Exact | None]
FloatColumn = list[float | None]
T = TypeVar("T")


class AccuracyCheck:
    """Whether rewrites of ``original`` compute it about as accurately, at
    sampled values of ``atoms`` (see the module)."""

    def __init__(self, original: Value, atoms: Sequence[Value]) -> None:
        self.atoms = list(atoms)
        self.points = _points(len(self.atoms))
        self.original = _columns(original, self.atoms, self.points)

    def keeps_accuracy(self, rewritten: Value) -> bool:
        """``rewritten`` is nowhere much less accurate than the original,
        nor undefined where the original is defined."""
        columns = (self.original, _columns(rewritten, self.atoms, self.points))
        for index in range(len(self.points)):
            errors = [
                _error(exact[index], inexact[index]) for exact, inexact in columns
            ]
            if errors[0] is None:
                continue  # the original divides by zero there, or is not finite
            if errors[1] is None or errors[1] > _SLACK * max(errors[0], _EPSILON):
                return False
        return True


def _points(atoms: int) -> list[list[float]]:
    """Random points (a value per atom), then each atom at 0, 1 or -1 with
    the others tiny or huge: a difference such as ``y - p`` loses every
    digit only where the two nearly cancel (``y = 1``, ``p = 1/(1 + t)``
    for a tiny ``t``)."""
    draw = random.Random(atoms)  # the same points for every build
    signs = [1.0, -1.0]
    points = [
        [draw.choice(signs) * draw.choice(_MAGNITUDES) for _ in range(atoms)]
        for _ in range(_SAMPLES)
    ]
    for special in range(atoms):
        for value in (0.0, 1.0, -1.0):
            for extreme in (1e-12, -1e-12, 1e12, -1e12):
                point = [extreme] * atoms
                point[special] = value
                points.append(point)
    return points


def _error(exact: Exact | None, approximate: float | None) -> float | None:
    """The relative error of ``approximate`` against ``exact``; None where
    either is undefined, or the exact value is 0."""
    if exact is None or approximate is None or not exact[0]:
        return None
    numerator, denominator = exact
    top, bottom = approximate.as_integer_ratio()
    # |a - n/d| / |n/d|, rounded once (int / int is correctly rounded)
    return abs(top * denominator - numerator * bottom) / (bottom * abs(numerator))


def _columns(
    value: Value, atoms: list[Value], points: list[list[float]]
) -> tuple[ExactColumn, FloatColumn]:
    """``value`` at each of ``points``: exactly, and in floats."""
    exact: dict[Value, ExactColumn] = {}
    inexact: dict[Value, FloatColumn] = {}
    for index, atom in enumerate(atoms):
        inexact[atom] = [point[index] for point in points]
        exact[atom] = [point[index].as_integer_ratio() for point in points]
    for current in _operands_first(value, exact):
        op = current.defining_op
        assert op is not None
        operands = op.operands
        if op.definition is CONST:
            number = constant_of(current)
            exact[current] = [_ratio(number)] * len(points)
            inexact[current] = [_float(number)] * len(points)
        elif op.definition.name == "pow":  # the exponent is a small integer
            power = int(constant_of(operands[1]))  # type: ignore[arg-type]
            exact[current] = _map(partial(_exact_power, power), exact[operands[0]])
            inexact[current] = _map(partial(_power, power), inexact[operands[0]])
        else:
            name = op.definition.name
            exact[current] = _map(_EXACT[name], *(exact[v] for v in operands))
            inexact[current] = _map(_INEXACT[name], *(inexact[v] for v in operands))
    return exact[value], inexact[value]


def _operands_first(value: Value, known: Mapping[Value, object]) -> list[Value]:
    """The values ``value`` is computed from down to the ``known`` ones (not
    those), each after its operands, ending with ``value``."""
    order: list[Value] = []
    done = set(known)
    pending = [(value, False)]
    while pending:
        current, ready = pending.pop()
        if current in done:
            continue
        op = current.defining_op
        assert op is not None
        if ready or op.definition is CONST:
            done.add(current)
            order.append(current)
        else:
            pending.append((current, True))
            pending.extend((operand, False) for operand in reversed(op.operands))
    return order


def _map(function: Callable[..., T | None], *columns: list[Any]) -> list[T | None]:
    """``function`` at each point, None where an operand is None."""
    if len(columns) == 1:
        return [None if x is None else function(x) for x in columns[0]]
    return [
        None if x is None or y is None else function(x, y)
        for x, y in zip(*columns, strict=True)
    ]


def _ratio(number: float | int | None) -> Exact | None:
    """A constant exactly; None where it is no finite number."""
    try:
        return Fraction(number).as_integer_ratio()  # type: ignore[arg-type]
    except (OverflowError, ZeroDivisionError):
        return None


def _float(number: float | int | None) -> float | None:
    try:
        return _finite(float(number))  # type: ignore[arg-type]
    except OverflowError:
        return None


def _finite(x: float) -> float | None:
    """``x``, or None if it is inf or nan (whose difference is nan)."""
    return x if x - x == 0.0 else None


def _power(power: int, x: float) -> float | None:
    try:
        return _finite(x**power)
    except OverflowError:  # float ** int raises where * gives inf
        return None


def _exact_power(power: int, x: Exact) -> Exact:
    return (x[0] ** power, x[1] ** power)


def _add(a: Exact, b: Exact) -> Exact:
    if a[1] == b[1]:
        return (a[0] + b[0], a[1])
    return (a[0] * b[1] + b[0] * a[1], a[1] * b[1])


def _subtract(a: Exact, b: Exact) -> Exact:
    if a[1] == b[1]:
        return (a[0] - b[0], a[1])
    return (a[0] * b[1] - b[0] * a[1], a[1] * b[1])


def _divide(a: Exact, b: Exact) -> Exact | None:
    if b[0] > 0:
        return (a[0] * b[1], a[1] * b[0])
    if b[0] < 0:
        return (-a[0] * b[1], -a[1] * b[0])
    return None  # a division by zero


#: Each op on exact pairs (n, d), d > 0.
_EXACT: dict[str, Callable[..., Exact | None]] = {
    "neg": lambda a: (-a[0], a[1]),
    "add": _add,
    "sub": _subtract,
    "mul": lambda a, b: (a[0] * b[0], a[1] * b[1]),
    "div": _divide,
}
#: And on floats: None where Python raises, or the result is not finite.
_INEXACT: dict[str, Callable[..., float | None]] = {
    "neg": lambda a: -a,
    "add": lambda a, b: _finite(a + b),
    "sub": lambda a, b: _finite(a - b),
    "mul": lambda a, b: _finite(a * b),
    "div": lambda a, b: _finite(a / b) if b else None,
}
