"""Golden text for two models a user would write: an option price and gravity.

Each gradient is checked against its closed form, then its generated text
against the golden file (regenerate with SRCGRAD_UPDATE_GOLDEN=1 and read
the diff: these files are what users see).
"""

from __future__ import annotations

import math

import pytest
from helpers import central_difference, check_golden, define

import srcgrad

BLACK_SCHOLES = """
import math

def call_price(S, K, T, r, sigma):
    sqrt_T = math.sqrt(T)
    d1 = (math.log(S / K) + (r + 0.5 * sigma**2) * T) / (sigma * sqrt_T)
    d2 = d1 - sigma * sqrt_T
    N1 = 0.5 * (1 + math.erf(d1 / math.sqrt(2)))
    N2 = 0.5 * (1 + math.erf(d2 / math.sqrt(2)))
    return S * N1 - K * math.exp(-r * T) * N2
"""

TWO_BODY = """
import math

G = 6.674e-11

def potential(x1, y1, z1, x2, y2, z2, m1, m2):
    r = math.sqrt((x1 - x2) ** 2 + (y1 - y2) ** 2 + (z1 - z2) ** 2)
    return -G * m1 * m2 / r
"""

OPTIONS = [(100.0, 95.0, 0.5, 0.03, 0.2), (42.0, 50.0, 2.0, 0.01, 0.35)]
BODIES = [(0.0, 0.0, 0.0, 1.5e11, 2.0e10, -3.0e9, 5.97e24, 1.99e30)]


def _normal_cdf(z):
    return 0.5 * (1 + math.erf(z / math.sqrt(2)))


def _greeks(S, K, T, r, sigma):
    """The Black-Scholes sensitivities, from the textbook formulas."""
    d1 = (math.log(S / K) + (r + sigma**2 / 2) * T) / (sigma * math.sqrt(T))
    d2 = d1 - sigma * math.sqrt(T)
    density = math.exp(-(d1**2) / 2) / math.sqrt(2 * math.pi)
    discount = math.exp(-r * T)
    delta = _normal_cdf(d1)
    dual_delta = -discount * _normal_cdf(d2)
    theta = S * density * sigma / (2 * math.sqrt(T)) + r * K * discount * _normal_cdf(
        d2
    )
    rho = K * T * discount * _normal_cdf(d2)
    vega = S * density * math.sqrt(T)
    return delta, dual_delta, theta, rho, vega


@pytest.fixture(scope="module")
def black_scholes():
    f = define(BLACK_SCHOLES)
    return f, srcgrad.grad(f, wrt=("S", "K", "T", "r", "sigma"))


@pytest.fixture(scope="module")
def two_body():
    f = define(TWO_BODY, G=6.674e-11)
    return f, srcgrad.grad(f, wrt=tuple(f.__code__.co_varnames[:8]))


@pytest.mark.parametrize("point", OPTIONS)
def test_black_scholes_gradient_is_the_greeks(black_scholes, point):
    _, gradient = black_scholes
    assert gradient(*point) == pytest.approx(_greeks(*point), rel=1e-12)


@pytest.mark.parametrize("point", OPTIONS)
def test_black_scholes_gradient_matches_finite_differences(black_scholes, point):
    f, gradient = black_scholes
    differences = [central_difference(f, point, i) for i in range(5)]
    assert gradient(*point) == pytest.approx(differences, rel=1e-6)


def test_black_scholes_generated_code(black_scholes):
    check_golden("black_scholes.grad.py", srcgrad.source(black_scholes[1]))


@pytest.mark.parametrize("point", BODIES)
def test_two_body_gradient_is_the_force(two_body, point):
    # U = -G m1 m2 / r: dU/dx1 = G m1 m2 (x1 - x2) / r**3, dU/dm1 = -G m2 / r.
    _, gradient = two_body
    x1, y1, z1, x2, y2, z2, m1, m2 = point
    d = (x1 - x2, y1 - y2, z1 - z2)
    r = math.sqrt(sum(c * c for c in d))
    force = [6.674e-11 * m1 * m2 * c / r**3 for c in d]
    expected = [*force, *(-c for c in force), -6.674e-11 * m2 / r, -6.674e-11 * m1 / r]
    assert gradient(*point) == pytest.approx(expected, rel=1e-12)


def test_two_body_generated_code(two_body):
    check_golden("two_body.grad.py", srcgrad.source(two_body[1]))
