"""Hypothesis strategies for the points to check gradients at.

A derivative checked at a kink (``abs`` at 0, ``max(x, y)`` where ``x ==
y``) or next to the edge of a domain (``log`` near 0, ``acos`` near ±1)
fails for no fault of srcgrad's: finite differences straddle the kink or
leave the domain. These strategies keep away from such points:

- ``away_from(*points, margin=...)``: floats at least a margin from each
  point;
- ``inside(low, high, margin=...)``: floats in an open interval, a margin
  inside each end;
- ``broadcastable_arrays(count, elements=...)``: ``count`` float64 arrays
  whose shapes broadcast together.

This module imports Hypothesis (``pip install hypothesis``); the rest of
``srcgrad.testing`` does not.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

try:
    from hypothesis import strategies as st
    from hypothesis.extra import numpy as hnp
except ImportError as error:  # pragma: no cover - depends on the environment
    raise ImportError(
        "srcgrad.testing.strategies needs Hypothesis: pip install hypothesis"
    ) from error

__all__ = ["away_from", "broadcastable_arrays", "inside"]

#: Where values are drawn by default: moderate numbers, at which central
#: differences are accurate and ``exp`` does not overflow.
LIMIT = 100.0


def away_from(
    *points: float,
    margin: float = 1e-2,
    min_value: float = -LIMIT,
    max_value: float = LIMIT,
) -> st.SearchStrategy[float]:
    """Finite floats in ``[min_value, max_value]`` at least ``margin *
    max(1, |p|)`` from each of ``points``.

    The margin is absolute near zero and relative to ``p`` for larger
    points, as the step of ``check_grads``'s finite differences is.

    Example::

        @given(away_from(0.0), away_from(-1.0, 1.0))
        def test_kinks(x, y):  # abs has a kink at 0, abs(y*y - 1) at ±1
            check_grads(lambda x, y: abs(x) + abs(y * y - 1.0), (x, y))

    Raises:
        ValueError: a point or a bound is not finite, the margin is
            negative, or no float in the range is far enough from the
            points.
    """
    _check_finite(*points, min_value, max_value)
    if margin < 0 or min_value > max_value:
        raise ValueError(
            f"away_from needs margin >= 0 and min_value <= max_value, not "
            f"margin={margin}, min_value={min_value}, max_value={max_value}"
        )
    holes = [(point, margin * max(1.0, abs(point))) for point in points]
    ranges = _outside(holes, min_value, max_value)
    if not ranges:
        raise ValueError(
            f"no float in [{min_value}, {max_value}] is {margin} (relative to "
            f"max(1, |point|)) away from each of {points}"
        )

    def far_enough(x: float) -> bool:  # the rounding of the ranges' ends
        return all(abs(x - point) >= distance for point, distance in holes)

    return st.one_of([st.floats(low, high) for low, high in ranges]).filter(far_enough)


def inside(
    low: float,
    high: float,
    *,
    margin: float = 1e-2,
    min_value: float = -LIMIT,
    max_value: float = LIMIT,
) -> st.SearchStrategy[float]:
    """Floats in the open interval ``(low, high)``, each finite end kept
    ``margin * max(1, |end|)`` away, and within ``[min_value, max_value]``
    (which bound an infinite end).

    Example::

        @given(inside(0.0, math.inf), inside(-1.0, 1.0))
        def test_log_acos(x, y):  # log's domain is (0, inf), acos's [-1, 1]
            check_grads(lambda x, y: math.log(x) * math.acos(y), (x, y))

    Raises:
        ValueError: ``low >= high``, or as ``away_from``.
    """
    if not low < high:
        raise ValueError(f"inside needs low < high, not ({low}, {high})")
    ends = [end for end in (low, high) if math.isfinite(end)]
    return away_from(
        *ends,
        margin=margin,
        min_value=max(low, min_value),
        max_value=min(high, max_value),
    )


def broadcastable_arrays(
    count: int,
    *,
    elements: st.SearchStrategy[float] | None = None,
    min_dims: int = 0,
    max_dims: int = 3,
    min_side: int = 1,
    max_side: int = 4,
) -> st.SearchStrategy[tuple[NDArray[np.float64], ...]]:
    """Tuples of ``count`` float64 arrays whose shapes broadcast together.

    Shapes come from ``hypothesis.extra.numpy.mutually_broadcastable_shapes``
    (between ``min_dims`` and ``max_dims`` axes, each of ``min_side`` to
    ``max_side`` items, or 1 where it broadcasts); items from ``elements``,
    by default ``away_from()`` (floats in [-100, 100]).

    Example::

        @given(broadcastable_arrays(2, elements=inside(0.0, math.inf)))
        def test_weighted_log(arrays):
            x, w = arrays
            check_grads(lambda x, w: np.sum(w * np.log(x)), (x, w))
    """
    if elements is None:
        elements = away_from()
    shapes = hnp.mutually_broadcastable_shapes(
        num_shapes=count,
        min_dims=min_dims,
        max_dims=max_dims,
        min_side=min_side,
        max_side=max_side,
    )
    drawn = elements
    return shapes.flatmap(
        lambda found: st.tuples(
            *(
                hnp.arrays(np.float64, shape, elements=drawn)
                for shape in found.input_shapes
            )
        )
    )


def _outside(
    holes: list[tuple[float, float]], low: float, high: float
) -> list[tuple[float, float]]:
    """The closed ranges of ``[low, high]`` outside every open interval
    ``(point - distance, point + distance)``, widened outwards by one float
    so that rounding cannot bring their ends inside."""
    ranges = []
    start = low
    for point, distance in sorted(holes):
        end = min(math.nextafter(point - distance, -math.inf), high)
        if start <= end:
            ranges.append((start, end))
        start = max(start, math.nextafter(point + distance, math.inf))
    if start <= high:
        ranges.append((start, high))
    return ranges


def _check_finite(*values: float) -> None:
    for value in values:
        if not math.isfinite(value):
            raise ValueError(f"away_from takes finite points and bounds, not {value}")
