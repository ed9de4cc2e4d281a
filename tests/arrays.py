"""Helpers for array gradients: central differences, and a checked build.

``numeric_gradient`` differentiates by central differences, one item at a
time; ``check_gradient`` builds ``grad(f)`` through the public API, and
also through the pipeline with the IR verifier after every pass, and
compares both with it.
"""

from __future__ import annotations

import inspect
import types
from collections.abc import Sequence
from typing import Any

import numpy as np

import srcgrad
from srcgrad.codegen import load
from srcgrad.codegen.emit import generate_program
from srcgrad.compiler import gradient_program
from srcgrad.frontend import lower_live_program
from srcgrad.ir import verify
from srcgrad.passes.types import Signature
from srcgrad.runtime import type_of


def numeric_gradient(
    f: types.FunctionType, args: Sequence[Any], index: int, step: float = 1e-6
) -> Any:
    """d f / d args[index] by central differences, item by item."""
    x = args[index]
    if np.ndim(x) == 0 and not isinstance(x, np.ndarray):
        return (_at(f, args, index, x + step) - _at(f, args, index, x - step)) / (
            2 * step
        )
    x = np.asarray(x, dtype=float)
    result = np.zeros_like(x)
    for item in np.ndindex(*x.shape):
        up, down = x.copy(), x.copy()
        up[item] += step
        down[item] -= step
        difference = _at(f, args, index, up) - _at(f, args, index, down)
        result[item] = difference / (2 * step)
    return result


def _at(f: types.FunctionType, args: Sequence[Any], index: int, value: Any) -> float:
    changed = list(args)
    changed[index] = value
    return float(f(*changed))


def verified_array_gradient(
    f: types.FunctionType, wrt: Sequence[str], args: Sequence[Any]
) -> types.FunctionType:
    """The gradient of ``f`` for the types of ``args``, built with the IR
    verified after every pass."""
    names = list(inspect.signature(f).parameters)
    signature = Signature(
        tuple((name, type_of(arg, name)) for name, arg in zip(names, args, strict=True))
    )
    program = gradient_program(
        lower_live_program(f),
        list(wrt),
        as_tuple=True,
        after_each=_verify_all,
        signature=signature,
    )
    for function in program.functions.values():
        verify(function)
    return load(generate_program(program, "verified"), f.__globals__)


def _verify_all(ir: Any) -> None:
    functions = getattr(ir, "functions", None)
    for function in functions.values() if functions else [ir]:
        verify(function)


def check_gradient(
    f: types.FunctionType,
    args: Sequence[Any],
    wrt: Sequence[int],
    *,
    rtol: float = 1e-5,
    atol: float = 1e-7,
) -> tuple[Any, ...]:
    """``grad(f, wrt)`` at ``args`` against central differences, each
    result of the shape of its input; returns the gradient."""
    before = [np.copy(arg) if isinstance(arg, np.ndarray) else arg for arg in args]
    got = srcgrad.grad(f, wrt=tuple(wrt))(*args)
    for arg, kept in zip(args, before, strict=True):
        if isinstance(arg, np.ndarray):
            assert np.array_equal(
                arg, kept, equal_nan=True
            ), "the gradient changed an input"
    names = list(inspect.signature(f).parameters)
    verified = verified_array_gradient(f, [names[i] for i in wrt], args)(*args)
    for position, index in enumerate(wrt):
        expected = numeric_gradient(f, args, index)
        assert np.shape(got[position]) == np.shape(args[index]), (
            f"d/d{names[index]} has shape {np.shape(got[position])}, "
            f"its input {np.shape(args[index])}"
        )
        np.testing.assert_allclose(got[position], expected, rtol=rtol, atol=atol)
        np.testing.assert_allclose(verified[position], got[position], rtol=1e-12)
    return tuple(got)


def distinct(shape: tuple[int, ...], seed: int, spacing: float = 0.1) -> Any:
    """Numbers of ``shape`` at least ``spacing / 2`` apart, around 0 but
    none within ``spacing / 4`` of it: no ties and no kinks within a
    central difference's step (a float for ``()``)."""
    rng = np.random.default_rng(seed)
    size = int(np.prod(shape))
    ranks = rng.permutation(size) - size // 2 + 0.5
    values = ranks * spacing + rng.uniform(-spacing / 5, spacing / 5, size)
    return float(values[0]) if shape == () else values.reshape(shape)
