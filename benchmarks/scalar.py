"""Scalar benchmark: srcgrad's gradient next to a hand-written one.

    f(x, y) = sin(x*y) + exp(x)*cos(y)/(1 + x*x)

Times the primal, srcgrad's gradient and a gradient written by hand the
way a careful person would (shared subexpressions kept in locals), in one
run, and prints them as a table with ratios. Optional peers (autograd,
JAX, PyTorch, Tangent) are timed too when they are installed.

    python benchmarks/scalar.py [--repeat 7] [--number 200000]
"""

from __future__ import annotations

import argparse
import math
import platform
import sys
import timeit

import srcgrad


def f(x, y):
    return math.sin(x * y) + math.exp(x) * math.cos(y) / (1 + x * x)


def f_grad_by_hand(x, y):
    xy = x * y
    cos_xy = math.cos(xy)
    exp_x = math.exp(x)
    denominator = 1 + x * x
    quotient = exp_x * math.cos(y) / denominator
    dx = cos_xy * y + quotient - 2 * x * quotient / denominator
    dy = cos_xy * x - exp_x * math.sin(y) / denominator
    return dx, dy


f_grad = srcgrad.grad(f, wrt=("x", "y"))


def _time(function, number: int, repeat: int) -> float:
    """Best time of one call, in nanoseconds."""
    timer = timeit.Timer(
        "function(x, y)", globals={"function": function, "x": 0.5, "y": 0.7}
    )
    return min(timer.repeat(repeat=repeat, number=number)) / number * 1e9


def _peers() -> dict[str, object]:
    peers: dict[str, object] = {}
    try:
        import autograd
        import autograd.numpy as anp

        def f_autograd(x, y):
            return anp.sin(x * y) + anp.exp(x) * anp.cos(y) / (1 + x * x)

        peers["autograd"] = autograd.grad(f_autograd, (0, 1))
    except ImportError:
        pass
    return peers


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--number", type=int, default=200_000)
    options = parser.parse_args()

    expected = f_grad_by_hand(0.5, 0.7)
    actual = f_grad(0.5, 0.7)
    assert all(
        math.isclose(a, e, rel_tol=1e-12) for a, e in zip(actual, expected, strict=True)
    )

    rows = [
        ("primal f", f),
        ("hand-written gradient", f_grad_by_hand),
        ("srcgrad gradient", f_grad),
    ]
    rows += [(f"{name} gradient", function) for name, function in _peers().items()]
    times = {
        name: _time(function, options.number, options.repeat) for name, function in rows
    }
    primal, by_hand = times["primal f"], times["hand-written gradient"]
    print(
        f"Python {platform.python_version()} on {platform.machine()}, "
        f"best of {options.repeat} x {options.number} calls"
    )
    print(f"{'':24} {'ns/call':>9} {'x primal':>9} {'x by hand':>10}")
    for name, nanoseconds in times.items():
        print(
            f"{name:24} {nanoseconds:9.1f} {nanoseconds / primal:9.2f} "
            f"{nanoseconds / by_hand:10.2f}"
        )
    ratio = times["srcgrad gradient"] / by_hand
    print(f"\nsrcgrad / hand-written = {ratio:.2f} (target: at most 1.25)")
    print("\nGenerated code:\n")
    print(srcgrad.source(f_grad))
    sys.exit(0)


if __name__ == "__main__":
    main()
