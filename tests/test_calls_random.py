"""Random programs of helpers calling helpers, differentiated and checked.

Each seed writes a module: helpers ``h0``, ``h1``, ... of one or two
parameters (the second with a default), each a few random statements that
may call the helpers before it (positionally or by keyword), a branch or a
loop; a function ``f`` calls them inside a loop and a branch. The gradient,
with small helpers inlined and with every call kept, must agree with
central differences, and the program's IR must run as Python does.
"""

from __future__ import annotations

import random

import pytest
from helpers import central_difference, define
from interpret import interpret

import srcgrad
from srcgrad.frontend import lower_live_program
from srcgrad.ir import verify

_UNARY = ("math.sin({})", "math.cos({})", "math.tanh({})", "(0.5 * {})")
_BINARY = ("({} + {})", "({} - {})", "({} * {})", "({} * 0.25 + {})")


def _expression(
    rng: random.Random, names: list[str], calls: list[str], call: bool = False
) -> str:
    choice = 0.0 if call else rng.random()
    if choice < 0.3 and calls:
        helper = rng.choice(calls)
        argument = rng.choice(names)
        if helper.endswith("2") and rng.random() < 0.5:
            return f"{helper[:-1]}({argument}, k={rng.choice(names)})"
        return f"{helper[:-1]}({argument})"
    if choice < 0.6:
        return rng.choice(_UNARY).format(rng.choice(names))
    return rng.choice(_BINARY).format(rng.choice(names), rng.choice(names))


def _helper(rng: random.Random, index: int, calls: list[str]) -> tuple[str, str]:
    two = rng.random() < 0.5
    header = f"def h{index}(t, k=0.5):" if two else f"def h{index}(t):"
    names = ["t", "k"] if two else ["t"]
    lines = [header]
    for step in range(rng.randint(1, 4)):
        name = f"u{step}"
        lines.append(f"    {name} = {_expression(rng, names, calls)}")
        names.append(name)
    if rng.random() < 0.3:
        lines.append(f"    if {names[-1]} > 0.2:")
        lines.append(f"        {names[-1]} = {_expression(rng, names, calls)}")
    lines.append(f"    return {_expression(rng, names, calls)}")
    return "\n".join(lines), f"h{index}{2 if two else 1}"


def random_module(seed: int) -> str:
    rng = random.Random(seed)
    helpers: list[str] = []
    calls: list[str] = []
    for index in range(rng.randint(1, 4)):
        text, call = _helper(rng, index, calls)
        helpers.append(text)
        calls.append(call)
    body = [
        "def f(x, y):",
        "    s = 0.0",
        "    for i in range(3):",
        f"        s = s + {_expression(rng, ['x', 'y', 's'], calls, call=True)}",
        "        if s > 1.0:",
        f"            s = s * 0.5 + {_expression(rng, ['x', 's'], calls)}",
        f"    return s + {_expression(rng, ['x', 'y', 's'], calls, call=True)}",
    ]
    return "\n\n".join(helpers) + "\n\n" + "\n".join(body) + "\n"


@pytest.mark.parametrize("limit", [-1, None], ids=["calls", "inlined"])
@pytest.mark.parametrize("seed", range(40))
def test_random_helpers(seed, limit, monkeypatch):
    if limit is not None:
        monkeypatch.setattr("srcgrad.settings.INLINE_LIMIT", limit)
    srcgrad.clear_cache()
    text = random_module(seed)
    f = define(text, "f")
    gradient = srcgrad.grad(f, wrt=("x", "y"))
    program = verify(lower_live_program(f))
    for point in ((0.3137, -0.7219), (1.1093, 0.4411)):
        assert interpret(program, *point, namespace=f.__globals__) == pytest.approx(
            f(*point), rel=1e-14
        ), text
        found = gradient(*point)
        for index in range(2):
            expected = central_difference(f, list(point), index)
            assert found[index] == pytest.approx(expected, rel=1e-5, abs=1e-6), text
    srcgrad.clear_cache()
