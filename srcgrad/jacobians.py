"""Jacobians, by forward mode or by reverse mode, whichever is cheaper.

A Jacobian of ``f`` with ``n`` input items and ``m`` output items takes
``n`` forward sweeps (one per input direction) or ``m`` reverse sweeps
(one per output direction). ``mode="auto"`` counts both when called and
takes the smaller. For inputs that are all numbers, forward mode is one
generated function (``derivative``) that sweeps every direction at once.
"""

from __future__ import annotations

import types
from collections.abc import Callable
from typing import Any

from srcgrad.api import transformed
from srcgrad.columns import unit_vectors
from srcgrad.errors import CallError, SrcgradError
from srcgrad.transforms import call_with_tangents, vjp
from srcgrad.wrt import Wrt, wrt_names

MODES = ("auto", "forward", "reverse")


def jacobian(f: Callable[..., Any], wrt: Wrt = 0, *, mode: str = "auto") -> Any:
    """The Jacobian of ``f``, as a function of ``f``'s positional arguments.

    As JAX's ``jax.jacobian``: for an input of shape ``s`` and an output
    of shape ``t``, a block of shape ``t + s`` (a number for two numbers).
    With a tuple ``wrt``, one block per input, in a tuple; for a tuple of
    outputs, one such result per output, in a tuple.

    Args:
        f: returns a number, an array, or a tuple of them.
        wrt: the positions or names of the inputs (numbers or float
            arrays) to differentiate with respect to.
        mode: ``forward`` (one sweep per input item), ``reverse`` (one per
            output item), or ``auto``: the one with fewer sweeps, counted
            when called (forward on a tie), or the other where that one
            cannot be built.

    Raises:
        CallError: ``mode`` is not one of the three; the function returned
            is called with keyword arguments.
    """
    if mode not in MODES:
        raise CallError(f"mode is one of {MODES}, not {mode!r}")
    if not isinstance(f, types.FunctionType):
        transformed(f, wrt, with_value=False, has_aux=False)  # its clear error
    code = f.__code__
    parameters = code.co_varnames[: code.co_argcount + code.co_kwonlyargcount]
    names = wrt_names(f.__qualname__, parameters, wrt)
    positions = tuple(parameters.index(name) for name in names)
    as_tuple = isinstance(wrt, tuple)

    def jacobian_of_f(*args: Any, **kwargs: Any) -> Any:
        if kwargs:
            raise CallError(
                "a Jacobian takes f's arguments by position (keywords: "
                f"{', '.join(kwargs)})"
            )
        missing = [p for p in positions if p >= len(args)]
        if missing:
            raise CallError(
                f"the Jacobian with respect to {names} needs f's arguments up to "
                f"position {max(missing)}"
            )
        out = f(*args)
        outputs = out if isinstance(out, tuple) else (out,)
        chosen = mode
        if mode == "auto":
            items_in = sum(_size(args[p]) for p in positions)
            items_out = sum(_size(value) for value in outputs)
            chosen = "forward" if items_in <= items_out else "reverse"
        sweeps = {"forward": _forward, "reverse": _reverse}
        try:
            blocks = sweeps[chosen](f, args, positions, outputs)
        except SrcgradError:
            if mode != "auto":
                raise
            # the other mode computes the same Jacobian, where this one
            # cannot be built (reverse mode of np.array of numbers)
            other = "reverse" if chosen == "forward" else "forward"
            blocks = sweeps[other](f, args, positions, outputs)
        rows = [tuple(row) if as_tuple else row[0] for row in blocks]
        return tuple(rows) if isinstance(out, tuple) else rows[0]

    jacobian_of_f.__name__ = f"{f.__name__}_jacobian"
    jacobian_of_f.__qualname__ = jacobian_of_f.__name__
    jacobian_of_f.__doc__ = (
        f"Jacobian of {f.__name__} with respect to {', '.join(names)} ({mode} mode)."
    )
    return jacobian_of_f


def _forward(
    f: Callable[..., Any],
    args: tuple[Any, ...],
    positions: tuple[int, ...],
    outputs: tuple[Any, ...],
) -> list[list[Any]]:
    """Each output's block for each input, one direction per input item
    (all at once, in one generated function, where every input is a
    number)."""
    numpy = _numpy()
    if all(args[p].__class__ is float for p in positions) and all(
        a.__class__ is float or not _is_array(a) for a in args
    ):
        partials = transformed(
            f, positions, with_value=False, has_aux=False, kind="derivative"
        )(*args)
        per_output = partials if len(outputs) > 1 else (partials,)
        return [[_number_or_array(numpy, block) for block in row] for row in per_output]
    made = transformed(f, positions, with_value=True, has_aux=False, kind="jvp")
    blocks: list[list[Any]] = [[None] * len(positions) for _ in outputs]
    for j, p in enumerate(positions):
        shape = _shape(args[p])
        columns: list[list[Any]] = [[] for _ in outputs]
        for unit in unit_vectors(numpy, shape):
            tangents: list[Any] = [None] * len(args)
            for q in positions:
                tangents[q] = _zeros(numpy, _shape(args[q]))
            tangents[p] = unit
            _, tangent = call_with_tangents(made, args, tuple(tangents))
            tangent = tangent if len(outputs) > 1 else (tangent,)
            for i, value in enumerate(tangent):
                columns[i].append(numpy.asarray(value, dtype=float))
        for i, column in enumerate(columns):
            blocks[i][j] = _stacked(numpy, column, _shape(outputs[i]), shape)
    return blocks


def _reverse(
    f: Callable[..., Any],
    args: tuple[Any, ...],
    positions: tuple[int, ...],
    outputs: tuple[Any, ...],
) -> list[list[Any]]:
    """Each output's block for each input, one reverse sweep per output
    item."""
    numpy = _numpy()
    _, pull_back = vjp(f, *args)
    blocks: list[list[Any]] = []
    for i, value in enumerate(outputs):
        shape = _shape(value)
        rows: list[list[Any]] = [[] for _ in positions]
        for unit in unit_vectors(numpy, shape):
            seeds = [_zeros(numpy, _shape(other)) for other in outputs]
            seeds[i] = unit
            cotangents = pull_back(tuple(seeds) if len(outputs) > 1 else seeds[0])
            for j, p in enumerate(positions):
                found = cotangents[p]
                if found is None:
                    raise CallError(
                        f"argument {p} is not a float or an array of floats, so "
                        "it has no Jacobian"
                    )
                rows[j].append(numpy.asarray(found, dtype=float))
        row = []
        for j, p in enumerate(positions):
            stacked = (
                numpy.stack(rows[j]) if rows[j] else numpy.zeros((0, *_shape(args[p])))
            )
            block = stacked.reshape(shape + _shape(args[p]))
            row.append(float(block) if not block.ndim else block)
        blocks.append(row)
    return blocks


def _stacked(
    numpy: Any, column: list[Any], out_shape: tuple[int, ...], in_shape: tuple[int, ...]
) -> Any:
    """The columns of one block, one per input item, shaped ``out + in``."""
    if not column:
        return numpy.zeros(out_shape + in_shape)
    stacked = numpy.stack(
        [numpy.broadcast_to(c, out_shape) for c in column], axis=-1
    ).reshape(out_shape + in_shape)
    return float(stacked) if not stacked.ndim else stacked


def _zeros(numpy: Any, shape: tuple[int, ...]) -> Any:
    return numpy.zeros(shape) if shape else 0.0


def _number_or_array(numpy: Any, value: Any) -> Any:
    return value if isinstance(value, float) else numpy.asarray(value, dtype=float)


def _shape(value: Any) -> tuple[int, ...]:
    shape = getattr(value, "shape", None)
    return tuple(shape) if shape is not None else ()


def _size(value: Any) -> int:
    size = 1
    for dim in _shape(value):
        size *= dim
    return size


def _is_array(value: Any) -> bool:
    return hasattr(value, "shape") and hasattr(value, "__array_function__")


def _numpy() -> Any:
    import numpy

    return numpy
