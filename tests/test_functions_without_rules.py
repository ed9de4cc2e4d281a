"""A math or NumPy function without a derivative rule, off the wrt path.

A Student-t log-density differentiated with respect to ``x`` calls
``math.lgamma(nu)``, which srcgrad has no rule for but needs none: it does
not depend on ``x``. Such calls are computed as written; only where one
lies between ``wrt`` and the output is the gradient refused, at its place.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from helpers import central_difference, code_without_comments, define

import srcgrad

STUDENT_T = """
def logpdf(x, nu, mu=0.0, scale=1.0):
    z = (x - mu) / scale
    return (
        math.lgamma((nu + 1) / 2)
        - math.lgamma(nu / 2)
        - 0.5 * math.log(nu * math.pi)
        - math.log(scale)
        - (nu + 1) / 2 * math.log1p(z * z / nu)
    )
"""


def test_a_function_without_a_rule_off_the_path_builds():
    f = define(STUDENT_T)
    g = srcgrad.grad(f, wrt=("x", "mu", "scale"))
    for point in ((0.7, 3.0, 0.1, 1.5), (-2.0, 5.5, 0.0, 0.3)):
        exact = g(*point)
        for index, value in zip((0, 2, 3), exact, strict=True):
            assert value == pytest.approx(central_difference(f, point, index), rel=1e-6)


def test_on_the_path_it_is_refused_where_it_is_called():
    f = define(STUDENT_T)
    with pytest.raises(srcgrad.DifferentiationError) as raised:
        srcgrad.grad(f, wrt="nu")
    message = str(raised.value)
    assert "no derivative rule for math.lgamma;" in message
    assert ":4:9:" in message  # the first lgamma call


def test_it_still_raises_where_f_raises():
    f = define("def f(x, n):\n    return x * 2.0 + math.lgamma(n)\n")
    with pytest.raises(ValueError):
        f(1.0, 0.0)  # a pole of the gamma function
    with pytest.raises(ValueError):
        srcgrad.grad(f)(1.0, 0.0)
    assert srcgrad.grad(f)(1.0, 2.5) == 2.0


def test_constant_calls_without_rules_fold_or_stay_as_written():
    f = define("def f(x):\n    return x * np.float32(0.5) + math.fmod(7.0, 4.0)\n")
    g = srcgrad.grad(f)
    assert g(2.0) == 0.5
    assert "np.float32(0.5)" in code_without_comments(srcgrad.source(g))


def test_powers_and_divisions_by_positive_constants_are_not_kept():
    # x ** 2, x / 2 and x // 2 raise for no float x: nothing to keep.
    f = define("def f(x, y):\n    return x + y**2 + y / 2 + y // 2\n")
    text = code_without_comments(srcgrad.source(srcgrad.grad(f)))
    assert "kept" not in text and "y**2" not in text and "y / 2" not in text
    assert math.isfinite(srcgrad.grad(f)(1.0, np.float64(3.0)))


def test_a_numpy_function_without_a_rule_of_arrays_is_not_taken_for_elementwise():
    # np.nansum(A) is a number, not an array of A's shape: the adjoint of x
    # in x * np.nansum(A) has x's shape (it was summed over A's axes, and
    # came back as a number, when its result was typed like A).
    f = define("def f(x, A):\n    return np.sum(x * np.nansum(A))\n")
    x, A = np.ones(2), np.arange(6.0).reshape(3, 2)
    x_bar = srcgrad.grad(f)(x, A)
    np.testing.assert_array_equal(x_bar, np.full(2, 15.0))


def test_a_numpy_linalg_function_without_a_rule_is_computed_as_written():
    f = define("def f(x, A):\n    return np.sum(x * np.linalg.cond(A))\n")
    x, A = np.ones(2), np.array([[2.0, 1.0, 0.0], [1.0, 3.0, 1.0], [0.0, 1.0, 4.0]])
    np.testing.assert_allclose(srcgrad.grad(f)(x, A), np.full(2, np.linalg.cond(A)))
    g = define("def g(A):\n    return np.linalg.cond(A)\n")
    with pytest.raises(srcgrad.DifferentiationError, match="np.linalg.cond"):
        srcgrad.grad(g)(A)
