"""Forward mode (``derivative``, ``jvp``) against reverse mode and
finite differences, over the shared corpora of functions.

Forward mode is a transform of its own (``srcgrad/ad/forward.py``), so
reverse mode is an independent oracle for it: the partial derivatives
``derivative`` gives are the gradient's, and a ``jvp`` along any tangent
is the dot product of the gradient with that tangent. Each function is
also transformed with the IR verified after every pass, and its value
from ``jvp`` is ``f``'s, bit for bit.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from calls_corpus import CASES as CALLS
from control_flow_corpus import CASES as CONTROL_FLOW
from control_flow_corpus import PAIRS, WEIGHTS
from corpus import CORPUS
from helpers import define
from test_array_corpus import CORPUS as ARRAY_CORPUS
from test_gradient_corpus import GRADIENT_CASES, _smooth_derivative
from test_lists import SCALAR_CASES as LIST_CASES

import srcgrad
from srcgrad.codegen.emit import generate_program
from srcgrad.compiler import forward_program
from srcgrad.frontend import lower_live_program
from srcgrad.ir import verify


def _real_positions(inputs):
    count = len(inputs[0])
    return [i for i in range(count) if all(type(args[i]) is float for args in inputs)]


#: (name, source, inputs) of every function of numbers with a real parameter.
SCALAR_CASES = [
    case
    for case in [(c.name, c.source, list(c.points)) for c in CORPUS]
    + list(CONTROL_FLOW)
    + list(GRADIENT_CASES)
    if _real_positions(case[2])
]


def _close(a, b):
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12) or (
        math.isnan(a) and math.isnan(b)
    )


@pytest.mark.parametrize(
    ("name", "source", "inputs"), SCALAR_CASES, ids=[c[0] for c in SCALAR_CASES]
)
def test_forward_mode_agrees_with_reverse_mode(name, source, inputs):
    f = define(source, WEIGHTS=WEIGHTS, PAIRS=PAIRS)
    positions = _real_positions(inputs)
    wrt = tuple(positions)
    partials = srcgrad.derivative(f, wrt=wrt)
    if isinstance(f(*inputs[0]), tuple):
        _check_outputs_by_differences(f, partials, inputs, positions)
        return
    gradient = srcgrad.grad(f, wrt=wrt)
    rng = np.random.default_rng(len(name))
    for args in inputs:
        try:
            expected = gradient(*args)
        except (ArithmeticError, ValueError) as error:
            with pytest.raises(type(error)):
                partials(*args)
            continue
        got = partials(*args)
        assert all(map(_close, got, expected)), (args, got, expected)
        tangents = [None] * len(args)
        for i in positions:
            tangents[i] = float(rng.normal())
        value, tangent = srcgrad.jvp(f, args, tangents)
        assert value == f(*args) or math.isnan(value)
        dot = sum(tangents[i] * g for i, g in zip(positions, expected, strict=True))
        assert math.isclose(tangent, dot, rel_tol=1e-8, abs_tol=1e-10)


def _check_outputs_by_differences(f, partials, inputs, positions):
    """Each output's partial derivatives against central differences,
    where the output is smooth (for a function that returns a tuple)."""
    for args in inputs:
        got = partials(*args)
        for output, per_input in enumerate(got):
            for i, value in zip(positions, per_input, strict=True):
                expected = _smooth_derivative(
                    lambda *a, output=output: f(*a)[output], args, i
                )
                if expected is not None:
                    assert math.isclose(value, expected, rel_tol=1e-5, abs_tol=1e-7)


@pytest.mark.parametrize(
    ("name", "source", "inputs"), SCALAR_CASES, ids=[c[0] for c in SCALAR_CASES]
)
def test_forward_mode_ir_verifies_after_every_pass(name, source, inputs):
    f = define(source, WEIGHTS=WEIGHTS, PAIRS=PAIRS)
    names = f.__code__.co_varnames[: f.__code__.co_argcount]
    wrt = [names[i] for i in _real_positions(inputs)]
    for seeding, with_value in (("parameters", True), ("basis", False)):
        made = forward_program(
            verify(lower_live_program(f)),
            wrt,
            seeding=seeding,
            with_value=with_value,
            name="f_forward",
            after_each=verify,
        )
        generate_program(made, "doc")


def test_derivative_is_plain_generated_code():
    f = define("def f(x):\n    return math.exp(x) / (1.0 + x * x)\n")
    d = srcgrad.derivative(f)
    source = srcgrad.source(d)
    assert "def f_derivative(x):" in source
    assert "Derivative of f with respect to x." in source
    x = 0.7
    exact = math.exp(x) / (1 + x * x) - math.exp(x) * 2 * x / (1 + x * x) ** 2
    assert math.isclose(d(x), exact, rel_tol=1e-13)


def test_derivative_of_a_curve_is_the_derivative_of_each_output():
    f = define(
        "def f(t, a):\n    return np.array([math.cos(t), math.sin(t)]) * a, t * t\n"
    )
    velocity, speed = srcgrad.derivative(f)(0.4, 2.0)
    np.testing.assert_allclose(velocity, [-2 * math.sin(0.4), 2 * math.cos(0.4)])
    assert speed == 0.8


ARRAY_CASES = [(name, size) for name, p in ARRAY_CORPUS.items() for size in p.sizes]


@pytest.mark.parametrize(
    ("name", "size"), ARRAY_CASES, ids=[f"{n}-{s}" for n, s in ARRAY_CASES]
)
def test_jvp_of_array_programs_is_the_gradient_along_the_tangent(name, size):
    program = ARRAY_CORPUS[name]
    f = define(program.source)
    args = program.arguments(np.random.default_rng(len(size)), size)
    rng = np.random.default_rng(7)
    tangents = [None] * len(args)
    for i in program.wrt:
        tangents[i] = rng.normal(size=np.shape(args[i]))
        if not np.shape(args[i]):
            tangents[i] = float(tangents[i])
    value, tangent = srcgrad.jvp(f, args, tangents)
    assert value == f(*args)
    gradient = srcgrad.grad(f, wrt=program.wrt)(*args)
    dot = sum(
        float(np.sum(g * tangents[i]))
        for i, g in zip(program.wrt, gradient, strict=True)
    )
    assert math.isclose(tangent, dot, rel_tol=1e-8, abs_tol=1e-10)


@pytest.mark.parametrize("case", CALLS, ids=[case.name for case in CALLS])
def test_forward_mode_through_calls_agrees_with_reverse_mode(case, inlining):
    # With every call kept, each callee has a forward sweep of its own
    # (``h_jvp``), called with the tangents of its active parameters.
    function = define(case.source, case.entry if case.make is None else "make")
    if case.make is not None:
        function = function(*case.make)
    names = function.__code__.co_varnames[: function.__code__.co_argcount]
    positions = [names.index(name) for name in case.wrt]
    gradient = srcgrad.grad(function, wrt=case.wrt)
    partials = srcgrad.derivative(function, wrt=case.wrt)
    for point in case.points:
        args = [float(v) if i in positions else v for i, v in enumerate(point)]
        expected = gradient(*args)
        got = partials(*args)
        assert all(map(_close, got, expected)), (case.name, args, got, expected)
        tangents = [None] * len(args)
        for i in positions:
            tangents[i] = 0.5 + i
        value, tangent = srcgrad.jvp(function, args, tangents)
        assert value == function(*args)
        dot = sum(tangents[i] * g for i, g in zip(positions, expected, strict=True))
        assert math.isclose(tangent, dot, rel_tol=1e-9, abs_tol=1e-12)


def test_a_numpy_scalar_tangent_raises_where_the_gradient_does():
    # A number's tangent is made a float, so math's rules raise at the edge
    # of their domain in both modes (a NumPy scalar would give inf quietly).
    f = define("def f(x):\n    return math.sqrt(x)\n")
    with pytest.raises(ZeroDivisionError):
        srcgrad.grad(f)(0.0)
    with pytest.raises(ZeroDivisionError):
        srcgrad.jvp(f, (0.0,), (np.float64(1.0),))


def test_jvp_of_math_of_a_zero_dimensional_array():
    f = define("def f(x):\n    return math.sin(x) + math.fabs(x)\n")
    value, tangent = srcgrad.jvp(f, (np.array(0.5),), (np.array(2.0),))
    assert value == f(np.array(0.5))
    assert tangent == pytest.approx(2.0 * (math.cos(0.5) + 1.0), rel=1e-15)


@pytest.mark.parametrize("name", sorted(LIST_CASES))
def test_forward_mode_through_lists(name):
    source, args = LIST_CASES[name]
    f = define(source)
    expected = srcgrad.grad(f)(*args)
    assert srcgrad.derivative(f)(*args) == pytest.approx(expected, rel=1e-12)
    tangents = (1.0, *([None] * (len(args) - 1)))
    value, tangent = srcgrad.jvp(f, args, tangents)
    assert value == f(*args)
    assert tangent == pytest.approx(expected, rel=1e-12)
    second = srcgrad.hessian(f)(*args)
    step = 1e-5
    up, down = (args[0] + step, *args[1:]), (args[0] - step, *args[1:])
    estimate = (srcgrad.grad(f)(*up) - srcgrad.grad(f)(*down)) / (2 * step)
    assert second == pytest.approx(estimate, rel=1e-5, abs=1e-6)


def test_a_generated_jvp_called_with_arrays_hands_its_tangents_on():
    f = define("def f(x, n):\n    return np.sum(np.sin(x) * n)\n")
    made = srcgrad.api.transformed(f, 0, with_value=True, has_aux=False, kind="jvp")
    x = np.array([0.3, 0.5])
    value, tangent = made(x, 3, x_dot=np.ones(2))
    assert (value, tangent) == srcgrad.jvp(f, (x, 3), (np.ones(2), None))
    assert tangent == pytest.approx(3 * np.sum(np.cos(x)), rel=1e-15)


def test_repeated_jvp_calls_read_no_source_again(monkeypatch):
    from srcgrad import building

    f = define("def f(x, n):\n    return np.sum(np.sin(x) * n)\n")
    x = np.array([0.3, 0.5])
    first = srcgrad.jvp(f, (x, 3), (np.ones(2), None))

    def forbidden(*args, **kwargs):
        raise AssertionError("a repeated jvp must not read f's source again")

    monkeypatch.setattr(building, "lower_live_program", forbidden)
    assert srcgrad.jvp(f, (x, 3), (np.ones(2), None)) == first
