"""What getting a gradient costs in a fresh process, with and without the
disk cache.

Run as a script, it builds one workload's gradient and calls it once,
timing that alone (the imports and a call of the function come before; a
later call of the gradient is subtracted), and prints the seconds as JSON;
``--warm`` first differentiates two small functions, so the time is the
build without the one-off imports a first build pays.
``fresh_builds`` runs it in new processes: twice with one new
``SRCGRAD_CACHE_DIR`` (the first builds and fills the cache, the second
should find the gradient there) and once warm with the cache off.

    python benchmarks/fresh_build.py "MLP loss" [--warm]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from workloads import by_title

import srcgrad


@dataclass(frozen=True)
class FreshBuild:
    """Best seconds over the runs for ``srcgrad.grad(f)`` plus a first call."""

    cold: float
    disk_hit: float
    warm: float


class BuildFailed(Exception):
    """A fresh process could not build the gradient; the message says why."""


# Functions no workload has, differentiated before a warm build: SymPy and
# black are then imported, and the rules of atan and arctan derived.
def _warm_number(x):
    return math.atan(x) * x


def _warm_array(x):
    return np.sum(np.arctan(x) * x)


def _build_and_call(title: str, warm: bool) -> float:
    workload = by_title(title)
    inputs = workload.inputs()
    if warm:
        srcgrad.grad(_warm_number)(0.5)
        srcgrad.grad(_warm_array)(np.ones(3))
    workload.function(*inputs)  # NumPy's first-call costs are not srcgrad's
    started = time.perf_counter()
    gradient = srcgrad.grad(workload.function, wrt=workload.wrt)
    gradient(*inputs)
    first = time.perf_counter() - started
    later = []
    for _ in range(3):
        started = time.perf_counter()
        gradient(*inputs)
        later.append(time.perf_counter() - started)
    return max(first - min(later), 0.0)  # what getting the gradient added


def _run(title: str, cache_dir: str, *options: str, timeout: float) -> float:
    """Seconds the script reports in a new process with that cache."""
    here = Path(__file__).resolve().parent
    path = [str(here), str(Path(srcgrad.__file__).resolve().parent.parent)]
    environment = dict(os.environ, SRCGRAD_CACHE_DIR=cache_dir)
    environment.pop("SRCGRAD_CACHE", None)
    if "--warm" in options:
        environment["SRCGRAD_CACHE"] = "0"
    environment["PYTHONPATH"] = os.pathsep.join(
        path + [environment.get("PYTHONPATH", "")]
    )
    completed = subprocess.run(
        [sys.executable, str(here / "fresh_build.py"), title, *options],
        env=environment,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if completed.returncode != 0:
        lines = completed.stderr.strip().splitlines() or ["no message"]
        raise BuildFailed(f"{title}: {lines[-1]}")
    return json.loads(completed.stdout.splitlines()[-1])["seconds"]


def fresh_builds(title: str, runs: int, timeout: float = 300.0) -> FreshBuild:
    """Cold build, disk-cache hit and warm build of a workload, each the best
    of ``runs`` new processes (each cold run with a cache of its own)."""
    cold, hits, warm = [], [], []
    for _ in range(runs):
        with tempfile.TemporaryDirectory(prefix="srcgrad-cache-") as cache_dir:
            cold.append(_run(title, cache_dir, timeout=timeout))
            hits.append(_run(title, cache_dir, timeout=timeout))
        with tempfile.TemporaryDirectory(prefix="srcgrad-nocache-") as cache_dir:
            warm.append(_run(title, cache_dir, "--warm", timeout=timeout))
    return FreshBuild(min(cold), min(hits), min(warm))


def main() -> None:
    parser = argparse.ArgumentParser(description="Time one fresh build.")
    parser.add_argument("title")
    parser.add_argument("--warm", action="store_true")
    options = parser.parse_args()
    seconds = _build_and_call(options.title, options.warm)
    print(json.dumps({"seconds": seconds}))


if __name__ == "__main__":
    main()
