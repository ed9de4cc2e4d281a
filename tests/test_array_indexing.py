"""Indexing, writes and arrays a function makes, against central differences.

Reads take every index NumPy's basic and advanced indexing take; writes
(``y[i] = v``, ``y[a:b] = v``, ``y[i] += v``) must give the right primal and
the right gradient in straight code and in loops (a known failure elsewhere
is ``y[0] += x * x`` giving a wrong primal and a zero gradient), and must
never change the caller's arrays. What Python would change through another
name is refused where it is written.
"""

from __future__ import annotations

import numpy as np
import pytest
from arrays import check_gradient
from helpers import define
from hypothesis import given, settings
from hypothesis import strategies as st

import srcgrad
from srcgrad import ValueTypeError

RNG = np.random.default_rng(20261206)
X = RNG.normal(size=(4, 5))
V = RNG.normal(size=7)

READS = {
    "integer": ("x[2] * x[0]", V),
    "negative integer": ("x[-1] * x[-3]", V),
    "slice with step": ("np.sum(np.sin(x[1:6:2]))", V),
    "negative step": ("np.sum(np.sin(x[::-2]) * x[:4])", V),
    "column": ("np.sum(np.sin(X[:, 0]))", X),
    "item of a matrix": ("X[1, 2] * X[3, 4]", X),
    "rows and strided columns": ("np.sum(np.sin(X[1:, ::2]))", X),
    "new axis": ("np.sum(np.sin(X[None, :, 1] * X[:, None, 2]))", X),
    "ellipsis": ("np.sum(np.sin(X[..., 1]))", X),
    "mask": ("np.sum(x[x > 0] ** 2)", V),
    "integer array with repeats": ("np.sum(np.sin(x[np.array([0, 2, 2, 5])]))", V),
    "row of a matrix": ("np.sum(np.cos(X[2]))", X),
}


@pytest.mark.parametrize("case", READS)
def test_reads(case):
    expression, value = READS[case]
    name = "X" if value.ndim == 2 else "x"
    f = define(f"def f({name}):\n    return {expression}\n")
    check_gradient(f, (value.copy(),), (0,))


@settings(max_examples=40)
@given(
    start=st.none() | st.integers(-8, 8),
    stop=st.none() | st.integers(-8, 8),
    step=st.none() | st.integers(-3, 3).filter(lambda s: s != 0),
)
def test_any_slice_of_a_vector(start, stop, step):
    f = define(
        f"def f(x):\n    return np.sum(np.sin(x[{start}:{stop}:{step}])) + 0.0\n"
    )
    check_gradient(f, (V.copy(),), (0,))


@settings(max_examples=60)
@given(
    start=st.none() | st.integers(-5, 5),
    stop=st.none() | st.integers(-5, 5),
    step=st.none() | st.integers(-3, 3).filter(lambda s: s != 0),
    rows=st.lists(st.integers(-4, 3), min_size=1, max_size=4),
    rows_first=st.booleans(),
)
def test_a_slice_beside_an_index_array(start, stop, step, rows, rows_first):
    # the adjoint scatters with np.add.at at (rows, slice(...)): a slice
    # "1:" written as slice(1) would be ":1", the wrong columns
    part = f"{start}:{stop}:{step}"
    index = f"{rows}, {part}" if rows_first else f"{part}, {rows}"
    f = define(f"def f(X):\n    return np.sum(np.sin(X[{index}])) + 0.0\n")
    X = RNG.normal(size=(4, 5) if rows_first else (5, 4))
    check_gradient(f, (X,), (0,))


@pytest.mark.parametrize(
    "a, b",
    [("x[1:]", "y[2:]"), ("x[:-1]", "y[-1:]"), ("x[1:3]", "y[:1]"), ("x[2:]", "y")],
)
def test_slices_of_two_arrays_whose_lengths_may_differ(a, b):
    # x[1:] and y[2:] have lengths known only when the code runs, and one
    # of them may be 1 and broadcast: the adjoint is summed back then
    f = define(f"def f(x, y):\n    return np.sum(np.sin({a} * {b}))\n")
    for y in (RNG.normal(size=3), RNG.normal(size=4)):
        check_gradient(f, (RNG.normal(size=3), y), (0, 1))


def test_slices_of_one_length_are_known_to_be_equal():
    f = define("def f(u):\n    return np.sum((u[2:] - 2.0 * u[1:-1] + u[:-2]) ** 2)\n")
    u = RNG.normal(size=6)
    check_gradient(f, (u,), (0,))
    assert "sum_to_shape" not in srcgrad.source(srcgrad.grad(f), u)


def test_an_index_computed_from_an_argument():
    f = define("def f(x, i, j):\n    return x[i] * x[j] + np.sum(x[i:j] ** 2)\n")
    check_gradient(f, (V.copy(), 1, 5), (0,))


def test_an_integer_beside_an_index_array_places_its_items_first():
    # NumPy reads x[0, :, i] as two array indices apart: i's axis goes
    # first, (2, 3) and not (3, 2), so v of 3 items multiplies each row.
    f = define("def f(x, i, v):\n    return np.sum(np.sin(x[0, :, i]) * v)\n")
    x = RNG.normal(size=(2, 3, 4))
    check_gradient(f, (x, np.array([0, 3]), RNG.normal(size=3)), (0, 2))


def test_a_loop_over_items_is_written_as_a_person_would():
    f = define("""
        def f(x):
            total = 0.0
            for i in range(x.shape[0] - 1):
                total = total + (x[i + 1] - x[i]) ** 2
            return total
        """)
    check_gradient(f, (V.copy(),), (0,))
    source = srcgrad.source(srcgrad.grad(f), V)
    assert "x_bar[i] += " in source and "np.zeros_like(x)" in source
    assert source.count("zeros_like") == 1  # one array, added to item by item


# -- writes ---------------------------------------------------------------------
def test_a_write_after_a_read_of_the_same_item():
    # Elsewhere: a wrong primal and a zero gradient.
    f = define("""
        def f(x):
            y = np.zeros(3)
            y[0] += x * x
            y[1] = np.sin(x)
            return np.sum(y * y) + y[0]
        """)
    assert f(0.7) == pytest.approx(0.7**4 + np.sin(0.7) ** 2 + 0.49)
    (gradient,) = check_gradient(f, (0.7,), (0,))
    expected = 4 * 0.7**3 + 2 * 0.7 + 2 * np.sin(0.7) * np.cos(0.7)
    assert gradient == pytest.approx(expected, rel=1e-12)


def test_slices_and_augmented_writes_of_a_copy():
    f = define("""
        def f(x, a):
            y = x.copy()
            y[0] = a * y[1]
            y[1:4] *= a
            y[-2:] = np.sin(y[:2])
            return np.sum(y ** 2)
        """)
    check_gradient(f, (V.copy(), 1.3), (0, 1))


def test_a_write_read_by_the_reverse_sweep_writes_into_a_copy():
    # np.sum(y ** 2) needs y as it was before y[1] = ...: not written in place.
    f = define("""
        def f(x):
            y = np.ones(3)
            y[0] = x
            s = np.sum(y ** 2)
            y[1] = s
            return np.sum(y ** 3)
        """)
    check_gradient(f, (0.4,), (0,))


def test_a_row_written_with_a_broadcast_value():
    f = define("""
        def f(w, b):
            M = np.zeros((3, 4))
            M[1] = w
            M[:, 0] = b
            return np.sum(np.sin(M) * 1.5)
        """)
    check_gradient(f, (RNG.normal(size=4), 0.3), (0, 1))


def test_arrays_made_of_numbers():
    f = define("""
        def f(a, b):
            v = np.array([a * b, a + b, np.sin(a)])
            M = np.array([[a, b], [b, a]])
            full = np.full(3, b)
            return np.sum(v ** 2) + np.sum(M @ v[:2]) + np.sum(full * v)
        """)
    check_gradient(f, (0.3, 1.2), (0, 1))


def test_constant_arrays_and_casts():
    f = define("""
        def f(x):
            ones = np.ones_like(x)
            z = np.zeros((2, 3)) + np.ones(3)
            return np.sum(x * ones) + np.sum(z) * np.sum(x.astype(float) ** 2)
        """)
    check_gradient(f, (V.copy(),), (0,))


def test_the_callers_arrays_are_never_changed():
    f = define("""
        def f(x):
            y = x.copy()
            y[0] = 5.0
            y *= 2.0
            return np.sum(y * x)
        """)
    x = V.copy()
    srcgrad.grad(f)(x)
    assert np.array_equal(x, V)


WRONG_WRITES = {
    "an input": ("x[0] = 1.0", "x is an input array"),
    "a view of an input": (
        "v = x[1:]\n    v[0] = 1.0",
        "v is an input array, or a view",
    ),
    "an alias": (
        "y = x.copy()\n    z = y\n    y[0] = 1.0",
        "z and y hold the same array",
    ),
    "a view read after": (
        "y = x.copy()\n    v = y[1:]\n    y[2] = 1.0\n    return np.sum(v)",
        "v shares its items with y",
    ),
    "a value a helper returned": (
        "y = np.zeros(4)\n    z = same(y)\n    y[1] = x[1]\n    return np.sum(z)",
        "z shares its items with y",
    ),
    "np.asarray of it": (
        "y = np.zeros(4)\n    z = np.asarray(y)\n    y[1] = x[1]\n    return np.sum(z)",
        "z shares its items with y",
    ),
    "an alias made in a branch": (
        "y = np.zeros(4)\n    if x[0] > 0:\n        z = y\n    else:\n"
        "        z = y.copy()\n    y[1] = x[1]\n    return np.sum(z)",
        "z shares its items with y",
    ),
    "an alias a branch makes, written through": (
        "y = np.zeros(4)\n    if x[0] > 0:\n        z = y\n    else:\n"
        "        z = np.ones(4)\n    z[0] = x[1]\n    return np.sum(y)",
        "y shares its items with z",
    ),
    "an alias a conditional expression makes": (
        "y = np.zeros(4)\n    z = y if x[0] > 0 else np.ones(4)\n    z += x\n"
        "    return np.sum(y)",
        "y shares its items",
    ),
    "an alias read after a loop writes": (
        "y = np.zeros(4)\n    z = y\n    for i in range(3):\n        y[i] = x[i]\n"
        "    return np.sum(z * x)",
        "read after the loop",
    ),
    "an in-place operator on an input": ("x *= 2.0", "x \\*= ... changes the array x"),
    "an in-place operator on a view": (
        "y = x[::2]\n    y *= 2.0",
        "the caller's array would change",
    ),
    "an in-place operator with a view read after": (
        "y = x.copy()\n    v = y[1:]\n    y += x\n    return np.sum(v * x[1:])",
        "v shares its items and is read after",
    ),
    "an in-place operator with another name read after": (
        "y = x.copy()\n    z = y\n    y *= 2.0\n    return np.sum(z * x)",
        "another name shares its items",
    ),
}


@pytest.mark.parametrize("case", WRONG_WRITES)
def test_writes_python_would_see_through_another_name_are_refused(case):
    body, message = WRONG_WRITES[case]
    if "return" not in body:
        body += "\n    return np.sum(x)"
    f = define(f"def same(a):\n    return a\n\n\ndef f(x):\n    {body}\n", "f")
    with pytest.raises(srcgrad.SrcgradError, match=message) as caught:
        srcgrad.grad(f)(V.copy())
    line = str(caught.value).split(":")[1]
    assert int(line) >= 5  # at the write, in f


@pytest.mark.parametrize(
    "body, message",
    [
        ("v = a[1:]\n    v[0] = x[0] * 3.0", "writing into v would change a too"),
        ("v = a.reshape(-1)\n    v[0] = x[0]", "writing into v would change a too"),
        ("w = a[1:]\n    v = w.T\n    v *= x[:2]", "v \\*= ... would change a too"),
    ],
)
def test_a_write_into_a_view_of_an_array_the_function_made_names_that_array(
    body, message
):
    f = define(f"def f(x):\n    a = x.copy()\n    {body}\n    return np.sum(a * a)\n")
    with pytest.raises(ValueTypeError, match=f"v is a view of a .*: {message}"):
        srcgrad.grad(f)(np.array([0.3, -0.7, 0.5]))


def test_in_place_operators_on_arrays_the_function_made():
    f = define("""
        def f(x, a):
            y = x.copy()
            y *= a
            y += 1.0
            s = 0.0
            s += a * a
            return np.sum(y * x) + s
        """)
    check_gradient(f, (V.copy(), 0.3), (0, 1))


SWAPS = {
    "swapped in a branch": "",
    "then another name for b": "    c = b\n",
    "then a loop writes a": "    for i in range(2):\n        a[i] = 3.0 * b[i]\n",
}


@pytest.mark.parametrize("extra", SWAPS.values(), ids=SWAPS)
@pytest.mark.parametrize("swap", [True, False], ids=["swaps", "keeps"])
def test_two_arrays_swapped_in_a_branch_stay_two_arrays(extra, swap):
    # a, b = b, a in one branch: on each path a and b are two arrays, so a
    # write into a is never seen through b
    f = define(
        "def f(x, y):\n    a = x.copy()\n    b = y.copy()\n"
        "    if np.sum(a) > np.sum(b):\n        a, b = b, a\n"
        f"{extra}    a[0] = 2.0 * b[0]\n    return np.sum(a * b)\n"
    )
    x, y = np.array([1.0, 2.0]), np.array([0.5, 0.1])
    check_gradient(f, (x, y) if swap else (y, x), (0, 1))


@pytest.mark.parametrize(
    "write, message",
    [
        ("Y[0][1] = 5.0", r"Y\[i, j\] = \.\.\."),
        ("Y[0][1] += x[0, 0]", r"Y\[i, j\] = \.\.\."),
        ("(Y + 1.0)[0] = 5.0", "write into a name made here"),
    ],
)
def test_a_write_through_a_chained_index_says_what_to_write(write, message):
    f = define(f"def f(x):\n    Y = x.copy()\n    {write}\n    return np.sum(Y * x)\n")
    with pytest.raises(srcgrad.SrcgradError, match=message):
        srcgrad.grad(f)(np.ones((2, 2)))


@pytest.mark.parametrize("in_loop", [False, True])
def test_an_array_one_branch_names_twice_is_refused(in_loop):
    write = (
        "    for i in range(2):\n        a[i] = 2.0 * x[i]\n"
        if in_loop
        else "    a[0] = 2.0 * b[1]\n"
    )
    f = define(
        "def f(x, y):\n    a = x.copy()\n    b = y.copy()\n"
        "    if np.sum(a) > np.sum(b):\n        b = a\n"
        f"{write}    return np.sum(a * b)\n"
    )
    with pytest.raises(
        ValueTypeError, match="b shares its items with a|b, which holds"
    ):
        srcgrad.grad(f)(np.array([1.0, 2.0]), np.array([0.5, 0.1]))


@pytest.mark.parametrize("nested", [False, True])
def test_a_number_a_loop_adds_arrays_to_in_place(nested):
    # s = 0.0 then s += array: the first step makes a new array, the others
    # add into it; no caller's array is involved
    inner = "for j in range(2):\n            " if nested else ""
    f = define(
        "def f(x):\n    s = 0.0\n    for i in range(3):\n"
        f"        {inner}s += x * x[i]\n    return np.sum(s * s)\n"
    )
    check_gradient(f, (V.copy(),), (0,))


def test_writes_through_an_index_array_are_refused():
    # NumPy keeps the last write where an index repeats.
    f = define(
        "def f(x):\n    y = np.zeros(6)\n    y[np.array([0, 0, 1])] = x[:3]\n"
        "    return np.sum(y ** 2)\n"
    )
    with pytest.raises(ValueTypeError, match="last write"):
        srcgrad.grad(f)(V.copy())


def test_writing_real_numbers_into_an_integer_array_is_refused():
    f = define(
        "def f(x):\n    y = np.zeros(3, dtype=int)\n    y[0] = x\n    return y[0]\n"
    )
    with pytest.raises(ValueTypeError, match="dtype=float"):
        srcgrad.grad(f)(0.5)


def test_lengths_and_shapes_of_differentiated_arrays():
    f = define("""
        def f(x, X):
            n, m = X.shape
            s = 0.0
            for i in range(len(x)):
                s = s + x[i] ** 2
            return s + np.sum(X ** 2) / (n * m) + np.sum(np.sin(x[[0, 0, 2]]))
        """)
    check_gradient(f, (V.copy(), X.copy()), (0, 1))


def test_a_value_whose_rank_depends_on_a_branch():
    # Its adjoint's zeros were written over the cotangent they were made from.
    f = define(
        "def f(x, flag):\n    y = x[None] if flag else x\n    return np.sum(y * y)\n"
    )
    for flag in (True, False):
        assert np.allclose(srcgrad.grad(f)(V.copy(), flag), 2 * V)
    g = define(
        "def g(X, flag):\n    y = X if flag else X[0]\n    return np.sum(y ** 2)\n"
    )
    expected = np.zeros_like(X)
    expected[0] = 2 * X[0]
    assert np.allclose(srcgrad.grad(g)(X.copy(), False), expected)
    assert np.allclose(srcgrad.grad(g)(X.copy(), True), 2 * X)


def test_an_array_written_in_place_each_step_and_read_by_the_reverse_sweep():
    # The reverse sweep reads y of each step; writing the next step's y in
    # place once changed the y every step had saved.
    f = define("""
        def f(x):
            y = np.zeros(1)
            s = 0.0
            for i in range(2):
                y[0] = x[i]
                s = s + np.sum(np.sin(y))
            return s
        """)
    check_gradient(f, (np.array([0.3, -0.7]),), [0])


SHARED_ACROSS_STEPS = {
    "a name an if chose, written in a loop": (
        "    y = np.zeros(3)\n    a = y if x[0] > 0 else np.ones(3)\n"
        "    for i in range(3):\n        a[i] = x[i]\n    return np.sum(y * x)\n"
    ),
    "another name read inside the loop": (
        "    y = np.zeros(3)\n    prev = y\n    s = 0.0\n    for i in range(3):\n"
        "        s = s + np.sum(prev * x)\n        y[i] = x[i]\n    return s\n"
    ),
    "a view taken before the loop, read in it": (
        "    y = np.zeros(3)\n    v = y[0:2]\n    s = 0.0\n    for i in range(3):\n"
        "        s = s + np.sum(v)\n        y[i] = x[i]\n    return s\n"
    ),
    "two names made in one branch": (
        "    if x[0] > 0:\n        a = np.zeros(3)\n        b = a\n    else:\n"
        "        a = np.zeros(3)\n        b = np.ones(3)\n    a[1] = x[1]\n"
        "    return np.sum(b * x)\n"
    ),
    "a list both names hold from the step before": (
        "    out = []\n    prev = [x[0]]\n    s = 0.0\n    for i in range(3):\n"
        "        out.append(x[i] * 2)\n        s = s + sum(prev) * x[i]\n"
        "        prev = out\n    return s\n"
    ),
}


@pytest.mark.parametrize("body", SHARED_ACROSS_STEPS.values(), ids=SHARED_ACROSS_STEPS)
def test_what_another_name_sees_across_branches_and_steps_is_refused(body):
    f = define(f"def f(x):\n{body}")
    with pytest.raises(ValueTypeError, match="read after"):
        srcgrad.grad(f)(np.array([0.3, -0.7, 0.5]))


EARLY_RETURNS = {
    "return an item of the array written": (
        "    y = np.zeros(3)\n    for i in range(3):\n        y[i] = x[i]\n"
        "        if x[i] > 0.3:\n            return y[0] * x[i]\n"
        "    return np.sum(y * y)\n"
    ),
    "return before the write": (
        "    y = np.zeros(3)\n    for i in range(3):\n        if x[i] > 0.3:\n"
        "            return y[0] + x[i]\n        y[i] = x[i] ** 2\n"
        "    return np.sum(y * 2)\n"
    ),
    "return between two appends": (
        "    out = []\n    for i in range(3):\n        out.append(x[i])\n"
        "        if x[i] > 0.3:\n            return x[i] * sum(out)\n"
        "        out.append(x[i] * 2)\n    return sum(out)\n"
    ),
}


@pytest.mark.parametrize("body", EARLY_RETURNS.values(), ids=EARLY_RETURNS)
@pytest.mark.parametrize(
    "x",
    [np.array([-0.1, -0.5, -0.2]), np.array([-0.1, 0.5, -0.2])],
    ids=["runs", "returns"],
)
def test_an_early_return_from_a_loop_that_writes(body, x):
    check_gradient(define(f"def f(x):\n{body}"), (x,), [0])


MADE_IN_EACH_BRANCH = {
    "written after": (
        "    if x[0] > 0:\n        a = np.zeros(3)\n        if x[1] > 0:\n"
        "            return np.sum(x)\n        a[1] = x[2]\n    else:\n"
        "        a = x * 2.0\n    a[0] = x[0] * x[1]\n    return np.sum(a * x)\n"
    ),
    "reduced after": (
        "    if x[0] > 0:\n        a = x * x\n        if x[1] > 0:\n"
        "            return np.sum(x)\n    else:\n        a = np.exp(x)\n"
        "    return np.sum(a.reshape(3, 1) * x)\n"
    ),
    "in a loop": (
        "    s = 0.0\n    for i in range(3):\n        if x[i] > 0:\n"
        "            a = x * x[i]\n            if x[i] > 0.4:\n"
        "                return s + np.sum(a)\n        else:\n"
        "            a = np.ones(3)\n        a[i] = x[i] * 3.0\n"
        "        s = s + np.sum(a * x)\n    return s\n"
    ),
    "appended after": (
        "    if x[0] > 0:\n        a = [x[0]]\n        if x[1] > 0:\n"
        "            return np.sum(x)\n    else:\n        a = [x[1], x[2]]\n"
        "    a.append(x[2] * x[0])\n    return sum(a)\n"
    ),
}


@pytest.mark.parametrize("body", MADE_IN_EACH_BRANCH.values(), ids=MADE_IN_EACH_BRANCH)
@pytest.mark.parametrize(
    "x",
    [
        np.array([0.3, 0.5, -0.2]),
        np.array([0.3, -0.5, 0.2]),
        np.array([-0.3, 0.5, 0.6]),
    ],
    ids=["returns", "falls through", "other branch"],
)
def test_an_array_made_in_each_branch_of_an_if_that_may_return(body, x):
    check_gradient(define(f"def f(x):\n{body}"), (x,), [0])


def test_enumerate_of_a_list_of_items_read_from_an_array():
    f = define(
        "def f(x):\n    out = [x[0], x[1] * 2]\n    s = 0.0\n"
        "    for k, v in enumerate(out):\n        s = s + v * k\n    return s\n"
    )
    check_gradient(f, (np.array([0.3, -0.7, 0.5]),), [0])


WRITING_LOOPS = {
    "both branches": (
        "    for i in range(n):\n        if x[i] > 0:\n            y[i] = x[i]\n"
        "        else:\n            y[i] = -x[i] * 2\n    return np.sum(y * y)\n"
    ),
    "while True": (
        "    i = 0\n    while True:\n        y[i] = x[i] ** 2\n        i += 1\n"
        "        if i >= n:\n            break\n    return np.sum(y)\n"
    ),
    "two arrays": (
        "    z = np.zeros(n)\n    for i in range(n):\n        y[i] = x[i]\n"
        "        z[i] = x[i] * 3\n    return np.sum((y + z) ** 3)\n"
    ),
    "a recurrence": (
        "    y[0] = x[0]\n    for i in range(1, n):\n"
        "        y[i] = y[i - 1] * 0.5 + x[i]\n    return np.sum(y * y)\n"
    ),
    "break": (
        "    for i in range(n):\n        y[i] = x[i] ** 2\n"
        "        if y[i] > 100.0:\n            break\n    return np.sum(y)\n"
    ),
    "nested loops": (
        "    for i in range(n // 2):\n        for j in range(2):\n"
        "            y[i * 2 + j] = x[i * 2 + j] * 2.0\n    return np.sum(y * y)\n"
    ),
    "+= an item": (
        "    for i in range(n):\n        y[i] += x[i]\n    return np.sum(y * y)\n"
    ),
}


@pytest.mark.parametrize("loop", WRITING_LOOPS.values(), ids=WRITING_LOOPS)
def test_loops_that_write_copy_at_most_once(loop):
    f = define(f"def f(x):\n    n = x.shape[0]\n    y = np.zeros(n)\n{loop}")
    x = np.array([0.3, -0.7, 0.5, 1.1, -0.2, 0.8])
    check_gradient(f, (x,), [0])
    text = srcgrad.source(srcgrad.grad(f), x)
    copies = [line for line in text.splitlines() if ".copy()" in line]
    assert all(not line.startswith(" " * 8) for line in copies), copies  # not a step


ALIASED_SWAPS = {
    "an if in one step makes a name the other array": (
        "    u = x.copy()\n    v = x * 2.0\n    for t in range(2):\n"
        "        v[t] = x[t] * x[t + 1]\n        if x[t] > 0:\n            v = u\n"
        "    return np.sum(u)\n"
    ),
    "one array under two names, swapped, written in an inner loop": (
        "    u = x.copy()\n    v = u\n    for t in range(2):\n"
        "        for i in range(1, 3):\n            v[i] = u[i - 1] * u[i]\n"
        "        u, v = v, u\n    return np.sum(u)\n"
    ),
    "an if makes the names one, in a loop that swaps them": (
        "    a = x.copy()\n    b = np.ones(3)\n    for i in range(2):\n"
        "        a, b = b, a\n        if x[i] > 0:\n            b = a\n"
        "        b[0] = b[0] * x[1]\n    return np.sum(a * x)\n"
    ),
}


@pytest.mark.parametrize("body", ALIASED_SWAPS.values(), ids=ALIASED_SWAPS)
def test_names_a_swap_makes_one_array_are_refused(body):
    with pytest.raises(ValueTypeError, match="read after"):
        srcgrad.grad(define(f"def f(x):\n{body}"))(np.array([0.5, 1.5, 2.0]))


SCIENTIFIC_LOOPS = {
    "heat equation, two arrays swapped": (
        "    u = x.copy()\n    un = np.zeros_like(x)\n    for t in range(3):\n"
        "        for i in range(1, x.shape[0] - 1):\n"
        "            un[i] = u[i] + 0.1 * (u[i - 1] - 2 * u[i] + u[i + 1])\n"
        "        u, un = un, u\n    return np.sum(u * u)\n"
    ),
    "two updates of one array a step (leapfrog)": (
        "    p = x.copy()\n    for s in range(3):\n        p -= 0.1 * x\n"
        "        p -= 0.2 * p\n    return np.sum(p * p)\n"
    ),
    "a row read right after it is written": (
        "    B = np.zeros((x.shape[0], 2))\n    s = 0.0\n"
        "    for t in range(x.shape[0]):\n        B[t] = x[t] * 2.0\n"
        "        s = s + np.sum(B[t] * B[t])\n    return s\n"
    ),
    "a slice written, then the arrays swapped": (
        "    u = x.copy()\n    v = x * 2.0\n    for t in range(2):\n"
        "        v[:] = u * x[t]\n        u, v = v, u\n    return np.sum(v * x)\n"
    ),
    "+= then the arrays swapped": (
        "    u = x.copy()\n    v = x * 2.0\n    for t in range(2):\n"
        "        u += v * x\n        u, v = v, u\n    return np.sum(u)\n"
    ),
    "np.empty filled before it is read": (
        "    c = np.empty(x.shape[0])\n    c[0] = x[0]\n"
        "    for i in range(1, x.shape[0]):\n        c[i] = c[i - 1] * x[i]\n"
        "    return np.sum(c)\n"
    ),
}


@pytest.mark.parametrize("body", SCIENTIFIC_LOOPS.values(), ids=SCIENTIFIC_LOOPS)
def test_loops_scientists_write(body):
    check_gradient(define(f"def f(x):\n{body}"), (np.array([0.1, 0.5, 0.9, 0.2]),), [0])


@pytest.mark.parametrize(
    "x",
    [[0.3, 0.7, 0.2], [0.3, 0.2, 0.2], [-0.3, 0.7, 0.2], [0.3, 0.2, 0.9]],
    ids=["returns", "runs on", "other branch", "returns later"],
)
def test_a_write_after_a_loop_that_may_return_inside_a_branch(x):
    f = define("""
        def f(x):
            a = x * 2.0
            if x[0] > 0:
                for i in range(2):
                    if x[i + 1] > 0.5:
                        return x[0]
                a[1] = x[2]
            a[0] = x[1]
            return np.sum(a * x)
        """)
    check_gradient(f, (np.array(x),), [0])
