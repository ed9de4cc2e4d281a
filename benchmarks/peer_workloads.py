"""The workloads of workloads.py as the other systems' users write them.

autograd, JAX and PyTorch each differentiate functions written with their
own array module (``autograd.numpy``, ``jax.numpy``, ``torch``), and
Tangent reads NumPy (it has no rules for ``math``). The code is the same
but for that module, so each workload is written once here for a module
``xp``; only JAX's pendulum differs: its users write a loop of 500 steps
as ``lax.fori_loop``, since tracing 500 Python iterations and compiling
them as straight-line code takes JAX about 17 s.
"""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType

from pendulum import GRAVITY
from workloads import DOUBLING_DEPTH


def written_with(xp: ModuleType) -> dict[str, Callable[..., object]]:
    """Each workload, by title, written with the array module ``xp``."""

    def scalar_expression(x, y):
        return xp.sin(x * y) + xp.exp(x) * xp.cos(y) / (1 + x * x)

    def doubling(a, b):
        for _ in range(DOUBLING_DEPTH):
            a, b = xp.sin(a) * xp.cos(b), xp.cos(a) + xp.sin(b)
        return a + b

    def simulate(theta0, damping, steps=500, dt=0.01, length=1.0):
        theta = theta0
        omega = 0.0
        for _ in range(steps):
            alpha = -GRAVITY / length * xp.sin(theta) - damping * omega
            theta = theta + dt * omega
            omega = omega + dt * alpha
        return theta * theta + 0.5 * omega * omega

    def mlp(W1, b1, W2, b2, X, Y):
        h = xp.tanh(X @ W1 + b1)
        r = h @ W2 + b2 - Y
        return xp.sum(r * r) / X.shape[0]

    def logistic(w, b, X, y):
        z = X @ w + b
        p = 1.0 / (1.0 + xp.exp(-z))
        return -xp.mean(y * xp.log(p) + (1 - y) * xp.log(1 - p))

    def rosenbrock(x):
        return xp.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2)

    return {
        "scalar expression": scalar_expression,
        "doubling graph": doubling,
        "damped pendulum": simulate,
        "MLP loss": mlp,
        "logistic regression": logistic,
        "vector Rosenbrock": rosenbrock,
    }


def written_for_jax(jnp: ModuleType, lax: ModuleType) -> dict[str, Callable]:
    """The workloads for JAX: the pendulum's loop is a ``lax.fori_loop``."""

    def simulate(theta0, damping, steps=500, dt=0.01, length=1.0):
        def step(_, state):
            theta, omega = state
            alpha = -GRAVITY / length * jnp.sin(theta) - damping * omega
            return theta + dt * omega, omega + dt * alpha

        theta, omega = lax.fori_loop(0, steps, step, (theta0, 0.0))
        return theta * theta + 0.5 * omega * omega

    return {**written_with(jnp), "damped pendulum": simulate}


def warm_up(x):
    """A function each system differentiates once before any first call is
    timed, so that none is charged for a library's own start-up."""
    return x * x + 1.0
