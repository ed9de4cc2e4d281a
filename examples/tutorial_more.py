"""The later examples of docs/tutorial.md: a loop, arrays, a Hessian."""

import math

import numpy as np


def decay(x, rate, steps):
    """x after ``steps`` steps of exponential decay, with a little wobble."""
    for _ in range(steps):
        x = x - rate * x + 0.1 * math.sin(x)
    return x


def logistic(w, X, y):
    """The mean logistic loss of a linear model."""
    z = X @ w
    return np.mean(np.logaddexp(0.0, z) - y * z)


def rosenbrock(x, y):
    return (1.0 - x) ** 2 + 100.0 * (y - x * x) ** 2


if __name__ == "__main__":
    import srcgrad

    print("d decay / dx, d rate:", srcgrad.grad(decay, wrt=(0, 1))(1.0, 0.3, 5))
    print(
        "Hessian of rosenbrock at (1, 1):",
        srcgrad.hessian(rosenbrock, wrt=(0, 1))(1.0, 1.0),
    )
