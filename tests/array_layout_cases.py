"""Hypothesis strategies of ops that lay items out anew: size-1 axes,
broadcasting, reordering, reshaping and joining (see ``array_cases``)."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
from array_cases import (
    Case,
    axes,
    namespace_of,
    same_size,
    seeds,
    shapes,
    values,
    written,
)
from array_rules import Fixed
from hypothesis import strategies as st

from srcgrad.runtime import type_of


# -- shapes and broadcasting -----------------------------------------------------
@st.composite
def expand_dims(draw):
    shape = draw(shapes(min_dims=0))
    added = draw(st.integers(1, 2))
    rank = len(shape) + added
    positions = draw(
        st.lists(st.integers(-rank, rank - 1), min_size=added, max_size=added).filter(
            lambda items: len({item % rank for item in items}) == len(items)
        )
    )
    axis = positions[0] if added == 1 and draw(st.booleans()) else tuple(positions)
    x = values([shape], draw(seeds))
    return Case("expand_dims", "numpy", {"axis": axis}, (np.asarray(x[0]),))


@st.composite
def squeeze(draw):
    shape = draw(shapes(max_side=3))
    ones = draw(st.lists(st.booleans(), min_size=len(shape), max_size=len(shape)))
    shape = tuple(1 if one else side for side, one in zip(shape, ones, strict=True))
    size_one = [i for i, side in enumerate(shape) if side == 1]
    axis = None
    if size_one and draw(st.booleans()):
        chosen = draw(st.lists(st.sampled_from(size_one), min_size=1, unique=True))
        negated = [i - len(shape) if draw(st.booleans()) else i for i in chosen]
        axis = negated[0] if len(negated) == 1 else tuple(negated)
    namespace = namespace_of(draw, "numpy", "method")
    (x,) = values([shape], draw(seeds))
    return Case("squeeze", namespace, written(axis=axis), (x,))


@st.composite
def item(draw):
    # x.item() reads the one item of an array of one, of any rank.
    (x,) = values([(1,) * draw(st.integers(0, 3))], draw(seeds))
    return Case("item", "method", {}, (np.asarray(x),))


@st.composite
def reshape_like(draw):
    shape = draw(shapes())
    like = same_size(draw, math.prod(shape))
    g, other = values([shape, like], draw(seeds))
    return Case("reshape_like", "numpy", {}, (g, other))


def _broadcast_pair(draw: Callable[..., Any]) -> tuple[tuple, tuple]:
    """``(small, big)``: ``small`` broadcasts to ``big``."""
    big = draw(shapes(min_dims=0))
    kept = draw(st.integers(0, len(big)))
    tail = big[len(big) - kept :]
    small = tuple(1 if draw(st.booleans()) else side for side in tail)
    return small, big


@st.composite
def broadcast_to(draw):
    small, big = _broadcast_pair(draw)
    (x,) = values([small], draw(seeds))
    attributes = {"dims": big}
    return Case("broadcast_to", "numpy", attributes, (np.asarray(x), Fixed(big)))


@st.composite
def sum_to_shape(draw):
    small, big = _broadcast_pair(draw)
    g, x = values([big, small], draw(seeds))
    x = np.asarray(x)
    return Case("sum_to_shape", "helper", {"type": type_of(x, "x1")}, (g, x))


@st.composite
def shaped_like(draw):
    small, big = _broadcast_pair(draw)
    g, x = values([small, big], draw(seeds))
    return Case("shaped_like", "helper", {}, (g, np.asarray(x)))


@st.composite
def as_float(draw):
    (x,) = values([()], draw(seeds))
    return Case("as_float", "helper", {}, (np.asarray(x),))


# -- reordering and reshaping ----------------------------------------------------
@st.composite
def transpose(draw):
    shape = draw(shapes(min_dims=0))
    rank = len(shape)
    namespace = namespace_of(draw, "attribute", "numpy", "method")
    attributes: dict[str, object] = {}
    if namespace != "attribute" and draw(st.booleans()):
        order = draw(st.permutations(range(rank)))
        attributes["axes"] = tuple(
            axis - rank if draw(st.booleans()) else axis for axis in order
        )
    (x,) = values([shape], draw(seeds))
    return Case("transpose", namespace, attributes, (np.asarray(x),))


@st.composite
def swapaxes(draw):
    shape = draw(shapes())
    rank = len(shape)
    axis1, axis2 = draw(st.tuples(*[st.integers(-rank, rank - 1)] * 2))
    namespace = namespace_of(draw, "numpy", "method")
    (x,) = values([shape], draw(seeds))
    return Case("swapaxes", namespace, {"axis1": axis1, "axis2": axis2}, (x,))


@st.composite
def flip(draw):
    shape = draw(shapes())
    (x,) = values([shape], draw(seeds))
    return Case("flip", "numpy", written(axis=draw(axes(len(shape)))), (x,))


@st.composite
def roll(draw):
    shape = draw(shapes())
    axis = draw(axes(len(shape), tuples=False))
    shift = draw(st.integers(-4, 4))
    (x,) = values([shape], draw(seeds))
    return Case("roll", "numpy", written(axis=axis), (x, Fixed(shift)))


@st.composite
def reshape(draw):
    shape = draw(shapes(min_dims=0))
    wanted = same_size(draw, math.prod(shape))
    if draw(st.booleans()):
        free = draw(st.integers(0, len(wanted) - 1))
        wanted = tuple(-1 if i == free else side for i, side in enumerate(wanted))
    namespace = namespace_of(draw, "numpy", "method")
    (x,) = values([shape], draw(seeds))
    attributes = {"dims": wanted}
    return Case("reshape", namespace, attributes, (np.asarray(x), Fixed(wanted)))


def _flat(name: str, *namespaces: str) -> Any:
    @st.composite
    def strategy(draw):
        (x,) = values([draw(shapes())], draw(seeds))
        return Case(name, namespace_of(draw, *namespaces), {}, (x,))

    return strategy()


# -- joining -----------------------------------------------------------------------
def _joined(
    draw: Callable[..., Any], count: int, shape: tuple, axis: int
) -> list[tuple]:
    """``count`` shapes like ``shape`` but for their sizes along ``axis``."""
    made = []
    for _ in range(count):
        side = draw(st.integers(1, 3))
        made.append(tuple(side if i == axis else s for i, s in enumerate(shape)))
    return made


@st.composite
def concatenate(draw):
    shape = draw(shapes())
    rank = len(shape)
    axis = draw(st.integers(-rank, rank - 1))
    parts = _joined(draw, draw(st.integers(1, 3)), shape, axis % rank)
    operands = values(parts, draw(seeds))
    return Case("concatenate", "numpy", {"axis": axis}, tuple(operands))


@st.composite
def stack(draw):
    shape = draw(shapes(min_dims=0))
    rank = len(shape) + 1
    axis = draw(st.integers(-rank, rank - 1))
    operands = values([shape] * draw(st.integers(1, 3)), draw(seeds))
    return Case(
        "stack", "numpy", {"axis": axis}, tuple(np.asarray(x) for x in operands)
    )


@st.composite
def hstack(draw):
    shape = draw(shapes())
    parts = _joined(draw, draw(st.integers(1, 3)), shape, 0 if len(shape) == 1 else 1)
    return Case("hstack", "numpy", {}, tuple(values(parts, draw(seeds))))


@st.composite
def vstack(draw):
    shape = draw(shapes())
    count = draw(st.integers(1, 3))
    if len(shape) == 1:  # rows of one axis join those of two
        parts = [
            shape if draw(st.booleans()) else (draw(st.integers(1, 3)), *shape)
            for _ in range(count)
        ]
    else:
        parts = _joined(draw, count, shape, 0)
    return Case("vstack", "numpy", {}, tuple(values(parts, draw(seeds))))


SHAPES = {
    "expand_dims": expand_dims(),
    "squeeze": squeeze(),
    "reshape_like": reshape_like(),
    "item": item(),
    "broadcast_to": broadcast_to(),
    "sum_to_shape": sum_to_shape(),
    "shaped_like": shaped_like(),
    "as_float": as_float(),
    "transpose": transpose(),
    "swapaxes": swapaxes(),
    "flip": flip(),
    "roll": roll(),
    "reshape": reshape(),
    "ravel": _flat("ravel", "numpy", "method"),
    "flatten": _flat("flatten", "method"),
    "concatenate": concatenate(),
    "stack": stack(),
    "hstack": hstack(),
    "vstack": vstack(),
}
