"""How a build's time grows with the size of the function, stage by stage.

    python benchmarks/build_scaling.py [N ...] [--all] [--black] [--profile]

Writes random straight-line functions of N statements like
``v17 = math.sin(v3) * v12 + v9 / (1.0 + v5 * v5)`` to a temporary file
(srcgrad reads source) and times ``srcgrad.grad`` of each, with the disk
cache off, after a first build has loaded the compiler, so each figure is
the build alone. Each build's time is split by stage, timed around the
functions ``srcgrad.building`` calls: lowering (frontend), the passes and
the transform (passes/AD), writing the code (codegen), compiling it
(compile), and the rest of ``grad`` (the cache keys, binding). Black is
not part of a build: it formats the code when a person reads it;
``--black`` also times that (``srcgrad.source``). ``--all`` runs N = 100,
1,000, 3,000 and 10,000; ``--profile`` prints, for each N, the functions
the build spends most time in (cProfile, which slows it down).
"""

from __future__ import annotations

import argparse
import cProfile
import importlib.util
import math
import os
import pstats
import random
import sys
import tempfile
import time
import types
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

os.environ["SRCGRAD_CACHE"] = "0"  # every figure a build, never a disk hit

import srcgrad  # noqa: E402
import srcgrad.building  # noqa: E402
import srcgrad.compiled  # noqa: E402

STAGES = ("frontend", "passes/AD", "codegen", "compile", "other")


def source(statements: int, seed: int = 0) -> str:
    """A function of four inputs and ``statements`` assignments."""
    rng = random.Random(seed)
    lines = ["import math", "", "", "def f(v0, v1, v2, v3):"]
    for k in range(4, statements + 4):
        a, b, c, d, e = (rng.randrange(k) for _ in range(5))
        lines.append(f"    v{k} = math.sin(v{a}) * v{b} + v{c} / (1.0 + v{d} * v{e})")
    lines.append(f"    return v{statements + 3}")
    return "\n".join(lines) + "\n"


class StageClock:
    """Seconds spent in each stage of the builds run while it is installed."""

    #: Each stage, and the module and function that runs it.
    TIMED = {
        "frontend": (srcgrad.building, "lower_live_program"),
        "passes/AD": (srcgrad.building, "_transform"),
        "codegen": (srcgrad.building, "generate_program"),
        "compile": (srcgrad.compiled, "compile_module"),
    }

    def __init__(self) -> None:
        self.seconds = dict.fromkeys(STAGES, 0.0)

    def _timed(self, stage: str, function: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                self.seconds[stage] += time.perf_counter() - started

        return timed

    @contextmanager
    def installed(self) -> Iterator[StageClock]:
        originals = {
            stage: getattr(module, name) for stage, (module, name) in self.TIMED.items()
        }
        try:
            for stage, (module, name) in self.TIMED.items():
                setattr(module, name, self._timed(stage, originals[stage]))
            yield self
        finally:
            for stage, (module, name) in self.TIMED.items():
                setattr(module, name, originals[stage])


def module_from_source(directory: Path, name: str, text: str) -> types.ModuleType:
    """``text`` as module ``name``, imported from a file (srcgrad reads source)."""
    path = directory / f"{name}.py"
    path.write_text(text)
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def load(directory: Path, statements: int) -> types.FunctionType:
    """The function of ``statements`` assignments, imported from a file."""
    module = module_from_source(directory, f"straight_{statements}", source(statements))
    return module.f  # type: ignore[no-any-return]


def build(f: types.FunctionType, black: bool) -> dict[str, float]:
    """Seconds per stage (and ``total``) to build the gradient of ``f``, and
    with ``black`` the seconds to format it for reading."""
    srcgrad.clear_cache()
    with StageClock().installed() as clock:
        started = time.perf_counter()
        gradient = srcgrad.grad(f, wrt=(0, 1, 2, 3))
        total = time.perf_counter() - started
    clock.seconds["other"] = total - sum(clock.seconds.values())
    seconds = {**clock.seconds, "total": total}
    if black:
        started = time.perf_counter()
        srcgrad.source(gradient)
        seconds["black (on reading)"] = time.perf_counter() - started
    return seconds


def profile(f: types.FunctionType, lines: int = 25) -> None:
    """Print where a build of ``f`` spends its time, by function."""
    srcgrad.clear_cache()
    with StageClock().installed():
        profiler = cProfile.Profile()
        profiler.runcall(srcgrad.grad, f, wrt=(0, 1, 2, 3))
    stats = pstats.Stats(profiler, stream=sys.stdout)
    stats.sort_stats("tottime").print_stats(lines)


def warm_up() -> None:
    """Load the compiler with a first build of the same primitives."""
    srcgrad.grad(_uses_the_same_primitives, wrt=(0, 1))


def _uses_the_same_primitives(x: float, y: float) -> float:
    return math.sin(x) * y + x / (1.0 + y * y)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[100, 300, 1000])
    parser.add_argument("--all", action="store_true", help="N = 100 to 10,000")
    parser.add_argument(
        "--black", action="store_true", help="also time formatting for reading"
    )
    parser.add_argument("--profile", action="store_true", help="cProfile each N")
    options = parser.parse_args()
    sizes = [100, 1000, 3000, 10000] if options.all else options.sizes
    black = options.black
    warm_up()
    columns = [*STAGES, *(["black (on reading)"] if black else [])]
    print("| statements | " + " | ".join(columns) + " | total (s) | ms/statement |")
    print("| ---: " * (len(columns) + 3) + "|")
    with tempfile.TemporaryDirectory() as directory:
        for statements in sizes:
            f = load(Path(directory), statements)
            seconds = build(f, black)
            cells = [f"{seconds[stage]:.3f}" for stage in columns]
            per = 1e3 * seconds["total"] / statements
            total = seconds["total"]
            print(f"| {statements:,} | " + " | ".join(cells), end="")
            print(f" | {total:.3f} | {per:.2f} |", flush=True)
            if options.profile:
                profile(f)


if __name__ == "__main__":
    main()
