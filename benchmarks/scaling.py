"""How srcgrad's build and its generated code grow with the function.

Two families of functions, each built in a process of its own with a time
limit (scaling_worker.py):

- random straight-line functions of 100 to 10,000 statements
  (build_scaling.py's), where the build time is measured until one size
  takes over a minute (larger ones are then skipped, and said to be);
- the doubling graph of compare.py written out level by level, depth 1 to
  20: 2**depth paths from each input to the result. Beside srcgrad, SymPy's
  ``diff`` of the same expression without common subexpressions: the
  expression of the derivative (and the time to make it) grows with the
  paths, until a depth takes over ``--sympy-seconds``.

Writes docs/scaling.md and its charts.

    python benchmarks/scaling.py [--max-statements 10000] [--max-depth 20]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

import chart
from report import duration, machine
from timing import markdown_table

HERE = Path(__file__).resolve().parent
DOCS = HERE.parent / "docs"
STATEMENTS = (100, 300, 1_000, 3_000, 10_000)
#: Once a size takes longer than this, larger ones are skipped.
SKIP_AFTER_SECONDS = 60.0


def worker(kind: str, size: int, timeout: float) -> tuple[list[dict], bool]:
    """What scaling_worker.py printed, and whether it finished in time."""
    environment = dict(os.environ, SRCGRAD_CACHE="0")
    environment["PYTHONPATH"] = os.pathsep.join(
        [str(HERE), str(HERE.parent), environment.get("PYTHONPATH", "")]
    )
    command = [sys.executable, str(HERE / "scaling_worker.py"), kind, str(size)]
    try:
        completed = subprocess.run(
            command, env=environment, capture_output=True, text=True, timeout=timeout
        )
    except subprocess.TimeoutExpired as stopped:
        output = stopped.stdout or b""
        text = output.decode() if isinstance(output, bytes) else output
        return [json.loads(line) for line in text.splitlines()], False
    if completed.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{completed.stderr}")
    return [json.loads(line) for line in completed.stdout.splitlines()], True


def straight_lines(max_statements: int, timeout: float) -> list[list[str]]:
    """A table row per size; sizes after a slow one are skipped."""
    rows, points, skip = [], {}, ""
    for statements in (n for n in STATEMENTS if n <= max_statements):
        if skip:
            rows.append([f"{statements:,}", skip, "", "", ""])
            continue
        print(f"straight-line, {statements:,} statements...", flush=True)
        figures, finished = worker("straight", statements, timeout)
        if not finished:
            rows.append(
                [f"{statements:,}", f"over {timeout:.0f} s, stopped", "", "", ""]
            )
            skip = "skipped (a smaller size took too long)"
            continue
        (result,) = figures
        seconds = result["seconds"]
        points[statements] = result
        rows.append(
            [
                f"{statements:,}",
                duration(seconds),
                f"{1e3 * seconds / statements:.1f}",
                f"{result['lines']:,}",
                f"{result['characters']:,}",
            ]
        )
        if seconds > SKIP_AFTER_SECONDS:
            skip = f"skipped ({statements:,} took over {SKIP_AFTER_SECONDS:.0f} s)"
    return rows, points


def doubling_depths(max_depth: int, sympy_seconds: float) -> tuple[list, dict]:
    """A table row per depth: srcgrad's build and code, SymPy's derivative."""
    print(f"doubling graph, depth 1 to {max_depth}...", flush=True)
    figures, _ = worker("doubling", max_depth, timeout=600)
    mine = {row["depth"]: row for row in figures}
    theirs, stopped = {}, ""
    for depth in range(1, max_depth + 1):
        if stopped:
            break
        print(f"SymPy, depth {depth}...", flush=True)
        results, finished = worker("sympy", depth, timeout=sympy_seconds)
        theirs[depth] = {key: value for row in results for key, value in row.items()}
        if not finished:
            stopped = f"over {sympy_seconds:.0f} s"
            theirs[depth]["stopped"] = stopped
    rows = []
    for depth in range(1, max_depth + 1):
        row = mine[depth]
        sym = theirs.get(depth, {})
        rows.append(
            [
                str(depth),
                f"{2**depth:,}",
                duration(row["seconds"]),
                f"{row['lines']:,}",
                f"{row['characters']:,}",
                f"{row['error']:.0e}",
                _sympy_cell(sym, "seconds", stopped),
                _sympy_cell(sym, "operations", stopped),
                _sympy_cell(sym, "characters", stopped),
            ]
        )
    return rows, {"srcgrad": mine, "sympy": theirs}


def _sympy_cell(figures: dict, key: str, stopped: str) -> str:
    if key in figures:
        value = figures[key]
        return duration(value) if key == "seconds" else f"{value:,}"
    if "stopped" in figures:
        return figures["stopped"]
    return "not run" if stopped else ""


def write_charts(straight: dict, doubling: dict, docs: Path) -> None:
    """Build time against statements; size and time against depth."""
    mine, theirs = doubling["srcgrad"], doubling["sympy"]
    charts = {
        "scaling-doubling-size.svg": chart.line_chart(
            "Doubling graph: size of the derivative",
            {
                "SymPy diff, characters": _points(theirs, "characters"),
                "SymPy diff, count_ops": _points(theirs, "operations"),
                "srcgrad gradient, characters": _points(mine, "characters"),
                "srcgrad gradient, lines": _points(mine, "lines"),
            },
            "depth (2^depth paths)",
            "size",
        ),
        "scaling-doubling-time.svg": chart.line_chart(
            "Doubling graph: time to differentiate",
            {
                "SymPy diff": _points(theirs, "seconds"),
                "srcgrad build": _points(mine, "seconds"),
            },
            "depth (2^depth paths)",
            "seconds",
        ),
    }
    if straight:
        charts["scaling-statements.svg"] = chart.line_chart(
            "Random straight-line functions: srcgrad's build time",
            {"srcgrad build": _points(straight, "seconds")},
            "statements",
            "seconds",
            log_x=True,
        )
    for name, svg in charts.items():
        (docs / name).write_text(svg, encoding="utf-8")


def _points(rows: dict, key: str) -> list[tuple[float, float]]:
    """(size, figure) for each size whose row has the figure."""
    return [
        (float(size), float(row[key]))
        for size, row in sorted(rows.items())
        if key in row
    ]


def page(straight_rows: list, doubling_rows: list, options) -> str:
    """docs/scaling.md."""
    straight_table = markdown_table(
        ["statements", "build", "ms per statement", "gradient lines", "characters"],
        straight_rows,
    )
    doubling_table = markdown_table(
        [
            "depth",
            "paths",
            "srcgrad build",
            "lines",
            "characters",
            "rel. error",
            "SymPy diff",
            "count_ops",
            "characters",
        ],
        doubling_rows,
    )
    return f"""\
# Scaling: build time and generated size

<!-- Written by `python benchmarks/scaling.py`: change that, not this page. -->

How long srcgrad takes to build a gradient, and how long the gradient's
code is, as the function grows. Each build runs in a new process after
SymPy and black are imported (a small function is differentiated first),
with the disk cache off (`SRCGRAD_CACHE=0`).

```sh
python benchmarks/scaling.py [--max-statements {options.max_statements}] \\
    [--max-depth {options.max_depth}] [--sympy-seconds {options.sympy_seconds:g}]
```

## Machine

{machine(peers=False)}

## Random straight-line functions

Functions of four inputs and N statements such as
`v17 = math.sin(v3) * v12 + v9 / (1.0 + v5 * v5)`, each reading five
earlier values at random
([benchmarks/build_scaling.py](../benchmarks/build_scaling.py)).
Once a size takes over {SKIP_AFTER_SECONDS:.0f} s the larger ones are
skipped; a size is stopped after {options.timeout:.0f} s (`--timeout`).

{straight_table}

![Build time against statements](scaling-statements.svg)

## The doubling graph, written out

`a, b = math.sin(a) * math.cos(b), math.cos(a) + math.sin(b)`, one line per
level, then `return a + b`: each level reads both values twice, so there
are 2^depth paths from each input to the result. srcgrad's gradient grows
by the same ten lines or so per level (the level's values, their adjoints,
a comment), whatever the number of paths; *rel. error* is its difference
from the hand-written gradient of
[benchmarks/workloads.py](../benchmarks/workloads.py). SymPy's `diff` of
the same expression, without common-subexpression elimination, writes out
every path: its size is `sympy.count_ops` and the length of `str()` of
both partial derivatives, its time that of `diff` alone. A depth that
takes SymPy over {options.sympy_seconds:g} s (diff and sizes together) is
stopped there, and deeper ones are not run.

{doubling_table}

![Size of the derivative against depth](scaling-doubling-size.svg)

![Time to differentiate against depth](scaling-doubling-time.svg)
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-statements", type=int, default=10_000)
    parser.add_argument("--max-depth", type=int, default=20)
    parser.add_argument("--sympy-seconds", type=float, default=20.0)
    parser.add_argument("--timeout", type=float, default=600.0, help="per size")
    parser.add_argument("--docs", type=Path, default=DOCS, help="where to write")
    options = parser.parse_args()
    doubling_rows, doubling = doubling_depths(options.max_depth, options.sympy_seconds)
    straight_rows, straight = straight_lines(options.max_statements, options.timeout)
    write_charts(straight, doubling, options.docs)
    text = page(straight_rows, doubling_rows, options)
    (options.docs / "scaling.md").write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
