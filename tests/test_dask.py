"""Arrays that are not NumPy's flow through the generated code unchanged.

The same gradient of a logistic-regression loss runs on a chunked Dask
array: it gives NumPy's numbers, and stays lazy until ``.compute()``.
"""

from __future__ import annotations

import dask.array as da  # a test dependency: pyproject's test extra
import numpy as np
from helpers import code_without_comments, define

import srcgrad

LOSS = """
def loss(w, b, X, y):
    z = X @ w + b
    p = 1.0 / (1.0 + np.exp(-z))
    return -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))
"""


def test_logistic_regression_on_chunked_dask_arrays_is_lazy_and_exact():
    loss = define(LOSS)
    rng = np.random.default_rng(7)
    X = rng.normal(size=(400, 5))
    y = (rng.random(400) > 0.5).astype(float)
    w, b = rng.normal(size=5), 0.2
    gradient = srcgrad.grad(loss, wrt=(0, 1))
    w_bar, b_bar = gradient(w, b, X, y)
    lazy_w, lazy_b = gradient(
        w, b, da.from_array(X, chunks=(100, 5)), da.from_array(y, chunks=100)
    )
    assert isinstance(lazy_w, da.Array) and isinstance(lazy_b, da.Array)
    np.testing.assert_allclose(lazy_w.compute(), w_bar, rtol=1e-12)
    np.testing.assert_allclose(lazy_b.compute(), b_bar, rtol=1e-12)
    # The generated code calls NumPy, which hands Dask arrays to Dask.
    source = srcgrad.source(gradient, w, b, da.from_array(X, chunks=(100, 5)), y)
    assert "asarray" not in source and "X.T @ " in source


def test_a_dask_array_to_differentiate_with_respect_to():
    f = define("def f(x):\n    return np.sum(np.sin(x) * x)\n")
    x = np.linspace(-1.0, 1.0, 12)
    lazy = srcgrad.grad(f)(da.from_array(x, chunks=4))
    assert isinstance(lazy, da.Array)
    np.testing.assert_allclose(lazy.compute(), np.cos(x) * x + np.sin(x), rtol=1e-12)


def test_the_function_s_own_np_asarray_is_the_only_conversion():
    # f makes X a NumPy array itself: the gradient does so where f does,
    # and nowhere else, so it gives NumPy's numbers for a Dask X.
    f = define(
        "def f(w, X):\n    X = np.asarray(X)\n    return np.sum(np.sin(X @ w))\n"
    )
    rng = np.random.default_rng(3)
    X, w = rng.normal(size=(8, 3)), rng.normal(size=3)
    gradient = srcgrad.grad(f)
    expected = gradient(w, X)
    np.testing.assert_allclose(gradient(w, da.from_array(X, chunks=4)), expected)
    source = srcgrad.source(gradient, w, da.from_array(X, chunks=4))
    code = code_without_comments(source)
    assert code.count("asarray") == 1 and "np.asarray(X)" in code


def test_a_derivative_and_a_global_dask_array_stay_lazy():
    f = define("def f(x, A):\n    return np.sum(A * x)\n")
    A = da.ones(100, chunks=10)
    assert isinstance(srcgrad.derivative(f)(2.0, A), da.Array)
    assert isinstance(srcgrad.grad(f)(2.0, A), da.Array)
    g = define("def g(x):\n    return x * np.sum(G)\n", G=A)
    lazy = srcgrad.grad(g)(2.0)
    assert isinstance(lazy, da.Array) and float(lazy.compute()) == 100.0
    assert type(srcgrad.grad(f)(2.0, np.ones(3))) is float
