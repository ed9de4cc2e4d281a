"""srcgrad beside every other gradient system installed, on six workloads.

For each workload of workloads.py: the primal, the gradient written by
hand, srcgrad's, and those of Tangent, autograd, JAX (with and without
``jax.jit``) and PyTorch where they import. Every gradient is checked
against the hand-written one before it is timed; one that disagrees or
that a system refuses is reported as such and not timed. Times are the
best of interleaved repeats (timing.py). srcgrad's build is also timed in
fresh processes: cold, warm (SymPy and black loaded) and from the disk
cache. Prints the tables and writes docs/benchmarks.md with its charts.

    python benchmarks/compare.py [--repeat 15] [--seconds 0.02] [--fresh-runs 3]
"""

from __future__ import annotations

import os

# One thread for every library, set before any is imported: the threads
# of one library's pool spin on after its call, slowing the next library's
# pool on a machine of few cores (NumPy's MLP gradient ran 10 to 40 times
# slower right after PyTorch's, on 2 cores). A variable already set wins.
for _variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")
os.environ.setdefault(
    "XLA_FLAGS", "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1"
)

import argparse  # noqa: E402
import math  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import peers  # noqa: E402
from document import write_report  # noqa: E402
from fresh_build import BuildFailed, fresh_builds  # noqa: E402
from report import Cell, Results  # noqa: E402
from timing import Call, time_calls  # noqa: E402
from workloads import WORKLOADS, Workload  # noqa: E402

#: Largest relative difference from the hand-written gradient that agrees.
TOLERANCE = 1e-9
DOCS = Path(__file__).resolve().parent.parent / "docs"


def relative_error(result: tuple, expected: tuple) -> float:
    """Largest difference over the largest magnitude, item by item."""
    if len(result) != len(expected):
        return math.inf
    worst = 0.0
    for mine, theirs in zip(result, expected, strict=True):
        mine, theirs = np.asarray(mine, dtype=float), np.asarray(theirs, dtype=float)
        if mine.shape != theirs.shape:
            return math.inf
        scale = max(float(np.max(np.abs(theirs), initial=0.0)), 1e-300)
        difference = float(np.max(np.abs(mine - theirs), initial=0.0))
        worst = max(worst, difference / scale if np.isfinite(difference) else math.inf)
    return worst


def _checked(
    system: peers.System, workload: Workload, modules: dict
) -> tuple[Cell, Call | None]:
    """The system's gradient, called once and compared with the one by hand;
    the call to time, unless it was refused."""
    try:
        prepared = peers.prepare(system, workload, modules)
    except Exception as error:  # a refusal is a result, not a crash
        message = f"{type(error).__name__}: {str(error).splitlines()[0][:200]}"
        return Cell("refused", message), None
    call = Call(prepared.gradient, prepared.arguments)
    if system is peers.PRIMAL:
        return Cell("ok", first_call=prepared.first_call_seconds), call
    error = relative_error(prepared.result, workload.gradient_by_hand())
    if not error <= TOLERANCE:
        return Cell("wrong", f"relative error {error:.1e}", error=error), call
    return Cell("ok", first_call=prepared.first_call_seconds, error=error), call


def measure(
    workload: Workload, systems: tuple[peers.System, ...], loaded: dict, options
) -> dict[str, Cell]:
    """Check every system's gradient of ``workload``, then time those that agree."""
    cells: dict[str, Cell] = {}
    calls: dict[str, Call] = {}
    for system in systems:
        modules = loaded[system.name]
        if isinstance(modules, str):
            cells[system.name] = Cell("not installed", modules)
            continue
        cells[system.name], call = _checked(system, workload, modules)
        if cells[system.name].status == "ok" and call is not None:
            calls[system.name] = call
    times = time_calls(calls, options.repeat, options.seconds)
    for name, nanoseconds in times.items():
        cell = cells[name]
        cells[name] = Cell(
            "ok", cell.detail, nanoseconds * 1e-9, cell.first_call, cell.error
        )
    return cells


def run(options: argparse.Namespace) -> Results:
    """Every workload on every system, and srcgrad's fresh-process builds."""
    systems = (peers.PRIMAL, peers.BY_HAND, peers.SRCGRAD, *peers.PEERS)
    loaded = {system.name: peers.load(system) for system in systems}
    for system in systems:
        if not isinstance(loaded[system.name], str):
            peers.warm(system, loaded[system.name])
    cells, builds = {}, {}
    for workload in WORKLOADS:
        print(f"{workload.title}: srcgrad in fresh processes...", flush=True)
        try:
            builds[workload.title] = fresh_builds(workload.title, options.fresh_runs)
        except BuildFailed as failure:
            builds[workload.title] = str(failure)
        print(f"{workload.title}: checking and timing...", flush=True)
        cells[workload.title] = measure(workload, systems, loaded, options)
    missing = {name: why for name, why in loaded.items() if isinstance(why, str)}
    return Results(
        systems,
        missing,
        cells,
        builds,
        options.repeat,
        options.seconds,
        options.fresh_runs,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--seconds", type=float, default=0.02, help="per measurement")
    parser.add_argument("--fresh-runs", type=int, default=3, help="new processes")
    parser.add_argument("--docs", type=Path, default=DOCS, help="where to write")
    options = parser.parse_args()
    print(write_report(run(options), options.docs))


if __name__ == "__main__":
    main()
