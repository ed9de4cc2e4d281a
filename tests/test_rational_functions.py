"""srcgrad's own rational functions (``srcgrad.passes.polynomials``,
``polynomial_gcd``, ``rational_functions``) against SymPy's.

The rational pass once did its algebra in SymPy's fields; it does it in
srcgrad's small code now, so that a build imports no SymPy. The code it
writes depends on each polynomial term for term (their order, their
coefficients, how division leaves a remainder), so random expressions are
built in both and every result compared: the lowest terms, division with
remainder, content.
"""

from __future__ import annotations

import random
from fractions import Fraction

import pytest
from sympy import QQ
from sympy.polys.fields import field as sympy_field

import srcgrad.passes.polynomial_gcd as polynomial_gcd
from srcgrad.passes.polynomials import Polynomial
from srcgrad.passes.rational_functions import RationalFunction, variables


def _expression(draw: random.Random, size: int, depth: int) -> tuple:
    """A random expression tree over ``size`` variables."""
    if depth == 0 or draw.random() < 0.25:
        if draw.random() < 0.3:
            return ("number", Fraction(draw.randint(-5, 5), draw.choice([1, 1, 2, 3])))
        return ("variable", draw.randrange(size))
    name = draw.choice(["add", "sub", "mul", "div", "neg", "pow"])
    if name == "neg":
        return (name, _expression(draw, size, depth - 1))
    if name == "pow":
        return (name, _expression(draw, size, depth - 1), draw.randint(1, 3))
    return (
        name,
        _expression(draw, size, depth - 1),
        _expression(draw, size, depth - 1),
    )


def _evaluate(expression: tuple, variables: list, number) -> object:
    name = expression[0]
    if name == "number":
        return number(expression[1])
    if name == "variable":
        return variables[expression[1]]
    if name == "neg":
        return -_evaluate(expression[1], variables, number)
    if name == "pow":
        return _evaluate(expression[1], variables, number) ** expression[2]
    left = _evaluate(expression[1], variables, number)
    right = _evaluate(expression[2], variables, number)
    return {
        "add": lambda: left + right,
        "sub": lambda: left - right,
        "mul": lambda: left * right,
        "div": lambda: left / right,
    }[name]()


def _ours(polynomial: Polynomial) -> list:
    return [(monomial, Fraction(c)) for monomial, c in polynomial.terms()]


def _theirs(polynomial) -> list:
    return [
        (monomial, Fraction(int(c.numerator), int(c.denominator)))
        for monomial, c in polynomial.terms()
    ]


def _both(seed: int) -> tuple[object, object] | None:
    """A random expression in ours and SymPy's fields (None if it divides
    by zero in both: it must in both or neither)."""
    draw = random.Random(seed)
    size = draw.randint(1, 6)
    expression = _expression(draw, size, draw.randint(1, 6))
    _, *generators = sympy_field(",".join(f"a{i}" for i in range(size)), QQ)
    results = []
    for made, number in (
        (list(variables(size)), lambda c: RationalFunction.constant(size, c)),
        (generators, lambda c: generators[0].field(QQ(c.numerator, c.denominator))),
    ):
        try:
            results.append(_evaluate(expression, made, number))
        except ZeroDivisionError:
            results.append(None)
    assert (results[0] is None) == (results[1] is None), expression
    return None if results[0] is None else (results[0], results[1])


@pytest.mark.parametrize("seed", range(400))
def test_lowest_terms_are_sympys(seed):
    found = _both(seed)
    if found is None:
        return
    ours, theirs = found
    assert _ours(ours.numerator) == _theirs(theirs.numer)
    assert _ours(ours.denominator) == _theirs(theirs.denom)


@pytest.mark.parametrize("seed", range(400, 600))
def test_division_with_remainder_and_content_are_sympys(seed):
    found = _both(seed)
    if found is None:
        return
    ours, theirs = found
    pairs = [
        ((ours.numerator, ours.denominator), (theirs.numer, theirs.denom)),
        ((ours.denominator, ours.numerator), (theirs.denom, theirs.numer)),
        (
            (ours.numerator + ours.denominator, ours.denominator),
            (theirs.numer + theirs.denom, theirs.denom),
        ),
    ]
    for (dividend, divisor), (their_dividend, their_divisor) in pairs:
        if not divisor:
            continue
        quotient, remainder = divmod(dividend, divisor)
        their_quotient, their_remainder = divmod(their_dividend, their_divisor)
        assert _ours(quotient) == _theirs(their_quotient)
        assert _ours(remainder) == _theirs(their_remainder)
        content = their_dividend.content()
        assert Fraction(dividend.content()) == Fraction(
            int(content.numerator), int(content.denominator)
        )


def test_a_common_factor_cancels():
    x, y = variables(2)
    one = RationalFunction.constant(2, 1)
    cancelled = (x * x - y * y) / (x - y)
    assert cancelled.numerator == (x + y).numerator
    assert cancelled.denominator == 1
    # the denominator's leading coefficient is positive: -1/(y - x) is 1/(x - y)
    flipped = -one / (y - x)
    assert flipped.numerator == 1 and _ours(flipped.denominator) == [
        ((1, 0), 1),
        ((0, 1), -1),
    ]


@pytest.mark.parametrize("seed", range(60))
def test_the_sure_gcd_agrees_with_the_heuristic_one(seed, monkeypatch):
    # Where the heuristic finds nothing, the remainder sequence answers:
    # the lowest terms are the same either way.
    found = _both(seed)
    if found is None:
        return
    heuristic, _ = found
    monkeypatch.setattr(polynomial_gcd, "_heuristic", lambda f, g: None)
    again, _ = _both(seed)
    assert _ours(again.numerator) == _ours(heuristic.numerator)
    assert _ours(again.denominator) == _ours(heuristic.denominator)
