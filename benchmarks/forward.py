"""Forward-mode benchmark: srcgrad's derivative next to a hand-written one.

    f(x, y) = sin(x*y) + exp(x)*cos(y)/(1 + x*x)     (benchmarks/scalar.py)

Times the primal, ``srcgrad.derivative(f)`` (d/dx, one forward sweep), the
same generated source exec'd as plain Python, that source without its
input check (the ``if`` on the inputs' classes that hands arrays on), and
a derivative written by hand the way a careful person would (shared
subexpressions kept in locals), interleaved in one run; then the same for both partial
derivatives from one sweep (``wrt=("x", "y")``) against scalar.py's
hand-written gradient. The bar: srcgrad's derivative at most 1.25x the
hand-written one.

    python benchmarks/forward.py [--repeat 15] [--seconds 0.05]
"""

from __future__ import annotations

import argparse
import ast
import math
import platform

from scalar import f, f_grad_by_hand
from timing import print_table, time_all

import srcgrad

#: srcgrad's derivative may take at most this many times the hand-written one.
BAR = 1.25


def f_derivative_by_hand(x, y):
    """df/dx = y cos(xy) + q (1 - 2x / (1 + x^2)), q = exp(x) cos(y) / (1 + x^2)."""
    denominator = 1 + x * x
    quotient = math.exp(x) * math.cos(y) / denominator
    return y * math.cos(x * y) + quotient * (1 - 2 * x / denominator)


def _bare(generated):
    """The generated source run as plain Python, without srcgrad in between."""
    namespace: dict[str, object] = {}
    exec(srcgrad.source(generated), namespace)
    return namespace[generated.__name__]


def _unchecked(generated):
    """The generated source without its input check (the ``if`` that hands
    arrays on to ``has_arrays``): what the derivative's arithmetic costs."""
    tree = ast.parse(srcgrad.source(generated))
    for definition in tree.body:
        if isinstance(definition, ast.FunctionDef):
            definition.body = [
                statement
                for statement in definition.body
                if not (
                    isinstance(statement, ast.If)
                    and "has_arrays" in ast.unparse(statement)
                )
            ]
    namespace: dict[str, object] = {}
    exec(compile(tree, "<unchecked>", "exec"), namespace)
    return namespace[generated.__name__]


def _compare(title, derivative, by_hand, options) -> float:
    """Check ``derivative`` against ``by_hand``, time both beside ``f``,
    print the table, and return srcgrad / hand-written."""
    for point in ((0.5, 0.7), (-1.2, 2.0), (2.0, -0.3)):
        expected, actual = by_hand(*point), derivative(*point)
        if not isinstance(expected, tuple):
            expected, actual = (expected,), (actual,)
        assert all(
            math.isclose(a, e, rel_tol=1e-12, abs_tol=1e-15)
            for a, e in zip(actual, expected, strict=True)
        ), (point, actual, expected)
    rows = {
        "primal f": f,
        "hand-written": by_hand,
        "srcgrad.derivative": derivative,
        "srcgrad source, exec'd": _bare(derivative),
        "  without its input check": _unchecked(derivative),
    }
    times = time_all(rows, (0.5, 0.7), options.repeat, options.seconds)
    print(f"\n{title}")
    print_table(times, "primal f", "hand-written", "ns")
    ratio = times["srcgrad.derivative"] / times["hand-written"]
    verdict = "holds" if ratio <= BAR else "MISSED"
    print(f"srcgrad / hand-written = {ratio:.2f} (bar: at most {BAR}: {verdict})")
    return ratio


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--seconds", type=float, default=0.05, help="per measurement")
    options = parser.parse_args()
    print(
        f"Python {platform.python_version()} on {platform.machine()}, "
        f"best of {options.repeat} interleaved runs of ~{options.seconds}s each"
    )
    d_dx = srcgrad.derivative(f)
    both = srcgrad.derivative(f, wrt=("x", "y"))
    _compare("d/dx", d_dx, f_derivative_by_hand, options)
    _compare("d/dx and d/dy, one sweep", both, f_grad_by_hand, options)
    print("\nGenerated code:\n")
    print(srcgrad.source(d_dx))
    print(srcgrad.source(both))


if __name__ == "__main__":
    main()
