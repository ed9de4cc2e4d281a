"""Hypothesis strategies of reductions and selections (see ``array_cases``).

A product is drawn with up to two zeros (the product of the others); the
bounds of a clip with ``x``'s items on both sides of each.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
from array_cases import Case, axes, namespace_of, seeds, shapes, values, written
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp


# -- reductions --------------------------------------------------------------------
def _reduction(name: str, ddof: bool = False) -> Any:
    @st.composite
    def strategy(draw):
        shape = draw(shapes(max_side=4))
        axis = draw(axes(len(shape)))
        options = written(axis=axis, keepdims=draw(st.booleans()))
        if ddof:
            reduced = np.empty(shape).sum(axis=axis, keepdims=True).size
            options.update(written(ddof=draw(st.integers(0, 1))))
            if math.prod(shape) // reduced <= options.get("ddof", 0):
                options.pop("ddof")  # one item: a variance of ddof=1 is nan
        (x,) = values([shape], draw(seeds))
        if name == "reduce_prod":  # the product of the others, at zeros
            zeros = draw(st.lists(st.integers(0, x.size - 1), max_size=2))
            x.flat[zeros] = 0.0
        namespace = namespace_of(draw, "numpy", "method")
        return Case(name, namespace, options, (x,))

    return strategy()


@st.composite
def cumsum(draw):
    shape = draw(shapes())
    axis = draw(axes(len(shape), tuples=False))
    (x,) = values([shape], draw(seeds))
    namespace = namespace_of(draw, "numpy", "method")
    return Case("cumsum", namespace, written(axis=axis), (x,))


@st.composite
def norm(draw):
    shape = draw(shapes(max_side=4))
    rank = len(shape)
    form = draw(st.sampled_from(["flat", "vector", "matrix"]))
    if form == "flat" or (form == "matrix" and rank < 2):
        order, axis = None, None
    elif form == "vector":
        order = draw(st.sampled_from([None, 1, 2]))
        axis = draw(st.integers(-rank, rank - 1)) if rank > 1 else None
    else:
        order = draw(st.sampled_from([None, "fro"]))
        axis = draw(hnp.valid_tuple_axes(rank, min_size=2, max_size=2))
        axis = None if rank == 2 and draw(st.booleans()) else axis
    options = written(ord=order, axis=axis, keepdims=draw(st.booleans()))
    (x,) = values([shape], draw(seeds))
    return Case("norm", "numpy.linalg", options, (x,))


# -- selections --------------------------------------------------------------------
@st.composite
def where(draw):
    found = draw(
        hnp.mutually_broadcastable_shapes(num_shapes=3, max_dims=3, max_side=3)
    )
    condition_shape, *shapes_ = found.input_shapes
    seed = draw(seeds)
    condition = np.asarray(values([condition_shape], seed)[0]) > 0
    operands = values(shapes_, seed + 1)
    return Case("where", "numpy", {}, (condition, *operands))


def _extreme(name: str) -> Any:
    @st.composite
    def strategy(draw):
        found = draw(
            hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=3)
        )
        operands = values(found.input_shapes, draw(seeds))
        return Case(name, "numpy", {}, tuple(operands))

    return strategy()


#: How ``np.clip`` and ``x.clip`` take their bounds (attribute ``written``):
#: each argument after ``x``, by keyword or position, as a bound or None.
CLIP_FORMS = {
    "numpy": [
        ((None, "lo"), (None, "hi")),
        ((None, "none"), (None, "hi")),
        ((None, "lo"), (None, "none")),
        (("a_min", "lo"), ("a_max", "hi")),
        ((None, "lo"), ("a_max", "none")),
    ],
    "method": [
        ((None, "lo"), (None, "hi")),
        (("min", "lo"),),
        (("max", "hi"),),
        ((None, "none"), ("max", "hi")),
    ],
}


@st.composite
def clip(draw):
    namespace = namespace_of(draw, "numpy", "method")
    form = draw(st.sampled_from(CLIP_FORMS[namespace]))
    roles = [role for _, role in form if role != "none"]
    found = draw(
        hnp.mutually_broadcastable_shapes(
            num_shapes=1 + len(roles), max_dims=3, max_side=3
        )
    )
    x_shape, *bound_shapes = found.input_shapes
    x, *bounds = _clip_values(
        draw, x_shape, dict(zip(roles, bound_shapes, strict=True))
    )
    if namespace == "method":
        x = np.asarray(x)  # x.clip(...) of an array
    return Case("clip", namespace, {"written": form}, (x, *bounds))


def _clip_values(
    draw: Callable[..., Any], x_shape: tuple, bounds: Mapping[str, tuple]
) -> list[Any]:
    """``x`` and its bounds: every lower bound below every upper one, and
    ``x``'s items on both sides of each, all apart."""
    sizes = {role: math.prod(shape) for role, shape in bounds.items()}
    size = math.prod(x_shape)
    (pool,) = values([(size + sum(sizes.values()),)], draw(seeds))
    order = np.sort(pool)
    cut = sizes.get("lo", 0) + draw(st.integers(0, size))
    below = list(draw(st.permutations(range(cut))))
    above = list(draw(st.permutations(range(cut, len(order)))))
    taken = {
        "lo": below[: sizes.get("lo", 0)],
        "hi": above[: sizes.get("hi", 0)],
    }
    rest = below[sizes.get("lo", 0) :] + above[sizes.get("hi", 0) :]
    made = [order[draw(st.permutations(rest))].reshape(x_shape)]
    for role, shape in bounds.items():
        items = order[taken[role]].reshape(shape)
        made.append(float(items) if shape == () else items)
    if x_shape == ():
        made[0] = float(made[0])
    return made


SELECTIONS = {
    "where": where(),
    "maximum": _extreme("maximum"),
    "minimum": _extreme("minimum"),
    "clip": clip(),
}
REDUCTIONS = {
    "reduce_sum": _reduction("reduce_sum"),
    "reduce_mean": _reduction("reduce_mean"),
    "reduce_max": _reduction("reduce_max"),
    "reduce_min": _reduction("reduce_min"),
    "reduce_prod": _reduction("reduce_prod"),
    "reduce_var": _reduction("reduce_var", ddof=True),
    "reduce_std": _reduction("reduce_std", ddof=True),
    "cumsum": cumsum(),
    "norm": norm(),
}
