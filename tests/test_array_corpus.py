"""A corpus of NumPy programs people differentiate, through ``srcgrad.grad``.

Each program is differentiated with respect to several of its parameters,
at several argument shapes (each shape a build of its own, size-1 axes
included), and compared with central differences by ``check_gradient``,
which also builds it with the IR verified after every pass.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest
from arrays import check_gradient
from helpers import define

import srcgrad


@dataclass(frozen=True)
class Program:
    source: str
    #: The positions of the parameters differentiated.
    wrt: tuple[int, ...]
    #: The arguments at one size, from a random generator.
    arguments: Callable[[np.random.Generator, tuple[int, ...]], tuple[Any, ...]]
    sizes: tuple[tuple[int, ...], ...]


def _mlp_arguments(rng, size):
    batch, inputs, hidden, classes = size
    labels = np.eye(classes)[rng.integers(0, classes, size=batch)]
    return (
        rng.normal(size=(inputs, hidden)),
        rng.normal(size=hidden),
        rng.normal(size=(hidden, classes)),
        rng.normal(size=classes),
        rng.normal(size=(batch, inputs)),
        labels,
    )


def _logistic_arguments(rng, size):
    count, features = size
    X = rng.normal(size=(count, features))
    y = (rng.random(count) > 0.5).astype(float)
    return rng.normal(size=features), 0.3, X, y


def _rnn_arguments(rng, size):
    steps, inputs, state = size
    return (
        rng.normal(size=(state, state)) / state,
        rng.normal(size=(state, inputs)),
        rng.normal(size=state),
        rng.normal(size=state),
        rng.normal(size=(steps, inputs)),
    )


def _fit_arguments(rng, size):
    count, features = size
    return rng.normal(size=(count, features)), rng.normal(size=count), 0.5


CORPUS = {
    "mlp with tanh and softmax cross-entropy": Program(
        """
        def loss(W1, b1, W2, b2, X, Y):
            H = np.tanh(X @ W1 + b1)
            Z = H @ W2 + b2
            Z = Z - np.max(Z, axis=1, keepdims=True)
            log_p = Z - np.log(np.sum(np.exp(Z), axis=1, keepdims=True))
            return -np.mean(np.sum(Y * log_p, axis=1))
        """,
        (0, 1, 2, 3),
        _mlp_arguments,
        ((1, 2, 3, 2), (5, 3, 4, 3), (4, 1, 1, 2)),
    ),
    "logistic regression": Program(
        """
        def loss(w, b, X, y):
            z = X @ w + b
            p = 1.0 / (1.0 + np.exp(-z))
            return -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))
        """,
        (0, 1),
        _logistic_arguments,
        ((20, 3), (1, 2), (7, 1)),
    ),
    "vector rosenbrock with slices": Program(
        """
        def rosenbrock(x):
            return np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)
        """,
        (0,),
        lambda rng, size: (rng.uniform(-1.5, 1.5, size=size),),
        ((2,), (3,), (8,)),
    ),
    "rnn over the steps of a sequence": Program(
        """
        def rnn(W, U, b, h, x):
            for t in range(x.shape[0]):
                h = np.tanh(W @ h + U @ x[t] + b)
            return np.sum(h ** 2)
        """,
        (0, 1, 2, 3),
        _rnn_arguments,
        ((1, 2, 3), (4, 3, 2), (3, 1, 1)),
    ),
    "stencil writing items in a loop": Program(
        """
        def stencil(x, c):
            n = x.shape[0]
            y = np.zeros(n)
            for i in range(1, n - 1):
                y[i] = x[i - 1] - c * x[i] + x[i + 1]
            return np.sum(y ** 2)
        """,
        (0, 1),
        lambda rng, size: (rng.normal(size=size), 2.0),
        ((3,), (4,), (9,)),
    ),
    "stencil writing a slice": Program(
        """
        def stencil(x, c):
            y = np.zeros_like(x)
            y[1:-1] = x[:-2] - c * x[1:-1] + x[2:]
            return np.sum(y ** 2)
        """,
        (0, 1),
        lambda rng, size: (rng.normal(size=size), 2.0),
        ((3,), (9,), (4, 2)),
    ),
    "least squares by the normal equations": Program(
        """
        def fit(X, y):
            w = np.linalg.solve(X.T @ X, X.T @ y)
            return np.sum((X @ w - y) ** 2)
        """,
        (0, 1),
        lambda rng, size: _fit_arguments(rng, size)[:2],
        ((3, 1), (6, 2), (10, 3)),
    ),
    "ridge regression": Program(
        """
        def ridge(X, y, lam):
            k = X.shape[1]
            w = np.linalg.solve(X.T @ X + lam * np.eye(k), X.T @ y)
            return np.sum((X @ w - y) ** 2)
        """,
        (0, 1, 2),
        _fit_arguments,
        ((2, 1), (10, 3)),
    ),
}

CASES = [(name, size) for name, program in CORPUS.items() for size in program.sizes]


@pytest.mark.parametrize(("name", "size"), CASES, ids=[f"{n}-{s}" for n, s in CASES])
def test_gradient_matches_finite_differences(name, size):
    program = CORPUS[name]
    f = define(program.source)
    arguments = program.arguments(np.random.default_rng(len(size)), size)
    check_gradient(f, arguments, program.wrt)


def test_rosenbrock_is_flat_at_its_minimum():
    f = define(CORPUS["vector rosenbrock with slices"].source)
    (gradient,) = check_gradient(f, (np.ones(5),), (0,))
    assert np.array_equal(gradient, np.zeros(5))


def test_a_gradient_for_numbers_hands_arrays_on():
    # The gradient built for numbers sends arrays to a build for their types.
    f = define(CORPUS["logistic regression"].source)
    source = srcgrad.source(srcgrad.grad(f, wrt=(0, 1)))
    assert "for_arrays" in source
