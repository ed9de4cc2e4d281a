"""``vjp`` and ``jacobian``: functions with several outputs.

A Jacobian by forward mode (one sweep per input item), by reverse mode
(one per output item) and by central differences must agree; ``vjp`` is
the gradient of the cotangent's dot product with the output.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from helpers import define

import srcgrad

VECTOR_FUNCTIONS = {
    "layer": (
        "def f(x, W):\n    return np.tanh(W @ x) * 2.0\n",
        lambda rng: (rng.normal(size=2), rng.normal(size=(3, 2))),
    ),
    "polar": (
        "def f(r, t):\n    return r * math.cos(t), r * math.sin(t)\n",
        lambda rng: (1.5, 0.4),
    ),
    "euler steps of an oscillator": (
        """
        def f(state, k):
            for _ in range(20):
                x, v = state[0], state[1]
                state = np.array([x + 0.05 * v, v - 0.05 * k * x])
            return state
        """,
        lambda rng: (np.array([1.0, 0.3]), 2.0),
    ),
    "an array and a number out": (
        "def f(x, c):\n    y = np.exp(c * x)\n    return y, np.sum(y * x)\n",
        lambda rng: (rng.normal(size=(2, 2)), 0.7),
    ),
    "a row of one": (
        "def f(x, c):\n    return np.sin(x) * c\n",
        lambda rng: (rng.normal(size=(1, 3)), 0.5),
    ),
}


def _differences(f, args, position):
    """The Jacobian of each output in ``args[position]``, by central
    differences, shaped ``out + in``."""
    x = args[position]
    shape = np.shape(x)
    out = f(*args)
    outputs = out if isinstance(out, tuple) else (out,)
    columns = [[] for _ in outputs]
    for k in range(int(np.prod(shape))):
        step = np.zeros(shape)
        step.flat[k] = 1e-6 if shape else 0.0
        if not shape:
            step = 1e-6
        up, down = list(args), list(args)
        up[position] = x + step
        down[position] = x - step
        above, below = f(*up), f(*down)
        above = above if isinstance(above, tuple) else (above,)
        below = below if isinstance(below, tuple) else (below,)
        for i, (a, b) in enumerate(zip(above, below, strict=True)):
            columns[i].append((np.asarray(a) - np.asarray(b)) / 2e-6)
    return [
        np.stack(column, axis=-1).reshape(np.shape(o) + shape)
        for column, o in zip(columns, outputs, strict=True)
    ]


@pytest.mark.parametrize("name", sorted(VECTOR_FUNCTIONS))
@pytest.mark.parametrize("mode", ["forward", "reverse", "auto"])
def test_jacobian_matches_differences_in_every_mode(name, mode):
    source, arguments = VECTOR_FUNCTIONS[name]
    f = define(source)
    args = arguments(np.random.default_rng(3))
    blocks = srcgrad.jacobian(f, wrt=(0, 1), mode=mode)(*args)
    several = isinstance(f(*args), tuple)
    per_output = blocks if several else (blocks,)
    for position in (0, 1):
        expected = _differences(f, args, position)
        for i, block in enumerate(per_output):
            got = block[position]
            assert np.shape(got) == np.shape(expected[i])
            np.testing.assert_allclose(got, expected[i], rtol=1e-6, atol=1e-8)


def test_forward_and_reverse_jacobians_agree_to_rounding():
    f = define(VECTOR_FUNCTIONS["layer"][0])
    args = VECTOR_FUNCTIONS["layer"][1](np.random.default_rng(0))
    forward = srcgrad.jacobian(f, wrt=1, mode="forward")(*args)
    reverse = srcgrad.jacobian(f, wrt=1, mode="reverse")(*args)
    assert forward.shape == (3, 3, 2)
    np.testing.assert_allclose(forward, reverse, rtol=1e-14, atol=1e-15)


def test_a_jacobian_of_numbers_is_one_generated_forward_sweep():
    f = define("def f(r, t):\n    return r * math.cos(t), r * math.sin(t)\n")
    (dx_dr, dx_dt), (dy_dr, dy_dt) = srcgrad.jacobian(f, wrt=(0, 1))(2.0, 0.5)
    assert (dx_dr, dy_dr) == (math.cos(0.5), math.sin(0.5))
    assert dx_dt == pytest.approx(-2.0 * math.sin(0.5), rel=1e-15)
    assert dy_dt == pytest.approx(2.0 * math.cos(0.5), rel=1e-15)
    assert srcgrad.jacobian(f, wrt="t")(2.0, 0.5) == (dx_dt, dy_dt)


def test_vjp_is_the_gradient_of_the_cotangents_dot_product():
    f = define("def f(x, W):\n    h = np.tanh(W @ x)\n    return h * 2.0, np.sum(h)\n")
    g = define(
        "def g(x, W, u, s):\n    h = np.tanh(W @ x)\n"
        "    return np.sum(h * 2.0 * u) + s * np.sum(h)\n"
    )
    rng = np.random.default_rng(1)
    x, W, u = rng.normal(size=2), rng.normal(size=(3, 2)), rng.normal(size=3)
    out, pull_back = srcgrad.vjp(f, x, W)
    np.testing.assert_array_equal(out[0], f(x, W)[0])
    gx, gW = pull_back((u, 0.5))
    ex, eW = srcgrad.grad(g, wrt=(0, 1))(x, W, u, 0.5)
    np.testing.assert_allclose(gx, ex, rtol=1e-14)
    np.testing.assert_allclose(gW, eW, rtol=1e-14)


def test_vjp_gives_none_for_what_it_does_not_differentiate():
    f = define("def f(x, n, data):\n    return x * n + sum(data)\n")
    out, pull_back = srcgrad.vjp(f, 0.5, 3, [1.0, 2.0])
    assert out == 4.5
    assert pull_back(2.0) == (6.0, None, None)


def test_vjp_checks_the_cotangents_structure_and_shapes():
    f = define("def f(x):\n    return x * 2.0, np.sum(x)\n")
    _, pull_back = srcgrad.vjp(f, np.ones(3))
    with pytest.raises(srcgrad.CallError, match="takes a tuple of 2 cotangents"):
        pull_back(np.ones(3))
    with pytest.raises(srcgrad.CallError, match="has shape \\(2,\\)"):
        pull_back((np.ones(2), 1.0))


def test_jacobian_refuses_an_unknown_mode_and_keywords():
    f = define("def f(x):\n    return x * 2.0\n")
    with pytest.raises(srcgrad.CallError, match="mode is one of"):
        srcgrad.jacobian(f, mode="sideways")
    with pytest.raises(srcgrad.CallError, match="by position"):
        srcgrad.jacobian(f)(x=1.0)


def test_auto_takes_forward_mode_where_reverse_mode_cannot_be_built():
    # Reverse mode of np.array of numbers cannot be built for numbers; a
    # vjp says so clearly, and the auto Jacobian sweeps forward instead.
    f = define("def f(a, b, c):\n    return np.array([a * b, b * c])\n")
    blocks = srcgrad.jacobian(f, wrt=(0, 1, 2))(1.0, 2.0, 3.0)
    for got, expected in zip(blocks, ([2.0, 0.0], [1.0, 3.0], [0.0, 2.0]), strict=True):
        np.testing.assert_array_equal(got, expected)
    with pytest.raises(srcgrad.ValueTypeError, match="cannot be indexed"):
        srcgrad.vjp(f, 1.0, 2.0, 3.0)


def test_vjp_fn_refuses_a_cotangent_that_is_not_real():
    f = define("def f(x):\n    return x * 2.0\n")
    _, pull_back = srcgrad.vjp(f, 1.5)
    with pytest.raises(srcgrad.NotRealError, match="cotangent 0 is None"):
        pull_back(None)
    with pytest.raises(srcgrad.NotRealError, match="cotangent 0 is 1j"):
        pull_back(1j)
    assert pull_back(3.0) == (6.0,)
