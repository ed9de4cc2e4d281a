"""A function whose value Python makes complex has no gradient: refused.

``(-4.0) ** 1.5`` is a complex number in Python, so ``f(x) = x ** 1.5`` is
not a real function at ``x = -4``; its "gradient" ``1.5 * x ** 0.5`` would
be the complex ``3j``. The gradient checks the power's value when it runs
(only where the exponent is not a whole number) and raises ``NotRealError``.
The power rule calls the namespace ``f`` called, so ``np.power`` gives nan
where ``f`` does and ``math.pow`` raises where ``f`` does.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from helpers import code_without_comments, define

import srcgrad

FRACTIONAL_POWERS = [
    ("x ** 1.5", -4.0),
    ("(x - 3.0) ** 1.5 + x", 1.0),
    ("x ** y", -2.0),
    ("pow(x, 0.25) * 2.0", -1.0),
]


@pytest.mark.parametrize(("expression", "x"), FRACTIONAL_POWERS)
def test_a_complex_value_of_f_is_refused(expression, x):
    f = define(f"def f(x, y=0.5):\n    return {expression}\n")
    assert isinstance(f(x), complex)
    with pytest.raises(srcgrad.NotRealError, match="complex"):
        srcgrad.grad(f)(x)
    # A real point still gets its derivative.
    h = 1e-6
    expected = (f(4.0 + h) - f(4.0 - h)) / (2 * h)
    assert srcgrad.grad(f)(4.0) == pytest.approx(expected, rel=1e-6)


def test_whole_number_exponents_cost_no_check():
    f = define("def f(x):\n    return x ** 3 + x ** 2.0\n")
    text = code_without_comments(srcgrad.source(srcgrad.grad(f)))
    assert "complex" not in text
    assert srcgrad.grad(f)(-2.0) == 3 * 4.0 - 4.0


def test_the_power_rule_calls_the_namespace_f_called():
    with np.errstate(invalid="ignore"):
        numpy_power = define("def f(x):\n    return np.power(x, 1.5)\n")
        assert math.isnan(numpy_power(-4.0))
        assert math.isnan(srcgrad.grad(numpy_power)(-4.0))  # not 3j
    assert srcgrad.grad(numpy_power)(4.0) == 3.0
    math_power = define("def f(x):\n    return math.pow(x, 1.5)\n")
    with pytest.raises(ValueError):
        math_power(-4.0)
    with pytest.raises(ValueError):
        srcgrad.grad(math_power)(-4.0)
