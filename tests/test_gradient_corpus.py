"""Gradients of functions with control flow, against two oracles.

Every function of the control-flow corpus (``control_flow_corpus.py``)
and the gradient corpus below that returns one number is differentiated
with respect to its real parameters, through the verified pipeline, and
checked at each of its inputs and at points nearby:

- against central finite differences, wherever the function is smooth
  there (two step sizes agree: a point on a branch switch is skipped);
- against SymPy where the function is closed-form at that input: run on
  symbols (``math`` replaced by SymPy), a function whose branches depend on
  its real inputs cannot run, and only the finite differences check it.
"""

from __future__ import annotations

import math
import types

import pytest
import sympy
from control_flow_corpus import CASES, PAIRS, WEIGHTS
from helpers import define, verified_gradient

GRADIENT_CASES = [
    (
        "damped pendulum, explicit Euler",
        """
        def f(theta, damping, steps):
            omega = 0.0
            for _ in range(steps):
                alpha = -9.81 * math.sin(theta) - damping * omega
                theta = theta + 0.01 * omega
                omega = omega + 0.01 * alpha
            return theta * theta + 0.5 * omega * omega
        """,
        [(0.3, 0.1, 0), (0.3, 0.1, 1), (0.3, 0.1, 50), (-1.2, 0.5, 20)],
    ),
    (
        "Horner's rule over a list of coefficients",
        """
        def f(x, coefficients):
            total = 0.0
            for c in coefficients:
                total = total * x + c
            return total
        """,
        [(1.5, WEIGHTS), (-0.5, [2.0]), (0.7, [])],
    ),
    (
        "Newton's square root with a tolerance and break",
        """
        def f(a):
            x = a
            for _ in range(50):
                nxt = 0.5 * (x + a / x)
                if abs(nxt - x) < 1e-15:
                    break
                x = nxt
            return x
        """,
        [(2.0,), (9.0,), (0.3,)],
    ),
    (
        "a value overwritten late in the iteration that an earlier statement read",
        """
        def f(x, y, n):
            s = 0.0
            for i in range(n):
                s = s + x * y
                x = math.sin(x) + 0.1 * i
                y = y * 0.9
            return s + x
        """,
        [(0.4, 1.3, 0), (0.4, 1.3, 1), (0.4, 1.3, 6)],
    ),
    (
        "a loop-carried value read after the loop, one defined before read inside",
        """
        def f(x, c):
            scale = c * c
            y = x
            for i in range(4):
                y = math.tanh(y * scale + i)
            return y * x + scale
        """,
        [(0.3, 0.8), (-1.0, 0.2)],
    ),
    (
        "nested loops, the inner bound from the outer index",
        """
        def f(x, n):
            total = 0.0
            for i in range(n):
                for j in range(i):
                    total = total + math.sin(x * (i - j))
            return total
        """,
        [(0.7, 0), (0.7, 1), (0.7, 5)],
    ),
    (
        "while with a condition on the carried value",
        """
        def f(x, rate):
            steps = 0
            while x > 1.0:
                x = x * rate
                steps = steps + 1
            return x + steps
        """,
        [(10.0, 0.5), (0.5, 0.5), (3.0, 0.9)],
    ),
    (
        "a branch inside a loop, recorded per iteration",
        """
        def f(x, c):
            for i in range(6):
                if x > 1.0:
                    x = x * 0.5 + math.sin(x * c)
                else:
                    x = x * c + 0.3
            return x
        """,
        [(1.7, 0.9), (0.4, 1.3), (2.5, 1.1)],
    ),
    (
        "early return from inside a loop",
        """
        def f(x, limit):
            y = x
            for i in range(10):
                y = y * 1.5 + math.cos(y)
                if y > limit:
                    return y - limit * i
            return -y
        """,
        [(0.5, 5.0), (0.5, 1e9), (2.0, 3.0)],
    ),
    (
        "continue and for-else",
        """
        def f(x, n):
            acc = 0.0
            for i in range(n):
                if i == 2:
                    continue
                acc = acc + x ** i
            else:
                acc = acc * 2.0
            return acc
        """,
        [(1.1, 5), (0.5, 0), (2.0, 3)],
    ),
    (
        "reversed range with run-time bounds and a negative step",
        """
        def f(x, start, stop):
            for i in range(start, stop, -2):
                x = x * 0.5 + i * x * x * 0.01
            for j in reversed(range(stop, start)):
                x = x + j * 0.001 * x
            return x
        """,
        [(1.3, 9, 0), (1.3, 2, 5), (-0.4, 6, -3)],
    ),
    (
        "enumerate and zip over data, weighting a real parameter",
        """
        def f(w, xs, ys):
            loss = 0.0
            for i, (a, b) in enumerate(zip(xs, ys)):
                loss = loss + (w * a - b) ** 2 / (i + 1)
            return loss
        """,
        [(0.3, WEIGHTS, [1.0, 2.0, 3.0]), (1.5, [1.0], [0.0])],
    ),
    (
        "a literal tuple of parameters, unrolled",
        """
        def f(x, y, z):
            total = 1.0
            for v in (x, y, z, 2.0):
                total = total * v + math.sin(v)
            return total
        """,
        [(0.3, -0.7, 1.2)],
    ),
    (
        "piecewise smooth: softplus with a stable branch",
        """
        def f(x):
            if x > 20.0:
                return x
            elif x < -20.0:
                return math.exp(x)
            return math.log1p(math.exp(x))
        """,
        [(-30.0,), (0.5,), (30.0,)],
    ),
    (
        "ternaries, and/or and chained comparisons choosing a formula",
        """
        def f(x, y):
            a = x * y if 0.0 < x < 2.0 else x + y
            b = (x > 0 and y > 0) or x * y < -1.0
            c = math.sin(a) if b else math.cos(a)
            return c + (y or 1.0) * max(x, y) - min(a, 0.5) + abs(x - y)
        """,
        [(0.5, 1.5), (3.0, 1.0), (-2.0, 1.0), (1.0, -0.3)],
    ),
    (
        "integer counters, int(), round() and float() beside real values",
        """
        def f(x, n):
            count = int(n * 1.0)
            total = float(count) * x
            for k in range(count):
                total = total + round(k * 0.4) * x * x
            return total + len(WEIGHTS) * x
        """,
        [(0.5, 0), (0.5, 3), (-1.5, 7)],
    ),
]


def _real_positions(inputs):
    """The positions whose every input is a float: those are differentiated."""
    count = len(inputs[0])
    return [
        index
        for index in range(count)
        if all(
            type(args[index]) is float and math.isfinite(args[index]) for args in inputs
        )
    ]


def _parameters(f):
    code = f.__code__
    return list(code.co_varnames[: code.co_argcount])


def _central(f, args, index, step):
    up, down = list(args), list(args)
    up[index] += step
    down[index] -= step
    return (f(*up) - f(*down)) / (2 * step)


def _smooth_derivative(f, args, index):
    """The derivative by central differences, or None where ``f`` is not
    smooth (the one-sided differences disagree: a jump or a kink)."""
    step = 1e-6 * max(1.0, abs(args[index]))
    up, down = list(args), list(args)
    up[index] += step
    down[index] -= step
    try:
        here, above, below = f(*args), f(*up), f(*down)
    except (ArithmeticError, ValueError):
        return None
    if not all(math.isfinite(value) for value in (here, above, below)):
        return None
    right, left = (above - here) / step, (here - below) / step
    central = (above - below) / (2 * step)
    if abs(right - left) > 1e-3 * max(1.0, abs(central)):
        return None
    try:
        halved = _central(f, args, index, step / 2)
    except (ArithmeticError, ValueError):
        return None
    if not math.isclose(central, halved, rel_tol=1e-4, abs_tol=1e-6):
        return None  # a pole: the slope grows as the step shrinks
    return central


_SYMPY_MATH = types.SimpleNamespace(
    sin=sympy.sin,
    cos=sympy.cos,
    tan=sympy.tan,
    tanh=sympy.tanh,
    atan=sympy.atan,
    exp=sympy.exp,
    log=sympy.log,
    log1p=lambda u: sympy.log(1 + u),
    sqrt=sympy.sqrt,
    pi=sympy.pi,
)


def symbolic_form(source, namespace, args, positions):
    """``f`` at ``args`` as a SymPy expression of one symbol per position
    in ``positions``, with those symbols and the point they stand for; or
    None if ``f`` branches on its inputs."""
    symbolic = define(source, **{**namespace, "math": _SYMPY_MATH})
    symbols = [sympy.Symbol(f"p{index}", real=True) for index in positions]
    call = list(args)
    for index, symbol in zip(positions, symbols, strict=True):
        call[index] = symbol
    if any(type(arg) is int and arg > 6 for arg in args):
        return None  # unrolled by SymPy, long loops make huge expressions
    try:
        expression = sympy.sympify(symbolic(*call))
    except (TypeError, ValueError, ZeroDivisionError, AttributeError):
        return None  # a branch, a comparison or an int() of a symbol
    point = {symbol: args[i] for symbol, i in zip(symbols, positions, strict=True)}
    return expression, symbols, point


def _sympy_gradient(source, namespace, args, positions):
    """SymPy's gradient at ``args``, or None if ``f`` branches on its inputs."""
    found = symbolic_form(source, namespace, args, positions)
    if found is None:
        return None
    expression, symbols, point = found
    values = [sympy.diff(expression, symbol).subs(point) for symbol in symbols]
    if not all(value.is_real for value in values):
        return None
    return [float(value) for value in values]


#: Where finite differences cannot judge: bisection's result is piecewise
#: linear in c with a jump every 1e-9, and differences over 1e-6 average
#: the jumps into a slope the function does not have anywhere.
_NOT_FOR_DIFFERENCES = {"bisection with while"}


def _scalar_cases():
    cases = []
    for name, source, inputs in CASES + GRADIENT_CASES:
        if name in _NOT_FOR_DIFFERENCES:
            continue
        f = define(source, WEIGHTS=WEIGHTS, PAIRS=PAIRS)
        try:
            outputs = [f(*args) for args in inputs]
        except Exception:  # noqa: BLE001 - a corpus case about errors
            continue
        if not all(type(value) is float for value in outputs):
            continue
        if not _real_positions(inputs):
            continue
        cases.append((name, source, inputs))
    return cases


SCALAR_CASES = _scalar_cases()


@pytest.mark.parametrize(
    ("name", "source", "inputs"), SCALAR_CASES, ids=[case[0] for case in SCALAR_CASES]
)
def test_gradient_matches_finite_differences_and_sympy(name, source, inputs):
    namespace = {"WEIGHTS": WEIGHTS, "PAIRS": PAIRS}
    f = define(source, **namespace)
    positions = _real_positions(inputs)
    names = [_parameters(f)[index] for index in positions]
    gradient = verified_gradient(f, names)
    checked = 0
    for args in inputs:
        nearby = [args] + [
            tuple(a + 0.0371 if i in positions else a for i, a in enumerate(args))
        ]
        for point in nearby:
            try:
                f(*point)
            except (ArithmeticError, ValueError):
                continue
            got = gradient(*point)
            got = got if isinstance(got, tuple) else (got,)
            exact = _sympy_gradient(source, namespace, point, positions)
            for slot, index in enumerate(positions):
                if exact is not None:
                    assert got[slot] == pytest.approx(exact[slot], rel=1e-9, abs=1e-12)
                expected = _smooth_derivative(f, point, index)
                if expected is not None:
                    assert got[slot] == pytest.approx(expected, rel=2e-5, abs=1e-6), (
                        point,
                        names[slot],
                    )
                    checked += 1
    assert checked, "no smooth point was checked"


def test_the_gradient_corpus_is_large():
    assert len(SCALAR_CASES) >= 60
