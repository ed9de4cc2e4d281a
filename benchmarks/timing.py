"""Interleaved timing shared by the benchmarks."""

from __future__ import annotations

import timeit
from collections.abc import Callable, Mapping, Sequence
from typing import Any, NamedTuple


class Call(NamedTuple):
    """One function and the arguments each timed call passes it."""

    function: Callable[..., Any]
    args: Sequence[object] = ()
    kwargs: Mapping[str, object] = {}


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
    calls = {name: Call(function, args) for name, function in functions.items()}
    return time_calls(calls, repeat, seconds)


def time_calls(calls: dict[str, Call], repeat: int, seconds: float) -> dict[str, float]:
    """As ``time_all``, with arguments of its own for each row (keyword
    arguments too, for generated functions with keyword-only tangents)."""
    timers = {name: _timer(call) for name, call in calls.items()}
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


def _timer(call: Call) -> timeit.Timer:
    # Unpacking an empty dict costs a little: rows without keywords don't.
    statement = "function(*args, **kwargs)" if call.kwargs else "function(*args)"
    namespace = {
        "function": call.function,
        "args": tuple(call.args),
        "kwargs": dict(call.kwargs),
    }
    return timeit.Timer(statement, globals=namespace)


def print_table(times: dict[str, float], primal: str, by_hand: str, unit: str) -> None:
    """Times with their ratios to the primal and to the hand-written gradient."""
    scale = {"ns": 1.0, "us": 1e-3}[unit]
    print(f"{'':26} {unit + '/call':>10} {'x primal':>9} {'x by hand':>10}")
    for name, nanoseconds in times.items():
        print(
            f"{name:26} {nanoseconds * scale:10.1f} {nanoseconds / times[primal]:9.2f} "
            f"{nanoseconds / times[by_hand]:10.2f}"
        )


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A markdown table, the first column left-aligned and the rest right."""
    widths = [
        max(len(row[column]) for row in [header, *rows])
        for column in range(len(header))
    ]

    def line(cells: Sequence[str]) -> str:
        padded = [cells[0].ljust(widths[0])]
        padded += [
            cell.rjust(width) for cell, width in zip(cells[1:], widths[1:], strict=True)
        ]
        return "| " + " | ".join(padded) + " |"

    rule = ["-" * widths[0]] + ["-" * (width - 1) + ":" for width in widths[1:]]
    return "\n".join([line(header), line(rule), *(line(row) for row in rows)])


def figures(value: float) -> str:
    """``value`` to about three significant figures, for a table."""
    if value < 10:
        return f"{value:.2f}"
    return f"{value:.1f}" if value < 100 else f"{value:,.0f}"
