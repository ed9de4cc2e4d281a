"""A build's work grows with the size of the function, not its square.

Counted rather than timed: each test counts the steps one stage used to
repeat for every statement (names tried, fixed-point rounds) on a function
of a few hundred statements, against a bound linear in its length.
"""

from __future__ import annotations

import importlib
import math

import pytest
from helpers import define

import srcgrad
from srcgrad.codegen import naming
from srcgrad.passes import rounds
from srcgrad.passes.fold import simplify


def test_each_value_of_a_reassigned_variable_tries_few_names(monkeypatch):
    # The reverse sweep keeps each p_bar until the last term of x_bar reads
    # it, so all are live at once: p_bar, p_bar_1 ... Each new one tried
    # every earlier name first. (x_bar is one expression as deep as the
    # chain is long, folded to the end: the usual bounds on depth and on
    # folding would cut it into parts, each ending its p_bars' lives.)
    monkeypatch.setattr("srcgrad.settings.EXPRESSION_DEPTH", 1000)
    monkeypatch.setattr("srcgrad.settings.FOLD_BUDGET", 10**6)
    statements = 150
    body = "\n".join(f"    p = p * (1.0 + x / {k}.0)" for k in range(1, statements + 1))
    f = define(f"def f(x):\n    p = 1.0\n{body}\n    return p\n")
    tried = []
    free = naming.Namer._free

    def counted(self, name, variable):
        tried.append(name)
        return free(self, name, variable)

    monkeypatch.setattr(naming.Namer, "_free", counted)
    gradient = srcgrad.grad(f)
    assert f"p_bar_{statements - 3}" in srcgrad.source(gradient)
    assert len(tried) < 4 * statements
    expected = 1.0
    for k in range(1, statements + 1):
        expected *= 1.0 + 0.5 / k
    assert gradient(0.5) == pytest.approx(
        expected * sum(1.0 / (k + 0.5) for k in range(1, statements + 1)), rel=1e-9
    )


def count_folds(monkeypatch) -> list:
    """The ops folded from now on, by rounds or whole passes."""
    folded = []

    def counted(rewriter, op):
        folded.append(op)
        return simplify(rewriter, op)

    monkeypatch.setattr(rounds, "simplify", counted)
    # (``srcgrad.passes.fold`` is also the name of the pass, in the package)
    monkeypatch.setattr(
        importlib.import_module("srcgrad.passes.fold"), "simplify", counted
    )
    return folded


def long_sum(terms: int, branch: str):
    body = "\n".join(
        f"    s = s + math.sin(x * {k}.0) * y" for k in range(1, terms + 1)
    )
    return define(
        f"import math\n\ndef f(x, y):\n    s = 0.0\n{branch}{body}\n    return s\n"
    )


@pytest.mark.parametrize("branch", ["", "    if x > 0.0:\n        s = s + x\n"])
def test_a_long_sum_is_not_folded_again_whole_for_each_term(monkeypatch, branch):
    # Factoring y out of x_bar takes a round per term when each round sees
    # only the product the last one made used once; each round folded every
    # op. Without branches, rounds redo only what changed; with one, a pass
    # goes on with what its rewrites made. Twice the terms, twice the folds.
    folds = []
    for terms in (100, 200):
        f = long_sum(terms, branch)
        folded = count_folds(monkeypatch)
        gradient = srcgrad.grad(f, wrt=("x", "y"))
        folds.append(len(folded))
        x, y = 0.3, 1.7
        expected = (
            (1.0 if branch else 0.0)
            + y * sum(k * math.cos(k * x) for k in range(1, terms + 1)),
            sum(math.sin(k * x) for k in range(1, terms + 1)),
        )
        assert gradient(x, y) == pytest.approx(expected, rel=1e-12)
    assert folds[1] < 2.5 * folds[0]
    assert folds[1] < 60 * 200


@pytest.mark.parametrize("branch", ["", "    if x > 0.0:\n        p = p + x\n"])
def test_factoring_that_goes_one_level_further_each_round_stops(monkeypatch, branch):
    # x_bar of p = p * (1 + x / k), k = 1 .. n folds towards Horner's form
    # one level per round: n rounds of the whole sum. The budget stops it,
    # with correct code, after as many folds as twice n takes twice.
    folds = []
    for count in (150, 300):
        body = "\n".join(f"    p = p * (1.0 + x / {k}.0)" for k in range(1, count + 1))
        f = define(f"def f(x):\n    p = 1.0\n{branch}{body}\n    return p\n")
        folded = count_folds(monkeypatch)
        gradient = srcgrad.grad(f)
        folds.append(len(folded))
        x = 0.5
        product = math.prod(1.0 + x / k for k in range(1, count + 1))
        log_slope = sum(1.0 / (k + x) for k in range(1, count + 1))
        if branch:  # f = (1 + x) * product
            expected = product * (1.0 + (1.0 + x) * log_slope)
        else:
            expected = product * log_slope
        assert gradient(x) == pytest.approx(expected, rel=1e-12)
    assert folds[1] < 2.5 * folds[0]
