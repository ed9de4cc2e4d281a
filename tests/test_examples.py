"""Every script in examples/ runs, and computes what it says it does."""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.py"))
sys.path.insert(0, str(ROOT / "examples"))


@pytest.mark.parametrize("script", EXAMPLES, ids=[path.name for path in EXAMPLES])
def test_each_example_runs_as_a_script(script):
    done = subprocess.run(
        [sys.executable, str(script)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip()


def test_scipy_fit_recovers_the_oscillation():
    import fit_scipy

    truth, result = fit_scipy.fit()
    assert result.success
    assert result.x == pytest.approx(truth, abs=0.02)


def test_black_scholes_greeks_are_the_closed_forms():
    import black_scholes

    market = dict(spot=100.0, strike=105.0, rate=0.03, volatility=0.2, maturity=0.75)
    exact = black_scholes.closed_form(**market)
    found = black_scholes.all_greeks(**market)
    assert set(found) == {"delta", "vega", "rho", "theta", "gamma"}
    for name, value in found.items():
        assert value == pytest.approx(exact[name], rel=1e-10), name


def test_the_mlp_learns_the_two_moons():
    import mlp

    history, accuracy = mlp.train(steps=600)
    assert history[-1] < 0.25 * history[0]
    assert accuracy > 0.9


def test_the_pendulums_damping_is_found_through_500_steps():
    import pendulum_fit

    damping, remaining = pendulum_fit.fit(true_damping=0.35, guess=0.1)
    assert damping == pytest.approx(0.35, rel=1e-9)
    assert remaining < 1e-20


def test_newton_with_the_hessian_converges_quadratically():
    import newton

    path = newton.newton(-1.2, 1.0)
    x, y = path[-1]
    assert (x, y) == pytest.approx((1.0, 1.0), abs=1e-12)
    assert len(path) <= 10
    errors = [math.hypot(px - 1.0, py - 1.0) for px, py in path[-4:-1]]
    assert errors[-1] < errors[-2] ** 1.5  # the last steps square the error
