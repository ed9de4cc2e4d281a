"""The pipeline on straight-line code: rounds redone only where they can
change something reach the fixed point that full rounds reach, op for op.

``optimize`` runs CSE, folding and DCE on a function with no branches nor
loops through ``passes.rounds``, which looks again only at the ops whose
folding reads something that changed; ``full_rounds`` runs every pass on
every op. Random straight-line functions, and the sums and products whose
terms fold one round after another, are optimised both ways, as the
primal and as the gradient reverse mode makes of them.
"""

from __future__ import annotations

import random

import pytest
from helpers import define

from srcgrad.ad import reverse
from srcgrad.frontend import lower_live
from srcgrad.ir import Program, print_function, verify
from srcgrad.passes import full_rounds, optimize
from srcgrad.passes.rounds import is_straight
from srcgrad.passes.types import infer_types

TERMS = (
    "{a} * {b}",
    "{a} / ({b} + 2.0)",
    "-{a}",
    "{a} - {b}",
    "2.0 * {a}",
    "{a} * 0.5",
    "1.0 / (1.0 + {a} * {a})",
    "math.sin({a})",
    "math.exp(-{a})",
    "{a} ** 2",
    "-{a} * {b}",
    "{a} * 1.0 + 0.0 * {b}",
    "{a} + {a}",
)


def _random_source(seed: int, statements: int) -> str:
    rng = random.Random(seed)
    lines = ["import math", "", "def f(x, y, z):"]
    names = ["x", "y", "z"]
    for k in range(statements):
        left = rng.choice(TERMS).format(a=rng.choice(names), b=rng.choice(names))
        right = rng.choice(TERMS).format(a=rng.choice(names), b=rng.choice(names))
        operator = rng.choice(("+", "-", "*"))
        lines.append(f"    v{k} = {left} {operator} {right}")
        names.append(f"v{k}")
    lines.append(f"    return {' + '.join(names[-3:])}")
    return "\n".join(lines) + "\n"


def _sum(terms: int) -> str:
    body = "\n".join(f"    s = s + math.sin(x * {k}.0) * y" for k in range(terms))
    return f"import math\n\ndef f(x, y, z):\n    s = z\n{body}\n    return s\n"


def _product(factors: int) -> str:
    body = "\n".join(f"    p = p * (1.0 + x / {k + 1}.0)" for k in range(factors))
    return f"def f(x, y, z):\n    p = y\n{body}\n    return p * z\n"


SOURCES = {
    **{f"random_{seed}": _random_source(seed, 12) for seed in range(40)},
    "sum_of_40_products": _sum(40),
    "product_of_30_factors": _product(30),
    "items_of_lists": (
        "def f(x, y, z):\n    xs = [x, y * z]\n    xs.append(-(x * y))\n"
        "    return xs[0] * xs[1] + xs[-1] * len(xs) - xs[1] * 2.0\n"
    ),
}


def _functions(source: str) -> tuple:
    """The primal and the gradient (in x, y, z) reverse mode makes of it,
    each typed and not yet optimised."""
    primal = lower_live(define(source))
    infer_types(Program.of(primal))
    other = lower_live(define(source))
    infer_types(Program.of(other))
    full_rounds(other)
    gradient = reverse(other, ["x", "y", "z"], as_tuple=True)
    infer_types(Program.of(gradient))
    return primal, gradient


@pytest.mark.parametrize("name", SOURCES)
def test_straight_rounds_reach_the_fixed_point_of_full_rounds(name, monkeypatch):
    # Both to the fixed point, however many folds it takes.
    monkeypatch.setattr("srcgrad.settings.FOLD_BUDGET", 10**6)
    for index in range(2):  # the primal, then its gradient
        quick = _functions(SOURCES[name])[index]
        full = _functions(SOURCES[name])[index]
        assert is_straight(quick)
        optimize(quick, after_each=verify)
        full_rounds(full)
        assert print_function(quick) == print_function(full)
