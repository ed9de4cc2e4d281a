"""Array benchmarks: srcgrad's gradient next to a hand-written NumPy one.

    MLP loss            784-128-10, batch 64, tanh, softmax cross-entropy
    logistic regression negative log-likelihood, 2000 x 50
    vector Rosenbrock   n = 1000, with slices

For each: the primal, a gradient written by hand the way a careful person
writes it, srcgrad's gradient (built for the arguments' signature: the
axes each adjoint is summed over written out), and the same function built
with every size unknown, so that a helper decides at run time which axes
to sum over wherever broadcasting might happen (the other design
docs/design.md weighs). Times are per call, best of interleaved runs.

    python benchmarks/arrays.py [--repeat 15] [--seconds 0.2]
"""

from __future__ import annotations

import argparse
import dataclasses
import platform
import sys

import numpy as np
from timing import print_table, time_all
from workloads import (
    logistic,
    logistic_by_hand,
    logistic_by_hand_exact,
    rosenbrock,
    rosenbrock_by_hand,
)

import srcgrad
from srcgrad import building
from srcgrad.ir.types import Array
from srcgrad.runtime import type_of


def mlp(W1, b1, W2, b2, X, Y):
    h = np.tanh(X @ W1 + b1)
    z = h @ W2 + b2
    lse = np.log(np.sum(np.exp(z), axis=1, keepdims=True))
    return -np.sum(Y * (z - lse)) / X.shape[0]


def mlp_by_hand(W1, b1, W2, b2, X, Y):
    n = X.shape[0]
    h = np.tanh(X @ W1 + b1)
    z = h @ W2 + b2
    e = np.exp(z)
    dz = (e / np.sum(e, axis=1, keepdims=True) - Y) / n
    dh = dz @ W2.T
    da = dh * (1 - h * h)
    return X.T @ da, da.sum(axis=0), h.T @ dz, dz.sum(axis=0)


#: Other hand-written gradients timed beside a workload's, by its title.
EXTRA_BY_HAND = {"logistic regression": {"hand-written, exact": logistic_by_hand_exact}}


def _workloads(
    rng: np.random.Generator,
) -> list[tuple[str, object, object, tuple, tuple]]:
    X = rng.normal(size=(64, 784))
    Y = np.eye(10)[rng.integers(0, 10, 64)]
    mlp_args = (
        rng.normal(scale=0.05, size=(784, 128)),
        np.zeros(128),
        rng.normal(scale=0.05, size=(128, 10)),
        np.zeros(10),
        X,
        Y,
    )
    Xl = rng.normal(size=(2000, 50))
    yl = (rng.random(2000) > 0.5).astype(float)
    logistic_args = (rng.normal(scale=0.1, size=50), 0.1, Xl, yl)
    return [
        ("MLP loss", mlp, mlp_by_hand, mlp_args, (0, 1, 2, 3)),
        ("logistic regression", logistic, logistic_by_hand, logistic_args, (0, 1)),
        (
            "vector Rosenbrock",
            rosenbrock,
            rosenbrock_by_hand,
            (rng.normal(size=1000),),
            (0,),
        ),
    ]


def _unknown_sizes(function, wrt, args):
    """The gradient built with every array size unknown: the helper design."""
    names = list(function.__code__.co_varnames[: function.__code__.co_argcount])
    parameters = []
    for name, arg in zip(names, args, strict=True):
        type_ = type_of(arg, name)
        if isinstance(type_, Array):
            type_ = dataclasses.replace(type_, dims=(None,) * type_.rank)
        parameters.append((name, type_))
    signature = building.Signature(tuple(parameters))
    names_wrt = tuple(names[i] for i in wrt)
    compiled = building.compile_transform(function, names_wrt, True, (), signature)
    return building.bind(compiled, function, None)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--seconds", type=float, default=0.2)
    options = parser.parse_args()
    print(
        f"Python {platform.python_version()} on {platform.machine()}, NumPy "
        f"{np.__version__}, best of {options.repeat} interleaved runs"
    )
    for title, function, by_hand, args, wrt in _workloads(np.random.default_rng(0)):
        gradient = srcgrad.grad(function, wrt=wrt)
        helpers = _unknown_sizes(function, wrt, args)
        got, expected = gradient(*args), by_hand(*args)
        if not isinstance(expected, tuple):
            expected = (expected,)
        for mine, theirs in zip(got, expected, strict=True):
            np.testing.assert_allclose(mine, theirs, rtol=1e-9, atol=1e-12)
        extra = EXTRA_BY_HAND.get(title, {})
        for other in extra.values():
            for mine, theirs in zip(got, other(*args), strict=True):
                np.testing.assert_allclose(mine, theirs, rtol=1e-9, atol=1e-12)
        times = time_all(
            {
                "primal": function,
                "hand-written gradient": by_hand,
                **extra,
                "srcgrad gradient": gradient,
                "srcgrad, sizes unknown": helpers,
            },
            args,
            options.repeat,
            options.seconds,
        )
        print(f"\n{title}")
        print_table(times, "primal", "hand-written gradient", "us")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
