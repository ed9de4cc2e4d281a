"""Gradients of NumPy's other reductions: ``max``, ``min``, ``prod``,
``var``, ``std``, the running sum ``cumsum`` and ``np.linalg.norm``.

Like ``test_arrays.py``: each function differentiated is
``np.sum(np.sin(op(x)) * w)``, so the cotangent reaching ``op`` is not all
ones, checked against central differences over shapes and axes drawn by
Hypothesis, as a function and as a method, with ``keepdims`` or not. Inputs
keep away from ties and kinks there; the conventions at ties are checked
on their own, exactly.
"""

from __future__ import annotations

import hypothesis.extra.numpy as hnp
import numpy as np
import pytest
from arrays import check_gradient, distinct
from helpers import define
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import srcgrad

#: Each reduction as a function and as a method, with ``{options}`` to fill.
SPELLINGS = {
    "max": ("np.max(x{options})", "x.max({options})"),
    "amax": ("np.amax(x{options})", "x.max({options})"),
    "min": ("np.min(x{options})", "x.min({options})"),
    "amin": ("np.amin(x{options})", "x.min({options})"),
    "prod": ("np.prod(x{options})", "x.prod({options})"),
    "var": ("np.var(x{options})", "x.var({options})"),
    "std": ("np.std(x{options})", "x.std({options})"),
}


def _axes(data, rank):
    return data.draw(
        st.none()
        | hnp.valid_tuple_axes(rank, min_size=1)
        | st.integers(-rank, rank - 1),
        label="axis",
    )


def _items_per_result(shape, axis):
    axes = range(len(shape)) if axis is None else np.atleast_1d(axis)
    return int(np.prod([shape[a] for a in axes]))


def _sum_of_sin(expression, x, w_seed):
    """``f(x, w) = sum(sin(expression) * w)`` and a ``w`` of its shape."""
    f = define(f"def f(x, w):\n    return np.sum(np.sin({expression}) * w)\n")
    shape = np.shape(eval(expression, {"np": np, "x": x}))
    w = distinct(shape, w_seed) if shape else 0.7
    return f, w


def _inputs(name, shape, seed):
    if name == "prod":  # magnitudes near 1: a product of 64 stays moderate
        rng = np.random.default_rng(seed)
        signs = rng.choice([-1.0, 1.0], size=shape)
        return signs * rng.uniform(0.7, 1.3, size=shape)
    return distinct(shape, seed)


@settings(max_examples=60, deadline=None)
@given(
    shape=hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4),
    name=st.sampled_from(sorted(SPELLINGS)),
    keepdims=st.booleans(),
    method=st.booleans(),
    data=st.data(),
)
def test_reductions_over_any_axes(shape, name, keepdims, method, data):
    axis = _axes(data, len(shape))
    options = [f"axis={axis!r}", f"keepdims={keepdims}"]
    if name in ("var", "std"):
        n = _items_per_result(shape, axis)
        assume(n > 1 or name == "var")  # std of one item: see the tie tests
        ddof = data.draw(st.integers(0, max(n - 1, 0)), label="ddof")
        options.append(f"ddof={ddof}")
    template = SPELLINGS[name][method]
    joined = ", ".join(options)
    expression = template.format(options=joined if method else ", " + joined)
    x = _inputs(name, shape, data.draw(st.integers(0, 2**16), label="seed"))
    f, w = _sum_of_sin(expression, x, 5)
    check_gradient(f, (x, w), (0, 1))


@pytest.mark.parametrize("name", sorted(SPELLINGS))
@pytest.mark.parametrize("x", [1.3, np.float64(-0.4), np.array(0.8)], ids=repr)
def test_reductions_of_numbers_and_0d_arrays(name, x):
    f = define(f"def f(x):\n    return np.sin(np.{name}(x)) + x\n")
    (x_bar,) = check_gradient(f, (x,), (0,))
    slope = np.cos(x) if name not in ("var", "std") else 0.0
    assert x_bar == pytest.approx(slope + 1.0, rel=1e-12)


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        # Tied maxima share the cotangent equally (JAX's convention).
        ("axis=1", [[0.0, 0.5, 0.5], [1 / 3, 1 / 3, 1 / 3]]),
        ("axis=1, keepdims=True", [[0.0, 0.5, 0.5], [1 / 3, 1 / 3, 1 / 3]]),
        ("", [[0.0, 0.5, 0.5], [0.0, 0.0, 0.0]]),
        ("axis=0", [[0.0, 1.0, 1.0], [1.0, 0.0, 0.0]]),
        ("axis=(0, 1)", [[0.0, 0.5, 0.5], [0.0, 0.0, 0.0]]),
    ],
)
def test_tied_maxima_share_the_cotangent_equally(options, expected):
    x = np.array([[1.0, 3.0, 3.0], [2.0, 2.0, 2.0]])
    separator = ", " if options else ""
    f = define(f"def f(x):\n    return np.sum(np.max(x{separator}{options}))\n")
    np.testing.assert_array_equal(srcgrad.grad(f)(x), expected)
    g = define(f"def g(x):\n    return -np.sum(np.min(-x{separator}{options}))\n")
    np.testing.assert_array_equal(srcgrad.grad(g)(x), expected)


@pytest.mark.parametrize(
    "x",
    [
        [[2.0, 0.0, 3.0], [0.5, 4.0, -1.0]],  # one zero in a row
        [[0.0, 0.0, 3.0], [0.0, 4.0, -1.0]],  # two zeros in a row
        [[0.0, 0.0, 0.0], [0.0, 0.0, 0.0]],
    ],
)
@pytest.mark.parametrize("axis", [None, 0, 1, -1])
def test_a_product_with_zeros_has_the_product_of_the_others_as_slope(x, axis):
    # prod is a polynomial: its slope at zeros is the product of the others,
    # where out / x would be 0 / 0.
    x = np.array(x)
    f = define(f"def f(x, w):\n    return np.sum(np.prod(x, axis={axis}) * w)\n")
    shape = np.shape(np.prod(x, axis=axis))
    w = np.arange(1.0, 1.0 + np.prod(shape)).reshape(shape)
    x_bar, _ = check_gradient(f, (x, w), (0, 1))
    expected = np.zeros_like(x)
    for item in np.ndindex(*x.shape):  # f is affine in each item alone
        one, zero = x.copy(), x.copy()
        one[item], zero[item] = 1.0, 0.0
        expected[item] = f(one, w) - f(zero, w)
    np.testing.assert_allclose(x_bar, expected, rtol=1e-14, atol=0)


@pytest.mark.parametrize("shape", [(3, 1), (1,), (2, 2, 1)])
def test_std_is_constant_over_one_item_and_its_slope_is_zero(shape):
    # std over an axis of one item is 0 whatever the item: slope 0, not 0/0.
    f = define("def f(x):\n    return np.sum(np.std(x, axis=-1))\n")
    x = distinct(shape, 1)
    np.testing.assert_array_equal(srcgrad.grad(f)(x), np.zeros(shape))


def test_std_and_norm_at_their_kink_take_the_zero_subgradient():
    f = define("def f(x):\n    return np.std(x) + np.linalg.norm(x)\n")
    np.testing.assert_array_equal(srcgrad.grad(f)(np.zeros(3)), np.zeros(3))


@settings(max_examples=40, deadline=None)
@given(
    shape=hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4),
    method=st.booleans(),
    data=st.data(),
)
def test_running_sums_along_any_axis_or_flattened(shape, method, data):
    axis = data.draw(st.none() | st.integers(-len(shape), len(shape) - 1))
    options = "" if axis is None else f"axis={axis}"
    if method:
        expression = f"x.cumsum({options})"
    else:
        expression = f"np.cumsum(x{', ' + options if options else ''})"
    f, w = _sum_of_sin(expression, distinct(shape, 3), 4)
    check_gradient(f, (distinct(shape, 3), w), (0, 1))


def test_running_sum_adjoint_is_a_running_sum_from_the_end():
    f = define("def f(x, w):\n    return np.sum(np.cumsum(x, axis=1) * w)\n")
    x, w = distinct((2, 3), 1), np.array([[1.0, 2.0, 4.0], [8.0, 16.0, 32.0]])
    x_bar = srcgrad.grad(f)(x, w)
    np.testing.assert_array_equal(x_bar, [[7.0, 6.0, 4.0], [56.0, 48.0, 32.0]])
    text = srcgrad.source(srcgrad.grad(f), x, w)
    assert "np.flip(np.cumsum(np.flip(w, axis=1), axis=1), axis=1)" in text


def test_running_sum_of_a_number_is_an_array_of_one():
    f = define("def f(x):\n    return np.sum(np.sin(np.cumsum(x)))\n")
    check_gradient(f, (0.3,), (0,))


NORMS = [
    ((4,), ""),
    ((4,), ", 2"),
    ((4,), ", ord=1"),
    ((2, 3), ""),
    ((2, 3), ", 'fro'"),
    ((2, 3, 2), ""),
    ((2, 3), ", axis=1"),
    ((2, 3), ", axis=0, keepdims=True"),
    ((2, 3), ", 1, 0"),
    ((2, 3, 2), ", None, (0, 2)"),
    ((2, 3, 2), ", 'fro', (-1, 0), True"),
    ((3, 2), ", keepdims=True"),
]


@pytest.mark.parametrize(("shape", "options"), NORMS)
def test_norms_of_vectors_and_matrices(shape, options):
    expression = f"np.linalg.norm(x{options})"
    x = distinct(shape, 7)
    f, w = _sum_of_sin(expression, x, 8)
    check_gradient(f, (x, w), (0, 1))


@pytest.mark.parametrize(
    ("shape", "options", "message"),
    [
        ((2, 3), "ord=2", "ord=2 over 2 axes"),
        ((2, 3), "ord='nuc'", "ord='nuc'"),
        ((3,), "ord='fro'", "ord='fro' over 1 axes"),
        ((2, 3), "ord=1", "ord=1 over 2 axes"),
        ((3,), "ord=3", "ord=3"),
    ],
)
def test_norms_srcgrad_does_not_differentiate_are_refused(shape, options, message):
    f = define(f"def f(x):\n    return np.linalg.norm(x, {options})\n")
    with pytest.raises(srcgrad.SrcgradError, match="np.linalg.norm is supported") as e:
        srcgrad.grad(f)(np.ones(shape))
    assert message in str(e.value)


@pytest.mark.parametrize(
    "call",
    [
        "np.max(y, axis=1)",
        "np.min(y)",
        "np.prod(y, axis=0)",
        "np.var(y)",
        "np.std(y, ddof=1)",
        "np.cumsum(y)",
        "np.cumsum(y, axis=1)",
        "np.linalg.norm(y)",
        "np.linalg.norm(y, axis=1)",
        "np.linalg.norm(y, 1, -1)",
    ],
)
def test_reductions_of_a_value_whose_rank_is_not_known(call):
    # np.nanmax has no rule: y's type is unknown when the gradient is built.
    f = define(
        f"def f(x, A):\n    y = x * np.nanmax(A, 0)\n"
        f"    return np.sum(np.sin({call}))\n"
    )
    x, a = distinct((3, 4), 3), np.full((3, 4), 1.5)
    check_gradient(f, (x, a), (0,))


@pytest.mark.parametrize(
    "call", ["np.var(y, axis=1)", "np.std(y, 0)", "np.linalg.norm(y, 1)"]
)
def test_reductions_that_need_the_rank_of_a_value_that_has_none_known_are_refused(
    call,
):
    f = define(
        f"def f(x, A):\n    y = x * np.nanmax(A, 0)\n    return np.sum({call})\n"
    )
    with pytest.raises(srcgrad.SrcgradError, match="not known"):
        srcgrad.grad(f)(np.ones((3, 4)), np.ones((3, 4)))


def test_a_sum_of_booleans_counts_them():
    from srcgrad.ir.types import Array, Scalar
    from srcgrad.primitives.reductions import REDUCE_PROD, REDUCE_SUM

    booleans = [Array("bool", (3, 2))]
    assert REDUCE_SUM.result_types(booleans, {}) == [Scalar("int")]
    assert REDUCE_SUM.result_types(booleans, {"axis": 0}) == [Array("int", (2,))]
    assert REDUCE_PROD.result_types(booleans, {}) == [Scalar("int")]
