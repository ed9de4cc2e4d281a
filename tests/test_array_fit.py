"""A gradient raises where its function's arrays do not fit, as NumPy does.

The gradient may not compute the op where two arrays meet (``d/dw`` of
``sum(w * x + x[1:])`` is ``sum(x)``), so it checks their sizes first: two
input sizes must be equal, a slice's length (which may be 1) must be the
other size or 1, and where a size has no formula (``y[::2]``,
``y.reshape(-1)``, ``x[mask]``) the gradient computes the op itself.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from arrays import check_gradient
from helpers import code_without_comments, define

import srcgrad

# (source of f's value, wrt, arguments): f raises ValueError for each.
MISFITS = [
    ("np.sum(w * x + x[1:])", "w", (2.0, np.ones(3))),
    ("np.sum(w * x + x[:-2])", "w", (2.0, np.ones(4))),
    ("np.sum(w * x + x[-2:])", "w", (2.0, np.ones(3))),
    ("np.sum(w * x + x[1:3])", "w", (2.0, np.ones(4))),
    ("np.sum(w * x[1:] + x[2:])", "w", (2.0, np.ones(4))),
    ("np.sum(w * x + np.zeros(3))", "w", (2.0, np.ones(4))),
    ("np.sum(w * x) + np.sum(x * y[::2])", "w", (2.0, np.ones(3), np.ones(3))),
    ("np.sum(w * x + y.reshape(-1))", "w", (2.0, np.ones(3), np.ones((2, 2)))),
    ("np.sum(w * x + x[x > 0.5])", "w", (2.0, np.array([0.25, 1.0, 2.0]))),
    ("np.sum(x * x[::2])", "x", (2.0, np.ones(3))),
    ("np.sum(w * (x[1:] @ y))", "w", (2.0, np.ones(3), np.ones(3))),
    ("np.sum(w * x[:, 1:] * y)", "w", (2.0, np.ones((2, 3)), np.ones(3))),
]


def _function(expression, arguments):
    names = ["w", "x", "y"][: len(arguments)]
    return define(f"def f({', '.join(names)}):\n    return {expression}\n")


@pytest.mark.parametrize(("expression", "wrt", "arguments"), MISFITS)
def test_the_gradient_raises_where_the_arrays_do_not_fit(expression, wrt, arguments):
    f = _function(expression, arguments)
    with pytest.raises(ValueError):
        f(*arguments)
    with pytest.raises(ValueError):
        srcgrad.grad(f, wrt=wrt)(*arguments)


# The same functions where the arrays fit: a slice of length 1 broadcasts.
FITS = [
    ("np.sum(w * x + x[1:])", (2.0, np.array([0.5, 1.5]))),
    ("np.sum(w * x + x[-1:])", (2.0, np.array([0.5, 1.5, 2.5]))),
    ("np.sum(w * x[1:] * x[2:])", (2.0, np.array([0.5, 1.5, 2.5]))),
    ("np.sum(w * x + np.zeros(3))", (2.0, np.array([0.5, 1.5, 2.5]))),
    ("np.sum(w * x) + np.sum(x * y[::2])", (2.0, np.ones(2), np.ones(3))),
    ("np.sum(w * x + y.reshape(-1))", (2.0, np.ones(4), np.ones((2, 2)))),
    ("np.sum(w * x + x[x > 1.0])", (2.0, np.array([0.25, 1.5]))),
    ("np.sum(w * x[:, 1:] * y)", (2.0, np.ones((2, 3)) * 0.5, np.ones(2))),
]


@pytest.mark.parametrize(("expression", "arguments"), FITS)
def test_where_the_arrays_fit_the_gradient_is_the_function_s(expression, arguments):
    f = _function(expression, arguments)
    f(*arguments)
    check_gradient(f, arguments, tuple(range(len(arguments))))


def test_the_check_of_a_slice_s_length_names_it_and_the_line():
    f = define("def f(w, x):\n    return np.sum(w * x + x[1:])\n")
    gradient = srcgrad.grad(f, wrt="w")
    with pytest.raises(ValueError, match=r"x\.shape\[0\] - 1 is neither x\.shape"):
        gradient(2.0, np.ones(3))
    code = code_without_comments(srcgrad.source(gradient, 2.0, np.ones(3)))
    assert "if max(x.shape[0] - 1, 0) not in (x.shape[0], 1):" in code


def test_slices_of_one_length_need_no_check():
    # Rosenbrock's x[1:] and x[:-1] have one formula: known equal.
    f = define(
        "def f(x):\n"
        "    return np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2)\n"
    )
    code = srcgrad.source(srcgrad.grad(f), np.ones(5))
    assert "shapes_differ" not in code and "kept" not in code


def test_an_op_of_a_size_without_formula_is_computed_to_raise_as_f_does():
    f = define("def f(w, x, y):\n    return np.sum(w * x) + np.sum(x * y[::2])\n")
    gradient = srcgrad.grad(f, wrt="w")
    code = srcgrad.source(gradient, 2.0, np.ones(3), np.ones(6))
    assert (
        "x * y[::2]  # kept: raises where the arrays' shapes do not fit, as f does"
        in code
    )
    with pytest.raises(ValueError, match=r"shapes \(3,\) \(2,\)"):
        gradient(2.0, np.ones(3), np.ones(3))


@pytest.mark.parametrize(
    ("expression", "x", "expected"),
    [
        ("np.mean(x[2:])", np.ones(2), 0.0),  # no item selected: none moves f
        ("np.mean(x[x > 5.0])", np.ones(3), 0.0),
        ("np.mean(x[np.isfinite(x)])", np.array([np.nan, np.inf]), 0.0),
        ("np.mean(x)", np.ones(0), 0.0),
        ("x.var()", np.ones(0), 0.0),
        ("np.sum(np.mean(x, axis=0))", np.ones((0, 2)), 0.0),
        ("np.var(x, ddof=1)", np.array([3.0]), np.nan),  # 0 / 0
        ("np.std(x, ddof=1)", np.array([3.0]), np.nan),
        ("np.var(x, ddof=2)", np.array([3.0, 3.0]), np.nan),
    ],
)
def test_a_mean_of_no_items_is_nan_as_f_s_not_an_error(expression, x, expected):
    # f's mean of no items is nan (with a warning): its gradient divides by
    # the count with NumPy, where Python's 1.0 / 0 raised ZeroDivisionError.
    f = define(f"def f(x):\n    return {expression}\n")
    with np.errstate(all="ignore"), pytest.warns(RuntimeWarning):
        assert np.isnan(f(x))
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # its own mean of no items warns too
        got = srcgrad.grad(f)(x)
    np.testing.assert_array_equal(got, np.full(x.shape, expected))


def test_a_fixed_size_that_an_empty_axis_does_not_fit_raises():
    f = define("def f(x):\n    return np.sum(np.ones(3) * x)\n")
    with pytest.raises(ValueError):
        f(np.ones(0))
    with pytest.raises(ValueError, match="0 != 3"):
        srcgrad.grad(f)(np.ones(0))
    check_gradient(f, (np.array([0.5, 1.5, 2.5]),), (0,))


@pytest.mark.parametrize(
    ("expression", "arguments"),
    [
        ("np.sum(np.squeeze(x, axis=0) ** 2)", (np.ones((3, 4)),)),
        ("np.sum(x.reshape(3, 2) * y)", (np.ones(0), np.ones(2))),
        ("np.sum(x @ y)", (np.ones((0, 3)), np.ones(0))),
        ("np.sum(np.broadcast_to(x, (2, 3)))", (np.ones(0),)),
    ],
)
def test_sizes_known_not_to_fit_when_built_are_a_value_error_as_in_f(
    expression, arguments
):
    # A build for an empty axis (or one of 1) knows the sizes: NumPy's
    # ValueError in f is srcgrad's ArraySizeError, a ValueError too.
    names = ["x", "y"][: len(arguments)]
    f = define(f"def f({', '.join(names)}):\n    return {expression}\n")
    with pytest.raises(ValueError):
        f(*arguments)
    with pytest.raises(srcgrad.ArraySizeError) as raised:
        srcgrad.grad(f)(*arguments)
    assert isinstance(raised.value, ValueError)
    assert isinstance(raised.value, srcgrad.ValueTypeError)
