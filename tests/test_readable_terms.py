"""Derivative terms read as a person would write them, and stay correct.

The passes simplify what reverse mode builds (``srcgrad.passes.algebra``);
these tests look at the generated text of realistic functions (a
Black-Scholes price, a two-body potential) for what a person would not
write, and check the gradients against SymPy.
"""

from __future__ import annotations

import math
import re
import types

import pytest
import sympy
from helpers import code_without_comments, define, verified_gradient

import srcgrad

BLACK_SCHOLES = """
def price(S, K, T, r, sigma):
    d1 = (math.log(S / K) + (r + 0.5 * sigma**2) * T) / (sigma * math.sqrt(T))
    d2 = d1 - sigma * math.sqrt(T)
    N1 = 0.5 * (1 + math.erf(d1 / math.sqrt(2)))
    N2 = 0.5 * (1 + math.erf(d2 / math.sqrt(2)))
    return S * N1 - K * math.exp(-r * T) * N2
"""

TWO_BODY = """
def energy(x1, y1, x2, y2, m1, m2):
    dx = x2 - x1
    dy = y2 - y1
    r = math.sqrt(dx**2 + dy**2)
    return -6.674e-11 * m1 * m2 / r + 0.5 * m1 * (x1**2 + y1**2)
"""

CASES = {
    "black_scholes": (
        BLACK_SCHOLES,
        ("S", "K", "T", "r", "sigma"),
        (100.0, 95.0, 0.75, 0.03, 0.2),
    ),
    "two_body": (
        TWO_BODY,
        ("x1", "y1", "x2", "y2", "m1", "m2"),
        (0.3, -1.2, 2.5, 0.7, 5.0e10, 3.0e9),
    ),
}


def sympy_gradient(source, names, point):
    """The exact gradient at ``point``, by SymPy on the same source."""
    symbols = sympy.symbols(names, real=True)
    # The source calls math.log etc.; here they are SymPy's, on symbols.
    math_as_sympy = types.SimpleNamespace(
        **{name: getattr(sympy, name) for name in ("log", "sqrt", "erf", "exp")}
    )
    scope: dict[str, object] = {"math": math_as_sympy}
    exec(source, scope)  # noqa: S102 - our own test source
    function = scope[source.split("def ")[1].split("(")[0]]
    expression = function(*symbols)
    values = dict(zip(symbols, point, strict=True))
    return [float(sympy.diff(expression, s).evalf(30, subs=values)) for s in symbols]


@pytest.mark.parametrize("case", sorted(CASES))
def test_realistic_gradients_read_well_and_match_sympy(case):
    source, names, point = CASES[case]
    f = define(source)
    g = srcgrad.grad(f, wrt=names)
    code = code_without_comments(srcgrad.source(g))
    # No double negation, no sign a sum could take, no NumPy scalar text.
    assert not re.search(r"-\s*\(\s*-", code), code
    assert "+ -" not in code and "- -" not in code and "* -" not in code, code
    assert "np.float64" not in code
    statements = [line.strip() for line in code.splitlines() if " = " in line]
    assert len(statements) == len(set(statements)), code
    expected = sympy_gradient(source, names, point)
    for build in (lambda: g, lambda: verified_gradient(f, names)):
        for got, want in zip(build()(*point), expected, strict=True):
            assert got == pytest.approx(want, rel=1e-12, abs=1e-300)


def test_a_sum_of_equal_terms_is_a_multiple():
    # Four uses of x give four equal terms: one statement, 4 * x**3.
    f = define("def f(x):\n    return x * x * x * x\n")
    g = srcgrad.grad(f)
    code = code_without_comments(srcgrad.source(g))
    assert "x_bar + " not in code and "x_bar = x_bar" not in code, code
    assert g(1.5) == 4 * 1.5**3


@pytest.mark.parametrize(
    ("expression", "derivative"),
    [
        ("-c * (a / b)", lambda a, b, c: c * a / b**2),
        ("c - a / b * c", lambda a, b, c: c * a / b**2),
        ("(-a) / b * c", lambda a, b, c: c * a / b**2),
        ("math.cos(a / b) * c", lambda a, b, c: c * math.sin(a / b) * a / b**2),
    ],
)
def test_no_double_negation(expression, derivative):
    # These used to read -(-c / b * (a / b)): the inner sign now cancels
    # the outer one.
    f = define(f"def f(a, b, c):\n    return {expression}\n")
    g = srcgrad.grad(f, wrt="b")
    code = code_without_comments(srcgrad.source(g))
    assert "-" not in code.split("b_bar = ")[1], code
    for a, b, c in ((3.0, 1.25, 0.5), (-2.0, 0.75, 4.0)):
        assert g(a, b, c) == pytest.approx(derivative(a, b, c), rel=1e-14)


def test_twos_of_a_square_root_and_a_square_cancel():
    # d sqrt(u) = 1 / (2 * sqrt(u)) and d t**2 = 2 * t: a person cancels 2s.
    f = define("def f(x, y):\n    return math.sqrt((x - y) ** 2 + y**2)\n")
    g = srcgrad.grad(f, wrt=("x", "y"))
    text = code_without_comments(srcgrad.source(g))
    assert "2 *" not in text and "* 2" not in text, text
    x, y = 0.7, -1.3
    r = math.hypot(x - y, y)
    assert g(x, y) == pytest.approx(((x - y) / r, (2 * y - x) / r), rel=1e-15)


def test_multiples_of_one_term_are_combined_where_the_coefficient_is_exact():
    # -0.5 * z * z: the two factors' terms are -0.5 * z and -(z * 0.5).
    half = define("def f(z):\n    return -0.5 * z * z\n")
    assert "z_bar = -z\n" in srcgrad.source(srcgrad.grad(half))
    # 0.1 + 0.2 is not 0.3 in binary: those stay two terms, each exact.
    tenths = define("def f(z):\n    return 0.1 * z * z + 0.2 * z * z\n")
    g = srcgrad.grad(tenths)
    assert g(3.0) == 0.1 * 3.0 * 2 + 0.2 * 3.0 * 2 or g(3.0) == pytest.approx(1.8)
    assert "0.30000000000000004" not in srcgrad.source(g)
