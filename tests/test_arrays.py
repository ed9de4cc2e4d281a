"""Gradients of NumPy code: every array primitive over shapes NumPy accepts.

Each test differentiates a function of arrays through ``sum(sin(...))`` of
the operation under test, so the cotangent reaching it is not all ones, and
compares with central differences: adjoints must come back summed over
exactly the axes broadcasting stretched, of their input's own shape.
"""

from __future__ import annotations

import math
import warnings

import dask.array as da
import hypothesis.extra.numpy as hnp
import numpy as np
import pytest
from arrays import check_gradient, numeric_gradient
from helpers import code_without_comments, define
from hypothesis import given, settings
from hypothesis import strategies as st

import srcgrad
from srcgrad.runtime import outside_domain

BINARY = {"+": "x + y", "-": "x - y", "*": "x * y", "/": "x / (y + 3.0)"}


def _values(shape, rng_seed, low=-1.0, high=1.0):
    rng = np.random.default_rng(rng_seed)
    return rng.uniform(low, high, size=shape)


@pytest.mark.parametrize("operator", BINARY)
@settings(max_examples=25)
@given(
    shapes=hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3),
    seed=st.integers(0, 2**16),
)
def test_elementwise_operators_broadcast_and_sum_back(operator, shapes, seed):
    x_shape, y_shape = shapes.input_shapes
    f = define(f"def f(x, y):\n    return np.sum(np.sin({BINARY[operator]}))\n")
    x = _values(x_shape, seed) if x_shape else float(_values((), seed))
    y = _values(y_shape, seed + 1) if y_shape else float(_values((), seed + 1))
    check_gradient(f, (x, y), (0, 1))


@pytest.mark.parametrize(
    "name", ["sin", "cos", "tanh", "exp", "log", "sqrt", "arctan", "abs", "expm1"]
)
def test_numpy_functions_of_arrays(name):
    f = define(f"def f(x):\n    return np.sum(np.sin(np.{name}(x) * 1.5))\n")
    x = _values((3, 4), 1, low=0.2, high=1.5)
    check_gradient(f, (x,), (0,))


@settings(max_examples=30)
@given(
    shape=hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4),
    data=st.data(),
    keepdims=st.booleans(),
    mean=st.booleans(),
)
def test_reductions_over_any_axes(shape, data, keepdims, mean):
    axis = data.draw(
        st.none()
        | hnp.valid_tuple_axes(len(shape), min_size=1)
        | st.integers(-len(shape), len(shape) - 1),
        label="axis",
    )
    reduction = "mean" if mean else "sum"
    f = define(
        f"def f(x, w):\n"
        f"    return np.sum(np.sin(np.{reduction}(x, axis={axis!r}, "
        f"keepdims={keepdims}) * w))\n"
    )
    x = _values(shape, 3)
    expected_shape = np.sum(x, axis=axis, keepdims=keepdims).shape
    w = _values(expected_shape, 4) if expected_shape else 0.7
    check_gradient(f, (x, w), (0, 1))


def test_methods_users_write():
    f = define("""
        def f(x, y):
            return (x * y).sum() + x.mean(axis=0).sum() * 2.0 + x.T.dot(y).sum()
        """)
    check_gradient(f, (_values((3, 2), 5), _values((3, 2), 6)), (0, 1))


@pytest.mark.parametrize(
    ("a_shape", "b_shape"),
    [((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 4)), ((2, 3), (3, 4)), ((1, 3), (3, 1))],
)
def test_matmul_of_vectors_and_matrices(a_shape, b_shape):
    f = define("def f(a, b):\n    return np.sum(np.sin(a @ b)) + np.sum(a.dot(b))\n")
    check_gradient(f, (_values(a_shape, 7), _values(b_shape, 8)), (0, 1))


def test_outer_product():
    f = define("def f(a, b):\n    return np.sum(np.sin(np.outer(a, b)))\n")
    check_gradient(f, (_values((3,), 9), _values((4,), 10)), (0, 1))


def test_logistic_regression_is_differentiated_in_products():
    f = define("""
        def loss(w, b, X, y):
            z = X @ w + b
            p = 1.0 / (1.0 + np.exp(-z))
            return -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))
        """)
    rng = np.random.default_rng(0)
    X = rng.normal(size=(20, 3))
    y = (rng.random(20) > 0.5).astype(float)
    # (The corpus checks its numbers.) Written as a person would.
    source = srcgrad.source(srcgrad.grad(f, wrt=(0, 1)))
    assert "for_arrays" in source
    # The mean's -1/n multiplies once, and the terms through p = 1/(1 + t)
    # cancel to (y - 1 + y*t) * p (tests/test_rational_terms.py).
    text = srcgrad.source(srcgrad.grad(f, wrt=(0, 1)), rng.normal(size=3), 0.3, X, y)
    assert "z_bar = -1.0 / y.size * (y - 1 + y * t) * p" in text


def test_the_function_for_arrays_is_made_at_the_first_call_with_arrays():
    # Binding a gradient makes no function for arrays (that compiles one,
    # and most gradients never see an array): the gradient's cell holds
    # the gradients for arrays until the first call with arrays, then the
    # function that finds one by a quick key.
    f = define("def f(x, y):\n    return np.sum(np.sin(x) * y)\n")
    g = srcgrad.grad(f)
    cells = dict(zip(g.__code__.co_freevars, g.__closure__, strict=True))
    arrays = g.__srcgrad__.arrays
    assert cells["for_arrays"].cell_contents is arrays
    assert g(0.5, 2.0) == pytest.approx(math.cos(0.5) * 2.0)  # numbers: no change
    assert cells["for_arrays"].cell_contents is arrays
    x, y = np.linspace(0.1, 0.5, 3), np.ones(3)
    np.testing.assert_allclose(g(x, y), np.cos(x))
    made = cells["for_arrays"].cell_contents
    assert made is not arrays and made.__name__ == "for_arrays"
    np.testing.assert_allclose(g(x, 2 * y), 2 * np.cos(x))
    assert cells["for_arrays"].cell_contents is made


def test_the_generated_code_reads_like_a_hand_written_gradient():
    f = define("def f(x, y):\n    return np.sum(np.sin(x) * y)\n")
    gradient = srcgrad.grad(f, wrt=(0, 1))
    x, y = _values((4, 3), 11), _values((3,), 12)
    check_gradient(f, (x, y), (0, 1))
    text = srcgrad.source(gradient, x, y)
    assert "y_bar = np.sin(x).sum(axis=0)" in text
    assert "x_bar = y * np.cos(x)" in text


@pytest.mark.parametrize(
    ("x", "y"),
    [
        (np.float64(1.5), np.array([0.5, 2.0])),
        (np.array(1.5), np.array([0.5, 2.0])),
        (1.5, np.ones((2, 1))),
        (np.ones((1, 3)), np.ones((2, 1))),
    ],
    ids=["float64", "0-d array", "float", "size-1 axes"],
)
def test_numbers_0d_arrays_and_size_1_axes_mix(x, y):
    f = define("def f(x, y):\n    return np.sum(x * y * y)\n")
    x_bar, y_bar = check_gradient(f, (x, y), (0, 1))
    assert np.shape(x_bar) == np.shape(x)


def test_a_function_that_returns_an_array_has_no_gradient():
    f = define("def f(x):\n    return np.sin(x)\n")
    with pytest.raises(srcgrad.DifferentiationError, match="returns an array"):
        srcgrad.grad(f)(np.ones(3))


def test_an_integer_array_is_not_differentiated():
    f = define("def f(x):\n    return np.sum(x * 2.0)\n")
    with pytest.raises(srcgrad.NotRealError, match="floating-point"):
        srcgrad.grad(f)(np.arange(3))


def test_one_build_per_signature_and_each_batch_size_shares_it():
    f = define("def f(w, X):\n    return np.sum(np.tanh(X @ w))\n")
    for batch in (1, 2, 5, 9):
        check_gradient(f, (_values((3,), batch), _values((batch, 3), batch + 1)), (0,))
    g = define("def g(w, X):\n    return np.sum(np.tanh(X @ w))\n")
    gradient = srcgrad.grad(g)
    w = _values((3,), 1)
    before = srcgrad.cache_info()["misses"]
    for batch in (4, 7, 100):
        gradient(w, _values((batch, 3), 2))
    assert srcgrad.cache_info()["misses"] == before + 1  # every batch size but 1
    gradient(w, _values((1, 3), 2))
    assert srcgrad.cache_info()["misses"] == before + 2


def test_one_gradient_picks_the_build_for_each_call_s_types():
    # A call looks its build up by a key of each input's (and each global's)
    # class, dtype kind and size-1 axes: a key seen before must never pick
    # the build of other types.
    f = define("def f(x, y):\n    return np.sum(x * y * W)\n", W=np.ones(3))
    gradient = srcgrad.grad(f, wrt=(0, 1))
    calls = [
        (_values((3,), 1), _values((3,), 2)),
        (_values((1,), 1), _values((3,), 2)),
        (_values((2, 3), 1), _values((1, 3), 2)),
        (_values((3,), 1), 2.0),
        (_values((3,), 1), _values((3,), 2)),
    ]
    for W in (np.ones(3), np.full((2, 1), 0.5), np.array(2.0), 3.0):
        f.__globals__["W"] = W
        for x, y in calls * 2:
            got = gradient(x, y)
            for index, arg in enumerate((x, y)):
                assert np.shape(got[index]) == np.shape(arg)
                expected = numeric_gradient(f, (x, y), index)
                np.testing.assert_allclose(got[index], expected, rtol=1e-6)
    with pytest.raises(srcgrad.NotRealError, match="floating-point"):
        gradient(np.arange(3), _values((3,), 2))
    f.__globals__["W"] = np.ones(3, dtype=complex)
    with pytest.raises(srcgrad.NotRealError, match="global 'W'"):
        gradient(*calls[0])
    with pytest.raises(srcgrad.NotRealError, match="complex"):
        gradient(_values((3,), 1), _values((3,), 2).astype(complex))


def test_a_reciprocal_s_derivative_multiplies_by_it_where_numpy_divides_slower():
    # d(1/t)/dt = -p*p for p = 1/t: two products. The chain rule's
    # -(g/t)*p, which algebra made g/t/t, divided twice.
    f = define("""
        def f(x):
            p = 1.0 / (1.0 + np.exp(-x))
            return np.sum(np.sin(p))
        """)
    x = _values((5,), 3, -3.0, 3.0)
    check_gradient(f, (x,), (0,))
    code = code_without_comments(srcgrad.source(srcgrad.grad(f), x))
    derivative = code.split("p = 1.0 / (1.0 + t)")[1]
    assert "* p * p * t" in derivative and "/" not in derivative


@pytest.mark.parametrize(
    "expression", ["np.sum(x * y)", "np.dot(x, y)", "np.sum(x + y * 2.0)"]
)
def test_shapes_that_do_not_fit_raise_as_the_function_does(expression):
    # d/dx sum(x * y) is y: without a check it came back with y's shape.
    f = define(f"def f(x, y):\n    return {expression}\n")
    with pytest.raises(ValueError):
        f(np.ones(3), np.ones(4))
    with pytest.raises(ValueError, match=r"x\.shape\[0\] != y\.shape\[0\]"):
        srcgrad.grad(f, wrt=(0, 1))(np.ones(3), np.ones(4))


@pytest.mark.parametrize(
    "expression",
    [
        "np.sum(np.ones(3) * x)",
        "np.sum(np.array([x[0], x[1], x[2]]) * x)",
        "np.ones(3) @ x",
    ],
)
def test_an_input_size_that_does_not_fit_a_known_size_raises(expression):
    # d/dx sum(ones(3) * x) is ones(3): without a check it came back with
    # three items for an x of four.
    f = define(f"def f(x):\n    return {expression}\n")
    with pytest.raises(ValueError):
        f(np.ones(4))
    with pytest.raises(ValueError, match=r"x\.shape\[0\] != 3"):
        srcgrad.grad(f)(np.ones(4))
    check_gradient(f, (_values((3,), 1),), (0,))


def test_each_size_the_function_assumes_equal_is_checked_once():
    # x = y and y = z imply x = z; y * x again is the same pair
    f = define(
        "def f(x, y, z):\n"
        "    return np.sum(x * y) + np.sum(y * z) + np.sum(x * z) + np.sum(y * x)\n"
    )
    x, y = _values((3,), 1), _values((3,), 2)
    gradient = srcgrad.grad(f, wrt=(0, 1, 2))
    code = code_without_comments(srcgrad.source(gradient, x, y, x))
    assert code.split("shapes_differ(")[0].count("!=") == 2
    for z in (np.ones(4), np.ones(2)):
        with pytest.raises(ValueError, match="shapes do not fit"):
            gradient(x, y, z)


@pytest.mark.parametrize(
    "body",
    [
        "return np.sum((x + w) ** 2)",
        "return np.sum(np.sin(x + w))",
        "z = x + w\n    return np.sum(z) + z[1, 2] * 3.0",
        "return np.sum(x * w.T) + np.sum(x * x)",
    ],
)
def test_two_inputs_never_get_one_array_back(body):
    # d/dx and d/dw of sum((x + w) ** 2) are one value: an optimiser that
    # updates gx in place must not change gw
    f = define(f"def f(x, w):\n    {body}\n")
    x, w = _values((3, 3), 1), _values((3, 3), 2)
    gx, gw = check_gradient(f, (x, w), (0, 1))
    assert not np.shares_memory(gx, gw)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_a_0d_array_input_gets_a_0d_array_back(dtype):
    f = define("def f(x, s):\n    return np.sum(x * s) + s ** 2\n")
    x, s = np.array([0.3, 0.7, -0.2], dtype), np.array(0.5, dtype)
    gx, gs = srcgrad.grad(f, wrt=(0, 1))(x, s)
    assert isinstance(gs, np.ndarray) and gs.shape == () and gs.dtype == dtype
    assert gs == pytest.approx(np.sum(x) + 2 * s)
    gx, gs = srcgrad.grad(f, wrt=(0, 1))(s, s)
    assert isinstance(gx, np.ndarray) and gx.shape == () and gx is not gs


@pytest.mark.parametrize(
    "body, data",
    [
        ("np.sum(x * (d == 2)) + x[0] * 5.5", np.array([1, 2, 2, 0])),
        ("np.sum(x * d) + x[0] ** 2", np.array([1, 2, 3, 4])),
        ("np.sum(x * d) + x[0] ** 2", np.array([True, False, True, True])),
        ("np.sum(d * x) + np.sum(x[:2] * x[:2])", np.array([1, 2, 3, 4])),
        ("np.sum(x * (x > 0.5)) + np.sum(x[x > 0.5] ** 2)", None),
    ],
)
def test_an_adjoint_that_is_a_mask_or_ints_is_added_into_as_reals(body, data):
    # d/dx sum(x * m) is m: kept a mask, x_bar[0] += ... added into bools
    f = define(f"def f(x, d):\n    return {body}\n")
    x = np.array([0.2, 0.6, 0.95, 0.7])
    (gx,) = check_gradient(f, (x, data), (0,))
    assert gx.dtype == np.float64


@pytest.mark.parametrize(
    "body",
    ["m * x * x", "m * x * m * x", "m * x * x * x", "(m * x) * x", "m * x * m * x * m"],
)
def test_integer_data_is_never_scaled_before_a_float_meets_it(body):
    # 2 * (m * x) rewritten (2 * m) * x wrapped around for uint8 m
    f = define(f"def f(x, m):\n    return np.sum({body})\n")
    m = np.array([200, 17, 255], np.uint8)
    check_gradient(f, (np.array([0.3, 0.8, -0.5]), m), (0,))


def test_the_gradient_is_a_new_float_array_of_the_inputs_shape():
    f = define("def f(x, y):\n    return np.sum(x * y) + np.sum(x * (x > 0))\n")
    x, y = _values((3,), 1), _values((3,), 2)
    x_bar, y_bar = srcgrad.grad(f, wrt=(0, 1))(x, y)
    assert (
        x_bar.dtype == np.float64 and y_bar is not x and not np.shares_memory(y_bar, x)
    )
    y_bar *= 0.0  # the caller's x is not changed
    assert np.array_equal(x, _values((3,), 1))
    g = define("def g(x):\n    return np.sum(x)\n")
    x_bar = srcgrad.grad(g)(x.astype(np.float32))
    assert x_bar.dtype == np.float32 and x_bar.shape == (3,) and x_bar.flags.writeable


def test_values_of_unknown_shape_are_differentiated_conservatively():
    # np.nanmax has no rule: what it gives is not known when building, so
    # every sum back is decided when the gradient runs.
    f = define("""
        def f(x, A):
            y = x * np.nanmax(A)
            return np.sum(np.sin(np.sum(y, axis=1)) * np.arange(3.0)) + np.mean(y)
        """)
    x, A = _values((3, 4), 1), np.full((2, 2), 1.5)
    check_gradient(f, (x, A), (0,))
    g = define("def g(x, A):\n    return x * np.nanmax(A)\n")
    with pytest.raises(srcgrad.NotRealError, match="returns an array of shape"):
        srcgrad.grad(g)(_values((3,), 2), A)
    h = define("def h(x, A):\n    return np.sum(np.mean(x * np.nanmax(A), axis=-1))\n")
    with pytest.raises(srcgrad.DifferentiationError, match="not known"):
        srcgrad.grad(h)(x, A)


@pytest.mark.parametrize(
    "call", ["np.median(a)", "np.sort(a)", "np.cumprod(a)", "np.median(a, 0)"]
)
def test_a_numpy_function_without_a_rule_has_a_shape_known_when_it_runs(call):
    # Not a broadcast of its operands: np.median(a) is a number. Typed as
    # one, the gradient returned a number for x (shape (3,)).
    f = define(f"def f(x, a):\n    return np.sum(x * {call})\n")
    x, a = _values((3,), 1), _values((3,), 2)
    x_bar = check_gradient(f, (x, a), (0,))[0]
    np.testing.assert_allclose(x_bar, np.broadcast_to(eval(call), (3,)))


def test_a_sum_of_booleans_is_an_int_and_logical_ops_have_no_derivative():
    f = define(
        "def f(x):\n"
        "    both = np.logical_and(x > 0, x < 1)\n"
        "    either = np.logical_or(x < -1, both)\n"
        "    return np.sum(x * np.sum(either)) + np.sum(x > 0) * np.sum(x)\n"
    )
    x = np.array([0.5, -2.0, 3.0, 0.25])
    expected = np.full(4, 3.0 + 3.0)  # 3 in either, 3 positive
    np.testing.assert_allclose(srcgrad.grad(f)(x), expected)
    assert "np.logical_and" in srcgrad.source(srcgrad.grad(f), x)


def test_a_gradient_warns_where_the_function_warns_without_recomputing_it():
    f = define("def f(x):\n    return np.sum(np.log(x) * 0.0 + x)\n")
    gradient = srcgrad.grad(f)
    x = np.array([1.0, -2.0, 3.0])
    with pytest.warns(RuntimeWarning, match="invalid value"):
        f(x)
    with pytest.warns(RuntimeWarning, match="invalid value"):
        gradient(x)
    code = srcgrad.source(gradient, x)
    assert "    if outside_domain(x, 0.0):" in code.splitlines()
    calls = code_without_comments(code).splitlines()
    assert [line.split("#")[0] for line in calls if "np.log(x)" in line] == [
        "        np.log(x)  "
    ]


def _warnings_of(call, *args):
    """The warnings ``call(*args)`` gives, as (category, message) pairs, and
    what it raises under ``np.errstate(all="raise")``, underflow aside (NumPy
    ignores it by default; ``log1p(-5e-324)`` underflows where the gradient
    does not compute it, as documented)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        call(*args)
    with np.errstate(all="raise", under="ignore"):
        try:
            call(*args)
            raised = None
        except FloatingPointError as error:
            raised = str(error)
    return sorted({(w.category, str(w.message)) for w in caught}), raised


@pytest.mark.parametrize(
    ("expression", "items"),
    [
        ("np.log(x)", [1.0, -2.0, 0.0]),  # invalid value and divide by zero
        ("np.log(x)", [np.nan, -2.0]),  # the smallest item is nan
        ("np.log(x)", [0.5, 0.25]),  # no warning
        ("np.log2(x) + np.log10(x)", [0.0, 3.0]),
        ("np.log1p(x)", [-1.0, 0.5]),
        ("np.arccosh(x)", [1.0, 0.5]),
        ("np.arctanh(x)", [0.5, 1.0]),  # the largest item is outside
        ("np.arctanh(x)", [-0.5, 0.5]),
        ("np.log(x)", [[2.0, -1.0], [0.0, 3.0]]),  # the extremes of every axis
    ],
)
def test_a_gradient_warns_and_raises_exactly_as_the_function(expression, items):
    # Only its value's warnings need the NumPy function: the gradient
    # computes it only where an item is outside the interval where it gives
    # none, so every warning f gives, and the first error, are the same.
    f = define(f"def f(w, x):\n    return np.sum(w * x + {expression})\n")
    gradient = srcgrad.grad(f, wrt="w")
    w, x = 2.0, np.array(items)
    assert _warnings_of(gradient, w, x) == _warnings_of(f, w, x)
    with np.errstate(all="ignore"):
        np.testing.assert_equal(gradient(w, x), np.sum(x))
    _assert_only_guarded(srcgrad.source(gradient, w, x), "(x)")


def _assert_only_guarded(source, argument):
    """Each line of ``source`` that calls a function of ``argument`` is in
    the body of an ``if outside_domain(...)`` just above it."""
    lines = code_without_comments(source).splitlines()
    calls = [i for i, line in enumerate(lines) if argument in line]
    assert calls
    for i in calls:
        guard = next(j for j in range(i, -1, -1) if "if outside_domain(" in lines[j])
        indent = len(lines[guard]) - len(lines[guard].lstrip())
        assert all(
            line.startswith(" " * (indent + 4)) for line in lines[guard + 1 : i + 1]
        ), source


# f's NumPy functions of an array, kept for their warnings, and items at and
# around the edges of the interval where each is quiet.
GUARDED = [
    ("np.log(1 - x)", [0.5, 1.0], "outside_domain(x, high=1.0)"),
    ("np.log(1 - x)", [0.5, 1.5], "outside_domain(x, high=1.0)"),
    ("np.log(1 - x)", [0.5, 1.0 - 2**-53], "outside_domain(x, high=1.0)"),
    ("np.log(x - 2)", [2.0, 3.0], "outside_domain(x, 2.0)"),
    ("np.log(x - 2)", [2.0 + 2**-51, 3.0], "outside_domain(x, 2.0)"),
    ("np.log(3 + x)", [-3.0, 1.0], "outside_domain(x, -3.0)"),
    ("np.log(x + 3)", [-2.5, 1.0], "outside_domain(x, -3.0)"),
    ("np.log1p(-x)", [1.0, 0.0], "outside_domain(x, high=1.0)"),
    ("np.log(x) + np.log(1 - x)", [0.0, 0.5], "outside_domain(x, 0.0, 1.0)"),
    ("np.log(x) + np.log(1 - x)", [0.5, 1.0], "outside_domain(x, 0.0, 1.0)"),
    ("np.log(x) + np.log(1 - x)", [0.25, 0.75], "outside_domain(x, 0.0, 1.0)"),
    ("np.log(x) + np.log(1 - x)", [np.nan, 0.5], "outside_domain(x, 0.0, 1.0)"),
    ("np.log(x) + np.log(-x)", [1.0, 2.0], "outside_domain(x, 0.0, 0.0)"),
    ("np.log(x) + np.log(-x)", [0.0, -1.0], "outside_domain(x, 0.0, 0.0)"),
    ("np.log(2 - x) + np.arctanh(x)", [0.5, 0.25], "outside_domain(x, -1.0, 1.0)"),
    ("np.log(2 - x) + np.arctanh(x)", [1.0, 0.0], "outside_domain(x, -1.0, 1.0)"),
    # atanh's interval does not move across a sum: its own check
    ("np.arctanh(x + 0.5)", [0.5, 0.0], "outside_domain(t, -1.0, 1.0)"),
    ("np.arctanh(-x)", [-1.0, 0.0], "outside_domain(x, -1.0, 1.0)"),
]


@pytest.mark.parametrize(("expression", "items", "test"), GUARDED)
def test_the_checks_of_one_array_are_one_test_and_warn_as_f_does(
    expression, items, test
):
    # log(1 - x) is quiet where x < 1 (a difference is zero only where its
    # operands are equal), so log(x) and log(1 - x) need x's extremes
    # alone; at and just inside every edge, the warnings and the first
    # error are still f's.
    f = define(f"def f(w, x):\n    return np.sum(w * x + {expression})\n")
    gradient = srcgrad.grad(f, wrt="w")
    w, x = 2.0, np.array(items)
    assert _warnings_of(gradient, w, x) == _warnings_of(f, w, x)
    source = srcgrad.source(gradient, w, x)
    assert source.count("if outside_domain(") == 1 and f"if {test}:" in source
    _assert_only_guarded(source, "np.")


# No infinity, nothing that overflows: f warns in a sum and a product
# (inf - inf, 2 * 1e308) the gradient has no need of.
EDGES = [0.0, -0.0, 1.0, 1.0 - 2**-53, 1.0 + 2**-52, 5e-324, -5e-324, 0.5, 2.0]
EDGES += [-1.0, -1.0 + 2**-53, np.nan, 1e300]


@settings(max_examples=60, deadline=None)
@given(
    st.sampled_from(
        [
            "np.log(x) + np.log(1 - x)",
            "np.log1p(-x) + np.log(x + 1)",
            "np.log(x - 1) + np.arctanh(-x) + np.log2(x)",
            "np.log10(2 - x) * np.log(-x)",
        ]
    ),
    st.lists(st.sampled_from(EDGES), min_size=1, max_size=4),
)
def test_guarded_checks_warn_as_f_does_at_every_edge(expression, items):
    f = define(f"def f(w, x):\n    return np.sum(w * x + {expression})\n")
    w, x = 2.0, np.array(items)
    gradient = srcgrad.grad(f, wrt="w")
    assert _warnings_of(gradient, w, x) == _warnings_of(f, w, x)


@pytest.mark.parametrize(
    ("expression", "items"),
    [
        ("np.log(x - 0.1)", np.array([0.1, 1.0], np.float32)),  # 0.1 as float32
        ("np.log(0.7 - x)", np.array([0.7, 0.0], np.float32)),
        ("np.log(x + 0.7)", np.array([-0.7, 0.0], np.float32)),
        ("np.log(3 + x)", np.array([253, 1], np.uint8)),  # 3 + 253 wraps to 0
        ("np.log(-x)", np.array([np.iinfo(np.int64).min, -1])),  # -x is x
        ("np.log(1 - x)", np.array([-128, 0], np.int8)),
        ("np.log(x) + np.log(1 - x)", np.array([0.5, 0.25], np.float32)),
    ],
)
def test_checks_moved_onto_an_array_that_is_not_float64_warn_as_f_does(
    expression, items
):
    # NumPy rounds the constant to float32 beside a float32 array, and
    # integers wrap: the bounds moved onto x hold for float64 items alone.
    f = define(f"def f(w, x):\n    return np.sum(w * x + {expression})\n")
    gradient = srcgrad.grad(f, wrt="w")
    assert _warnings_of(gradient, 2.0, items) == _warnings_of(f, 2.0, items)


def test_checks_with_an_effect_between_them_stay_apart():
    # A check of another array between two of x's keeps its place: under
    # np.errstate(all="raise"), what f raises first is what the gradient does.
    f = define(
        "def f(w, x, y):\n"
        "    a = np.log(x)\n"
        "    b = np.log(y)\n"
        "    c = np.log(1 - x)\n"
        "    return np.sum(w * x + a + b + c)\n"
    )
    gradient = srcgrad.grad(f, wrt="w")
    for x, y in [([0.5, 1.0], [-1.0, 2.0]), ([0.0, 0.5], [0.0, 1.0])]:
        args = (2.0, np.array(x), np.array(y))
        assert _warnings_of(gradient, *args) == _warnings_of(f, *args)
    source = srcgrad.source(gradient, *args)
    assert source.count("if outside_domain(") == 3


@pytest.mark.parametrize(
    ("value", "low", "high", "outside"),
    [
        (np.array([1.0, 2.0]), 0.0, math.inf, False),
        (np.array([1.0, 0.0]), 0.0, math.inf, True),
        (np.array([1.0, np.nan]), 0.0, math.inf, True),
        (np.array([np.nan, 1.0]), -math.inf, 2.0, True),
        (np.array([[0.5, 0.25], [0.75, 1.0]]), 0.0, 1.0, True),
        (np.array([[0.5, 0.25], [0.75, 0.125]])[:, ::-1], 0.0, 1.0, False),
        (np.array([3, 4]), 2.0, math.inf, True),  # 3 + k may wrap: not float64
        (np.array([3.0, 4.0], np.float32), 2.0, math.inf, True),
        (np.array([]), 0.0, math.inf, True),
        (np.array(0.5), 0.0, 1.0, False),
        (0.5, 0.0, 1.0, True),
        (da.from_array(np.array([1.0, 2.0]), chunks=1), 0.0, math.inf, True),
    ],
)
def test_outside_domain_is_false_only_for_numpy_arrays_inside(
    value, low, high, outside
):
    # A Dask array (or a number, or an empty array) is handed to the
    # function itself: the gradient stays lazy, and warns when computed as
    # f's value does.
    assert outside_domain(value, low, high) is outside


@pytest.mark.parametrize(
    "header",
    [
        "def f(x, y):",  # the dispatcher of its parameters
        "def f(_srcgrad_key, y):",  # a name of the dispatcher's own: no dispatcher
        "def f(x, *, y):",  # a keyword-only parameter: no dispatcher
    ],
)
def test_each_call_with_arrays_runs_the_gradient_for_their_types(header):
    # The dispatcher picks by each array's kind, rank and size-1 axes: a
    # call with other arrays never gets the gradient built for the last.
    name = header[6:].split(",")[0]
    f = define(f"{header}\n    return np.sum(np.sin({name}) * y)\n")
    gradient = srcgrad.grad(f)
    calls = [
        (_values((4, 3), 1), _values((3,), 2)),
        (_values((4, 1), 3), _values((3,), 4)),
        (_values((4, 3), 5), _values((1,), 6)),
        (_values((2, 4, 3), 7), _values((3,), 8)),
        (_values((4, 3), 1), 2.5),
        (_values((4, 3), 9), _values((3,), 10)),
    ]
    for first, second in calls * 2:
        got = gradient(first, y=second) if "*" in header else gradient(first, second)
        expected = np.cos(first) * second
        expected = expected.sum(axis=tuple(range(expected.ndim - first.ndim)))
        expected = expected.sum(
            axis=tuple(i for i, size in enumerate(first.shape) if size == 1),
            keepdims=True,
        )
        np.testing.assert_allclose(got, expected, rtol=1e-12)


def test_a_global_array_that_changes_shape_gets_its_gradient():
    f = define("def f(x):\n    return np.sum(np.sin(x) * G)\n")
    f.__globals__["G"] = 1.5
    gradient = srcgrad.grad(f)
    x = _values((4, 3), 1)
    for shape in [(3,), (1,), (4, 3), (3,)]:
        f.__globals__["G"] = _values(shape, 2)
        np.testing.assert_allclose(
            gradient(x), np.cos(x) * f.__globals__["G"], rtol=1e-12
        )


@pytest.mark.parametrize(
    ("source", "wrt", "items"),
    [
        ("np.sum(w * x + np.sqrt(x))", "w", [-1.0, 1.0]),
        ("np.sum(w * x + np.sqrt(x) + np.log(x))", "w", [-1.0, 1.0]),
        ("np.sum(w * x + np.arcsin(x) + np.arccos(x))", "w", [2.0, 0.0]),
        ("np.sum(w * np.arccos(x))", "w", [0.5, -1.5]),
        ("np.sum(np.arcsin(x)) + w", "x", [2.0, 0.0]),
    ],
)
def test_numpy_functions_that_warn_are_kept_where_no_term_computes_them(
    source, wrt, items
):
    # An array's sqrt, arcsin or arccos that no derivative term needs used
    # to be dropped with its warnings; the derivative of arcsin warns in
    # sqrt, where f warns in arcsin.
    f = define(f"def f(w, x):\n    return {source}\n")
    gradient = srcgrad.grad(f, wrt=wrt)
    args = (2.0, np.array(items))
    got, raised = _warnings_of(gradient, *args)
    expected, expected_raised = _warnings_of(f, *args)
    assert raised == expected_raised and set(expected) <= set(got)
    if wrt == "w":
        assert got == expected


def test_len_of_an_array_input_is_its_first_size():
    # len(x) is never differentiated; the build for numbers, where len(x)
    # of a float is an error, hands an array on to the build for arrays.
    f = define("def f(x):\n    return np.sum(np.zeros(len(x)) + x * x)\n")
    x = _values((3,), 4)
    np.testing.assert_allclose(srcgrad.grad(f)(x), 2 * x)
    g = define("def g(x):\n    return len(x) * x\n")
    with pytest.raises(srcgrad.ValueTypeError, match="len"):
        srcgrad.grad(g)(2.0)
