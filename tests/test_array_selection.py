"""Gradients of NumPy's selections and of ``np.logaddexp``: ``np.where``,
``np.maximum``, ``np.minimum``, ``np.clip`` / ``x.clip``, over operands
that broadcast together, and the log-sum-exp and softmax cross-entropy
written with them.

Central differences check each away from ties; at ties the conventions
of ``docs/reference.md`` ("Ties and kinks") are checked exactly.
"""

from __future__ import annotations

import hypothesis.extra.numpy as hnp
import numpy as np
import pytest
from arrays import check_gradient, distinct
from helpers import define
from hypothesis import given, settings
from hypothesis import strategies as st

import srcgrad


def _operand(shape, seed):
    return distinct(shape, seed)


def _broadcasting(count):
    return hnp.mutually_broadcastable_shapes(num_shapes=count, min_dims=0, max_dims=3)


@pytest.mark.parametrize(
    "expression",
    [
        "np.maximum(a, b)",
        "np.minimum(a, b)",
        "np.logaddexp(a, b)",
        "np.where(b > a, a * a, b)",
        "np.clip(a, b - 0.3, b + 0.4)",
    ],
)
@settings(max_examples=20, deadline=None)
@given(shapes=_broadcasting(2), seed=st.integers(0, 2**16))
def test_selections_of_operands_that_broadcast(expression, shapes, seed):
    a_shape, b_shape = shapes.input_shapes
    f = define(f"def f(a, b):\n    return np.sum(np.sin({expression}) * 1.3)\n")
    # a on the grid (k + 1/2) / 10, b on k / 10 (0.02 either way): no ties
    # between a, b and b's shifts by tenths.
    a, b = _operand(a_shape, seed), _operand(b_shape, seed + 1) - 0.05
    check_gradient(f, (a, b), (0, 1))


@settings(max_examples=20, deadline=None)
@given(shapes=_broadcasting(3), seed=st.integers(0, 2**16))
def test_where_gives_a_where_c_and_b_elsewhere(shapes, seed):
    c_shape, a_shape, b_shape = shapes.input_shapes
    f = define("def f(c, a, b):\n    return np.sum(np.sin(np.where(c > 0, a, b)))\n")
    c = _operand(c_shape, seed)
    check_gradient(f, (c, _operand(a_shape, seed + 1), _operand(b_shape, 2)), (1, 2))


def test_where_with_a_condition_on_the_input_is_piecewise():
    f = define("def f(x):\n    return np.sum(np.where(x > 0, x**2, -x))\n")
    x = np.array([-1.0, 0.5, 2.0])
    np.testing.assert_array_equal(srcgrad.grad(f)(x), [-1.0, 1.0, 4.0])


@pytest.mark.parametrize(
    ("lo", "hi"),
    [
        ("lo", "hi"),
        ("-0.25", "hi"),
        ("lo", "0.35"),
        ("None", "hi"),
        ("lo", "None"),
        ("None", "None"),
    ],
)
@pytest.mark.parametrize("method", [False, True])
def test_clip_by_numbers_arrays_or_none(lo, hi, method):
    call = f"x.clip({lo}, {hi})" if method else f"np.clip(x, {lo}, {hi})"
    f = define(f"def f(x, lo, hi):\n    return np.sum(np.sin({call}) * 1.3)\n")
    x = distinct((3, 4), 1)
    low, high = distinct((4,), 2) * 0.3 - 0.05, distinct((3, 1), 3) * 0.3 + 0.2
    check_gradient(f, (x, low, high), (0, 1, 2))


@pytest.mark.parametrize(
    "call",
    [
        "np.clip(x, a_min=lo, a_max=hi)",
        "np.clip(x, min=lo, max=hi)",
        "x.clip(min=lo)",
        "x.clip(max=hi)",
        "x.clip(lo, max=hi)",
    ],
)
def test_clip_bounds_by_keyword_are_written_as_given(call):
    f = define(f"def f(x, lo, hi):\n    return np.sum({call} ** 2)\n")
    x, lo, hi = distinct((5,), 4), -0.12, 0.17
    check_gradient(f, (x, lo, hi), (0, 1, 2))
    assert call in srcgrad.source(srcgrad.grad(f, wrt=(0, 1, 2)), x, lo, hi)


def test_clip_keeps_none_bounds_as_written():
    f = define("def f(x):\n    return np.sum(np.clip(x, None, 0.5) ** 2)\n")
    x = distinct((4,), 5)
    text = srcgrad.source(srcgrad.grad(f), x)
    assert "np.clip(x, None, 0.5)" in text
    assert "np.where(x <= 0.5, 2 * np.clip(x, None, 0.5), 0.0)" in text


@pytest.mark.parametrize(
    ("call", "message"),
    [
        ("np.clip(x, lo, hi, None)", "argument 'out' of np.clip"),
        ("np.clip(x, lo, a_min=lo)", "got a bound twice"),
        ("x.clip(a_min=lo)", "argument 'a_min' of x.clip"),
        ("np.clip(x, lo, hi, out=x)", "argument 'out' of np.clip"),
    ],
)
def test_clip_arguments_srcgrad_does_not_take_are_refused(call, message):
    f = define(f"def f(x, lo, hi):\n    return np.sum({call})\n")
    with pytest.raises(srcgrad.SrcgradError, match=message):
        srcgrad.grad(f)(np.ones(3), 0.0, 1.0)


def test_clip_of_a_bound_that_is_none_when_it_runs_is_refused():
    f = define(
        """
        def clipped(x, lo=None):
            return np.sum(np.clip(x, lo, 1.0))

        def f(x):
            return clipped(x)
        """,
        name="f",
    )
    with pytest.raises(srcgrad.SrcgradError, match="write None itself"):
        srcgrad.grad(f)(np.ones(3))


@pytest.mark.parametrize(
    "call",
    ["np.clip(x, -1.0)", "np.clip(x, -1.0, max=hi)", "np.clip(x, a_max=hi)"],
)
def test_clip_arguments_numpy_refuses_are_refused(call):
    # np.clip takes a_min and a_max together, or neither: f raises, and its
    # gradient, which needs no value of np.clip, is refused.
    f = define(f"def f(x, hi):\n    return np.sum({call})\n")
    with pytest.raises(TypeError, match="missing 1 required positional"):
        f(np.ones(3), 1.0)
    with pytest.raises(srcgrad.CallError, match="both a_min and a_max"):
        srcgrad.grad(f)(np.ones(3), 1.0)


def test_maximum_and_minimum_split_a_tie_equally():
    f = define("def f(a, b, w):\n    return np.sum(np.maximum(a, b) * w)\n")
    a, b = np.array([1.0, 2.0, 3.0]), np.array([1.0, 5.0, 0.0])
    w = np.array([1.0, 2.0, 4.0])
    a_bar, b_bar = srcgrad.grad(f, wrt=(0, 1))(a, b, w)
    np.testing.assert_array_equal(a_bar, [0.5, 0.0, 4.0])
    np.testing.assert_array_equal(b_bar, [0.5, 2.0, 0.0])
    g = define("def g(a, b, w):\n    return np.sum(np.minimum(a, b) * w)\n")
    a_bar, b_bar = srcgrad.grad(g, wrt=(0, 1))(a, b, w)
    np.testing.assert_array_equal(a_bar, [0.5, 2.0, 0.0])
    np.testing.assert_array_equal(b_bar, [0.5, 0.0, 4.0])


def test_a_tie_with_a_broadcast_operand_sums_its_halves():
    f = define("def f(x, floor):\n    return np.sum(np.maximum(x, floor))\n")
    x = np.array([0.0, 1.0, -1.0, 0.0])
    x_bar, floor_bar = srcgrad.grad(f, wrt=(0, 1))(x, 0.0)
    np.testing.assert_array_equal(x_bar, [0.5, 1.0, 0.0, 0.5])
    assert floor_bar == 2.0  # 1/2 + 0 + 1 + 1/2


def test_clip_at_a_bound_gives_x_all_of_the_cotangent():
    f = define("def f(x, lo, hi, w):\n    return np.sum(np.clip(x, lo, hi) * w)\n")
    x, w = np.array([-1.0, -0.5, 0.5, 1.0]), np.array([1.0, 2.0, 4.0, 8.0])
    x_bar, lo_bar, hi_bar = srcgrad.grad(f, wrt=(0, 1, 2))(x, -0.5, 0.5, w)
    np.testing.assert_array_equal(x_bar, [0.0, 2.0, 4.0, 0.0])
    assert (lo_bar, hi_bar) == (1.0, 8.0)


def test_clip_with_lo_above_hi_gives_every_item_to_hi():
    # NumPy: every item is hi then, whatever x and lo are.
    f = define("def f(x, lo, hi):\n    return np.sum(np.clip(x, lo, hi))\n")
    x = np.array([-1.0, 0.2, 1.0])
    x_bar, lo_bar, hi_bar = srcgrad.grad(f, wrt=(0, 1, 2))(x, 0.5, 0.1)
    np.testing.assert_array_equal(x_bar, [0.0, 0.0, 0.0])
    assert (lo_bar, hi_bar) == (0.0, 3.0)


def test_logaddexp_of_large_and_far_apart_numbers():
    f = define("def f(a, b):\n    return np.sum(np.logaddexp(a, b))\n")
    a, b = np.array([1000.0, -1000.0, 800.0, 0.0]), np.array([1000.0, 5.0, -800.0, 0.0])
    a_bar, b_bar = srcgrad.grad(f, wrt=(0, 1))(a, b)
    np.testing.assert_array_equal(a_bar, [0.5, 0.0, 1.0, 0.5])
    np.testing.assert_array_equal(b_bar, [0.5, 1.0, 0.0, 0.5])


LOGSUMEXP = """
    def f(z, w):
        m = {maximum}
        return np.sum(np.log(np.sum(np.exp(z - m), axis=1, keepdims=True)) + m) * w
    """
SOFTMAX_CROSS_ENTROPY = """
    def loss(z, y):
        m = z.max(axis=1, keepdims=True)
        shifted = z - m
        log_p = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
        return -np.mean(np.sum(y * log_p, axis=1))
    """


def _softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


@pytest.mark.parametrize(
    "maximum",
    ["z.max(axis=1, keepdims=True)", "np.amax(z, 1, keepdims=True)"],
)
@pytest.mark.parametrize("ties", [False, True])
def test_log_sum_exp_gradient_is_softmax_ties_or_not(maximum, ties):
    # The max's own derivative cancels: d/dm (lse(z - m) + m) = 0.
    f = define(LOGSUMEXP.format(maximum=maximum))
    z = np.random.default_rng(3).normal(size=(4, 5)) * 3
    if ties:
        z[:, 1] = z[:, 3] = z.max(axis=1) + 1.0
        z[0] = 2.5  # every item tied
    z_bar = srcgrad.grad(f)(z, 1.5)
    np.testing.assert_allclose(z_bar, 1.5 * _softmax(z), rtol=1e-14, atol=1e-16)
    if not ties:
        check_gradient(f, (z, 1.5), (0, 1))


@pytest.mark.parametrize("ties", [False, True])
def test_softmax_cross_entropy_gradient_is_softmax_minus_labels(ties):
    loss = define(SOFTMAX_CROSS_ENTROPY)
    rng = np.random.default_rng(4)
    z = rng.normal(size=(6, 3)) * 2
    if ties:
        z[::2, 0] = z[::2, 2] = z[::2].max(axis=1) + 0.5
    y = np.eye(3)[rng.integers(0, 3, size=6)]
    z_bar = srcgrad.grad(loss)(z, y)
    np.testing.assert_allclose(z_bar, (_softmax(z) - y) / 6, rtol=1e-13, atol=1e-16)
    if not ties:
        check_gradient(loss, (z, y), (0,))
