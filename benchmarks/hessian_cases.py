"""What benchmarks/hessian.py differentiates: the 20-input ring ``chain``
with its hand-written Hessian and Hessian-vector product, the pendulum of
benchmarks/pendulum.py, and both in ``jax.numpy``."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from typing import Any

from pendulum import GRAVITY, simulate


def morse(d):
    """A Morse spring's energy at stretch ``d``, 0 at rest (d = 0)."""
    e = math.exp(-d)
    return (1 - e) * (1 - e)


def chain(
    x0, x1, x2, x3, x4, x5, x6, x7, x8, x9,
    x10, x11, x12, x13, x14, x15, x16, x17, x18, x19,
):  # fmt: skip
    """20 atoms on a ring (Frenkel-Kontorova): each in a cosine well, each
    joined to the next by a Morse spring, the centre of mass tethered."""
    substrate = (
        math.cos(x0) + math.cos(x1) + math.cos(x2) + math.cos(x3) + math.cos(x4)
        + math.cos(x5) + math.cos(x6) + math.cos(x7) + math.cos(x8) + math.cos(x9)
        + math.cos(x10) + math.cos(x11) + math.cos(x12) + math.cos(x13)
        + math.cos(x14) + math.cos(x15) + math.cos(x16) + math.cos(x17)
        + math.cos(x18) + math.cos(x19)
    )  # fmt: skip
    springs = (
        morse(x1 - x0) + morse(x2 - x1) + morse(x3 - x2) + morse(x4 - x3)
        + morse(x5 - x4) + morse(x6 - x5) + morse(x7 - x6) + morse(x8 - x7)
        + morse(x9 - x8) + morse(x10 - x9) + morse(x11 - x10) + morse(x12 - x11)
        + morse(x13 - x12) + morse(x14 - x13) + morse(x15 - x14)
        + morse(x16 - x15) + morse(x17 - x16) + morse(x18 - x17)
        + morse(x19 - x18) + morse(x0 - x19)
    )  # fmt: skip
    mean = (
        x0 + x1 + x2 + x3 + x4 + x5 + x6 + x7 + x8 + x9
        + x10 + x11 + x12 + x13 + x14 + x15 + x16 + x17 + x18 + x19
    ) / 20  # fmt: skip
    return 20 - substrate + springs + math.sqrt(1 + mean * mean) - 1


def chain_hessian_by_hand(*x):
    """Tridiagonal and cyclic, plus the tether's constant in every entry."""
    n = len(x)
    mean = sum(x) / n
    # d2/dxi dxj sqrt(1 + mean^2) = (1 + mean^2)^(-3/2) / n^2, for every i, j
    tether = (1 + mean * mean) ** -1.5 / (n * n)
    rows = [[tether] * n for _ in range(n)]
    for i in range(n):
        j = (i + 1) % n
        # morse(d) = (1 - e)^2 with e = exp(-d): morse''(d) = 2e(2e - 1)
        e = math.exp(x[i] - x[j])
        spring = 2 * e * (2 * e - 1)
        rows[i][i] += math.cos(x[i]) + spring
        rows[j][j] += spring
        rows[i][j] -= spring
        rows[j][i] -= spring
    return tuple(map(tuple, rows))


def chain_hvp_by_hand(x, v):
    """The Hessian above times ``v``, without the Hessian."""
    n = len(x)
    mean = sum(x) / n
    tether = (1 + mean * mean) ** -1.5 / (n * n) * sum(v)
    product = [tether + math.cos(xi) * vi for xi, vi in zip(x, v, strict=True)]
    for i in range(n):
        j = (i + 1) % n
        e = math.exp(x[i] - x[j])
        pushed = 2 * e * (2 * e - 1) * (v[i] - v[j])
        product[i] += pushed
        product[j] -= pushed
    return tuple(product)


@dataclasses.dataclass(frozen=True)
class Workload:
    """A function, the point and direction it is differentiated at, and
    the Hessians to time beside srcgrad's."""

    title: str
    primal: Callable[..., float]
    args: tuple[Any, ...]
    #: The positions of the inputs differentiated, and a tangent for each.
    wrt: tuple[int, ...]
    tangent: tuple[float, ...]
    hessian_by_hand: Callable[..., Any] | None = None
    hvp_by_hand: Callable[..., Any] | None = None

    @property
    def point(self) -> tuple[float, ...]:
        return tuple(self.args[position] for position in self.wrt)


def workloads() -> list[Workload]:
    x = tuple(0.3 * math.sin(0.7 * i + 0.2) for i in range(20))
    return [
        Workload(
            "chain: 20 inputs, closed form",
            chain,
            x,
            tuple(range(20)),
            tuple(math.cos(1.3 * i) for i in range(20)),
            chain_hessian_by_hand,
            chain_hvp_by_hand,
        ),
        Workload(
            "simulate: pendulum, 500 steps, 4 real parameters",
            simulate,
            (0.3, 0.1, 500, 0.01, 1.0),
            (0, 1, 3, 4),
            (0.3, -0.1, 0.005, 0.7),  # on the scale of each parameter
        ),
    ]


def jax_versions() -> dict[Callable[..., float], Callable[..., Any]] | None:
    """The workloads' functions in ``jax.numpy``, each a function of one
    vector of the inputs differentiated; None where JAX is not installed."""
    try:
        import jax
        import jax.numpy as jnp
    except ImportError:
        return None
    jax.config.update("jax_enable_x64", True)

    def chain_jax(x):
        e = jnp.exp(-(jnp.roll(x, -1) - x))  # x[i + 1] - x[i], around the ring
        mean = jnp.mean(x)
        springs = jnp.sum((1 - e) * (1 - e))
        return 20 - jnp.sum(jnp.cos(x)) + springs + jnp.sqrt(1 + mean * mean) - 1

    def simulate_jax(parameters, steps=500):
        theta0, damping, dt, length = parameters

        def step(_, state):
            theta, omega = state
            alpha = -GRAVITY / length * jnp.sin(theta) - damping * omega
            return theta + dt * omega, omega + dt * alpha

        start = (theta0, jnp.zeros_like(theta0))
        theta, omega = jax.lax.fori_loop(0, steps, step, start)
        return theta * theta + 0.5 * omega * omega

    return {chain: chain_jax, simulate: simulate_jax}
