"""Interleaved timing shared by the benchmarks."""

from __future__ import annotations

import timeit
from collections.abc import Callable, Sequence
from typing import Any


def time_all(
    functions: dict[str, Callable[..., Any]],
    args: Sequence[object],
    repeat: int,
    seconds: float,
) -> dict[str, float]:
    """Best time of one call of each function on ``args``, in nanoseconds.

    Each function gets as many calls per measurement as fill ``seconds``;
    the measurements are interleaved, function after function, ``repeat``
    times, so a machine that slows down mid-run slows every row alike.
    """
    timers = {
        name: timeit.Timer(
            "function(*args)", globals={"function": fn, "args": tuple(args)}
        )
        for name, fn in functions.items()
    }
    numbers = {}
    for name, timer in timers.items():
        number, elapsed = timer.autorange()
        numbers[name] = max(1, int(number * seconds / max(elapsed, 1e-9)))
    best = {name: float("inf") for name in timers}
    for _ in range(repeat):
        for name, timer in timers.items():
            elapsed = timer.timeit(numbers[name]) / numbers[name] * 1e9
            best[name] = min(best[name], elapsed)
    return best


def print_table(times: dict[str, float], primal: str, by_hand: str, unit: str) -> None:
    """Times with their ratios to the primal and to the hand-written gradient."""
    scale = {"ns": 1.0, "us": 1e-3}[unit]
    print(f"{'':26} {unit + '/call':>10} {'x primal':>9} {'x by hand':>10}")
    for name, nanoseconds in times.items():
        print(
            f"{name:26} {nanoseconds * scale:10.1f} {nanoseconds / times[primal]:9.2f} "
            f"{nanoseconds / times[by_hand]:10.2f}"
        )
