"""The functions compare.py differentiates, each with a gradient by hand.

Each workload is a plain function written as a user writes it (``math`` for
numbers, NumPy for arrays), the gradient a careful person writes for it
(shared subexpressions kept, values a backward loop needs kept in lists),
the parameters it is differentiated with respect to, and its inputs, the
same on every call. The versions the other systems differentiate are in
peer_workloads.py.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from pendulum import simulate, simulate_grad_by_hand

#: Levels of the doubling graph: 2**12 = 4096 paths from each input.
DOUBLING_DEPTH = 12


@dataclass(frozen=True)
class Workload:
    """A function, its gradient by hand and the inputs both are called with."""

    title: str
    size: str
    function: Callable[..., float]
    by_hand: Callable[..., tuple]
    wrt: tuple[int, ...]
    inputs: Callable[[], tuple]

    def gradient_by_hand(self) -> tuple:
        """The hand-written gradient at ``inputs()``, as one item per ``wrt``."""
        return as_tuple(self.by_hand(*self.inputs()))


def as_tuple(gradient: object) -> tuple:
    """A gradient as a tuple, whether a system gave one value or several."""
    return tuple(gradient) if isinstance(gradient, tuple | list) else (gradient,)


def scalar_expression(x, y):
    return math.sin(x * y) + math.exp(x) * math.cos(y) / (1 + x * x)


def scalar_expression_by_hand(x, y):
    xy = x * y
    cos_xy = math.cos(xy)
    exp_x = math.exp(x)
    denominator = 1 + x * x
    quotient = exp_x * math.cos(y) / denominator
    dx = cos_xy * y + quotient - 2 * x * quotient / denominator
    dy = cos_xy * x - exp_x * math.sin(y) / denominator
    return dx, dy


def doubling(a, b):
    # Each level reads both previous values twice: the paths from a or b to
    # the result double at every level.
    for _ in range(DOUBLING_DEPTH):
        a, b = math.sin(a) * math.cos(b), math.cos(a) + math.sin(b)
    return a + b


def doubling_by_hand(a, b, depth=DOUBLING_DEPTH):
    a_values, b_values = [], []
    for _ in range(depth):
        a_values.append(a)
        b_values.append(b)
        a, b = math.sin(a) * math.cos(b), math.cos(a) + math.sin(b)
    a_bar, b_bar = 1.0, 1.0
    for a, b in zip(reversed(a_values), reversed(b_values), strict=True):
        sin_a, cos_a = math.sin(a), math.cos(a)
        sin_b, cos_b = math.sin(b), math.cos(b)
        a_bar, b_bar = (
            a_bar * cos_a * cos_b - b_bar * sin_a,
            b_bar * cos_b - a_bar * sin_a * sin_b,
        )
    return a_bar, b_bar


def mlp(W1, b1, W2, b2, X, Y):
    h = np.tanh(X @ W1 + b1)
    r = h @ W2 + b2 - Y
    return np.sum(r * r) / X.shape[0]


def mlp_by_hand(W1, b1, W2, b2, X, Y):
    h = np.tanh(X @ W1 + b1)
    r_bar = (2.0 / X.shape[0]) * (h @ W2 + b2 - Y)
    a_bar = (r_bar @ W2.T) * (1 - h * h)
    return X.T @ a_bar, a_bar.sum(axis=0), h.T @ r_bar, r_bar.sum(axis=0)


def logistic(w, b, X, y):
    z = X @ w + b
    p = 1.0 / (1.0 + np.exp(-z))
    return -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))


def logistic_by_hand(w, b, X, y):
    p = 1.0 / (1.0 + np.exp(-(X @ w + b)))
    z_bar = (p - y) / y.shape[0]
    return X.T @ z_bar, z_bar.sum()


def logistic_by_hand_exact(w, b, X, y):
    """As accurate as srcgrad's where the prediction is sure: at y = 1 and a
    large z, p - y is 1/(1 + t) - 1 and loses every digit of t = exp(-z)."""
    t = np.exp(-(X @ w + b))
    p = 1.0 / (1.0 + t)
    z_bar = (y - 1 + y * t) * p / -y.shape[0]
    return X.T @ z_bar, z_bar.sum()


def rosenbrock(x):
    return np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2)


def rosenbrock_by_hand(x):
    head = x[:-1]
    d = x[1:] - head * head
    g = np.zeros_like(x)
    g[:-1] = -400.0 * head * d - 2.0 * (1 - head)
    g[1:] += 200.0 * d
    return g


def _mlp_inputs() -> tuple:
    rng = np.random.default_rng(0)
    return (
        rng.normal(scale=0.05, size=(784, 128)),
        np.zeros(128),
        rng.normal(scale=0.05, size=(128, 10)),
        np.zeros(10),
        rng.normal(size=(64, 784)),
        rng.normal(size=(64, 10)),
    )


def _logistic_inputs() -> tuple:
    rng = np.random.default_rng(1)
    X = rng.normal(size=(2000, 50))
    y = (rng.random(2000) > 0.5).astype(float)
    return rng.normal(scale=0.1, size=50), 0.1, X, y


def _rosenbrock_inputs() -> tuple:
    return (np.random.default_rng(2).normal(size=1000),)


WORKLOADS: tuple[Workload, ...] = (
    Workload(
        "scalar expression",
        "sin(xy) + exp(x)cos(y)/(1+x²)",
        scalar_expression,
        scalar_expression_by_hand,
        (0, 1),
        lambda: (0.5, 0.7),
    ),
    Workload(
        "doubling graph",
        f"depth {DOUBLING_DEPTH}, {2 ** DOUBLING_DEPTH:,} paths",
        doubling,
        doubling_by_hand,
        (0, 1),
        lambda: (0.5, 0.7),
    ),
    Workload(
        "damped pendulum",
        "500 Euler steps",
        simulate,
        simulate_grad_by_hand,
        (0, 1),
        lambda: (0.3, 0.1),
    ),
    Workload(
        "MLP loss",
        "784-128-10 tanh, batch 64, squared error",
        mlp,
        mlp_by_hand,
        (0, 1, 2, 3),
        _mlp_inputs,
    ),
    Workload(
        "logistic regression",
        "2000 × 50",
        logistic,
        logistic_by_hand,
        (0, 1),
        _logistic_inputs,
    ),
    Workload(
        "vector Rosenbrock",
        "n = 1000, slices",
        rosenbrock,
        rosenbrock_by_hand,
        (0,),
        _rosenbrock_inputs,
    ),
)


def by_title(title: str) -> Workload:
    """The workload called ``title``."""
    for workload in WORKLOADS:
        if workload.title == title:
            return workload
    raise KeyError(title)
