"""Deep expressions: generated code nests at most ``settings.EXPRESSION_DEPTH`` ops.

Folding factors long chains into one nested expression (a reassigned
product's adjoint becomes ``p * (t * (t_1 * ...))``); Python refuses more
than 200 nested parentheses and recurses once per level when it compiles.
Each function here was one whose gradient did not compile.
"""

from __future__ import annotations

import ast
import math

import pytest
from helpers import define

import srcgrad
from srcgrad import settings


def expression_depth(source: str) -> int:
    """The most expression nodes nested in one another in ``source``."""
    deepest = 0
    stack = [(ast.parse(source), 0)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, ast.expr):
            depth += 1
        deepest = max(deepest, depth)
        stack.extend((child, depth) for child in ast.iter_child_nodes(node))
    return deepest


def assert_shallow(gradient) -> None:
    # An op adds at most three nodes (``math.sin(x)``: a call of an
    # attribute of a name) around the ops it holds.
    assert expression_depth(srcgrad.source(gradient)) <= settings.EXPRESSION_DEPTH + 3


def product_chain(count: int):
    """``p = p * (1 + x / k)`` for k = 1 .. count, and sums of 1 / (k + x)
    and of its square at ``x`` (the log-derivatives of the product)."""
    body = "\n".join(f"    p = p * (1.0 + x / {k}.0)" for k in range(1, count + 1))
    f = define(f"def f(x):\n    p = 1.0\n{body}\n    return p\n")

    def sums(x: float) -> tuple[float, float, float]:
        ks = range(1, count + 1)
        product = math.prod(1.0 + x / k for k in ks)
        return product, sum(1 / (k + x) for k in ks), sum(1 / (k + x) ** 2 for k in ks)

    return f, sums


def test_a_long_chain_of_reassigned_products():
    f, sums = product_chain(300)
    gradient = srcgrad.grad(f)
    product, first, _ = sums(0.5)
    assert gradient(0.5) == pytest.approx(product * first, rel=1e-12)
    assert_shallow(gradient)


def test_horner_form_nested_near_pythons_limit():
    # 190 parentheses deep in the user's own code: Python takes it, and the
    # gradient, nesting each derivative in the next, went past 200.
    degree = 190
    expression = "x"
    for k in range(degree):
        expression = f"({expression} * x + {k + 1}.0)"
    f = define(f"def f(x):\n    return {expression}\n")
    gradient = srcgrad.grad(f)
    x = 0.3
    # d/dx of p_{k+1} = p_k * x + c is p_k' * x + p_k.
    value, slope = x, 1.0
    for k in range(degree):
        value, slope = value * x + (k + 1), slope * x + value
    assert gradient(x) == pytest.approx(slope, rel=1e-12)
    assert_shallow(gradient)


def test_a_sum_of_a_thousand_calls_on_one_line():
    count = 1200
    terms = " + ".join(f"math.sin(x * {k}.0)" for k in range(1, count + 1))
    f = define(f"def f(x):\n    return {terms}\n")
    gradient = srcgrad.grad(f)
    x = 0.3
    expected = sum(k * math.cos(k * x) for k in range(1, count + 1))
    assert gradient(x) == pytest.approx(expected, rel=1e-12)
    assert_shallow(gradient)


def test_the_hessian_of_a_long_chain_of_reassigned_products():
    f, sums = product_chain(150)
    hessian = srcgrad.hessian(f)
    product, first, second = sums(0.5)
    assert hessian(0.5) == pytest.approx(product * (first**2 - second), rel=1e-10)
    assert_shallow(hessian)
