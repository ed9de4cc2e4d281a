"""The lengths of slices, where the gradient is built, and empty axes.

A gradient for arrays is built for which of their axes have size 1, and
which have none (``runtime.type_of``): any other size is 2 or more. So a
slice whose length is the same for every such size has that length when
the gradient is built (``X[:, :1]`` has one column, as ``X[:, -1:]``
has), and every shape rule sees it: ``np.squeeze`` takes its axis, and
broadcasting sums over it as written code. A slice whose length depends
on the size (``X[:, 2:3]`` of two columns is empty) may still be squeezed
along that axis, which raises where NumPy does.
"""

from __future__ import annotations

import numpy as np
import pytest
from arrays import check_gradient, distinct
from helpers import define

import srcgrad
from srcgrad import ValueTypeError
from srcgrad.ir.types import Array, Length, Size
from srcgrad.primitives import PRIMITIVES
from srcgrad.runtime import type_of

N = Size("x.shape[0]")


@pytest.mark.parametrize(
    ("index", "length"),
    [
        ((None, 1, None), 1),
        ((0, 1, None), 1),
        ((-1, None, None), 1),
        ((1, 2, None), 1),
        ((-2, -1, None), 1),
        ((5, 2, None), 0),
        ((None, None, -1), N),
        ((1, None, None), Length("x.shape[0] - 1")),
        ((3, 4, None), Length("min(x.shape[0], 4) - 3")),
        ((None, None, 5), None),
    ],
)
def test_a_slice_of_an_input_s_axis_has_the_length_every_size_gives(index, length):
    attributes = {"namespace": "subscript", "index": (("slice", *index),)}
    (made,) = PRIMITIVES["index"].result_types([Array("real", (N,))], attributes)
    assert made == Array("real", (length,))


@pytest.mark.parametrize(
    "column", ["X[:, :1]", "X[:, 0:1]", "X[:, -1:]", "X[:, 1:2]", "X[:, -2:-1]"]
)
@pytest.mark.parametrize("columns", [4, 2])
def test_a_slice_of_one_item_is_squeezed(column, columns):
    f = define(f"def f(X):\n    return np.sum(np.sin(np.squeeze({column}, axis=1)))\n")
    check_gradient(f, (distinct((3, columns), 1),), (0,))


def test_a_slice_of_one_item_broadcasts_as_written_code():
    # Its adjoint is summed over the axis it was stretched along, written
    # out: no helper decides that when the code runs.
    f = define("def f(X):\n    return np.sum(np.sin(X[:, :1] * X))\n")
    X = distinct((3, 4), 2)
    check_gradient(f, (X,), (0,))
    source = srcgrad.source(srcgrad.grad(f), X)
    assert "sum_to_shape" not in source and "keepdims=True" in source


def test_a_slice_that_may_be_empty_is_squeezed_as_numpy_does():
    f = define("def f(X):\n    return np.sum(np.squeeze(X[:, 2:3], axis=1) ** 2)\n")
    check_gradient(f, (distinct((3, 4), 3),), (0,))
    short = distinct((3, 2), 4)
    with pytest.raises(ValueError, match="squeeze"):
        f(short)
    with pytest.raises(ValueError, match="squeeze"):
        srcgrad.grad(f)(short)


def test_squeeze_without_an_axis_of_a_slice_that_may_be_one_item_is_refused():
    # x[1:] has one item where x has two: NumPy would squeeze it then.
    f = define("def f(x):\n    return np.sum(np.squeeze(x[1:]))\n")
    with pytest.raises(ValueTypeError, match="name the axes"):
        srcgrad.grad(f)(np.ones(3))


def test_an_empty_axis_is_a_size_of_its_own():
    assert type_of(np.ones((2, 0, 1)), "x") == Array("real", (Size("x.shape[0]"), 0, 1))


@pytest.mark.parametrize("shape", [(2, 0), (2, 1), (2, 3)])
def test_a_gradient_for_an_empty_axis_is_built_for_it(shape):
    # One gradient called with columns and without: each call gets the build
    # for its own sizes (X[:, :1] of no column is empty, not one column).
    f = define("def f(X, w):\n    return np.sum(X[:, :1] * w)\n")
    gradient = srcgrad.grad(f, wrt=(0, 1))
    w = distinct((2, 1), 5)
    for X in (
        distinct((2, 3), 6),
        distinct(shape, 7) if 0 not in shape else np.ones(shape),
    ):
        X_bar, w_bar = gradient(X, w)
        assert X_bar.shape == X.shape and w_bar.shape == w.shape
        np.testing.assert_allclose(w_bar, X[:, :1].sum(axis=1, keepdims=True))


def test_squeeze_of_a_slice_of_an_empty_axis_is_refused():
    # X[:, :1] of no column has none: NumPy cannot squeeze it either.
    f = define("def f(X):\n    return np.sum(np.squeeze(X[:, :1], axis=1))\n")
    with pytest.raises(ValueError):
        f(np.ones((2, 0)))
    gradient = srcgrad.grad(f)
    gradient(np.ones((2, 3)))  # an array of columns first: its own build
    with pytest.raises(ValueTypeError, match="squeeze of axis 1, whose size is not 1"):
        gradient(np.ones((2, 0)))


@pytest.mark.parametrize("array", ["x", "np.zeros(3)"])
def test_a_slice_of_step_zero_is_refused_as_python_refuses_it(array):
    f = define(f"def f(x):\n    return np.sum({array}[::0]) + x[0]\n")
    with pytest.raises(ValueTypeError, match="slice step cannot be zero"):
        srcgrad.grad(f)(np.ones(3))
