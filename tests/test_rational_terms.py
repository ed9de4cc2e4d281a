"""Derivative terms on arrays that cancel as rational functions
(``srcgrad.passes.rational``): what is rewritten, what is left, and the
gradients of random functions built the same way.

The chain rule through a sigmoid and two logs multiplies out to eight
passes over arrays that cancel to ``c * (y - p)``; a term that cancels
into nothing cheaper, or only by dropping a value that gave it a
dimension, stays as the rules wrote it.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from arrays import check_gradient, distinct
from helpers import code_without_comments, define

import srcgrad

LOGISTIC = """
    def loss(w, b, X, y):
        z = X @ w + b
        p = 1.0 / (1.0 + np.exp(-z))
        return -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))
    """


def _code(f, wrt, *args):
    return code_without_comments(srcgrad.source(srcgrad.grad(f, wrt=wrt), *args))


def _logistic_args(labels):
    rng = np.random.default_rng(0)
    return rng.normal(size=3), 0.3, rng.normal(size=(20, 3)), labels(rng)


def test_the_logistic_loss_cancels_to_an_accurate_short_gradient():
    # c*(y*(1 + t) - (1 - y)/(1 - p)) * p*p*t with p = 1/(1 + t) is c*(y - p),
    # the textbook gradient, but y - p loses every digit of a small t at
    # y = 1 (a confident right prediction); c*(y - 1 + y*t)*p is as short
    # and exact there. The primal keeps its values (and the checks that
    # log's warnings are f's).
    f = define(LOGISTIC)
    args = _logistic_args(lambda rng: (rng.random(20) > 0.5).astype(float))
    check_gradient(f, args, (0, 1))
    code = _code(f, (0, 1), *args)
    assert "t = np.exp(-z)" in code and "p = 1.0 / (1.0 + t)" in code
    assert (
        "    if outside_domain(p, 0.0, 1.0):\n"
        "        np.log(p)  # kept: warns (nan) outside its domain, as f does\n"
        "        np.log(1 - p)  # kept: warns (nan) outside its domain, as f does\n"
    ) in code
    assert "z_bar = -1.0 / y.size * (y - 1 + y * t) * p" in code


@pytest.mark.parametrize("z", [5.0, 20.0, 30.0, 36.0, -30.0])
def test_the_logistic_gradient_is_exact_where_the_prediction_is_sure(z):
    f = define(LOGISTIC)
    X, w = np.array([[z]]), np.array([1.0])
    for y in (1.0, 0.0):
        w_bar, _ = srcgrad.grad(f, wrt=(0, 1))(w, 0.0, X, np.array([y]))
        p = 1 / (1 + np.exp(-z))
        exact = z * (p - 1) if y else z * p  # d/dw of the loss, z = X @ w
        if y:  # p - 1 = -exp(-z) p, without the cancellation
            exact = -z * np.exp(-z) * p
        np.testing.assert_allclose(w_bar, [exact], rtol=1e-14)


def test_integer_arrays_are_left_to_the_rules():
    # a rewrite may multiply or add integer arrays before any float (y * y
    # of uint8 data wraps around): a term that reads one is not cancelled
    f = define(LOGISTIC)
    args = _logistic_args(lambda rng: rng.integers(0, 2, 20))
    check_gradient(f, args, (0, 1))
    assert "(y - p)" not in _code(f, (0, 1), *args)
    g = define(
        "def g(z, y):\n    d = 1 + np.exp(-z)\n    return np.sum(y / d * y / d)\n"
    )
    data = np.array([200, 100, 3, 250, 120, 7], dtype=np.uint8)
    check_gradient(g, (np.linspace(-1.0, 1.0, 6), data), (0,))


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_a_form_that_would_lose_digits_is_not_taken(dtype):
    # 0.5 * y * p * t (t = exp(-z) small) cancels to y * (1 - p) / 2, one
    # pass fewer, but 1 - p loses every digit of t: it is 0 in float32 at
    # z = 17, where the gradient is 2e-8
    f = define(
        "def f(z, y):\n    p = 1.0 / (1.0 + np.exp(-z))\n"
        "    return np.sum(0.5 * y * np.log(p))\n"
    )
    z = np.array([-3.0, 0.5, 10.0, 17.0, 25.0, 40.0], dtype)
    z_bar = srcgrad.grad(f)(z, np.ones(6, dtype))
    exact = 0.5 * np.exp(-z.astype(np.float64)) / (1 + np.exp(-z.astype(np.float64)))
    np.testing.assert_allclose(
        z_bar, exact, rtol=1e-6 if dtype == np.float32 else 1e-13
    )
    assert "1 - p" not in _code(f, (0,), z, np.ones(6, dtype))


def test_a_term_that_cancels_into_nothing_cheaper_is_left_alone():
    # d/dx of x/(x + y) is 1/t - x/t**2 = y/t**2: more passes than the one
    # subtraction the rules need, given 1/t and x/t*(1/t) are shared.
    f = define("def f(x, y):\n    return np.sum(x / (x + y))\n")
    args = (distinct((5,), 1) + 3.0, distinct((5,), 2) + 6.0)
    check_gradient(f, args, (0, 1))
    code = _code(f, (0, 1), *args)
    assert "x_bar = x_bar - t_1" in code


def test_a_cancelled_value_that_gave_the_term_its_rows_stays():
    # x * a / a over a 4x3 `a` is x stretched over 4 rows: its gradient is 4
    # per item. Cancelling a / a would drop the axis `a` gave the term.
    f = define("def f(x, a):\n    return np.sum(x * a / a)\n")
    args = (distinct((3,), 3), distinct((4, 3), 4) + 5.0)
    (x_bar,) = check_gradient(f, args, (0,))
    np.testing.assert_allclose(x_bar, 4.0)
    assert "/ a" in _code(f, (0,), *args)


def test_a_dropped_atom_is_kept_even_where_another_has_its_shape():
    # cos(x * a) / a * a: cancelling would stop reading `a`, whose dtype
    # (not only its shape) the term may owe it; the pass leaves it.
    f = define("def f(x, a):\n    return np.sum(np.sin(x * a) / a)\n")
    args = (distinct((3,), 5), distinct((4, 3), 6) + 5.0)
    check_gradient(f, args, (0,))
    assert "/ a * a" in _code(f, (0,), *args)


def test_float32_arrays_keep_their_dtype():
    f = define(LOGISTIC)
    rng = np.random.default_rng(1)
    args = (
        rng.normal(size=3).astype(np.float32),
        np.float32(0.3),
        rng.normal(size=(20, 3)).astype(np.float32),
        (rng.random(20) > 0.5).astype(np.float32),
    )
    w_bar, _ = srcgrad.grad(f, wrt=(0, 1))(*args)
    assert w_bar.dtype == np.float32


# Random functions of the logistic loss's shape: a rational function of an
# exponential (or of z itself), and terms that divide by it, log it, and
# multiply it by labels. Their derivative terms are the clusters the pass
# cancels (or leaves, when nothing cheaper comes out).
_SQUASHES = (
    "p = 1.0 / (1.0 + np.exp(-z))",
    "e = np.exp(z)\n    p = e / (2.0 + e)",
    "p = 1.0 / (1.0 + z * z)",
    "p = 2.0 / (3.0 + np.exp(z))",
)
_TERMS = (
    "y * np.log(p)",
    "(1 - y) * np.log(1 - p)",
    "y / (1 + p)",
    "p * p * y",
    "(y - p) / (2.0 - p)",
    "np.log(p) / (1.0 + y * y)",
    "(1 - p) / p * y",
)


def _random_source(seed: int) -> str:
    rng = np.random.default_rng(seed)
    squash = _SQUASHES[rng.integers(len(_SQUASHES))]
    picked = rng.choice(len(_TERMS), size=rng.integers(2, 4), replace=False)
    weights = rng.choice([0.5, 1.0, 2.0, 3.0], size=len(picked))
    total = " + ".join(
        f"{w} * {_TERMS[i]}" for w, i in zip(weights, picked, strict=True)
    )
    return (
        f"def f(w, X, y):\n    z = X @ w\n    {squash}\n"
        f"    return np.mean({total})\n"
    )


@pytest.mark.parametrize("seed", range(40))
def test_random_functions_of_the_same_shape(seed):
    f = define(_random_source(seed))
    rng = np.random.default_rng(100 + seed)
    X = distinct((12, 3), seed) * 4
    y = rng.uniform(0.1, 0.9, 12)
    check_gradient(f, (distinct((3,), seed + 50), X, y), (0, 2), rtol=1e-4)


def test_cancelling_imports_no_sympy(tmp_path):
    # The cancellation is srcgrad's own algebra (rational_functions): a build
    # for arrays, like one for numbers, imports no SymPy (which takes longer
    # to import than the build).
    (tmp_path / "logistic.py").write_text(
        "import numpy as np\n" + textwrap.dedent(LOGISTIC)
    )
    code = (
        "import sys\n"
        f"sys.path.insert(0, {str(tmp_path)!r})\n"
        "import numpy as np, srcgrad, logistic\n"
        "rng = np.random.default_rng(0)\n"
        "X, y = rng.normal(size=(20, 3)), (rng.random(20) > 0.5).astype(float)\n"
        "g = srcgrad.grad(logistic.loss, wrt=(0, 1))\n"
        "g(rng.normal(size=3), 0.3, X, y)\n"
        "print('(y - 1 + y * t)' in srcgrad.source(g, rng.normal(size=3), 0.3, X, y))\n"
        "print('sympy' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True,
        env={"SRCGRAD_CACHE": "0", "PATH": "", "PYTHONPATH": os.pathsep.join(sys.path)},
    )  # fmt: skip
    assert done.stdout.split() == ["True", "False"], done.stdout
