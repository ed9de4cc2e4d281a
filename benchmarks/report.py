"""compare.py's figures as markdown tables, SVG charts and docs/benchmarks.md."""

from __future__ import annotations

import datetime
import importlib.metadata
import os
import platform
from dataclasses import dataclass
from pathlib import Path

import chart
from fresh_build import FreshBuild
from peers import PEERS, System
from timing import markdown_table
from workloads import WORKLOADS

#: The targets of issue 10: srcgrad's gradient against the hand-written one,
#: a cold build, and a gradient read back from the disk cache.
GRADIENT_TARGET = 1.25
COLD_TARGET = 0.050
DISK_HIT_TARGET = 0.002
UNITS = (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6), ("ns", 1e-9))
NOT_TIMED = {"not installed": "not installed", "refused": "**refused**"}


@dataclass(frozen=True)
class Cell:
    """One system on one workload: timed, or why not.

    ``status`` is "ok", "not installed", "refused" or "wrong"; ``detail``
    says what was missing, raised or off; times are in seconds.
    """

    status: str
    detail: str = ""
    seconds: float | None = None
    first_call: float | None = None
    error: float | None = None


@dataclass(frozen=True)
class Results:
    """All the figures of one run."""

    systems: tuple[System, ...]
    missing: dict[str, str]
    cells: dict[str, dict[str, Cell]]
    builds: dict[str, FreshBuild | str]  # a string says why the build failed
    repeat: int
    seconds: float
    fresh_runs: int


def duration(seconds: float) -> str:
    """A time in the unit that gives it one to three digits before the point."""
    unit, scale = next(
        ((unit, scale) for unit, scale in UNITS if seconds >= scale), UNITS[-1]
    )
    value = seconds / scale
    return f"{value:.3g} {unit}" if value < 100 else f"{value:.0f} {unit}"


def _status(cell: Cell) -> str:
    if cell.status == "wrong":
        return f"**WRONG** ({cell.error:.0e})"
    return NOT_TIMED.get(cell.status, cell.status)


def _first_call(results: Results, title: str, name: str) -> float | None:
    # srcgrad's is a warm build in a fresh process, so that no gradient the
    # disk cache kept from an earlier run is counted as built. The primal
    # and the hand-written gradient have nothing to build.
    if name in ("primal", "hand-written"):
        return None
    if name == "srcgrad":
        build = results.builds[title]
        return build.warm if isinstance(build, FreshBuild) else None
    return results.cells[title][name].first_call


def workload_table(results: Results, title: str) -> str:
    """One row per system: time per call, ratios, first call, agreement."""
    cells = results.cells[title]
    primal = cells["primal"].seconds
    by_hand = cells["hand-written"].seconds
    rows = []
    for system in results.systems:
        cell = cells[system.name]
        if cell.status != "ok" or cell.seconds is None:
            error = "" if cell.error is None else f"{cell.error:.0e}"
            rows.append([system.name, _status(cell), "", "", "", error])
            continue
        first = _first_call(results, title, system.name)
        agrees = "" if cell.error is None else f"{cell.error:.0e}"
        rows.append(
            [
                system.name,
                duration(cell.seconds),
                f"{cell.seconds / primal:.2f}" if primal else "",
                f"{cell.seconds / by_hand:.2f}" if by_hand else "",
                duration(first) if first is not None else "",
                agrees,
            ]
        )
    header = ["", "per call", "× primal", "× by hand", "first call", "rel. error"]
    return markdown_table(header, rows)


def summary_table(results: Results) -> str:
    """Gradient time over primal time, one row per workload."""
    names = [system.name for system in results.systems[1:]]
    rows = []
    for workload in WORKLOADS:
        cells = results.cells[workload.title]
        primal = cells["primal"].seconds or float("nan")
        row = [workload.title]
        for name in names:
            cell = cells[name]
            ok = cell.status == "ok" and cell.seconds is not None
            row.append(f"{cell.seconds / primal:.1f}" if ok else _status(cell))
        rows.append(row)
    return markdown_table(["gradient ÷ primal", *names], rows)


def _mark(passed: bool) -> str:
    return "pass" if passed else "**FAIL**"


def targets_table(results: Results) -> str:
    """srcgrad against issue 10's targets, a row per workload."""
    rows = []
    for workload in WORKLOADS:
        cells, build = results.cells[workload.title], results.builds[workload.title]
        mine, theirs = cells["srcgrad"].seconds, cells["hand-written"].seconds
        ratio = mine / theirs if mine and theirs else float("inf")
        row = [workload.title, f"{ratio:.2f}", _mark(ratio <= GRADIENT_TARGET)]
        if isinstance(build, FreshBuild):
            row += [
                duration(build.cold),
                duration(build.warm),
                _mark(build.warm <= COLD_TARGET),
                duration(build.disk_hit),
                _mark(build.disk_hit <= DISK_HIT_TARGET),
            ]
        else:
            row += ["**build failed**", "", "**FAIL**", "", "**FAIL**"]
        rows.append(row)
    header = [
        "workload",
        "srcgrad ÷ by hand",
        f"≤ {GRADIENT_TARGET}",
        "first build in a process",
        "build after imports",
        f"≤ {COLD_TARGET * 1e3:.0f} ms",
        "disk-cache hit",
        f"≤ {DISK_HIT_TARGET * 1e3:.0f} ms",
    ]
    return markdown_table(header, rows)


def _versions(peers: bool) -> list[tuple[str, str]]:
    names = ["numpy", "sympy", "black"]
    if peers:
        names += sorted({system.distribution for system in PEERS} | {"jaxlib"})
    versions = []
    for name in names:
        try:
            versions.append((name, importlib.metadata.version(name)))
        except importlib.metadata.PackageNotFoundError:
            versions.append((name, "not installed"))
    return versions


def _processor() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine(peers: bool = True) -> str:
    """The machine, Python and library versions (the other systems' too, if
    ``peers``), as a markdown list."""
    versions = _versions(peers)
    libraries = ", ".join(f"{name} {version}" for name, version in versions)
    return "\n".join(
        [
            f"- {_processor()} ({platform.processor() or platform.machine()}), "
            f"{os.cpu_count()} logical CPUs, {platform.platform()}",
            f"- {platform.python_implementation()} {platform.python_version()}",
            f"- {libraries}",
            f"- run on {datetime.date.today().isoformat()}",
        ]
    )


def write_charts(results: Results, docs: Path) -> None:
    """The ratio, first-call and build charts, as SVG files under ``docs``."""
    titles = [workload.title for workload in WORKLOADS]
    names = [system.name for system in results.systems[1:]]
    ratios, firsts = {}, {}
    for name in names:
        ratios[name] = [_ratio(results, title, name) for title in titles]
        if name != "hand-written":
            firsts[name] = [_first_call(results, title, name) for title in titles]
    colours = dict(zip(names, chart.COLOURS, strict=False))
    charts = {
        "benchmarks-ratio.svg": chart.bar_chart(
            "Gradient time ÷ primal time (lower is better)",
            titles,
            ratios,
            "× primal",
            colours=colours,
        ),
        "benchmarks-first-call.svg": chart.bar_chart(
            "First gradient: build and first call (after each library's warm-up)",
            titles,
            {name: _ms(values) for name, values in firsts.items()},
            "milliseconds",
            colours=colours,
        ),
        "benchmarks-build.svg": chart.bar_chart(
            "srcgrad: getting a gradient in a fresh process",
            titles,
            _build_series(results, titles),
            "milliseconds",
            guides=[
                (COLD_TARGET * 1e3, f"cold target, {COLD_TARGET * 1e3:g} ms"),
                (DISK_HIT_TARGET * 1e3, f"hit target, {DISK_HIT_TARGET * 1e3:g} ms"),
            ],
        ),
    }
    for name, svg in charts.items():
        (docs / name).write_text(svg, encoding="utf-8")


def _ratio(results: Results, title: str, name: str) -> float | None:
    cells = results.cells[title]
    cell, primal = cells[name], cells["primal"].seconds
    if cell.status != "ok" or cell.seconds is None or not primal:
        return None
    return cell.seconds / primal


def _ms(values: list[float | None]) -> list[float | None]:
    return [None if value is None else value * 1e3 for value in values]


def _build_series(results: Results, titles: list[str]) -> dict[str, list]:
    builds = [results.builds[title] for title in titles]
    built = [build if isinstance(build, FreshBuild) else None for build in builds]
    return {
        "cold": [build and build.cold * 1e3 for build in built],
        "warm": [build and build.warm * 1e3 for build in built],
        "disk-cache hit": [build and build.disk_hit * 1e3 for build in built],
    }
