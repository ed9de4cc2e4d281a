"""Property tests: random small programs with loops, branches and exits.

Hypothesis writes programs as source text: assignments of smooth
expressions over ``x``, ``y`` and locals, ``if``/``else`` on comparisons,
``for`` loops over ``range`` with bounds known only at run time, ``while``
loops with a counter, ``break``, ``continue`` and early ``return`` behind
conditions, search loops whose result is set before a ``break`` (and in
the loop's ``else``), and calls of a small helper. srcgrad's gradient (built through
the verified pipeline) must agree with central finite differences at
points where the program is smooth: where two step sizes disagree the
point sits on a branch switch, and Hypothesis is told to look elsewhere.
"""

from __future__ import annotations

import math

import pytest
from helpers import define, verified_gradient
from hypothesis import assume, given
from hypothesis import strategies as st

#: Smooth, bounded functions: loops compose them many times.
UNARY = ("math.sin", "math.cos", "math.tanh", "math.atan")
VARIABLES = ("x", "y", "a", "b")


@st.composite
def expressions(draw, depth=2, names=VARIABLES):
    if depth == 0 or draw(st.integers(0, 3)) == 0:
        if draw(st.booleans()):
            return draw(st.sampled_from(names))
        return repr(draw(st.sampled_from((0.5, 1.5, -0.75, 2.0, 0.25))))
    kind = draw(st.integers(0, 2))
    if kind == 0:
        return f"{draw(st.sampled_from(UNARY))}({draw(expressions(depth - 1, names))})"
    left = draw(expressions(depth - 1, names))
    right = draw(expressions(depth - 1, names))
    operator = draw(st.sampled_from(("+", "-", "*")))
    # Bounded growth across iterations: scale products down.
    if operator == "*":
        return f"0.5 * math.sin({left}) * {right}"
    return f"({left} {operator} {right})"


@st.composite
def conditions(draw, names=VARIABLES):
    left = draw(expressions(1, names))
    operator = draw(st.sampled_from(("<", ">", "<=", ">=")))
    return f"{left} {operator} {draw(st.sampled_from((0.0, 0.3, -0.4)))}"


@st.composite
def statements(draw, depth, in_loop, indent):
    pad = "    " * indent
    choices = ["assign", "assign", "if"]
    if depth > 0:
        choices += ["for", "while", "search"]
    if in_loop:
        choices += ["break", "continue"]
    choices.append("return")
    kind = draw(st.sampled_from(choices))
    target = draw(st.sampled_from(("a", "b")))
    if kind == "assign" or (kind in ("if", "for", "while", "search") and depth < 0):
        return [f"{pad}{target} = {draw(expressions())}"]
    if kind == "return":
        return [f"{pad}if {draw(conditions())}:", f"{pad}    return {target}"]
    if kind in ("break", "continue"):
        return [f"{pad}if {draw(conditions())}:", f"{pad}    {kind}"]
    if kind == "search":
        return draw(searches(depth, indent, target))
    body = draw(blocks(depth - 1, in_loop or kind != "if", indent + 1))
    if kind == "if":
        otherwise = draw(blocks(depth - 1, in_loop, indent + 1))
        return [f"{pad}if {draw(conditions())}:", *body, f"{pad}else:", *otherwise]
    if kind == "for":
        bound = draw(st.sampled_from(("n", "n + 1", "3", "k")))
        return [f"{pad}for k in range({bound}):", *body]
    counter = f"c{indent}"
    return [
        f"{pad}{counter} = 0",
        f"{pad}while {counter} < n:",
        f"{pad}    {counter} = {counter} + 1",
        *body,
    ]


@st.composite
def searches(draw, depth, indent, target):
    """A loop whose result is first assigned before its ``break``: in its
    ``else``, or by ``while True:``, which only the ``break`` leaves."""
    pad = "    " * indent
    found = f"r{indent}"
    inner = "    " * (indent + 1)
    # No other `break` in the body: it could leave before `found` is set.
    body = draw(blocks(depth - 1, False, indent + 1))
    stop = [
        f"{inner}if {draw(conditions())}:",
        f"{inner}    {found} = {draw(expressions())}",
        f"{inner}    break",
    ]
    use = f"{pad}{target} = 0.5 * math.sin({found}) + {target}"
    if draw(st.booleans()):
        bound = draw(st.sampled_from(("n", "n + 1", "3")))
        return [
            f"{pad}for k in range({bound}):",
            *body,
            *stop,
            f"{pad}else:",
            f"{pad}    {found} = {draw(expressions())}",
            use,
        ]
    counter = f"c{indent}"
    stop[0] = f"{inner}if {counter} >= n or {draw(conditions())}:"
    return [
        f"{pad}{counter} = 0",
        f"{pad}while True:",
        f"{inner}{counter} = {counter} + 1",
        *body,
        *stop,
        use,
    ]


@st.composite
def blocks(draw, depth, in_loop, indent):
    count = draw(st.integers(1, 3))
    lines = []
    for _ in range(count):
        lines += draw(statements(depth, in_loop, indent))
    return lines


@st.composite
def programs(draw):
    body = draw(blocks(2, False, 1))
    result = draw(expressions(2))
    lines = [
        "def f(x, y, n):",
        "    k = 2",
        f"    a = {draw(expressions(1, ('x', 'y')))}",
        f"    b = {draw(expressions(1, ('x', 'y')))}",
        *body,
        f"    return {result}",
    ]
    return "\n".join(lines) + "\n"


def _central(f, point, index, step):
    return (_moved(f, point, index, step) - _moved(f, point, index, -step)) / (2 * step)


def _one_sided(f, point, index, step):
    return (_moved(f, point, index, step) - f(*point)) / step


def _moved(f, point, index, step):
    moved = list(point)
    moved[index] += step
    return f(*moved)


@given(
    programs(),
    st.floats(-1.5, 1.5),
    st.floats(-1.5, 1.5),
    st.integers(0, 3),
)
def test_random_programs_match_finite_differences(source, x, y, n):
    f = define(source)
    gradient = verified_gradient(f, ["x", "y"])
    got = gradient(x, y, n)
    for index in range(2):
        coarse = _central(f, (x, y, n), index, 1e-5)
        fine = _central(f, (x, y, n), index, 1e-6)
        # On a branch switch the two disagree wildly, and at a kink the
        # slopes from either side do: look elsewhere.
        assume(math.isclose(coarse, fine, rel_tol=1e-3, abs_tol=1e-5))
        right = _one_sided(f, (x, y, n), index, 1e-6)
        left = _one_sided(f, (x, y, n), index, -1e-6)
        assume(math.isclose(left, right, rel_tol=1e-3, abs_tol=1e-5))
        assert got[index] == pytest.approx(fine, rel=1e-4, abs=1e-6), source
