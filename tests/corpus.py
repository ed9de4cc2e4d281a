"""The functions this project grew from, with their exact gradients.

Each entry: source text, the parameters to differentiate with respect to,
and the true gradient as a Python function (written from the mathematics,
not from srcgrad's output).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Case:
    name: str
    source: str
    wrt: tuple[str, ...]
    exact: Callable[..., Any]
    points: tuple[tuple[float, ...], ...]


CORPUS = (
    Case(
        "cos_of_square",
        """
        import math

        def f(x):
            return math.cos(x**2)
        """,
        ("x",),
        lambda x: -math.sin(x**2) * 2 * x,
        ((0.3,), (1.7,), (-2.2,)),
    ),
    Case(
        "shared_square",
        """
        import math

        def f(x):
            return math.sin(x**2) + math.cos(x**2)
        """,
        ("x",),
        lambda x: (math.cos(x**2) - math.sin(x**2)) * 2 * x,
        ((0.3,), (1.1,), (-0.8,)),
    ),
    Case(
        "doubling",
        """
        def f(x):
            a = x * x
            b = a * a
            c = b * b
            d = c * c
            e = d * d
            return e
        """,
        ("x",),
        lambda x: 32 * x**31,
        ((0.9,), (1.05,), (-1.01,)),
    ),
    Case(
        "benchmark",
        """
        import math

        def f(x, y):
            return math.sin(x * y) + math.exp(x) * math.cos(y) / (1 + x * x)
        """,
        ("x", "y"),
        lambda x, y: (
            y * math.cos(x * y)
            + math.exp(x) * math.cos(y) * (1 + x * x - 2 * x) / (1 + x * x) ** 2,
            x * math.cos(x * y) - math.exp(x) * math.sin(y) / (1 + x * x),
        ),
        ((0.5, 0.7), (-1.2, 2.0), (2.0, -0.3)),
    ),
)
