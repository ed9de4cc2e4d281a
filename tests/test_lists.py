"""Lists the function makes: literals, ``append`` in straight code and in
loops, item reads, ``len``, ``sum``, ``np.array``, ``np.stack`` and loops
over them, against central differences, with the IR verified after every
pass. What would change a list Python shares with another name, or the
caller's list, is refused where it is written.
"""

from __future__ import annotations

import numpy as np
import pytest
from arrays import check_gradient
from helpers import define

import srcgrad
from srcgrad import SrcgradError, ValueTypeError

RNG = np.random.default_rng(20261206)

BRANCHES = """
def f(x):
    xs = []
    if x > 0:
        xs.append(x * x)
    else:
        xs.append(-x)
    xs.append(x * 3)
    return sum(xs, 1.0)
"""

SCALAR_CASES = {
    "literal, sum and items": (
        """
        def f(x, y):
            xs = [x, y, x * y]
            return sum(xs) + xs[1] * xs[-1] + len(xs)
        """,
        (0.7, 1.3),
    ),
    "append in a loop, then sum": (
        """
        def f(x):
            out = []
            for i in range(5):
                out.append(math.sin(x * i))
            return sum(out)
        """,
        (0.4,),
    ),
    "a recurrence on the last item": (
        """
        def f(x, r):
            xs = [x]
            for i in range(6):
                xs.append(xs[-1] * r + math.cos(xs[-1]))
            return xs[-1] + 0.5 * xs[2]
        """,
        (0.5, 0.9),
    ),
    "np.array of the items": (
        """
        def f(x):
            vals = []
            for i in range(4):
                vals.append(x ** i)
            a = np.array(vals)
            return np.sum(a * a)
        """,
        (1.1,),
    ),
    "a loop over the list": (
        """
        def f(x):
            terms = []
            for k in range(1, 5):
                terms.append(x / k)
            s = 0.0
            for v in terms:
                s = s + v * v
            return s
        """,
        (0.8,),
    ),
    "a while loop, and items by a computed index": (
        """
        def f(x, n):
            out = []
            i = 0
            while i < n:
                out.append(x * x + i)
                i = i + 1
            total = 0.0
            for j in range(len(out)):
                total = total + out[j] * out[len(out) - 1 - j]
            return total
        """,
        (0.6, 4),
    ),
    "appends in branches, and sum with a start": (BRANCHES, (0.6,)),
    "the other branch": (BRANCHES, (-0.6,)),
    "an empty list summed": (
        """
        def f(x):
            xs = []
            return sum(xs) + x
        """,
        (0.6,),
    ),
}


@pytest.mark.parametrize("source, args", SCALAR_CASES.values(), ids=SCALAR_CASES)
def test_lists_of_numbers(source, args):
    check_gradient(define(source), args, [0])


def test_a_list_of_arrays_stacked_along_an_axis():
    f = define("""
        def f(W, h0, xs):
            hs = [h0]
            for t in range(3):
                hs.append(np.tanh(W @ hs[-1] + xs[t]))
            return np.sum(np.stack(hs, axis=1) ** 2) + np.sum(hs[1] * hs[2])
        """)
    args = (RNG.normal(size=(3, 3)) * 0.5, RNG.normal(size=3), RNG.normal(size=(3, 3)))
    check_gradient(f, args, [0, 1, 2])


def test_a_list_of_arrays_summed_and_looped_over():
    f = define("""
        def f(x):
            parts = []
            for k in range(3):
                parts.append(np.sin(x * k))
            total = sum(parts)
            for p in parts:
                total = total + p * p
            return np.sum(total)
        """)
    check_gradient(f, (RNG.normal(size=(2, 3)),), [0])


def test_appends_are_in_place_and_the_reverse_loop_takes_items_off_the_end():
    f = define("""
        def f(x, n):
            out = []
            for i in range(n):
                out.append(math.sin(x * i))
            return sum(out)
        """)
    text = srcgrad.source(srcgrad.grad(f))
    assert "out.append(math.sin(x * i))" in text
    assert "out_bar = [1.0] * len(out)" in text
    assert "del out_bar[-1]" in text
    assert ".copy()" not in text  # a loop of n appends costs n, not n squared
    n = 3000
    expected = sum(i * np.cos(0.001 * i) for i in range(n))
    assert srcgrad.grad(f)(0.001, n) == pytest.approx(expected, rel=1e-12)


def test_an_item_read_adds_at_its_place():
    f = define("""
        def f(x, r):
            xs = [x]
            for i in range(4):
                xs.append(xs[-1] * r)
            return xs[-1]
        """)
    text = srcgrad.source(srcgrad.grad(f))
    assert "xs_bar[-1] = xs_bar[-1] + " in text
    assert ".copy()" not in text


def test_the_items_of_a_list_of_arrays_are_not_changed_in_place():
    # sum(parts)'s adjoint is one array for every item; adding another
    # contribution to one item must not change the others.
    f = define("""
        def f(x):
            parts = [x * 1.0, x * 2.0, x * 3.0]
            return np.sum(sum(parts)) + np.sum(parts[0] * x)
        """)
    check_gradient(f, (RNG.normal(size=4),), [0])


REFUSED = {
    "appending to a list passed in": (
        "def f(x, lst):\n    lst.append(x)\n    return x + len(lst)\n",
        (1.0, []),
        "append is supported on a list the function makes",
    ),
    "another name for the list": (
        "def f(x):\n    xs = [x]\n    ys = xs\n    xs.append(x)\n    return sum(ys)\n",
        (1.0,),
        "ys and xs hold the same list",
    ),
    "a tuple holding the list": (
        "def f(x):\n    xs = [x]\n    t = (xs, 1)\n    xs.append(x)\n"
        "    return sum(t[0])\n",
        (1.0,),
        "t and xs hold the same list",
    ),
    "writing an item": (
        "def f(x):\n    xs = [x, x]\n    xs[0] = 1.0\n    return xs[0] * x\n",
        (1.0,),
        "writing a list's items",
    ),
    "a slice": (
        "def f(x):\n    xs = [x, x]\n    return sum(xs[1:])\n",
        (1.0,),
        "a list is indexed by one integer",
    ),
    "a list of lists": (
        "def f(x):\n    xs = [[x], [x]]\n    return x\n",
        (1.0,),
        "a list of lists is not supported",
    ),
    "an array written after it was appended": (
        "def f(x):\n    h = x * 1.0\n    out = [h]\n    h[0] = 5.0\n"
        "    return np.sum(np.stack(out))\n",
        (np.ones(3),),
        "shares its items with h",
    ),
    "writing into an item read out": (
        "def f(x):\n    out = [x * 1.0]\n    v = out[0]\n    v[0] = 5.0\n"
        "    return np.sum(v)\n",
        (np.ones(3),),
        "v is an item of a list",
    ),
    "concatenating a built list": (
        "def f(x):\n    out = []\n    out.append(x)\n"
        "    return np.sum(np.concatenate(out))\n",
        (np.ones(3),),
        "np.stack(xs) or\nnp.array(xs)|np.stack\\(xs\\) or np.array\\(xs\\)",
    ),
    "unpacking the items in a loop": (
        "def f(x):\n    out = [x, x]\n    s = 0.0\n    for a in out:\n"
        "        s = s + a\n    for a, b in out:\n        s = s + a\n    return s\n",
        (1.0,),
        "unpack",
    ),
}


@pytest.mark.parametrize("source, args, message", REFUSED.values(), ids=REFUSED)
def test_what_python_would_share_is_refused_where_it_is_written(source, args, message):
    f = define(source)
    with pytest.raises(SrcgradError, match=message) as raised:
        srcgrad.grad(f)(*args)
    assert raised.value.location is not None
    assert raised.value.location.line >= 2


def test_a_sum_of_items_that_broadcast_is_refused_not_guessed():
    f = define("def f(x):\n    xs = [x[0], x]\n    return np.sum(sum(xs))\n")
    with pytest.raises(SrcgradError, match="sum of a list whose items may differ"):
        srcgrad.grad(f)(np.ones(3))


def test_small_helpers_take_and_return_lists():
    source = """
        def total(xs):
            return sum(xs)

        def powers(x):
            out = []
            for i in range(3):
                out.append(x ** (i + 1))
            return out

        def f(x):
            ys = powers(x)
            return total(ys) + ys[1] * total([x, 2 * x])
        """
    check_gradient(define(source, "f"), (0.7,), [0])


def test_a_list_across_a_helper_differentiated_on_its_own_is_refused_at_the_call():
    source = """
        def rec(xs, n):
            if n == 0:
                return 0.0
            return xs[n - 1] + rec(xs, n - 1)

        def f(x):
            xs = [x, x * x]
            return rec(xs, 2)
        """
    with pytest.raises(ValueTypeError, match="a list is passed to or returned from"):
        srcgrad.grad(define(source, "f"))(0.7)


def test_a_function_that_returns_a_list_has_no_gradient():
    f = define("def f(x):\n    xs = [x, x * x]\n    return xs\n")
    with pytest.raises(SrcgradError, match="returns a list, not one number"):
        srcgrad.grad(f)(0.7)


def test_a_list_passed_in_is_not_changed():
    f = define("""
        def f(x, data):
            out = []
            for d in data:
                out.append(x * d)
            return sum(out)
        """)
    data = [1.0, 2.0, 3.0]
    assert srcgrad.grad(f)(0.5, data) == pytest.approx(6.0)
    assert data == [1.0, 2.0, 3.0]


def test_a_value_error_is_a_srcgrad_error():
    assert issubclass(ValueTypeError, SrcgradError)


COMPREHENSIONS = {
    "summed": ("def f(x):\n    return sum([x * i for i in range(4)])\n", (0.7,)),
    "a generator sum reads": (
        "def f(x, n):\n    return sum(x[i] ** 2 for i in range(n))\n",
        (np.array([0.3, -1.2, 0.8]), 3),
    ),
    "with a condition, leaving the outer name be": (
        "def f(x):\n    i = 10.0\n"
        "    ys = [math.sin(x * i) for i in range(3) if i != 1]\n"
        "    return sum(ys) * i\n",
        (0.4,),
    ),
    "of arrays, made an array": (
        "def f(W, xs):\n    hs = np.array([np.tanh(W @ v) for v in xs])\n"
        "    return np.sum(hs ** 2)\n",
        (RNG.normal(size=(3, 3)), RNG.normal(size=(4, 3))),
    ),
    "two for clauses": (
        "def f(x):\n    return sum([a * b for a in [x, 2 * x] for b in range(3)])\n",
        (0.3,),
    ),
}


@pytest.mark.parametrize("source, args", COMPREHENSIONS.values(), ids=COMPREHENSIONS)
def test_list_comprehensions_are_the_loops_they_stand_for(source, args):
    check_gradient(define(source), args, [0])


def test_appending_in_a_branch_of_a_loop_is_in_place():
    f = define(
        "def f(x, n):\n    ys = [math.sin(x * i) for i in range(n) if i % 2 == 0]\n"
        "    return sum(ys)\n"
    )
    text = srcgrad.source(srcgrad.grad(f))
    assert "items.append(math.sin(" in text
    assert ".copy()" not in text


def test_two_lists_written_alike_are_two_lists():
    # `a = [x]` and `b = [x]` compute equal values, but Python makes two
    # lists; appending to both in one loop once appended to one list.
    f = define("""
        def f(x, n):
            a = [x]
            b = [x]
            for i in range(n):
                a.append(a[-1] * 2.0)
                b.append(b[-1] * 3.0)
            return a[-1] + b[-1]
        """)
    check_gradient(f, (0.7, 3), [0])
    assert srcgrad.grad(f)(0.7, 3) == pytest.approx(8.0 + 27.0)


def test_two_arrays_written_alike_are_two_arrays():
    f = define("""
        def f(x):
            a = np.zeros(3)
            b = np.zeros(3)
            for i in range(3):
                a[i] = x[i] * 2.0
                b[i] = x[i] * 3.0
            return np.sum(a * b)
        """)
    x = np.array([1.0, 2.0, 3.0])
    np.testing.assert_allclose(srcgrad.grad(f)(x), 12.0 * x)
    assert ".copy()" not in srcgrad.source(srcgrad.grad(f), x)


def test_an_empty_list_of_arrays_summed_has_a_zero_gradient():
    f = define("""
        def f(x, n):
            out = []
            for i in range(n):
                out.append(x * i)
            return np.sum(sum(out))
        """)
    np.testing.assert_array_equal(srcgrad.grad(f)(np.ones(4), 0), np.zeros(4))
    check_gradient(f, (np.ones(4), 3), [0])


def test_a_list_made_in_each_step_of_a_loop():
    f = define("""
        def f(x, n):
            total = 0.0
            for i in range(n):
                row = []
                row.append(x * i)
                row.append(x)
                total = total + row[0] * row[-1]
            return total
        """)
    check_gradient(f, (0.7, 4), [0])


LINEAR = {
    "break": "    for i in range(n):\n        if i >= n - 2:\n            break\n"
    "        out.append(out[-1] * 0.999)\n",
    "while True": "    while True:\n        if len(out) > n:\n            break\n"
    "        out.append(out[-1] * 0.999)\n",
    "nested loops": "    for i in range(n // 10):\n        for j in range(10):\n"
    "            out.append(x * j)\n",
    "early return": "    for i in range(n):\n        out.append(out[-1] * 0.999)\n"
    "        if out[-1] > 1e9:\n            return out[-1]\n",
    "in a branch": "    for i in range(n):\n        if i % 3 == 0:\n"
    "            out.append(out[-1] * 0.99)\n",
}


@pytest.mark.parametrize("loop", LINEAR.values(), ids=LINEAR)
def test_appending_loops_are_linear_both_ways(loop):
    f = define(f"def f(x, n):\n    out = [x]\n{loop}    return sum(out)\n")
    check_gradient(f, (0.5, 30), [0])
    assert ".copy()" not in srcgrad.source(srcgrad.grad(f))


def test_an_array_changed_in_a_loop_and_appended_each_step_is_refused():
    f = define("""
        def f(x):
            h = np.zeros(2)
            out = []
            for i in range(2):
                h[i] = x[i]
                out.append(h)
            return np.sum(out[0])
        """)
    with pytest.raises(ValueTypeError, match=r"put a copy in the list \(h.copy\(\)\)"):
        srcgrad.grad(f)(np.array([0.5, -1.5]))


def test_appending_a_copy_each_step_is_what_python_computes():
    f = define("""
        def f(x):
            h = np.zeros(2)
            out = []
            for i in range(2):
                h[i] = x[i]
                out.append(h.copy())
            return np.sum(out[0]) + 2.0 * np.sum(out[1])
        """)
    np.testing.assert_allclose(srcgrad.grad(f)(np.array([0.5, -1.5])), [3.0, 2.0])


def test_a_loop_that_appends_to_the_list_it_walks_is_refused():
    f = define("""
        def f(x):
            xs = [x]
            for v in xs:
                if len(xs) > 4:
                    break
                xs.append(v * v)
            return xs[-1]
        """)
    with pytest.raises(ValueTypeError, match="appends to the list it walks"):
        srcgrad.grad(f)(0.9)


WALKS = {
    "enumerate": "    for i, v in enumerate(xs):\n        s = s + i * v * v\n",
    "zip with another list": "    for a, b in zip(xs, [math.sin(v) for v in xs]):\n"
    "        s = s + a * b\n",
    "reversed": "    for v in reversed(xs):\n        s = s * 0.5 + v\n",
    "enumerate of a zip with data": "    for i, (a, d) in enumerate(zip(xs, data)):\n"
    "        s = s + i * a * d\n",
}


@pytest.mark.parametrize("walk", WALKS.values(), ids=WALKS)
def test_enumerate_zip_and_reversed_walk_a_list_by_index(walk):
    f = define(
        f"def f(x, data):\n    xs = [x * k for k in range(1, 5)]\n    s = 1.0\n"
        f"{walk}    return s\n"
    )
    check_gradient(f, (0.7, [1.0, 2.0, 3.0, 4.0]), [0])


def test_a_list_of_integers_indexes_an_array_as_numpy_does():
    f = define("def f(x):\n    ks = [0, 1, 1]\n    return np.sum(x[ks] ** 2)\n")
    np.testing.assert_allclose(srcgrad.grad(f)(np.array([1.0, 2.0])), [2.0, 8.0])


MISUSED = {
    "a NumPy reduction": (
        "return np.sum(xs)",
        "a list the function makes is used here",
    ),
    "arithmetic": ("return sum(xs * 2)", "arithmetic on a list"),
    "max": ("return max(xs)", r"np.max\(np.array\(xs\)\)"),
    "unpacking": ("a, b = xs\n    return a * b", "unpacking a list the function makes"),
}


@pytest.mark.parametrize("body, message", MISUSED.values(), ids=MISUSED)
def test_a_list_used_as_a_number_or_array_says_what_a_list_takes(body, message):
    f = define(f"def f(x):\n    xs = [x, 2.0 * x]\n    {body}\n")
    with pytest.raises(SrcgradError, match=message):
        srcgrad.grad(f)(0.7)


def test_a_list_swapped_with_another_name_for_it_is_refused():
    f = define("""
        def f(x):
            a = []
            b = a
            for t in range(2):
                for i in range(2):
                    a.append(x[i] * x[t])
                a, b = b, a
            return sum(a) * x[0] + sum(b)
        """)
    with pytest.raises(ValueTypeError, match="read after"):
        srcgrad.grad(f)(np.array([0.5, 1.5, 2.0, -0.3]))


@pytest.mark.parametrize(
    "r", [0.9, 0.3, 0.75], ids=["returns at once", "runs", "later"]
)
def test_an_early_return_before_an_append(r):
    f = define("""
        def f(r):
            hs = []
            v = r
            for i in range(5):
                v = v * r
                if v > 0.5:
                    return v
                hs.append(v)
            return sum(hs)
        """)
    check_gradient(f, (r,), [0])


def test_a_list_an_if_in_one_step_makes_another_name_for_is_refused():
    f = define("""
        def f(x):
            a = []
            b = [x[2]]
            for t in range(2):
                a.append(x[t] * x[t])
                if x[t] > 0:
                    b = a
            return sum(b)
        """)
    with pytest.raises(ValueTypeError, match="read after"):
        srcgrad.grad(f)(np.array([0.5, -0.7, 0.9]))
