"""Hypothesis strategies of array ops to differentiate, one per primitive.

Each strategy draws a ``Case``: the op's namespace and attributes, as the
frontend sets them from the code (``np.sum(x, axis=(0, -1),
keepdims=True)`` is ``reduce_sum`` with ``axis`` and ``keepdims``), and
its operands. Shapes are drawn (broadcast-compatible where the op
broadcasts), and so are axes, negative ones and tuples included. The
numbers are drawn apart from each other and from the op's kinks
(``values``), so that a central difference sees a smooth function and no
maximum has a tie.

This module holds what the strategies share, and those of the elementwise
primitives of numbers; the array primitives' are in ``array_layout_cases``,
``array_math_cases``, ``array_product_cases`` and ``array_index_cases``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from array_rules import Fixed
from arrays import distinct
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from srcgrad.primitives import CustomSpelling

ANY = (-2.0, 2.0)
seeds = st.integers(0, 2**16)


@dataclass(frozen=True)
class Case:
    """One op at given operands: ``Fixed`` ones are constants of the op (a
    shape written out), the others its inputs."""

    name: str
    namespace: str
    attributes: Mapping[str, object]
    operands: tuple[Any, ...]

    @property
    def inputs(self) -> list[Any]:
        return [value for value in self.operands if not isinstance(value, Fixed)]

    def __repr__(self) -> str:
        operands = ", ".join(
            repr(value) if isinstance(value, Fixed) else _described(value)
            for value in self.operands
        )
        return f"Case({self.name}, {self.namespace}, {self.attributes}, [{operands}])"


def _described(value: Any) -> str:
    if isinstance(value, np.ndarray):
        if value.dtype != float or value.size <= 4:
            return f"np.array({value.tolist()!r})"
        return f"<{value.dtype} {value.shape}>"
    return repr(value)


def values(
    shapes: Sequence[tuple[int, ...]], seed: int, domain: tuple[float, float] = ANY
) -> list[Any]:
    """Numbers of ``shapes`` inside ``domain`` (a float for ``()``), all of
    them apart from each other, and from the middle of ``domain`` (the
    kink of ``abs``, ``sign``): no ties between operands either."""
    low, high = domain
    sizes = [math.prod(shape) for shape in shapes]
    total = max(sum(sizes), 1)
    spacing = min(0.1, 0.8 * (high - low) / total)
    pool = distinct((total,), seed, spacing) + (low + high) / 2
    made, start = [], 0
    for shape, size in zip(shapes, sizes, strict=True):
        items = pool[start : start + size]
        start += size
        made.append(float(items[0]) if shape == () else items.reshape(shape))
    return made


def shapes(min_dims: int = 1, max_dims: int = 3, max_side: int = 3) -> Any:
    return hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, max_side=max_side)


def axes(rank: int, none: bool = True, tuples: bool = True) -> Any:
    """An ``axis=`` of an array of ``rank`` axes: None, one (perhaps
    negative) or a tuple of them."""
    options = [st.none()] if none else []
    if rank:
        options.append(st.integers(-rank, rank - 1))
        if tuples:
            options.append(hnp.valid_tuple_axes(rank, min_size=1))
    return st.one_of(options)


def written(**attributes: object) -> dict[str, object]:
    """Attributes as the frontend sets them: an option left out is absent."""
    return {
        key: value
        for key, value in attributes.items()
        if value is not None and value is not False
    }


def same_size(draw: Callable[..., Any], size: int, max_dims: int = 3) -> tuple:
    """A shape of ``size`` items, drawn from its factorisations."""
    rank = draw(st.integers(1, max_dims))
    dims = []
    left = size
    for _ in range(rank - 1):
        divisor = draw(
            st.sampled_from([d for d in range(1, left + 1) if left % d == 0])
        )
        dims.append(divisor)
        left //= divisor
    return (*dims, left)


def namespace_of(draw: Callable[..., Any], *namespaces: str) -> str:
    return str(draw(st.sampled_from(namespaces)))


def elementwise(primitive: Any) -> Any:
    """A primitive of numbers applied to arrays that broadcast together,
    each operand inside its domain, as NumPy or an operator spells it."""
    # An operator a rule writes as ``a if c else b`` (``power_rule``) is
    # written with NumPy wherever an operand is an array.
    namespaces = ["numpy"]
    operator = primitive.spellings.get("operator")
    if operator is not None and not isinstance(operator.written, CustomSpelling):
        namespaces.append("operator")
    arity = primitive.arity or 2

    @st.composite
    def strategy(draw):
        found = draw(
            hnp.mutually_broadcastable_shapes(
                num_shapes=arity, max_dims=3, max_side=3
            ).filter(lambda drawn: drawn.result_shape != ())
        )
        seed = draw(seeds)
        operands = [
            values([shape], seed + i, primitive.domain[i])[0]
            for i, shape in enumerate(found.input_shapes)
        ]
        namespace = namespace_of(draw, *namespaces)
        return Case(primitive.name, namespace, {}, tuple(operands))

    return strategy()
