"""A build's work grows with the size of the function, not its square.

Counted rather than timed: each test counts the steps one stage used to
repeat for every statement (names tried, fixed-point rounds) on a function
of a few hundred statements, against a bound linear in its length.
"""

from __future__ import annotations

import pytest
from helpers import define

import srcgrad
from srcgrad.codegen import naming


def test_each_value_of_a_reassigned_variable_tries_few_names(monkeypatch):
    # The reverse sweep keeps each p_bar until the last term of x_bar reads
    # it, so all are live at once: p_bar, p_bar_1 ... Each new one tried
    # every earlier name first.
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
