"""The Python srcgrad lowers: each construct, differentiated and checked.

Every case states a function and its gradient as a person would derive it;
srcgrad's gradient must match at a few points.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from helpers import define, verified_gradient

import srcgrad

CASES = [
    (
        "tuple assignment and swap",
        """
        def f(x, y):
            a, b = x * 2.0, y
            a, b = b, a
            (c, d), e = (a, b), 3.0
            return c * d * e
        """,
        lambda x, y: (6.0 * y, 6.0 * x),
    ),
    (
        "augmented assignment",
        """
        def f(x, y):
            s = x
            s += y
            s *= x
            s -= 1.0
            s /= y
            s **= 2
            return s
        """,
        lambda x, y: (
            2 * ((x + y) * x - 1) / y * (2 * x + y) / y,
            2 * ((x + y) * x - 1) / y * (x * y - ((x + y) * x - 1)) / y**2,
        ),
    ),
    (
        "chained and annotated assignment, docstring, pass",
        '''
        def f(x, y):
            """A docstring is not code."""
            a = b = x * y
            c: float = a + b
            pass
            return c
        ''',
        lambda x, y: (2 * y, 2 * x),
    ),
    (
        "unary plus and minus, floor division, constants",
        """
        def f(x, y):
            return -x * +y + (x // 1.0) * y - 2 ** x
        """,
        lambda x, y: (-y - math.log(2) * 2**x, -x + x // 1.0),
    ),
    (
        "keyword arguments and builtins",
        """
        def f(x, y):
            return pow(base=x, exp=3) + abs(y) + pow(y, 2)
        """,
        lambda x, y: (3 * x**2, math.copysign(1.0, y) + 2 * y),
    ),
    (
        "two-argument log, variadic hypot, module constants",
        """
        import math

        def f(x, y):
            return math.log(x, 2) + math.hypot(x, y, 2.0) + math.pi * y + math.e
        """,
        lambda x, y: (
            1 / (x * math.log(2)) + x / math.hypot(x, y, 2.0),
            y / math.hypot(x, y, 2.0) + math.pi,
        ),
    ),
    (
        "numpy functions on scalars",
        """
        import numpy as np

        def f(x, y):
            return np.arctan2(y, x) + np.power(x, y) + np.abs(np.tanh(x))
        """,
        lambda x, y: (
            -y / (x * x + y * y) + y * x ** (y - 1) + (1 - np.tanh(x) ** 2),
            x / (x * x + y * y) + x**y * math.log(x),
        ),
    ),
    (
        "reassigned variables keep their own values",
        """
        import math

        def f(x, y):
            z = x * y
            w = math.sin(z)
            z = z * z
            return w + z
        """,
        lambda x, y: (
            math.cos(x * y) * y + 2 * x * y * y,
            math.cos(x * y) * x + 2 * x * y * x,
        ),
    ),
]


@pytest.mark.parametrize(
    ("name", "source", "exact"), CASES, ids=[case[0] for case in CASES]
)
def test_construct_is_differentiated_exactly(name, source, exact):
    f = define(source)
    gradient = verified_gradient(f, ["x", "y"])
    public = srcgrad.grad(f, wrt=("x", "y"))
    for point in [(0.7, 1.3), (1.9, 0.4), (1.2, -0.6)]:
        expected = exact(*point)
        assert tuple(map(float, gradient(*point))) == pytest.approx(expected, rel=1e-12)
        assert tuple(map(float, public(*point))) == pytest.approx(expected, rel=1e-12)


def test_primal_value_is_unchanged_by_differentiation():
    # Lowering and optimising must not change what the function computes.
    source = CASES[1][1]
    f = define(source)
    srcgrad.grad(f)
    assert f(0.7, 1.3) == pytest.approx((((0.7 + 1.3) * 0.7 - 1.0) / 1.3) ** 2)


def test_numpy_scalars_flow_through():
    f = define("import numpy as np\n\ndef f(x):\n    return np.exp(x) * x\n")
    value = srcgrad.grad(f)(np.float64(0.5))
    assert isinstance(value, np.floating)
    assert value == pytest.approx(math.exp(0.5) * 1.5)
