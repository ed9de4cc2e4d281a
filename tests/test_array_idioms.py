"""Gradients of ordinary NumPy idioms, written with the ops srcgrad has:
masks combined with ``&``, ``|``, ``^`` and ``~``, and made by
``np.isnan``, ``np.isfinite`` and ``np.isinf``; loops over an array's
rows; indices (``np.argmin``) to index with; ``np.square``,
``np.reciprocal``, ``np.power``; ``np.array(x)`` of an array, ``x.item()``
and ``np.int64(k)``; ``np.diff``.

Each is checked against central differences at drawn shapes, through the
public API and the verified pipeline (``arrays.check_gradient``), and
each refusal names the line and says what to write instead.
"""

from __future__ import annotations

import math

import hypothesis.extra.numpy as hnp
import numpy as np
import pytest
from arrays import check_gradient, distinct
from helpers import define
from hypothesis import given, settings
from hypothesis import strategies as st

import srcgrad
from srcgrad.errors import SrcgradError, ValueTypeError

#: Ten examples of each drawn test.
DRAWN = settings(max_examples=10, deadline=None)


def _shapes(count):
    return hnp.mutually_broadcastable_shapes(num_shapes=count, min_dims=0, max_dims=3)


@pytest.mark.parametrize(
    "mask",
    [
        "(a > -0.3) & (a < 0.4)",
        "(a > 0.2) | (b < -0.1)",
        "(a > 0) ^ (b > 0)",
        "~(a > 0.1)",
        "~((a > 0) & (b > 0)) | (a < -0.5)",
    ],
)
@DRAWN
@given(shapes=_shapes(2), seed=st.integers(0, 2**16))
def test_masks_combined_with_logical_operators_select(mask, shapes, seed):
    # Masks are booleans: their derivative is zero, and the selection's
    # adjoint goes where the mask is True, as np.where's does.
    a_shape, b_shape = shapes.input_shapes
    f = define(
        f"def f(a, b):\n    m = {mask}\n"
        "    return np.sum(np.sin(np.where(m, a * b, b)))\n"
    )
    # Arrays, 0-d too: `~` of a Python bool is refused (below).
    a = np.asarray(distinct(a_shape, seed))
    b = np.asarray(distinct(b_shape, seed + 1) - 0.02)
    check_gradient(f, (a, b), (0, 1))


def test_augmented_logical_operators_combine_masks():
    f = define(
        "def f(x):\n    m = x > -0.5\n    m &= x < 0.5\n    m |= x > 0.9\n"
        "    m ^= x > 0.95\n    return np.sum(x[m] ** 2)\n"
    )
    x = np.linspace(-1.0, 1.0, 9)
    kept = ((x > -0.5) & (x < 0.5) | (x > 0.9)) ^ (x > 0.95)
    np.testing.assert_allclose(srcgrad.grad(f)(x), np.where(kept, 2 * x, 0.0))


@pytest.mark.parametrize(
    ("expression", "special"),
    [
        ("np.sum(np.where(np.isnan(x), 0.0, x) ** 2)", np.nan),
        ("np.sum(np.sin(x[np.isfinite(x)]))", np.inf),
        ("np.sum(np.sin(x[np.isfinite(x)]))", np.nan),
        ("np.sum(np.where(np.isinf(x), 1.0, x) ** 2)", -np.inf),
        ("np.sum(np.where(np.isfinite(x) & (x > 0), x, 0.5) ** 2)", np.nan),
    ],
)
def test_nan_and_infinity_tests_are_masks(expression, special):
    # np.isnan, np.isfinite, np.isinf give booleans, as `x > 0` does: no
    # derivative of their own, and what they select has its own.
    f = define(f"def f(x):\n    return {expression}\n")
    x = np.array([[0.3, special, -1.2], [special, 2.1, 0.7]])
    (gradient,) = check_gradient(f, (x,), (0,))
    assert np.all(gradient[~np.isfinite(x)] == 0.0)


@pytest.mark.parametrize(
    ("test", "point", "expected"),
    [
        ("math.isnan(x * y)", (2.0, math.nan), 0.0),
        ("math.isnan(x * y)", (2.0, 1.0), 4.0),
        ("math.isinf(x + y)", (2.0, -math.inf), 0.0),
        ("not math.isfinite(x * y)", (3.0, 0.5), 6.0),
    ],
)
def test_nan_and_infinity_tests_of_numbers_are_conditions(test, point, expected):
    # math.isnan and the others of a value that depends on x: a condition,
    # as a comparison is.
    f = define(f"def f(x, y):\n    if {test}:\n        return 0.0\n    return x * x\n")
    assert srcgrad.grad(f)(*point) == expected


def test_masks_of_numbers_combine_as_python_does():
    # (x > 0) & (x < 1) of floats: Python's bools, and `&` of them a bool.
    f = define("def f(x):\n    return x * x * ((x > 0) & (x < 1))\n")
    assert srcgrad.grad(f)(0.5) == pytest.approx(1.0)
    assert srcgrad.grad(f)(1.5) == 0.0


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("return np.sum(x & x)", "`&` of real numbers is not supported"),
        ("return np.sum(x) * (x.shape[0] | 1)", "`|` of integers is not supported"),
        ("return np.sum(x) * ~(np.sum(x) > 0)", "write `not b`"),
    ],
)
def test_logical_operators_of_what_is_not_a_mask_are_refused(body, message):
    _refused_at_line_2(body, message, ValueTypeError)


def _refused_at_line_2(body, message, error=SrcgradError):
    """``def f(x): body`` is refused for an array ``x``, at ``body``."""
    f = define(f"def f(x):\n    {body}\n")
    with pytest.raises(error, match=message) as raised:
        srcgrad.grad(f)(np.ones(3))
    assert ":2:" in str(raised.value)


@pytest.mark.parametrize(
    ("loop", "wrt"),
    [
        ("for row in X:\n        s += np.sum(np.sin(row) * w)", (0, 1)),
        ("for a, b in zip(X, w):\n        s += np.sum(a * b * a)", (0, 1)),
        ("for i, row in enumerate(X):\n        s += (i + 1) * np.sum(row**2)", (0,)),
        ("for row in reversed(X):\n        s = s * 0.5 + np.sum(row)", (0,)),
        ("for row in X:\n        for v in row:\n            s += v * v", (0,)),
    ],
)
@DRAWN
@given(rows=st.integers(1, 4), shape=hnp.array_shapes(min_dims=0, max_dims=2))
def test_loops_over_an_array_walk_its_items(loop, wrt, rows, shape):
    # for row in X reads row = X[k] at each k in range(len(X)): the
    # reverse loop adds each item's adjoint at its place.
    if "for v in row" in loop and len(shape) != 1:
        # v a number: `s += v * v` of arrays v is refused as a write into
        # an input (a false refusal of passes.writes, loops over range too).
        shape = (2,)
    f = define(f"def f(X, w):\n    s = 0.0\n    {loop}\n    return s\n")
    X = distinct((rows, *shape), rows)
    # zip pairs each row with an item of w; the other loops scale by w.
    w = np.asarray(distinct((rows,) if "zip" in loop else shape, 7))
    check_gradient(f, (X, w), wrt)


def test_a_loop_over_an_array_that_the_loop_changes_is_refused():
    # Python's iterator reads the array as the loop leaves it at each step.
    f = define(
        "def f(x):\n    y = x.copy()\n    s = 0.0\n    for v in y:\n"
        "        y[0] = v * 2.0\n        s += v\n    return s\n"
    )
    with pytest.raises(ValueTypeError, match="changes or rebinds the array it walks"):
        srcgrad.grad(f)(np.ones(3))


def test_a_loop_unpacking_the_rows_of_an_array_is_refused():
    f = define(
        "def f(X):\n    s = 0.0\n    for a, b in X:\n        s += a * b\n    return s\n"
    )
    with pytest.raises(ValueTypeError, match="read them by index"):
        srcgrad.grad(f)(np.ones((3, 2)))


def test_a_loop_over_a_number_says_python_cannot_iterate_it():
    f = define(
        "def f(x):\n    s = 0.0\n    for v in x:\n        s += v\n    return s\n"
    )
    assert srcgrad.grad(f)(np.array([1.0, 2.0])).tolist() == [1.0, 1.0]
    with pytest.raises(ValueTypeError, match="iterates over a number"):
        srcgrad.grad(f)(1.0)


@pytest.mark.parametrize(
    "nearest",
    ["np.argmin(d, axis=1)", "np.argmin(d, 1)", "d.argmin(axis=1)", "d.argmin(1)"],
)
@DRAWN
@given(points=st.integers(1, 6), centers=st.integers(1, 4), seed=st.integers(0, 99))
def test_k_means_reads_the_nearest_center_by_its_index(nearest, points, centers, seed):
    # Indices are integers with no derivative; the read C[k] has the
    # adjoint of any integer-array index (added with np.add.at).
    f = define(
        "def f(X, C):\n    d = np.sum((X[:, None, :] - C[None, :, :]) ** 2, axis=-1)\n"
        f"    k = {nearest}\n    return np.sum((X - C[k]) ** 2)\n"
    )
    X, C = distinct((points, 2), seed), distinct((centers, 2), seed + 1) + 0.01
    check_gradient(f, (X, C), (0, 1))


@pytest.mark.parametrize(
    "index",
    [
        "np.argmax(x)",
        "x.argmin()",
        "np.argsort(x)[:2]",
        "x.argsort()[-1]",
        "np.argmax(x, axis=0, keepdims=True)",
    ],
)
def test_indices_of_items_select_them(index):
    f = define(f"def f(x):\n    return np.sum(np.sin(x[{index}]))\n")
    check_gradient(f, (distinct((5,), 3),), (0,))


def test_indices_over_a_tuple_of_axes_or_none_are_refused():
    f = define("def f(x):\n    return np.sum(x[np.argsort(x, axis=None)])\n")
    with pytest.raises(ValueTypeError, match=r"np.argsort\(np.ravel\(x\)\)"):
        srcgrad.grad(f)(np.ones(3))
    f = define("def f(x):\n    return x[0, 0] * np.argmax(x, axis=(0, 1))\n")
    with pytest.raises(ValueTypeError, match="takes one axis"):
        srcgrad.grad(f)(np.ones((2, 2)))


@pytest.mark.parametrize(
    "expression",
    ["np.square(a)", "np.power(a, b)", "np.reciprocal(b)", "np.square(a) / b"],
)
@DRAWN
@given(shapes=_shapes(2), seed=st.integers(0, 2**16))
def test_squares_powers_and_reciprocals(expression, shapes, seed):
    # np.square(x) is x * x; np.power is x ** y; np.reciprocal its own op.
    a_shape, b_shape = shapes.input_shapes
    f = define(f"def f(a, b):\n    return np.sum(np.sin({expression}))\n")
    a = np.asarray(distinct(a_shape, seed))
    b = np.asarray(np.abs(distinct(b_shape, seed + 1)) + 0.5)
    check_gradient(f, (np.abs(a) + 0.5, b), (0, 1))


def test_reciprocal_of_integers_divides_integers_as_numpy_does():
    # np.reciprocal(2) is 0: the gradient is x's factor, 1 at 1, 0 at 2, -1 at -1.
    f = define("def f(x, k):\n    return np.sum(x * np.reciprocal(k))\n")
    k = np.array([1, 2, -1])
    np.testing.assert_array_equal(srcgrad.grad(f)(np.ones(3), k), [1.0, 0.0, -1.0])


@pytest.mark.parametrize("integer", ["np.int64", "np.intp", "np.int_"])
def test_numpy_integers_of_a_number_index_as_int_does(integer):
    f = define(f"def f(x, j):\n    return x[{integer}(j * 2.5)] * 3.0\n")
    np.testing.assert_array_equal(srcgrad.grad(f)(np.ones(4), 1), [0, 0, 3, 0])


@pytest.mark.parametrize(
    "expression",
    [
        "np.sum(np.sin(sum(X)))",
        "np.sum(np.sin(sum(X, w)))",
        "np.sum(sum(X, 0.5) ** 2)",
        "np.sum(sum(X > 0) * np.sin(X))",
    ],
)
@DRAWN
@given(shape=hnp.array_shapes(min_dims=1, max_dims=3), seed=st.integers(0, 99))
def test_python_s_sum_of_an_array_adds_its_rows(expression, shape, seed):
    # An array is a sequence of its rows: sum(X) is 0 + X[0] + X[1] + ...,
    # computed as the function computes it, and each row's adjoint is the
    # sum's.
    f = define(f"def f(X, w):\n    return {expression}\n")
    X, w = distinct(shape, seed), distinct(shape[1:], seed + 1)  # w: a row
    check_gradient(f, (X, w), (0, 1))
    assert "sum(X" in srcgrad.source(srcgrad.grad(f), X, w)


@pytest.mark.parametrize("rows", [2, 4])
def test_python_s_sum_of_rows_that_may_be_none_is_start(rows):
    # sum(X[2:]) of two rows is 0, Python's start, not a row of zeros: the
    # gradient with respect to w is still an array of w's shape.
    f = define("def f(X, w):\n    return np.sum(sum(X[2:]) * w)\n")
    check_gradient(f, (distinct((rows, 3), 1), distinct((3,), 2)), (0, 1))


def test_python_s_sum_of_rows_that_start_stretches_is_refused():
    _refused_at_line_2(
        "return np.sum(sum(x, np.ones((2, 3))))", r"write X\.sum\(axis=0\) \+ start"
    )


def test_python_s_sum_of_a_number_is_refused_as_python_refuses_it():
    f = define("def f(x):\n    return sum(x) * 2.0\n")
    with pytest.raises(ValueTypeError, match="iterates over a number"):
        srcgrad.grad(f)(1.5)


@DRAWN
@given(shape=hnp.array_shapes(min_dims=1, max_dims=3), seed=st.integers(0, 99))
def test_np_array_of_an_array_is_a_copy(shape, seed):
    # A copy the function may write into: the caller's array is unchanged.
    f = define(
        "def f(x):\n    y = np.array(x)\n    y[0] = 0.5\n"
        "    return np.sum(np.sin(np.array(y * x)))\n"
    )
    check_gradient(f, (distinct(shape, seed),), (0,))


@pytest.mark.parametrize(
    "read",
    ["x[:1].item()", "x[1:2].reshape(1, 1).item()", "np.sum(x[None, 2:3]).item()"],
)
def test_item_of_an_array_of_one_is_its_number(read):
    f = define(
        f"def f(x):\n    a = {read}\n    return a * math.sin(a) + np.sum(x) * a\n"
    )
    check_gradient(f, (distinct((4,), 5),), (0,))


def test_item_of_more_than_one_item_is_refused():
    f = define("def f(x):\n    return x.item()\n")
    with pytest.raises(ValueTypeError, match="more than one item"):
        srcgrad.grad(f)(np.ones(3))
    assert srcgrad.grad(f)(np.ones((1, 1))).tolist() == [[1.0]]


@pytest.mark.parametrize(
    "call",
    ["np.diff(x)", "np.diff(x, 2)", "np.diff(x, axis=0)", "np.diff(x, n=2, axis=-1)"],
)
@DRAWN
@given(
    shape=hnp.array_shapes(min_dims=1, max_dims=3, min_side=1), seed=st.integers(0, 99)
)
def test_diff_is_a_difference_of_slices(call, shape, seed):
    # np.diff(x) is x[..., 1:] - x[..., :-1], n times.
    f = define(f"def f(x):\n    return np.sum(np.sin({call}))\n")
    check_gradient(f, (distinct(shape, seed),), (0,))


@pytest.mark.parametrize(
    ("call", "message"),
    [
        ("np.diff(x, prepend=0.0)", "join what to prepend or append first"),
        ("np.diff(x, len(x))", "must be written as a literal"),
    ],
)
def test_diff_with_what_it_cannot_write_as_slices_is_refused(call, message):
    _refused_at_line_2(f"return np.sum({call})", message)
