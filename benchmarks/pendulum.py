"""Loop benchmark: a damped pendulum, 500 explicit Euler steps.

The gradient of a final-state objective with respect to the initial angle
and the damping, by srcgrad and by a hand-written adjoint that keeps the
per-step values in lists, timed interleaved in one run. Also: what building
the gradient costs once SymPy and black are imported, and the tape's memory
per step (tracemalloc peak over 10^5 steps, less the primal's).

    python benchmarks/pendulum.py [--repeat 15] [--seconds 0.2]
"""

from __future__ import annotations

import argparse
import math
import platform
import time
import tracemalloc

from timing import print_table, time_all

import srcgrad

GRAVITY = 9.81


def simulate(theta0, damping, steps=500, dt=0.01, length=1.0):
    theta = theta0
    omega = 0.0
    for _ in range(steps):
        alpha = -GRAVITY / length * math.sin(theta) - damping * omega
        theta = theta + dt * omega
        omega = omega + dt * alpha
    return theta * theta + 0.5 * omega * omega


def simulate_grad_by_hand(theta0, damping, steps=500, dt=0.01, length=1.0):
    """The adjoint a careful person writes: states in lists, then backwards."""
    thetas, omegas = [], []
    theta, omega = theta0, 0.0
    for _ in range(steps):
        thetas.append(theta)
        omegas.append(omega)
        alpha = -GRAVITY / length * math.sin(theta) - damping * omega
        theta = theta + dt * omega
        omega = omega + dt * alpha
    theta_bar, omega_bar, damping_bar = 2.0 * theta, omega, 0.0
    g_over_l = GRAVITY / length
    for theta, omega in zip(reversed(thetas), reversed(omegas), strict=True):
        alpha_bar = dt * omega_bar
        damping_bar -= alpha_bar * omega
        omega_bar += dt * theta_bar - alpha_bar * damping
        theta_bar -= alpha_bar * g_over_l * math.cos(theta)
    return theta_bar, damping_bar


def _build_time() -> float:
    """Milliseconds to build the gradient, SymPy and black already imported."""

    def warm_up(x):
        return math.sin(x) * math.exp(x)

    srcgrad.grad(warm_up)
    srcgrad.clear_cache()
    started = time.perf_counter()
    srcgrad.grad(simulate, wrt=("theta0", "damping"))
    return 1e3 * (time.perf_counter() - started)


def _peak_bytes(function, steps: int) -> int:
    tracemalloc.start()
    function(0.3, 0.1, steps)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--seconds", type=float, default=0.2, help="per measurement")
    options = parser.parse_args()

    build_ms = _build_time()
    gradient = srcgrad.grad(simulate, wrt=("theta0", "damping"))
    expected = simulate_grad_by_hand(0.3, 0.1)
    actual = gradient(0.3, 0.1)
    assert all(
        math.isclose(a, e, rel_tol=1e-9) for a, e in zip(actual, expected, strict=True)
    ), (actual, expected)

    rows = {
        "primal simulate": simulate,
        "hand-written gradient": simulate_grad_by_hand,
        "srcgrad gradient": gradient,
    }
    times = time_all(rows, (0.3, 0.1), options.repeat, options.seconds)
    print(
        f"Python {platform.python_version()} on {platform.machine()}, "
        f"best of {options.repeat} interleaved runs of ~{options.seconds}s each, "
        "500 steps"
    )
    print_table(times, "primal simulate", "hand-written gradient", "us")
    ratio = times["srcgrad gradient"] / times["hand-written gradient"]
    print(f"\nsrcgrad / hand-written = {ratio:.2f} (bar: at most 1.25)")
    print(f"building the gradient  = {build_ms:.1f} ms (bar: under 100 ms)")

    steps = 100_000
    primal_peak = _peak_bytes(simulate, steps)
    for name, function in (
        ("srcgrad", gradient),
        ("hand-written", simulate_grad_by_hand),
    ):
        extra = _peak_bytes(function, steps) - primal_peak
        print(f"tape memory, {name:12} = {extra / steps:.1f} bytes per step")
    print("\nGenerated code:\n")
    print(srcgrad.source(gradient))


if __name__ == "__main__":
    main()
