"""Hypothesis strategies of indexing, writes and creation (see ``array_cases``).

A subscript is drawn item by item as the frontend describes it (attribute
``index``, ``primitives/indexing.py``): literal integers, integers and
slice bounds that are operands, slices with negative steps, ``None``,
``...``, and at most one integer array (which may repeat an item) or mask.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from array_cases import Case, namespace_of, seeds, shapes, values
from array_rules import Fixed
from hypothesis import strategies as st

from srcgrad.primitives.indexing import OPERAND


def _bound(side: int) -> Any:
    return st.none() | st.integers(-side - 1, side + 1)


@st.composite
def subscripts(draw, shape, arrays: bool = True):
    """``(items, operands, index)``: the attribute ``index``, the operands
    it takes, and the subscript NumPy reads, for an array of ``shape``."""
    rank = len(shape)
    count = draw(st.integers(1, rank))
    ellipsis = count < rank and draw(st.booleans())
    named = shape[rank - count :] if ellipsis else shape[:count]
    items: list[tuple] = [("ellipsis",)] if ellipsis else []
    index: list[Any] = [Ellipsis] if ellipsis else []
    operands: list[Any] = []
    kinds = ["int", "int operand", "slice", "slice operand"]
    for side in named:
        if draw(st.integers(0, 4)) == 0:
            items.append(("newaxis",))
            index.append(None)
        advanced = ["array", "mask"] if arrays else ["mask"]
        if any(isinstance(operand, np.ndarray) for operand in operands):
            advanced = []
        kind = draw(st.sampled_from(kinds + advanced))
        if kind == "int":
            value = draw(st.integers(-side, side - 1))
            items.append(("int", value))
        elif kind in ("int operand", "array", "mask"):
            value = _index_operand(draw, kind, side)
            items.append(("int", None))
            operands.append(value)
        else:
            start, stop = draw(_bound(side)), draw(_bound(side))
            step = draw(st.sampled_from([None, 1, 2, -1, -2]))
            if kind == "slice operand":
                start = draw(st.integers(-side, side))
                operands.append(start)
            written = OPERAND if kind == "slice operand" else start
            items.append(("slice", written, stop, step))
            value = slice(start, stop, step)
        index.append(value)
    return tuple(items), operands, tuple(index)


def _index_operand(draw: Callable[..., Any], kind: str, side: int) -> Any:
    if kind == "int operand":
        return draw(st.integers(-side, side - 1))
    if kind == "mask":
        return np.array(draw(st.lists(st.booleans(), min_size=side, max_size=side)))
    chosen = draw(st.lists(st.integers(-side, side - 1), min_size=1, max_size=3))
    return np.array(chosen)


def _repeats(operands: list[Any]) -> bool:
    return any(
        isinstance(value, np.ndarray) and value.dtype != bool for value in operands
    )


@st.composite
def index(draw):
    shape = draw(shapes())
    items, operands, _ = draw(subscripts(shape))
    (x,) = values([shape], draw(seeds))
    return Case("index", "subscript", {"index": items}, (x, *operands))


@st.composite
def index_adjoint(draw):
    shape = draw(shapes())
    items, operands, subscript = draw(subscripts(shape))
    slot = np.empty(shape)[subscript].shape
    g, x = values([slot, shape], draw(seeds))
    attributes = {"index": items, "repeats": _repeats(operands)}
    return Case("index_adjoint", "numpy", attributes, (g, x, *operands))


def _write(name: str) -> Any:
    """``y[index] = v`` (``setitem``: through no integer array, which NumPy
    writes only once at a repeat) or ``acc[index] += g`` (``index_add``)."""

    @st.composite
    def strategy(draw):
        shape = draw(shapes())
        arrays = name == "index_add"
        items, operands, subscript = draw(subscripts(shape, arrays=arrays))
        slot = np.empty(shape)[subscript].shape
        kept = draw(st.integers(0, len(slot)))
        tail = slot[len(slot) - kept :]
        value_shape = tuple(1 if draw(st.booleans()) else side for side in tail)
        y, v = values([shape, value_shape], draw(seeds))
        attributes: dict[str, object] = {"index": items}
        if arrays:
            attributes["repeats"] = _repeats(operands)
        return Case(name, "subscript", attributes, (y, v, *operands))

    return strategy()


# -- creation ----------------------------------------------------------------
@st.composite
def full(draw):
    shape = draw(shapes(min_dims=0))
    (value,) = values([()], draw(seeds))
    return Case("full", "numpy", {"dims": shape}, (Fixed(shape), value))


@st.composite
def copy(draw):
    (x,) = values([draw(shapes())], draw(seeds))
    return Case("copy", namespace_of(draw, "numpy", "method"), {}, (x,))


@st.composite
def asarray(draw):
    # Of an array it is that array (dtype=float of floats changes nothing);
    # of a number, an array of none.
    (x,) = values([draw(shapes(min_dims=0))], draw(seeds))
    attributes = {"dtype": "float"} if draw(st.booleans()) else {}
    return Case("asarray", "numpy", attributes, (x,))


@st.composite
def astype(draw):
    # Within (-0.9, 0.9) and away from 0: no integer part or truth jumps.
    (x,) = values([draw(shapes())], draw(seeds), (-0.9, 0.9))
    dtype = draw(st.sampled_from(["float", "int", "bool"]))
    return Case("astype", "method", {"dtype": dtype}, (x,))


@st.composite
def array(draw):
    count = draw(st.integers(1, 6))
    rows = draw(st.sampled_from([None] + [r for r in range(1, count + 1)]))
    if rows is not None and count % rows:
        rows = None
    numbers = values([()] * count, draw(seeds))
    attributes = {} if rows is None else {"rows": rows}
    return Case("array", "numpy", attributes, tuple(numbers))


INDEXING = {
    "index": index(),
    "index_adjoint": index_adjoint(),
    "setitem": _write("setitem"),
    "index_add": _write("index_add"),
    "full": full(),
    "copy": copy(),
    "asarray": asarray(),
    "astype": astype(),
    "array": array(),
}
