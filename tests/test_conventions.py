"""Derivatives at the edges of domains follow one documented convention.

Where the textbook formula raises or gives NaN but the derivative exists,
srcgrad gives the derivative (JAX's convention where it has one); where
the derivative is infinite, Python's float arithmetic raises
``ZeroDivisionError`` (in ``math`` and operator code) and NumPy gives inf.
The table in docs/reference.md lists each case; this file checks them all,
in every spelling of the function.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from helpers import define

import srcgrad

POWERS = ["x ** y", "math.pow(x, y)", "np.power(x, y)", "pow(x, y)"]


def _gradient(expression: str, parameters: str = "x, y", wrt=(0, 1)):
    f = define(f"def f({parameters}):\n    return {expression}\n")
    return srcgrad.grad(f, wrt=wrt)


def _quietly(function, *args):
    with np.errstate(all="ignore"):
        return tuple(float(value) for value in function(*args))


@pytest.mark.parametrize("power", POWERS)
@pytest.mark.parametrize(
    ("y", "d_dx", "d_dy"),
    [
        # 0 ** y is 0 for y > 0, so d/dy is 0 (x**y * log(x) -> 0);
        # d/dx is y * 0**(y - 1): 0 for y > 1, 1 at y = 1.
        (3.0, 0.0, 0.0),
        (2.0, 0.0, 0.0),
        (1.0, 1.0, 0.0),
        # x ** 0 is the constant 1 (Python: 0.0 ** 0 == 1.0); JAX's 0 for d/dy.
        (0.0, 0.0, 0.0),
    ],
)
def test_power_at_zero_base(power, y, d_dx, d_dy):
    gradient = _gradient(power)
    assert _quietly(gradient, 0.0, y) == (d_dx, d_dy)


@pytest.mark.parametrize("power", POWERS)
def test_power_with_an_infinite_slope_at_zero(power):
    # d/dx x ** 0.5 at 0 is +inf: Python raises, NumPy says inf.
    gradient = _gradient(power, wrt=0)
    if power.startswith("np."):
        assert _quietly(lambda *a: (gradient(*a),), 0.0, 0.5) == (math.inf,)
    else:
        with pytest.raises(ZeroDivisionError):
            gradient(0.0, 0.5)


@pytest.mark.parametrize("power", POWERS)
def test_power_of_negative_base_with_integer_exponent(power):
    # d/dx is y * x**(y - 1) as anywhere; d/dy does not exist in the reals.
    assert float(_gradient(power, wrt=0)(-2.0, 3.0)) == 12.0
    d_dy = _gradient(power, wrt=1)
    if power.startswith("np."):
        assert math.isnan(_quietly(lambda *a: (d_dy(*a),), -2.0, 3.0)[0])
    else:
        with pytest.raises(ValueError, match="math domain error"):
            d_dy(-2.0, 3.0)


@pytest.mark.parametrize("power", POWERS)
def test_power_gradient_never_fails_where_it_exists(power):
    # Every (x, y) with x > 0, or x == 0 with y == 0 or y >= 1, has a
    # finite derivative in both operands.
    gradient = _gradient(power)
    points = [(x, y) for x in (0.5, 2.0) for y in (-1.0, 0.0, 0.5, 1.0, 2.5)]
    points += [(0.0, y) for y in (0.0, 1.0, 1.5, 2.0, 7.0)]
    for x, y in points:
        d_dx, d_dy = _quietly(gradient, x, y)
        assert d_dx == pytest.approx(y * x ** (y - 1) if y != 0 else 0.0)
        assert d_dy == pytest.approx(x**y * math.log(x) if x != 0 else 0.0)


def test_zero_to_a_power_with_respect_to_the_power():
    # A literal zero base: 0.0 ** y for y > 0 is 0, so its slope is 0.
    assert _gradient("0.0 ** y", "y", wrt=0)(2.0) == 0.0


def _edges():
    """(module, function, point) where the slope is infinite."""
    inverse = {"asin": 1.0, "acos": -1.0, "acosh": 1.0}
    for module in ("math", "np"):
        yield module, "sqrt", 0.0
        if module == "np" or hasattr(math, "cbrt"):  # math.cbrt: 3.11+
            yield module, "cbrt", 0.0
        for name, at in inverse.items():
            yield module, name if module == "math" else "arc" + name[1:], at
    yield "np", "arctanh", 1.0  # math.atanh(1.0) itself raises


@pytest.mark.parametrize(("module", "function", "at"), list(_edges()))
def test_infinite_slope_at_domain_edge(module, function, at):
    gradient = _gradient(f"{module}.{function}(x)", "x", wrt=0)
    if module == "np":
        slope = _quietly(lambda x: (gradient(x),), np.float64(at))[0]
        assert abs(slope) == math.inf
    else:
        with pytest.raises(ZeroDivisionError):
            gradient(at)


@pytest.mark.parametrize("module", ["math", "np"])
def test_no_slope_at_the_origin_of_hypot_and_atan2(module):
    atan2 = "math.atan2" if module == "math" else "np.arctan2"
    gradient = _gradient(f"{module}.hypot(x, y) + {atan2}(y, x)")
    origin = (np.float64(0.0), np.float64(0.0))
    if module == "np":
        assert all(math.isnan(slope) for slope in _quietly(gradient, *origin))
    else:
        with pytest.raises(ZeroDivisionError):
            gradient(0.0, 0.0)
