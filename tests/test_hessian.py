"""Hessians and Hessian-vector products: forward mode over the gradient.

Checked against SymPy on every closed-form function of the corpora,
against central differences of the gradient on every function with loops
and branches (the gradient's tapes then carry tangents), through calls,
and on arrays against the Hessian written by hand.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import sympy
from calls_corpus import CASES as CALLS
from corpus import CORPUS
from helpers import check_golden, define
from test_gradient_corpus import (
    PAIRS,
    SCALAR_CASES,
    WEIGHTS,
    _real_positions,
    symbolic_form,
)

import srcgrad
from srcgrad.codegen.emit import generate_program
from srcgrad.compose import hessian_program
from srcgrad.frontend import lower_live_program
from srcgrad.ir import verify


def _sympy_hessian(source, args, positions, namespace):
    """SymPy's Hessian at ``args``, or None where ``f`` is not closed-form
    (it branches on a symbol, or calls int() of one)."""
    found = symbolic_form(source, namespace, args, positions)
    if found is None:
        return None
    expression, symbols, point = found
    rows = [
        [sympy.diff(expression, a, b).subs(point) for b in symbols] for a in symbols
    ]
    if not all(value.is_real for row in rows for value in row):
        return None
    return [[float(value) for value in row] for row in rows]


def _difference_hessian(f, args, positions):
    """The Hessian by central differences of srcgrad's gradient (reverse
    mode, tested on its own), or None where the gradient is not smooth."""
    gradient = srcgrad.grad(f, wrt=tuple(positions))
    columns = []
    for j in positions:
        step = 1e-6 * max(1.0, abs(args[j]))
        up, down, halfway = list(args), list(args), list(args)
        up[j] += step
        down[j] -= step
        halfway[j] += step / 2
        try:
            above, below = gradient(*up), gradient(*down)
            here, half = gradient(*args), gradient(*halfway)
        except (ArithmeticError, ValueError):
            return None
        column = [(a - b) / (2 * step) for a, b in zip(above, below, strict=True)]
        right = [(a - h) / step for a, h in zip(above, here, strict=True)]
        left = [(h - b) / step for h, b in zip(here, below, strict=True)]
        one_sided = [(m - h) * 2 / step for m, h in zip(half, here, strict=True)]
        for c, r, lo, o in zip(column, right, left, one_sided, strict=True):
            scale = 1e-3 * max(1.0, abs(c))
            if abs(r - lo) > scale or abs(o - c) > 1e-2 * max(1.0, abs(c)):
                return None  # a kink or a jump of the gradient here
        columns.append(column)
    return [list(row) for row in zip(*columns, strict=True)]


#: Points where the path the program takes changes exactly there, so its
#: exact second derivative is that of one path, not the differences'
#: (Newton's iteration from x = a = 1.0 stops after one step, whose second
#: derivative in a is 0, while nearby it runs to sqrt(a)).
_PATH_CHANGES_HERE = {("Newton's method for a square root with while and break", 1.0)}

CLOSED_FORM = [(case.name, case.source, list(case.points)) for case in CORPUS]


@pytest.mark.parametrize(
    ("name", "source", "inputs"),
    CLOSED_FORM + SCALAR_CASES,
    ids=[c[0] for c in CLOSED_FORM + SCALAR_CASES],
)
def test_hessian_matches_sympy_and_differences(name, source, inputs):
    namespace = {"WEIGHTS": WEIGHTS, "PAIRS": PAIRS}
    f = define(source, **namespace)
    positions = _real_positions(inputs)
    wrt = tuple(positions)
    hessian = srcgrad.hessian(f, wrt=wrt)
    checked = 0
    for args in inputs:
        try:
            f(*args)
        except (ArithmeticError, ValueError):
            continue
        if (name, args[0]) in _PATH_CHANGES_HERE:
            continue
        found = [list(row) for row in hessian(*args)]
        exact = _sympy_hessian(source, args, positions, namespace)
        if exact is not None:
            for row, expected in zip(found, exact, strict=True):
                assert row == pytest.approx(expected, rel=1e-9, abs=1e-9), args
            checked += 1
            continue
        estimate = _difference_hessian(f, args, positions)
        if estimate is not None:
            for row, expected in zip(found, estimate, strict=True):
                assert row == pytest.approx(expected, rel=1e-4, abs=1e-5), args
            checked += 1
    assert checked, "no point of this function was checked"


@pytest.mark.parametrize(
    ("name", "source", "inputs"), SCALAR_CASES, ids=[c[0] for c in SCALAR_CASES]
)
def test_hessian_ir_verifies_after_every_pass(name, source, inputs):
    f = define(source, WEIGHTS=WEIGHTS, PAIRS=PAIRS)
    names = f.__code__.co_varnames[: f.__code__.co_argcount]
    wrt = [names[i] for i in _real_positions(inputs)]
    for seeding in ("basis", "parameters"):
        made = hessian_program(
            verify(lower_live_program(f)),
            wrt,
            as_tuple=True,
            seeding=seeding,
            after_each=verify,
        )
        generate_program(made, "doc")


@pytest.mark.parametrize("case", CALLS, ids=[case.name for case in CALLS])
def test_hessian_through_calls(case, inlining):
    # With every call kept, forward mode sweeps each callee's forward and
    # backward sweeps, the tuple of saved values with its tangents.
    function = define(case.source, case.entry if case.make is None else "make")
    if case.make is not None:
        function = function(*case.make)
    names = function.__code__.co_varnames[: function.__code__.co_argcount]
    positions = [names.index(name) for name in case.wrt]
    hessian = srcgrad.hessian(function, wrt=case.wrt)
    checked = 0
    for point in case.points:
        args = [float(v) if i in positions else v for i, v in enumerate(point)]
        estimate = _difference_hessian(function, args, positions)
        if estimate is None:
            continue
        found = [list(row) for row in hessian(*args)]
        for row, expected in zip(found, estimate, strict=True):
            assert row == pytest.approx(expected, rel=1e-4, abs=1e-5), args
        checked += 1
    assert checked


def test_hessian_of_an_array_has_the_shape_of_its_input_twice():
    f = define(
        "def rosenbrock(x):\n"
        "    return np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)\n"
    )
    x = np.array([0.5, -0.3, 1.2, 0.9])
    n = len(x)
    expected = np.zeros((n, n))
    for i in range(n - 1):
        expected[i, i] += 1200 * x[i] ** 2 - 400 * x[i + 1] + 2
        expected[i, i + 1] -= 400 * x[i]
        expected[i + 1, i] -= 400 * x[i]
        expected[i + 1, i + 1] += 200
    np.testing.assert_allclose(srcgrad.hessian(f)(x), expected, rtol=1e-12)
    v = np.arange(1.0, n + 1)
    np.testing.assert_allclose(srcgrad.hvp(f, (x,), (v,)), expected @ v, rtol=1e-12)
    X = x.reshape(2, 2)
    g = define("def g(X, w):\n    return np.sum(np.tanh(X @ w) ** 2) * w[0]\n")
    w = np.array([0.3, -0.8])
    h_xx, h_xw = srcgrad.hessian(g, wrt=(0, 1))(X, w)[0]
    assert h_xx.shape == (2, 2, 2, 2) and h_xw.shape == (2, 2, 2)
    # the block of mixed partials, against the gradient's differences in w
    gradient = srcgrad.grad(g, wrt=0)
    for k in range(2):
        step = np.zeros(2)
        step[k] = 1e-6
        column = (gradient(X, w + step) - gradient(X, w - step)) / 2e-6
        np.testing.assert_allclose(h_xw[..., k], column, rtol=1e-5, atol=1e-8)


def test_hvp_of_numbers_is_the_hessian_times_the_tangents():
    f = define("def f(x, y):\n    return math.sin(x * y) + x**3 * math.exp(y)\n")
    rows = srcgrad.hessian(f, wrt=(0, 1))(0.3, 0.7)
    product = srcgrad.hvp(f, (0.3, 0.7), (2.0, -1.0))
    for row, value in zip(rows, product, strict=True):
        assert math.isclose(value, row[0] * 2.0 - row[1], rel_tol=1e-12)
    assert srcgrad.hvp(f, (0.3, 0.7), (1.0, None)) == rows[0][0]


def test_golden_hessian_of_a_closed_form_function():
    f = define(
        "def f(x, y):\n    return math.sin(x * y) + x**3 * math.exp(y)\n", name="f"
    )
    source = srcgrad.source(srcgrad.hessian(f, wrt=(0, 1)))
    check_golden("closed_form.hessian.py", source)


def test_golden_jvp_of_a_loop():
    f = define("""
        def pendulum(theta, damping):
            omega = 0.0
            for _ in range(100):
                alpha = -9.81 * math.sin(theta) - damping * omega
                theta = theta + 0.01 * omega
                omega = omega + 0.01 * alpha
            return theta
        """)
    srcgrad.jvp(f, (0.3, 0.1), (1.0, 0.0))
    made = srcgrad.api.transformed(
        f, (0, 1), with_value=True, has_aux=False, kind="jvp"
    )
    check_golden("pendulum.jvp.py", srcgrad.source(made))


def test_grad_of_grad_is_generated_code_and_the_second_derivative():
    f = define("def f(x, y):\n    return math.sin(x * y) + x**3 * math.exp(y)\n")
    first = srcgrad.grad(f)
    rows = srcgrad.hessian(f, wrt=(0, 1))(0.3, 0.7)
    assert srcgrad.grad(first)(0.3, 0.7) == pytest.approx(rows[0][0], rel=1e-14)
    assert srcgrad.grad(first, wrt=1)(0.3, 0.7) == pytest.approx(rows[0][1], rel=1e-14)
    assert "def f_grad_grad(x, y):" in srcgrad.source(srcgrad.grad(first))
    assert srcgrad.derivative(first)(0.3, 0.7) == pytest.approx(rows[0][0], rel=1e-14)
    value, second = srcgrad.value_and_grad(first)(0.3, 0.7)
    assert value == first(0.3, 0.7)


def test_derivatives_compose_to_any_order():
    f = define("def f(t):\n    return math.sin(t) * t\n")
    third = srcgrad.derivative(srcgrad.grad(srcgrad.derivative(f)))
    t = 0.5
    assert third(t) == pytest.approx(-math.cos(t) * t - 3 * math.sin(t), rel=1e-14)


def test_grad_of_several_partial_derivatives_is_refused():
    f = define("def f(x, y):\n    return x * y\n")
    with pytest.raises(srcgrad.DifferentiationError, match="returns several values"):
        srcgrad.grad(srcgrad.grad(f, wrt=(0, 1)))(1.0, 2.0)
    with pytest.raises(srcgrad.DifferentiationError, match="not a value_and_grad"):
        srcgrad.grad(srcgrad.value_and_grad(f))
    with pytest.raises(srcgrad.DifferentiationError, match="not hessian"):
        srcgrad.hessian(srcgrad.grad(f))


@pytest.mark.parametrize(
    ("a", "b"), [(0.3, 0.3), (800.0, 800.0), (0.3, 0.2), (-5.0, 5.0)]
)
def test_the_hessian_of_logaddexp_is_smooth_at_a_tie(a, b):
    # Its slope's stable form reads |a - b|; written with abs, the second
    # derivative took abs's 0 at a tie, where logaddexp is smooth.
    f = define("def f(a, b):\n    return np.logaddexp(a, b)\n")
    p = 1.0 / (1.0 + math.exp(b - a))
    rows = srcgrad.hessian(f, wrt=(0, 1))(a, b)
    expected = p * (1.0 - p)
    assert rows[0][0] == pytest.approx(expected, rel=1e-12)
    assert rows[0][1] == pytest.approx(-expected, rel=1e-12)
    assert rows[1][1] == pytest.approx(expected, rel=1e-12)


def test_hessian_blocks_of_an_input_broadcast_against_another_have_its_shape():
    f = define("def f(x, w):\n    return np.sum(w * x * x)\n")
    w = np.array([1.0, 3.0])
    (h_xx, h_xw), (h_wx, h_ww) = srcgrad.hessian(f, wrt=(0, 1))(2.0, w)
    assert h_xx == 8.0
    np.testing.assert_array_equal(h_xw, [4.0, 4.0])
    np.testing.assert_array_equal(h_wx, [4.0, 4.0])
    np.testing.assert_array_equal(h_ww, np.zeros((2, 2)))
    product = srcgrad.hvp(f, (2.0, w), (1.0, np.zeros(2)))
    np.testing.assert_array_equal(product[1], [4.0, 4.0])


SECOND_ORDER_CALLS = """
def big(a):
    c = a * a + math.sin(a)
    d = c * c - math.exp(a * 0.1)
    e = d / (1.0 + c * c)
    g = math.log(1.0 + e * e) + a
    for i in range(2):
        g = g * math.cos(d * 0.1 * i)
    h = g * math.cos(d) + a * a
    k = h * h / (2.0 + g * g)
    return k + math.atan(h) * c


def f(x):
    s = 0.0
    for i in range(2):
        t = x
        for j in range(i + 1):
            t = t * t * (j + 1)
        s += t
    return s + big(x) * x
"""


def test_hessian_through_a_called_helper_with_a_loop_and_an_inner_range(inlining):
    # The helper's backward sweep unpacks its tapes from the saved tuple
    # (and a range it replays, which gets no tangent); the inner loop's
    # bound is the outer index, read back beside taped values.
    f = define(SECOND_ORDER_CALLS, name="f")
    x = 0.3
    expected = _difference_hessian(f, [x], [0])[0][0]
    assert srcgrad.hessian(f)(x) == pytest.approx(expected, rel=1e-5)
    forward_twice = srcgrad.derivative(srcgrad.derivative(f))(x)
    assert srcgrad.hessian(f)(x) == pytest.approx(forward_twice, rel=1e-12)
    assert srcgrad.grad(srcgrad.grad(f))(x) == pytest.approx(forward_twice, rel=1e-12)
