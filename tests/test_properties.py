"""Property tests: random expressions, differentiated by srcgrad and by SymPy.

Hypothesis builds expression trees over the primitives, each written both
as Python source (in ``math`` or NumPy spelling, at random) and as a SymPy
expression. srcgrad differentiates the source through the whole pipeline
(verifying the IR after every pass); ``sympy.diff`` differentiates the
expression; the two gradients must agree at random points.

Arguments of primitives with a restricted domain are passed through a
guard that maps any real into that domain (``u**2 + 0.5`` for ``log``),
so every generated expression is defined at every point drawn.

``HYPOTHESIS_PROFILE=stress`` draws 2000 expressions instead of 120.
"""

from __future__ import annotations

import math

import pytest
import sympy
from helpers import define, verified_gradient
from hypothesis import assume, given
from hypothesis import strategies as st

X, Y = sympy.symbols("x y", real=True)


def _positive(source, expression):
    return f"(({source}) ** 2 + 0.5)", expression**2 + sympy.Rational(1, 2)


def _unit(source, expression):
    return f"(0.9 * math.tanh({source}))", sympy.Rational(9, 10) * sympy.tanh(
        expression
    )


def _above_one(source, expression):
    return f"(({source}) ** 2 + 1.5)", expression**2 + sympy.Rational(3, 2)


def _above_minus_one(source, expression):
    return f"(({source}) ** 2)", expression**2


def _any(source, expression):
    return source, expression


def _bounded(source, expression):
    # exp, sinh, cosh of a deep tree overflow; keep their arguments small.
    return f"math.sin({source})", sympy.sin(expression)


# name -> (math spelling, numpy spelling or None, sympy function, guard)
UNARY = {
    "sin": ("math.sin", "np.sin", sympy.sin, _any),
    "cos": ("math.cos", "np.cos", sympy.cos, _any),
    "tan": ("math.tan", "np.tan", sympy.tan, _bounded),
    "asin": ("math.asin", "np.arcsin", sympy.asin, _unit),
    "acos": ("math.acos", "np.arccos", sympy.acos, _unit),
    "atan": ("math.atan", "np.arctan", sympy.atan, _any),
    "sinh": ("math.sinh", "np.sinh", sympy.sinh, _bounded),
    "cosh": ("math.cosh", "np.cosh", sympy.cosh, _bounded),
    "tanh": ("math.tanh", "np.tanh", sympy.tanh, _any),
    "asinh": ("math.asinh", "np.arcsinh", sympy.asinh, _any),
    "acosh": ("math.acosh", "np.arccosh", sympy.acosh, _above_one),
    "atanh": ("math.atanh", "np.arctanh", sympy.atanh, _unit),
    "exp": ("math.exp", "np.exp", sympy.exp, _bounded),
    "expm1": ("math.expm1", "np.expm1", lambda u: sympy.exp(u) - 1, _bounded),
    "log": ("math.log", "np.log", sympy.log, _positive),
    "log1p": ("math.log1p", "np.log1p", lambda u: sympy.log(1 + u), _above_minus_one),
    "log2": ("math.log2", "np.log2", lambda u: sympy.log(u, 2), _positive),
    "log10": ("math.log10", "np.log10", lambda u: sympy.log(u, 10), _positive),
    "sqrt": ("math.sqrt", "np.sqrt", sympy.sqrt, _positive),
    "cbrt": (
        "math.cbrt" if hasattr(math, "cbrt") else None,
        "np.cbrt",
        sympy.cbrt,
        _positive,
    ),
    "exp2": (
        "math.exp2" if hasattr(math, "exp2") else None,
        "np.exp2",
        lambda u: 2**u,
        _bounded,
    ),
    "erf": ("math.erf", None, sympy.erf, _any),
    "erfc": ("math.erfc", None, sympy.erfc, _any),
    "fabs": ("math.fabs", "np.abs", sympy.Abs, _any),
    "abs": ("abs", None, sympy.Abs, _any),
    "neg": ("-", None, lambda u: -u, _any),
}

BINARY = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
}


@st.composite
def expressions(draw, depth=3):
    """A (python source, sympy expression) pair over x and y."""
    if depth == 0 or draw(st.integers(0, 3)) == 0:
        choice = draw(st.sampled_from(["x", "y", "const"]))
        if choice == "const":
            value = draw(st.sampled_from([0.5, 1.5, 2.0, 3.0]))
            return repr(value), sympy.nsimplify(value)
        return choice, {"x": X, "y": Y}[choice]
    kind = draw(st.sampled_from(["unary", "binary", "divide", "power", "special"]))
    if kind == "unary":
        name = draw(st.sampled_from(sorted(UNARY)))
        math_name, numpy_name, function, guard = UNARY[name]
        spelling = draw(st.sampled_from([s for s in (math_name, numpy_name) if s]))
        source, expression = guard(*draw(expressions(depth=depth - 1)))
        if spelling == "-":
            return f"(-{source})", -expression
        return f"{spelling}({source})", function(expression)
    left_source, left = draw(expressions(depth=depth - 1))
    right_source, right = draw(expressions(depth=depth - 1))
    if kind == "binary":
        operator = draw(st.sampled_from(sorted(BINARY)))
        return f"({left_source} {operator} {right_source})", BINARY[operator](
            left, right
        )
    if kind == "divide":
        denominator_source, denominator = _positive(right_source, right)
        return f"({left_source} / {denominator_source})", left / denominator
    if kind == "power":
        base_source, base = _positive(left_source, left)
        exponent = draw(st.sampled_from(["2", "3", "0.5", "-1", "right"]))
        if exponent == "right":
            return f"({base_source} ** math.sin({right_source}))", base ** sympy.sin(
                right
            )
        return f"({base_source} ** {exponent})", base ** sympy.nsimplify(exponent)
    name = draw(st.sampled_from(["atan2", "hypot", "pow"]))
    if name == "atan2":
        denominator_source, denominator = _positive(right_source, right)
        return (
            f"math.atan2({left_source}, {denominator_source})",
            sympy.atan2(left, denominator),
        )
    if name == "hypot":
        # Away from the origin, where hypot has no derivative (0 / 0: nan in
        # NumPy, docs/reference.md) though SymPy folds hypot(x - x, ...) to 0.
        away_source, away = _positive(right_source, right)
        return (
            f"np.hypot({left_source}, {away_source})",
            sympy.sqrt(left**2 + away**2),
        )
    base_source, base = _positive(left_source, left)
    return f"math.pow({base_source}, math.cos({right_source}))", base ** sympy.cos(
        right
    )


def _oracle(expression, variable, x, y):
    """SymPy's derivative, evaluated in mpmath (which knows re, im and sign)."""
    derivative = sympy.diff(expression, variable)
    value = complex(sympy.lambdify((X, Y), derivative, modules="mpmath")(x, y))
    assert abs(value.imag) <= 1e-12 * max(1.0, abs(value.real))
    return value.real


points = st.one_of(st.floats(1e-3, 1.5), st.floats(-1.5, -1e-3))


@given(expressions(), points, points)
def test_gradient_matches_sympy(pair, x, y):
    source, expression = pair
    f = define(f"def f(x, y):\n    return {source}\n")
    try:
        value = float(f(x, y))
        expected = [_oracle(expression, variable, x, y) for variable in (X, Y)]
    except (ValueError, OverflowError, ZeroDivisionError):
        assume(False)
    assume(
        math.isfinite(value)
        and all(math.isfinite(e) and abs(e) < 1e8 for e in expected)
    )
    # At a kink of abs (abs(x - y) at x == y) the derivative does not exist:
    # srcgrad gives copysign's ±1 (docs/reference.md), SymPy sign(0) = 0.
    assume(
        all(
            float(kink.args[0].subs({X: x, Y: y})) != 0.0
            for kink in expression.atoms(sympy.Abs)
        )
    )
    gradient = verified_gradient(f, ["x", "y"])
    actual = [float(component) for component in gradient(x, y)]
    for got, want in zip(actual, expected, strict=True):
        assert got == pytest.approx(want, rel=1e-8, abs=1e-9), source
