"""At a kink or a tie, reverse and forward mode give the same slope.

Where a function has no derivative (``abs`` at 0, ``np.maximum`` at a
tie, ``np.clip`` on a bound), srcgrad picks a slope; each primitive's VJP
rule (``grad``) and its JVP rule (``derivative``, ``jvp``) must pick the
same one, or the gradient and a directional derivative of one function
disagree. Each case below is a function, a point on its kink, and the
slopes docs/reference.md ("Ties and kinks") documents there, one per
parameter: every mode must give exactly those, and give them to each
other.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest
from helpers import define

import srcgrad


@dataclass(frozen=True)
class Kink:
    """``f(parameters) = expression`` at ``point``, where its partial
    derivatives are ``slopes`` (an array for an array parameter)."""

    expression: str
    parameters: str
    point: tuple[Any, ...]
    slopes: tuple[Any, ...]

    @property
    def id(self) -> str:
        point = ", ".join(_shown(value) for value in self.point)
        return f"{self.expression} at {point}"


def _shown(value: Any) -> str:
    if isinstance(value, np.ndarray):
        return str(value.tolist())
    return f"np.float64({value})" if type(value) is np.float64 else repr(value)


def _one(expression: str, x: Any, slope: Any) -> Kink:
    return Kink(expression, "x", (x,), (slope,))


def _tie(expression: str, x: Any, y: Any, slopes: tuple[Any, Any]) -> Kink:
    return Kink(expression, "x, y", (x, y), slopes)


def _clip(x: float, lo: float, hi: float, slopes: tuple[float, ...]) -> Kink:
    return Kink("np.clip(x, lo, hi)", "x, lo, hi", (x, lo, hi), slopes)


KINKS = [
    # abs of a number stays in math, which has no sign(): its slope is
    # copysign(1.0, x), the one-sided derivative on the side the zero's
    # sign names. NumPy's abs has np.sign's 0, the smallest subgradient.
    _one("abs(x)", 0.0, 1.0),
    _one("abs(x)", -0.0, -1.0),
    _one("math.fabs(x)", 0.0, 1.0),
    _one("math.fabs(x)", -0.0, -1.0),
    _one("abs(x)", np.float64(-0.0), -1.0),
    _one("np.abs(x)", 0.0, 0.0),
    _one("np.abs(x)", -0.0, 0.0),
    _one("np.fabs(x)", np.float64(-0.0), 0.0),
    _one("np.abs(x).sum()", np.array([0.0, -0.0]), np.array([0.0, 0.0])),
    _one("abs(x).sum()", np.array([0.0, -0.0]), np.array([0.0, 0.0])),
    _one("np.sign(x) * 3.0", 0.0, 0.0),
    # Python's max and min return the first of equal arguments, so the
    # first one's value is the result, and its slope is 1.
    _tie("max(x, y)", 1.0, 1.0, (1.0, 0.0)),
    _tie("min(x, y)", 1.0, 1.0, (1.0, 0.0)),
    Kink("max(x, y, z)", "x, y, z", (1.0, 1.0, 1.0), (1.0, 0.0, 0.0)),
    _one("max(x, 0.0)", 0.0, 1.0),
    _one("max(x, 0.0)", -0.0, 1.0),
    _one("max(0.0, x)", 0.0, 0.0),
    _one("min(x, 0.0)", 0.0, 1.0),
    _one("x if x > 0 else 0.0", 0.0, 0.0),
    # np.maximum and np.minimum split a tie equally (JAX's and PyTorch's
    # convention): the mean of the one-sided derivatives.
    _tie("np.maximum(x, y)", 1.0, 1.0, (0.5, 0.5)),
    _tie("np.minimum(x, y)", 1.0, 1.0, (0.5, 0.5)),
    _tie("np.maximum(x, y).sum()", np.ones(2), np.ones(2), (np.full(2, 0.5),) * 2),
    _one("np.maximum(x, 0.0)", 0.0, 0.5),
    _one("np.maximum(x, 0.0)", -0.0, 0.5),
    _one("np.maximum(x, 0.0).sum()", np.zeros(2), np.array([0.5, 0.5])),
    _one("np.maximum(x, x)", 1.0, 1.0),
    # A mask or a where decides: at 0, x > 0 is false.
    _one("x * (x > 0)", 0.0, 0.0),
    _one("(x * (x > 0)).sum()", np.zeros(2), np.zeros(2)),
    _one("np.where(x > 0, x, 0.0)", 0.0, 0.0),
    _one("np.where(x > 0, x, 0.0).sum()", np.zeros(2), np.zeros(2)),
    # A clip is x where lo <= x <= hi, bounds included (PyTorch's clamp);
    # a bound takes the slope only where x is beyond it, and hi all of it
    # where lo > hi (every item is hi).
    _clip(0.0, 0.0, 1.0, (1.0, 0.0, 0.0)),
    _clip(1.0, 0.0, 1.0, (1.0, 0.0, 0.0)),
    _clip(1.0, 1.0, 1.0, (1.0, 0.0, 0.0)),
    _clip(-0.5, 0.0, 1.0, (0.0, 1.0, 0.0)),
    _clip(2.0, 0.0, 1.0, (0.0, 0.0, 1.0)),
    _clip(0.5, 1.0, 0.0, (0.0, 0.0, 1.0)),
    _one("np.clip(x, 0.0, None)", 0.0, 1.0),
    _one("np.clip(x, None, 1.0)", 1.0, 1.0),
    _one("x.clip(0.0, 1.0).sum()", np.array([0.0, 1.0, 2.0]), np.array([1, 1, 0.0])),
    # k tied extremes of a reduction share its slope: 1/k each.
    _one("np.max(x)", np.array([1.0, 3.0, 3.0]), np.array([0.0, 0.5, 0.5])),
    _one("np.min(x)", np.array([1.0, 1.0, 3.0]), np.array([0.5, 0.5, 0.0])),
    _one("x.max()", np.array([2.0, 2.0, 2.0]), np.full(3, 1 / 3)),
    _one(
        "np.max(x, axis=1).sum()",
        np.array([[1.0, 1.0], [2.0, 0.0]]),
        np.array([[0.5, 0.5], [1.0, 0.0]]),
    ),
    # Piecewise constant: 0 on the jumps too.
    _one("round(x)", 0.5, 0.0),
    _one("round(x, 1)", 0.25, 0.0),
    _tie("x // y", 3.0, 1.0, (0.0, 0.0)),
    # x % y is x - y * floor(x / y): slopes 1 and -floor(x / y), with the
    # floor of the jump's right-hand side (x / y exact) where x % y jumps.
    _tie("x % y", 3.0, 1.0, (1.0, -3.0)),
    _tie("x % y", -3.0, 2.0, (1.0, 2.0)),
    # Infinite slopes: NumPy values give inf (math and ** on floats raise,
    # below). One item: a jvp along [1, 0] would add inf * 0, a NaN.
    _one("np.sqrt(x)", 0.0, math.inf),
    _one("np.sqrt(x)", np.float64(0.0), math.inf),
    _one("x ** 0.5", np.float64(0.0), math.inf),
    _one("(x ** 0.5).sum()", np.zeros(1), np.full(1, math.inf)),
    # A norm at the zero vector and a spread of equal items: the zero
    # subgradient, not 0 / 0.
    _one("np.linalg.norm(x)", np.zeros(3), np.zeros(3)),
    _one("np.linalg.norm(x)", np.zeros((2, 2)), np.zeros((2, 2))),
    _one("np.linalg.norm(x, 1)", np.array([0.0, 1.0]), np.array([0.0, 1.0])),
    _one("np.std(x)", np.ones(2), np.zeros(2)),
]


def _function(kink: Kink):
    return define(f"def f({kink.parameters}):\n    return {kink.expression}\n")


def _wrt(kink: Kink) -> tuple[int, ...]:
    return tuple(range(len(kink.point)))


def _unit(kink: Kink, position: int, item: int) -> list[Any]:
    """Tangents: 1 at one item of one parameter, None for the others."""
    tangents: list[Any] = [None] * len(kink.point)
    primal = kink.point[position]
    if isinstance(primal, np.ndarray):
        tangent = np.zeros_like(primal)
        tangent.flat[item] = 1.0
    else:
        tangent = type(primal)(1.0)  # a float for a float, a NumPy one for NumPy's
    tangents[position] = tangent
    return tangents


def _by_jvp(kink: Kink) -> tuple[Any, ...]:
    """Each partial derivative, item by item, by one jvp per item."""
    f = _function(kink)
    slopes = []
    for position, primal in enumerate(kink.point):
        items = [
            srcgrad.jvp(f, kink.point, _unit(kink, position, item))[1]
            for item in range(np.size(primal))
        ]
        slopes.append(
            np.reshape(items, np.shape(primal)) if np.ndim(primal) else items[0]
        )
    return tuple(slopes)


def _by_grad(kink: Kink) -> tuple[Any, ...]:
    return srcgrad.grad(_function(kink), wrt=_wrt(kink))(*kink.point)


def _by_derivative(kink: Kink) -> tuple[Any, ...]:
    return srcgrad.derivative(_function(kink), wrt=_wrt(kink))(*kink.point)


MODES = {"grad": _by_grad, "derivative": _by_derivative, "jvp": _by_jvp}


def _quietly(mode, kink: Kink) -> tuple[Any, ...]:
    # inf and 0 / 0 on NumPy values warn; the slope is what is tested.
    with np.errstate(divide="ignore", invalid="ignore"):
        return mode(kink)


def _same(got: tuple[Any, ...], expected: tuple[Any, ...]) -> bool:
    return len(got) == len(expected) and all(
        np.shape(a) == np.shape(b) and np.array_equal(a, b)
        for a, b in zip(got, expected, strict=True)
    )


def _modes_for(kink: Kink) -> list[str]:
    """derivative takes numbers only; an array needs jvp."""
    arrays = any(isinstance(value, np.ndarray) for value in kink.point)
    return [mode for mode in MODES if not (arrays and mode == "derivative")]


CASES = [
    pytest.param(kink, mode, id=f"{mode}: {kink.id}")
    for kink in KINKS
    for mode in _modes_for(kink)
]


@pytest.mark.parametrize(("kink", "mode"), CASES)
def test_each_mode_gives_the_documented_slope_at_the_kink(kink, mode):
    got = _quietly(MODES[mode], kink)
    assert _same(got, kink.slopes), (got, kink.slopes)


@pytest.mark.parametrize("kink", KINKS, ids=[kink.id for kink in KINKS])
def test_forward_and_reverse_mode_agree_at_the_kink(kink):
    # The whole point: a convention at a kink is the VJP rule's and the
    # JVP rule's at once, so the gradient is the vector of directional
    # derivatives there too.
    reverse, forward = _quietly(_by_grad, kink), _quietly(_by_jvp, kink)
    assert _same(reverse, forward), (reverse, forward)


@pytest.mark.parametrize(
    "expression", ["math.sqrt(x)", "math.cbrt(x)", "x ** 0.5", "pow(x, 0.5)"]
)
@pytest.mark.parametrize("mode", list(MODES))
def test_an_infinite_slope_of_python_floats_raises_in_every_mode(expression, mode):
    # Python's float arithmetic raises at 1 / 0.0 (or 0.0 ** -0.5); every
    # mode computes the slope with it, so every mode raises.
    kink = _one(expression, 0.0, math.inf)
    with pytest.raises(ZeroDivisionError):
        MODES[mode](kink)
