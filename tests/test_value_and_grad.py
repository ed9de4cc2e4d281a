"""``value_and_grad``: f's value and its gradient from one generated function.

The value is the one the forward sweep computes anyway, so a call costs
what the gradient costs, and it is f's value bit for bit.
"""

from __future__ import annotations

import importlib
import pickle
import sys

import numpy as np
import pytest
from helpers import code_without_comments, define
from hypothesis import given, settings
from hypothesis import strategies as st

import srcgrad
from srcgrad.reference import Reference

SCALAR = "def f(x, y):\n    return math.sin(x) * y + x ** 2\n"
LOOP = """
def f(x, n):
    s = 0.0
    for i in range(n):
        s = s + math.sin(x * i) / (1.0 + i)
    return s
"""
HELPER = """
def sq(t):
    return t * t

def f(x, y):
    return sq(math.exp(x)) + sq(y) * x
"""
LOGISTIC = """
def f(w, b, X, y):
    p = 1.0 / (1.0 + np.exp(-(X @ w + b)))
    return -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))
"""


def _logistic_args():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(20, 3))
    return rng.normal(size=3), 0.1, X, (rng.random(20) > 0.5).astype(float)


CASES = [
    (SCALAR, (1.5, 2.0), (0, 1)),
    (SCALAR, (1.5, 2.0), 0),
    (SCALAR, (1.5, 2.0), (1,)),
    (LOOP, (0.5, 6), 0),
    (HELPER, (0.3, -1.25), (0, 1)),
    (LOGISTIC, _logistic_args(), (0, 1)),
    (LOGISTIC, _logistic_args(), 0),
]


@pytest.mark.parametrize(("source", "args", "wrt"), CASES)
def test_the_value_is_f_s_and_the_gradient_is_grad_s(source, args, wrt):
    f = define(source, "f")
    value, gradient = srcgrad.value_and_grad(f, wrt=wrt)(*args)
    assert value == f(*args)  # bit for bit: the forward sweep is f's code
    expected = srcgrad.grad(f, wrt=wrt)(*args)
    if isinstance(wrt, tuple):
        assert isinstance(gradient, tuple) and len(gradient) == len(expected)
    else:
        expected, gradient = (expected,), (gradient,)
    for got, want in zip(gradient, expected, strict=True):
        np.testing.assert_array_equal(got, want)


def test_the_value_is_computed_once_beside_the_gradient():
    f = define(SCALAR, "f")
    g = srcgrad.value_and_grad(f, wrt=(0, 1))
    code = code_without_comments(srcgrad.source(g))
    assert '"""Value and gradient of f with respect to x and y."""' in code
    assert code.count("math.sin(x)") == 1
    assert code.rstrip().endswith("return value, (x_bar, y_bar)")


def test_arrays_get_the_value_from_the_build_for_their_types():
    f = define(LOGISTIC, "f")
    args = _logistic_args()
    g = srcgrad.value_and_grad(f, wrt=(0, 1))
    code = code_without_comments(srcgrad.source(g, *args))
    assert code.count("np.exp(") == 1 and "return value, (w_bar, b_bar)" in code
    # The logs f computes are the value's now: no guard is left for them.
    assert "outside_domain" not in code


def test_as_a_decorator():
    f = define(
        "@srcgrad.value_and_grad(wrt='y')\ndef f(x, y):\n    return x * y * y\n",
        "f",
        srcgrad=srcgrad,
    )
    assert f(2.0, 3.0) == (18.0, 12.0)


@settings(max_examples=40, deadline=None)
@given(
    st.floats(-3, 3, allow_nan=False),
    st.floats(-3, 3, allow_nan=False),
)
def test_value_and_gradient_agree_with_f_and_grad_everywhere(x, y):
    f = _SCALAR_F
    value, (gx, gy) = _VALUE_AND_GRAD(x, y)
    assert value == f(x, y)
    assert (gx, gy) == _GRAD(x, y)


_SCALAR_F = define(SCALAR, "f")
_VALUE_AND_GRAD = srcgrad.value_and_grad(_SCALAR_F, wrt=(0, 1))
_GRAD = srcgrad.grad(_SCALAR_F, wrt=(0, 1))

MODULE = """
import math


def energy(x, k=2.0):
    return k * math.sin(x) * x


def energy_and_force(x):
    return math.sin(x) * x, math.cos(x)
"""


def test_it_pickles_by_reference_and_is_rebuilt_as_value_and_grad(
    tmp_path, monkeypatch
):
    (tmp_path / "vg_model.py").write_text(MODULE)
    monkeypatch.syspath_prepend(str(tmp_path))
    model = importlib.import_module("vg_model")
    try:
        g = srcgrad.value_and_grad(model.energy)
        assert pickle.loads(pickle.dumps(g)) is g
        data = pickle.dumps(g)
        expected = g(0.7)
        del g
        assert pickle.loads(data)(0.7) == expected
        plain = Reference.decode(srcgrad.grad(model.energy).__qualname__)
        assert not plain.with_value and not plain.has_aux
        both = srcgrad.value_and_grad(model.energy_and_force, has_aux=True)
        data, expected = pickle.dumps(both), both(0.7)
        del both
        assert pickle.loads(data)(0.7) == expected
    finally:
        sys.modules.pop("vg_model", None)


AUX = "def f(x, y):\n    z = math.sin(x) * y\n    return z + x ** 2, z\n"
AUX_LOGISTIC = """
def f(w, X, y):
    p = 1.0 / (1.0 + np.exp(-(X @ w)))
    return -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)), p
"""
AUX_LOOP = """
def f(x, n):
    s = 0.0
    trace = []
    for i in range(n):
        s = s + math.sin(x * i)
        trace.append(s)
    return s * s, np.array(trace)
"""


@pytest.mark.parametrize(
    ("source", "args", "wrt"),
    [
        (AUX, (1.5, 2.0), (0, 1)),
        (AUX, (1.5, 2.0), 0),
        (AUX_LOGISTIC, _logistic_args()[:1] + _logistic_args()[2:], 0),
        (AUX_LOOP, (0.5, 5), 0),
    ],
)
def test_has_aux_differentiates_the_value_and_hands_aux_back(source, args, wrt):
    f = define(source, "f")
    value, aux = f(*args)
    gradient, got_aux = srcgrad.grad(f, wrt=wrt, has_aux=True)(*args)
    np.testing.assert_array_equal(got_aux, aux)
    (got_value, again), same = srcgrad.value_and_grad(f, wrt=wrt, has_aux=True)(*args)
    assert got_value == value
    np.testing.assert_array_equal(again, aux)
    for a, b in zip(np.atleast_1d(gradient), np.atleast_1d(same), strict=True):
        np.testing.assert_array_equal(a, b)


def test_has_aux_gradient_matches_the_gradient_of_the_value_alone():
    f = define(AUX, "f")
    value_only = define("def f(x, y):\n    return math.sin(x) * y + x ** 2\n", "f")
    gradient, _ = srcgrad.grad(f, wrt=(0, 1), has_aux=True)(1.5, 2.0)
    assert gradient == srcgrad.grad(value_only, wrt=(0, 1))(1.5, 2.0)
    code = code_without_comments(
        srcgrad.source(srcgrad.grad(f, wrt=(0, 1), has_aux=True))
    )
    assert code.rstrip().endswith("return (x_bar, y_bar), z")
    code = code_without_comments(
        srcgrad.source(srcgrad.value_and_grad(f, has_aux=True))
    )
    assert code.rstrip().endswith("return (value, z), x_bar")


def test_has_aux_needs_a_pair_and_grad_refuses_one_without_it():
    pair = define(AUX, "f")
    with pytest.raises(srcgrad.DifferentiationError, match="has_aux=True, a pair"):
        srcgrad.grad(pair)(1.5, 2.0)
    single = define("def f(x):\n    return x * x\n", "f")
    with pytest.raises(srcgrad.DifferentiationError, match="must return a pair"):
        srcgrad.grad(single, has_aux=True)(1.5)
    array = define("def f(x):\n    return x * 2.0, x\n", "f")
    with pytest.raises(srcgrad.DifferentiationError, match="not one number"):
        srcgrad.grad(array, has_aux=True)(np.ones(3))


@pytest.mark.parametrize("aux", ["e", "2.0 * w", "e + 0.0"])
def test_a_gradient_array_is_never_the_aux_array(aux):
    # d/dw of sum(e) is e itself: handed back as both, an optimiser's
    # in-place update of the gradient would change aux.
    f = define(f"def f(w):\n    e = np.exp(w)\n    return np.sum(e), {aux}\n", "f")
    w = np.array([0.5, -1.0, 2.0])
    for transform in (srcgrad.grad, srcgrad.value_and_grad):
        first, second = transform(f, has_aux=True)(w)
        gradient, got_aux = (
            (first, second) if transform is srcgrad.grad else (second, first[1])
        )
        assert gradient is not got_aux and not np.shares_memory(gradient, got_aux)
        expected_aux = f(w)[1]
        gradient *= 0.0
        np.testing.assert_array_equal(got_aux, expected_aux)


@pytest.mark.parametrize("flag", [2, "no", None])
def test_has_aux_is_true_or_false(flag):
    f = define(AUX, "f")
    with pytest.raises(srcgrad.CallError, match="has_aux is True or False"):
        srcgrad.grad(f, has_aux=flag)
    assert srcgrad.grad(f, has_aux=np.bool_(True))(1.5, 2.0)[1] == f(1.5, 2.0)[1]
