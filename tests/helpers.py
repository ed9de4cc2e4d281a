"""Shared test helpers: define functions from text, run the pipeline verified."""

from __future__ import annotations

import itertools
import math
import os
import textwrap
import types
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from srcgrad.codegen import generate, load
from srcgrad.codegen.load import register_source
from srcgrad.compiler import describe_gradient, gradient_ir
from srcgrad.frontend import lower_live
from srcgrad.ir import Function, verify

GOLDEN = Path(__file__).parent / "golden"
_counter = itertools.count()


def define(
    source: str, name: str | None = None, **namespace: Any
) -> types.FunctionType:
    """Define the function in ``source`` as if it were in a file of its own.

    The text is registered with linecache under a made-up file name, so
    ``inspect.getsource`` (and so srcgrad) can read it back.
    """
    text = textwrap.dedent(source).lstrip("\n")
    filename = f"<test-source-{next(_counter)}>"
    register_source(filename, text)
    scope: dict[str, Any] = {"math": math, "np": np, "__name__": "test_module"}
    scope.update(namespace)
    exec(compile(text, filename, "exec"), scope)
    if name is None:
        name = next(
            line.split("def ", 1)[1].split("(", 1)[0]
            for line in text.splitlines()
            if line.startswith("def ")
        )
    return scope[name]  # type: ignore[no-any-return]


def verified_gradient_ir(function: types.FunctionType, wrt: Sequence[str]) -> Function:
    """The gradient IR of ``function``, with the verifier run after every pass."""
    primal = verify(lower_live(function))
    return gradient_ir(primal, list(wrt), after_each=verify)


def verified_gradient(
    function: types.FunctionType, wrt: Sequence[str]
) -> types.FunctionType:
    """A callable gradient built through the verified pipeline."""
    ir = verified_gradient_ir(function, wrt)
    return load(
        generate(ir, describe_gradient(function.__name__, wrt)), function.__globals__
    )


def code_without_comments(source: str) -> str:
    """Generated source minus its comment lines (which quote the source)."""
    return "\n".join(
        line for line in source.splitlines() if not line.lstrip().startswith("#")
    )


def check_golden(name: str, actual: str) -> None:
    """Compare with ``tests/golden/<name>``; SRCGRAD_UPDATE_GOLDEN=1 rewrites it."""
    path = GOLDEN / name
    if os.environ.get("SRCGRAD_UPDATE_GOLDEN"):
        path.write_text(actual)
    assert (
        path.exists()
    ), f"missing golden file {path}; run with SRCGRAD_UPDATE_GOLDEN=1"
    assert actual == path.read_text(), f"{name} differs from its golden text"


def central_difference(
    function: Any, point: Sequence[float], index: int, step: float = 1e-6
) -> float:
    """d function / d point[index], by a central difference."""
    h = step * max(1.0, abs(point[index]))
    up, down = list(point), list(point)
    up[index] += h
    down[index] -= h
    return float((function(*up) - function(*down)) / (2 * h))
