"""What ``check_grads`` differentiates with respect to, and how it lays out
values: every number, array and tuple of them as one flat vector, each item
with a label that says where it came from."""

from __future__ import annotations

import dataclasses
import inspect
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

Vector = NDArray[np.float64]
#: Which positions (or names) of ``f``'s arguments to differentiate.
Wrt = int | str | Sequence[int | str] | None


@dataclasses.dataclass(frozen=True)
class Input:
    """An argument differentiated with respect to: a float or float array."""

    position: int
    name: str
    value: Any

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(np.shape(self.value))

    @property
    def items(self) -> list[tuple[int, ...]]:
        return list(np.ndindex(self.shape))

    @property
    def epsilon(self) -> float:
        """The machine epsilon of the input's type."""
        return float(np.finfo(np.result_type(self.value)).eps)

    def item(self, item: tuple[int, ...]) -> float:
        return float(np.asarray(self.value)[item])

    def label(self, item: tuple[int, ...]) -> str:
        """``x``, or ``x[1, 2]`` for an item of an array."""
        return f"{self.name}[{', '.join(map(str, item))}]" if self.shape else self.name

    def described(self, item: tuple[int, ...]) -> str:
        """``x[1] (argument 0) = 0.25``."""
        return f"{self.label(item)} (argument {self.position}) = {self.item(item)!r}"

    def moved(self, item: tuple[int, ...], delta: float) -> Any:
        """The value with one item moved by ``delta``."""
        if not isinstance(self.value, np.ndarray):
            return self.value + delta
        moved = self.value.copy()
        moved[item] += delta
        return moved

    def random(self, rng: np.random.Generator) -> Any:
        """A random tangent: standard normal items, of the input's kind."""
        if not isinstance(self.value, np.ndarray):
            return float(rng.standard_normal())
        return rng.standard_normal(self.shape).astype(self.value.dtype)


def selected_inputs(
    f: Callable[..., Any], args: tuple[Any, ...], wrt: Wrt
) -> list[Input]:
    """The arguments ``wrt`` selects (every float one, by default).

    Raises:
        ValueError: ``wrt`` selects no argument, or one that is not a float
            or a float array.
    """
    names = _parameter_names(f, len(args))
    if wrt is None:
        positions = [p for p, value in enumerate(args) if is_float(value)]
    else:
        chosen = [wrt] if isinstance(wrt, (int, str)) else list(wrt)
        positions = [_position(names, args, each) for each in chosen]
    if not positions:
        raise ValueError(
            "check_grads: no argument is a float or a float array; say which "
            "to differentiate with wrt="
        )
    for p in positions:
        if not is_float(args[p]):
            raise ValueError(
                "check_grads differentiates with respect to floats and float "
                f"arrays; argument {p} ({names[p]}) is {type(args[p]).__name__}"
            )
    return [Input(p, names[p], args[p]) for p in dict.fromkeys(positions)]


def _position(names: list[str], args: tuple[Any, ...], wrt: int | str) -> int:
    if isinstance(wrt, str):
        if wrt not in names:
            raise ValueError(f"check_grads: wrt={wrt!r} names no argument given")
        return names.index(wrt)
    if not -len(args) <= wrt < len(args):
        raise ValueError(f"check_grads: wrt={wrt} is not a position in args")
    return wrt % len(args)


def _parameter_names(f: Callable[..., Any], count: int) -> list[str]:
    """The names of ``f``'s first ``count`` positional parameters."""
    try:
        parameters = list(inspect.signature(f).parameters.values())
    except (TypeError, ValueError):  # no signature to read
        parameters = []
    positional = (
        inspect.Parameter.POSITIONAL_ONLY,
        inspect.Parameter.POSITIONAL_OR_KEYWORD,
    )
    names = [p.name for p in parameters if p.kind in positional]
    return names[:count] + [f"args[{p}]" for p in range(len(names), count)]


def is_float(value: Any) -> bool:
    """A float or a float array: something to differentiate by default."""
    if isinstance(value, np.ndarray):
        return value.dtype.kind == "f"
    return isinstance(value, (float, np.floating))


def is_number(value: Any) -> bool:
    """One number, as ``srcgrad.grad`` needs ``f`` to return."""
    return isinstance(value, (int, float, np.number)) and not isinstance(value, bool)


def flat(value: Any) -> Vector:
    """Numbers, arrays and tuples of them, as one float vector."""
    if isinstance(value, (tuple, list)):
        parts = [flat(part) for part in value]
        return np.concatenate(parts) if parts else np.zeros(0)
    return np.ravel(np.asarray(value, dtype=np.float64))


def labels(value: Any, prefix: str = "") -> list[str]:
    """For each item of ``flat(value)``, where it is in ``value``:
    ``""`` for a number, ``[2]`` for an item of an array, ``[1][0, 2]`` for
    an item of an array in a tuple."""
    if isinstance(value, (tuple, list)):
        return [
            label
            for k, part in enumerate(value)
            for label in labels(part, f"{prefix}[{k}]")
        ]
    shape = np.shape(value)
    return [
        f"{prefix}[{', '.join(map(str, item))}]" if shape else prefix
        for item in np.ndindex(shape)
    ]


def shapes(value: Any) -> list[tuple[int, ...]]:
    """The shape of each number or array in ``value``, in ``flat``'s order."""
    if isinstance(value, (tuple, list)):
        return [shape for part in value for shape in shapes(part)]
    return [tuple(np.shape(value))]


def tangents(args: tuple[Any, ...], chosen: dict[int, Any]) -> tuple[Any, ...]:
    """``jvp``'s tangents: the chosen ones, None for every other argument."""
    return tuple(chosen.get(p) for p in range(len(args)))


def replaced(args: tuple[Any, ...], changed: dict[int, Any]) -> tuple[Any, ...]:
    """``args`` with the ``changed`` ones (by position) replaced."""
    return tuple(changed.get(p, value) for p, value in enumerate(args))
