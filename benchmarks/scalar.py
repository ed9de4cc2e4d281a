"""Scalar benchmark: srcgrad's gradient next to a hand-written one.

    f(x, y) = sin(x*y) + exp(x)*cos(y)/(1 + x*x)

Times the primal, srcgrad's gradient, the same generated source exec'd as
plain Python (what calling through srcgrad costs on top: nothing), and a
gradient written by hand the way a careful person would (shared
subexpressions kept in locals), in one run, and prints them as a table
with ratios. autograd is timed too when it is installed.

    python benchmarks/scalar.py [--repeat 15] [--seconds 0.05]
"""

from __future__ import annotations

import argparse
import math
import platform
import sys

from timing import print_table, time_all
from workloads import scalar_expression as f
from workloads import scalar_expression_by_hand as f_grad_by_hand

import srcgrad

f_grad = srcgrad.grad(f, wrt=("x", "y"))


def _bare(gradient):
    """The generated source run as plain Python, without srcgrad in between."""
    namespace: dict[str, object] = {}
    exec(srcgrad.source(gradient), namespace)
    return namespace[gradient.__name__]


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
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--seconds", type=float, default=0.05, help="per measurement")
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
        ("srcgrad source, exec'd", _bare(f_grad)),
    ]
    rows += [(f"{name} gradient", function) for name, function in _peers().items()]
    times = time_all(dict(rows), (0.5, 0.7), options.repeat, options.seconds)
    by_hand = times["hand-written gradient"]
    print(
        f"Python {platform.python_version()} on {platform.machine()}, "
        f"best of {options.repeat} interleaved runs of ~{options.seconds}s each"
    )
    print_table(times, "primal f", "hand-written gradient", "ns")
    ratio = times["srcgrad gradient"] / by_hand
    print(f"\nsrcgrad / hand-written = {ratio:.2f} (bar: at most 1.10)")
    print("\nGenerated code:\n")
    print(srcgrad.source(f_grad))
    sys.exit(0)


if __name__ == "__main__":
    main()
