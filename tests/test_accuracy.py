"""Every rule is as accurate as the function it differentiates.

A derivative formula can be right on paper and useless in floating point:
``expm1(x) + 1`` is 0.0 at x = -50, ``1 - tanh(x)**2`` is 0.0 for x > 19,
``1/sqrt(1 + x**2)`` is 0.0 for x > 1e154. Like the JAX-style table of
``test_primitives.py``, one table gives each differentiable primitive an
accuracy domain (log-spaced magnitudes from 1e-300 to 1e300, both signs
where defined, and points crowding each domain edge); one test runs each
rule, as generated code, in each namespace it has, and compares it with
the exact derivative evaluated by mpmath at 50 significant digits.

The error allowed is relative, in units of double precision's epsilon
(2**-52 ~ 2.2e-16), and each entry says why it needs what it allows.
Points where the function itself fails (overflows, raises) or where the
exact derivative is not a normal float are not asked about.
"""

from __future__ import annotations

import math
import sys
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import mpmath
import pytest
from rule_functions import rule_function

from srcgrad.primitives import SCALAR_PRIMITIVES

mpmath.mp.dps = 50
EPSILON = sys.float_info.epsilon
SMALLEST_NORMAL = sys.float_info.min


def _magnitudes(low: int = -300, high: int = 300, step: int = 7) -> list[float]:
    # Mantissas away from 1 so no point is a power of ten by accident.
    return [m * 10.0**k for k in range(low, high + 1, step) for m in (1.37, 4.1, 8.9)]


def _edges(at: float, side: int) -> list[float]:
    """Points approaching ``at`` from one side, 2**-1 to 2**-52 away."""
    return [at + side * abs(at or 1.0) * 2.0**-k for k in range(1, 53, 2)]


POSITIVE = _magnitudes()
REAL = sorted(POSITIVE + [-x for x in POSITIVE] + [0.0])
UNIT = [x for x in REAL if abs(x) < 1] + _edges(1.0, -1) + _edges(-1.0, 1)
ABOVE_ONE = [x for x in POSITIVE if x > 1] + _edges(1.0, 1)
ABOVE_MINUS_ONE = [x for x in REAL if x > -1] + _edges(-1.0, 1)
NONZERO = [x for x in REAL if x != 0]
SMALL = [x for x in REAL if abs(x) < 800]
EXPONENTS = [-3.5, -1.0, -0.5, 0.1, 1 / 3, 0.5, 1.0, 1.5, 2.0, 3.7, 10.0]
#: erf and erfc up to where erfc underflows, at points whose square rounds.
ERF_TAIL = [k / 2 + 0.123 for k in range(-54, 54)]


@dataclass(frozen=True)
class Accuracy:
    """Where a rule is tested, against what, and how closely.

    Attributes:
        points: operand tuples to test at.
        exact: the exact partial derivatives, as mpmath functions.
        ulps: the relative error allowed, in units of ``EPSILON``.
        why: the reason for ``ulps``.
    """

    points: Sequence[tuple[float, ...]]
    exact: Callable[..., tuple[object, ...]]
    ulps: float = 4
    why: str = "a few roundings, none amplified"


def _unary(points: list[float]) -> list[tuple[float, ...]]:
    return [(x,) for x in points]


def _pairs(first: list[float], second: list[float]) -> list[tuple[float, ...]]:
    # Every tenth point of a long list: grids of ~3000 pairs at most.
    first, second = first[:: 1 + len(first) // 50], second[:: 1 + len(second) // 50]
    return [(a, b) for a in first for b in second]


def _cbrt(x: float) -> object:
    return mpmath.cbrt(x) if x >= 0 else -mpmath.cbrt(-x)


def _cos_exp(x: object) -> object:
    return 2 / mpmath.sqrt(mpmath.pi) * mpmath.exp(-(x**2))


_PRODUCT_OF_ROUNDINGS = "two or three roundings and a division"
_ARGUMENT = (
    "exp(-x*x) turns the rounding of x*x (relative 2**-53) into a relative "
    "error of x*x * 2**-53: ~250 ulps (5e-14) at x = 24, up to ~340 where "
    "erfc is last a normal number"
)
_EXPONENT = (
    "y - 1 rounds where y is not a multiple of 2**-52 (y = 1/3), and x**(y - 1) "
    "multiplies that by |(y - 1) log x|, up to ~500: pow's own conditioning"
)

_DIFFERENCE = (
    "1 / (1 + exp(b - a)) turns the rounding of b - a (relative 2**-53) into "
    "a relative error of |b - a| * 2**-53 where the partial is small: up to "
    "~370 ulps at |b - a| = 745, past which it is no normal number; the "
    "exact partial is that sensitive to a and b"
)
#: logaddexp's operands: far apart, and close (``b = a + d``) where neither
#: partial is 0 or 1 to the last bit.
_LOGADDEXP = _pairs(REAL, REAL) + [
    (a, a + d)
    for a in [x for x in REAL if abs(x) < 1e15][::3]
    for d in (-700.5, -37.3, -1.7, -1e-3, 0.0, 2e-9, 0.9, 36.1, 701.3)
]

ACCURACY: dict[str, Accuracy] = {
    "add": Accuracy(_pairs(REAL, REAL), lambda x, y: (1, 1)),
    "sub": Accuracy(_pairs(REAL, REAL), lambda x, y: (1, -1)),
    "mul": Accuracy(_pairs(REAL, REAL), lambda x, y: (y, x)),
    "div": Accuracy(_pairs(REAL, NONZERO), lambda x, y: (1 / y, -x / y**2)),
    "neg": Accuracy(_unary(REAL), lambda x: (-1,)),
    # Between jumps: x % y = x - (x // y) * y.
    "mod": Accuracy(_pairs(REAL, NONZERO), lambda x, y: (1, -mpmath.floor(x / y))),
    "float": Accuracy(_unary(REAL), lambda x: (1,)),
    "pow": Accuracy(
        _pairs(POSITIVE, EXPONENTS),
        lambda x, y: (y * x ** (y - 1), x**y * mpmath.log(x)),
        ulps=256,
        why=_EXPONENT,
    ),
    "power_rule": Accuracy(
        _pairs(POSITIVE, EXPONENTS),
        lambda x, y: (
            y * (y - 1) * x ** (y - 2),
            x ** (y - 1) * (1 + y * mpmath.log(x)),
        ),
        ulps=256,
        why=_EXPONENT,
    ),
    "log_or_zero": Accuracy(_unary(POSITIVE), lambda x: (1 / x,)),
    "sin": Accuracy(_unary(REAL), lambda x: (mpmath.cos(x),)),
    "cos": Accuracy(_unary(REAL), lambda x: (-mpmath.sin(x),)),
    "tan": Accuracy(_unary(REAL), lambda x: (mpmath.sec(x) ** 2,)),
    "asin": Accuracy(_unary(UNIT), lambda x: (1 / mpmath.sqrt(1 - x**2),)),
    "acos": Accuracy(_unary(UNIT), lambda x: (-1 / mpmath.sqrt(1 - x**2),)),
    "atan": Accuracy(_unary(REAL), lambda x: (1 / (1 + x**2),)),
    "atan2": Accuracy(
        _pairs(REAL, REAL),
        lambda y, x: (x / (x**2 + y**2), -y / (x**2 + y**2)),
        why=_PRODUCT_OF_ROUNDINGS,
    ),
    "sinh": Accuracy(_unary(SMALL), lambda x: (mpmath.cosh(x),)),
    "cosh": Accuracy(_unary(SMALL), lambda x: (mpmath.sinh(x),)),
    "tanh": Accuracy(_unary(REAL), lambda x: (mpmath.sech(x) ** 2,)),
    "asinh": Accuracy(_unary(REAL), lambda x: (1 / mpmath.sqrt(1 + x**2),)),
    "acosh": Accuracy(
        _unary(ABOVE_ONE),
        lambda x: (1 / mpmath.sqrt(x**2 - 1),),
        why=_PRODUCT_OF_ROUNDINGS,
    ),
    "atanh": Accuracy(_unary(UNIT), lambda x: (1 / (1 - x**2),)),
    "exp": Accuracy(_unary(SMALL), lambda x: (mpmath.exp(x),)),
    "expm1": Accuracy(_unary(SMALL), lambda x: (mpmath.exp(x),)),
    "exp2": Accuracy(_unary(SMALL * 2), lambda x: (mpmath.ln2 * 2**x,)),
    "log": Accuracy(_unary(POSITIVE), lambda x: (1 / x,)),
    "log1p": Accuracy(_unary(ABOVE_MINUS_ONE), lambda x: (1 / (1 + x),)),
    "log2": Accuracy(_unary(POSITIVE), lambda x: (1 / (x * mpmath.ln2),)),
    "log10": Accuracy(_unary(POSITIVE), lambda x: (1 / (x * mpmath.ln10),)),
    "reciprocal": Accuracy(_unary(NONZERO), lambda x: (-1 / x**2,), ulps=4),
    "sqrt": Accuracy(_unary(POSITIVE), lambda x: (1 / (2 * mpmath.sqrt(x)),)),
    "cbrt": Accuracy(
        _unary(NONZERO),
        lambda x: (1 / (3 * _cbrt(x) ** 2),),
        ulps=6,
        why="squaring cbrt(x) doubles cbrt's own error of about an ulp",
    ),
    "hypot": Accuracy(
        _pairs(REAL, REAL),
        lambda x, y: (x / mpmath.hypot(x, y), y / mpmath.hypot(x, y)),
    ),
    "erf": Accuracy(
        _unary(REAL + ERF_TAIL), lambda x: (_cos_exp(x),), ulps=512, why=_ARGUMENT
    ),
    "erfc": Accuracy(
        _unary(REAL + ERF_TAIL), lambda x: (-_cos_exp(x),), ulps=512, why=_ARGUMENT
    ),
    "abs": Accuracy(_unary(NONZERO), lambda x: (mpmath.sign(x),), ulps=0),
    "logaddexp": Accuracy(
        _LOGADDEXP,
        lambda a, b: (1 / (1 + mpmath.exp(b - a)), 1 / (1 + mpmath.exp(a - b))),
        ulps=512,
        why=_DIFFERENCE,
    ),
}


CASES = [
    (primitive, namespace)
    for primitive in SCALAR_PRIMITIVES.values()
    if primitive.differentiable
    for namespace in primitive.spellings
]


def _is_normal(value: object) -> bool:
    return SMALLEST_NORMAL <= abs(value) <= sys.float_info.max  # type: ignore[operator]


def _defined(primitive, namespace: str, point: tuple[float, ...]) -> bool:
    """The function itself gives a finite number at ``point``."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            value = primitive.evaluate(namespace, point)
    except (ArithmeticError, ValueError):
        return False
    return isinstance(value, float) and math.isfinite(value)


def _relative_errors(primitive, namespace: str, accuracy: Accuracy):
    arity = len(accuracy.points[0])
    vjp = rule_function(primitive, namespace, arity, "vjp")
    for point in accuracy.points:
        if not _defined(primitive, namespace, point):
            continue
        exact = accuracy.exact(*(mpmath.mpf(x) for x in point))
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                got = vjp(*point, 1.0)
        except OverflowError:
            # Fair only where some partial is too large for a float.
            too_large = [abs(p) > sys.float_info.max for p in exact]  # type: ignore
            assert any(too_large), f"OverflowError at {point}"
            continue
        for index, (value, reference) in enumerate(zip(got, exact, strict=True)):
            if not _is_normal(reference):
                continue
            error = abs((mpmath.mpf(float(value)) - reference) / reference)
            yield float(error / EPSILON), point, index, float(value), reference


@pytest.mark.parametrize(
    "case", CASES, ids=[f"{p.name}-{namespace}" for p, namespace in CASES]
)
def test_rule_is_accurate_across_its_domain(case):
    primitive, namespace = case
    accuracy = ACCURACY[primitive.name]
    worst = max(_relative_errors(primitive, namespace, accuracy), default=None)
    assert worst is not None, f"no point of {primitive.name}'s domain was tested"
    ulps, point, index, value, reference = worst
    assert ulps <= accuracy.ulps, (
        f"d{primitive.name}/dx{index} at {point}: {value!r}, exact "
        f"{mpmath.nstr(reference, 17)}: {ulps:.3g} ulps > {accuracy.ulps} "
        f"({accuracy.why})"
    )


def test_every_differentiable_primitive_has_an_accuracy_domain():
    missing = {p.name for p in SCALAR_PRIMITIVES.values() if p.differentiable} - set(
        ACCURACY
    )
    assert not missing, f"add {sorted(missing)} to ACCURACY"
