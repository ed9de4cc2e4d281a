"""``np.asarray(x)`` and ``np.array(x, dtype=float)``, as functions often
start: ``x = np.asarray(x)``.

Of an array of floats ``np.asarray`` is that array (its derivative is the
identity, and a write through it is a write into the caller's array, which
is refused as one into ``x`` is); ``np.array`` copies it. The gradient
keeps the call the function makes, so arrays NumPy dispatches (Dask's)
meet what the function did to them. What srcgrad cannot follow (a dtype
other than float, arguments it has no meaning for) is refused where it is
written.
"""

from __future__ import annotations

import numpy as np
import pytest
from arrays import check_gradient, distinct
from helpers import define

import srcgrad
from srcgrad import SrcgradError, ValueTypeError

FIRST_LINES = [
    "x = np.asarray(x)",
    "x = np.asarray(x, dtype=float)",
    "x = np.asarray(x, float)",
    "x = np.asarray(x, dtype=np.float64)",
    "x = np.array(x, dtype=float)",
    "x = np.array(x, 'float64')",
]


@pytest.mark.parametrize("first", FIRST_LINES)
@pytest.mark.parametrize("shape", [(3,), (2, 3), ()])
def test_a_first_line_that_makes_x_an_array(first, shape):
    f = define(f"def f(x, w):\n    {first}\n    return np.sum(np.sin(x * w))\n")
    x, w = np.asarray(distinct(shape, 1)), np.asarray(distinct(shape, 2))
    check_gradient(f, (x, w), (0, 1))
    call = first.split(" = ")[1].split("(")[0]  # the function's own call
    assert f"{call}(x" in srcgrad.source(srcgrad.grad(f, wrt=(0, 1)), x, w)


def test_asarray_of_a_number_is_an_array_of_none():
    f = define("def f(x):\n    x = np.asarray(x)\n    return np.sum(x * x) + x.ndim\n")
    assert srcgrad.grad(f)(1.5) == 3.0


@pytest.mark.parametrize(
    "make",
    ["np.asarray([x[0], x[1] * 2.0])", "np.asarray(xs)", "np.asarray(xs, float)"],
)
def test_asarray_of_a_list_makes_an_array_of_its_items(make):
    f = define(
        "def f(x):\n    xs = [x[0]]\n    xs.append(x[1] * 2.0)\n"
        f"    y = {make}\n    return np.sum(np.sin(y) * y)\n"
    )
    check_gradient(f, (distinct((3,), 3),), (0,))


def test_np_array_with_dtype_float_is_a_copy_the_function_may_write():
    f = define(
        "def f(x):\n    y = np.array(x, dtype=float)\n    y[0] = 0.5\n"
        "    return np.sum(y * x)\n"
    )
    check_gradient(f, (distinct((3,), 4),), (0,))


def test_floats_of_an_integer_array_are_a_new_array():
    # Of integers, np.asarray and np.array with dtype=float make floats.
    f = define(
        "def f(w, k):\n    a = np.asarray(k, dtype=float)\n"
        "    b = np.array(k, dtype=float)\n    b[0] = 0.5\n"
        "    return np.sum(w * a / 3.0 + w * b)\n"
    )
    check_gradient(f, (distinct((3,), 5), np.array([1, 2, 3])), (0,))


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("x = np.asarray(x)\n    x[0] = 0.0", "x is an input array, or a view of one"),
        ("y = np.asarray(x)\n    y *= 2.0", "y is an input"),
        ("y = np.asarray(x, dtype=float)\n    y[1:] = 1.0", "y is an input array"),
    ],
)
def test_a_write_through_asarray_of_an_input_is_refused_as_one_into_it(body, message):
    # np.asarray(x) of an array of floats is x: the caller's array would
    # change, as it would by a write into x.
    _refused(f"{body}\n    return np.sum(x)", 3, message, ValueTypeError)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        ("np.asarray(x, dtype=int)", "dtype=int of np.asarray"),
        ("np.asarray(x, np.float32)", "dtype=np.float32 of np.asarray"),
        ("np.array(x, dtype=bool)", "dtype=bool of np.array"),
        ("np.asarray(x, order='F')", "takes no argument but dtype=float"),
        ("np.array(x, copy=False)", "takes no argument but dtype=float"),
    ],
)
def test_what_would_convert_the_numbers_is_refused_where_written(call, message):
    _refused(f"y = {call}\n    return np.sum(y * x)", 2, message, SrcgradError)


def _refused(body: str, line: int, message: str, error: type) -> None:
    """``def f(x): body`` is refused for an array ``x`` at ``line``."""
    f = define(f"def f(x):\n    {body}\n")
    with pytest.raises(error, match=message) as raised:
        srcgrad.grad(f)(np.ones(3))
    assert f":{line}:" in str(raised.value)
