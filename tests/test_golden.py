"""Golden text: the IR and the generated code for the examples srcgrad grew from.

A change to any of these files is a change users will see; review it as a
diff (regenerate with SRCGRAD_UPDATE_GOLDEN=1 and read ``git diff``).
"""

from __future__ import annotations

import itertools
import math

import pytest
from corpus import CORPUS
from helpers import (
    check_golden,
    code_without_comments,
    define,
    verified_gradient,
    verified_gradient_ir,
)

import srcgrad
from srcgrad.frontend import lower_live
from srcgrad.ir import print_function, verify

GOLDEN_CASES = [case for case in CORPUS if case.name != "benchmark"]


@pytest.mark.parametrize("case", GOLDEN_CASES, ids=lambda case: case.name)
def test_primal_ir(case):
    f = define(case.source)
    check_golden(f"{case.name}.primal.ir", print_function(verify(lower_live(f))))


@pytest.mark.parametrize("case", GOLDEN_CASES, ids=lambda case: case.name)
def test_gradient_ir(case):
    f = define(case.source)
    check_golden(
        f"{case.name}.grad.ir", print_function(verified_gradient_ir(f, case.wrt))
    )


@pytest.mark.parametrize("case", GOLDEN_CASES, ids=lambda case: case.name)
def test_generated_code(case):
    f = define(case.source)
    check_golden(
        f"{case.name}.grad.py", srcgrad.source(srcgrad.grad(f, wrt=case.wrt[0]))
    )


@pytest.mark.parametrize("case", CORPUS, ids=lambda case: case.name)
def test_gradient_is_exact(case):
    f = define(case.source)
    gradient = srcgrad.grad(f, wrt=case.wrt if len(case.wrt) > 1 else case.wrt[0])
    for point in case.points:
        assert gradient(*point) == pytest.approx(
            case.exact(*point), rel=1e-12, abs=1e-12
        )


def test_shared_square_is_computed_once():
    # sin(x**2) + cos(x**2): both the forward sweep and the two rules need
    # x**2; value numbering must leave exactly one computation of it.
    case = next(case for case in CORPUS if case.name == "shared_square")
    code = code_without_comments(srcgrad.source(srcgrad.grad(define(case.source))))
    assert code.count("x**2") == 1


def _doubling(layers: int):
    names = [f"v{i}" for i in range(layers + 1)]
    lines = ["def f(x):", "    v0 = x"]
    lines += [f"    {names[i + 1]} = {names[i]} * {names[i]}" for i in range(layers)]
    lines.append(f"    return {names[-1]}")
    return define("\n".join(lines) + "\n")


def test_doubling_gradient_grows_linearly_with_layers():
    # 2**n paths from x to the output, but the reverse sweep touches each
    # edge once: every extra layer adds the same, constant amount of code.
    sizes = []
    for layers in range(3, 9):
        gradient = verified_gradient(_doubling(layers), ["x"])
        assert gradient(1.01) == pytest.approx(
            2**layers * 1.01 ** (2**layers - 1), rel=1e-12
        )
        code = srcgrad.source(srcgrad.grad(_doubling(layers)))
        sizes.append(
            sum(1 for line in code.splitlines() if " = " in line and "#" not in line)
        )
    steps = {later - earlier for earlier, later in itertools.pairwise(sizes)}
    assert len(steps) == 1 and steps.pop() <= 3


def test_doubling_gives_32_x_to_the_31():
    case = next(case for case in CORPUS if case.name == "doubling")
    gradient = srcgrad.grad(define(case.source))
    assert gradient(1.1) == pytest.approx(32 * 1.1**31, rel=1e-13)
    assert math.isclose(gradient(-1.0), -32.0)


def test_rules_reuse_what_the_forward_sweep_computed():
    # The adjoint of cos(y) needs sin(y), which the forward sweep already
    # computed for the product: value numbering must share it, and likewise
    # cos(y) for the adjoint of sin(y).
    f = define("import math\n\ndef f(y):\n    return math.sin(y) * math.cos(y)\n")
    gradient = srcgrad.grad(f)
    code = code_without_comments(srcgrad.source(gradient))
    assert code.count("math.sin(y)") == 1 and code.count("math.cos(y)") == 1
    assert gradient(0.4) == pytest.approx(math.cos(0.8), rel=1e-14)
