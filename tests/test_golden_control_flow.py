"""Golden generated code for loops and branches: what users read.

Four representative functions: a loop that keeps state on tapes, a branch
inside a loop, an early return from a loop, and a loop that stops with
``break``. Each gradient is checked against central differences, then its
generated text against ``tests/golden/`` (regenerate with
SRCGRAD_UPDATE_GOLDEN=1 and review the diff).
"""

from __future__ import annotations

import pytest
from helpers import central_difference, check_golden, define

import srcgrad

CASES = {
    "pendulum_loop": (
        """
        import math

        GRAVITY = 9.81


        def simulate(theta0, damping, steps=500, dt=0.01, length=1.0):
            theta = theta0
            omega = 0.0
            for _ in range(steps):
                alpha = -GRAVITY / length * math.sin(theta) - damping * omega
                theta = theta + dt * omega
                omega = omega + dt * alpha
            return theta * theta + 0.5 * omega * omega
        """,
        ("theta0", "damping"),
        [(0.3, 0.1, 0), (0.3, 0.1, 40), (-1.0, 0.4, 7)],
    ),
    "branch_in_loop": (
        """
        import math


        def relax(x, c, n):
            for i in range(n):
                if x > 1.0:
                    x = x * 0.5 + math.sin(x * c)
                else:
                    x = x * c + 0.3
            return x
        """,
        ("x", "c"),
        [(1.7, 0.9, 6), (0.4, 1.3, 5), (2.5, 1.1, 0)],
    ),
    "early_return_from_loop": (
        """
        import math


        def first_crossing(x, limit):
            y = x
            for i in range(10):
                y = y * 1.5 + math.cos(y)
                if y > limit:
                    return y - limit * i
            return -y
        """,
        ("x", "limit"),
        [(0.5, 5.0), (0.5, 1e9), (2.0, 3.0)],
    ),
    "newton_break": (
        """
        def newton_sqrt(a):
            x = a
            for _ in range(50):
                nxt = 0.5 * (x + a / x)
                if abs(nxt - x) < 1e-15:
                    break
                x = nxt
            return x
        """,
        ("a",),
        [(2.0,), (9.0,), (0.3,)],
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_control_flow_gradient_text_and_numbers(name):
    source, wrt, points = CASES[name]
    f = define(source)
    gradient = srcgrad.grad(f, wrt=wrt)
    for point in points:
        got = gradient(*point)
        for index, parameter in enumerate(wrt):
            position = f.__code__.co_varnames.index(parameter)
            expected = central_difference(f, point, position)
            assert got[index] == pytest.approx(expected, rel=1e-6, abs=1e-9)
    check_golden(f"{name}.grad.py", srcgrad.source(gradient))
