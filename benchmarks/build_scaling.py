"""How a build's time grows with the size of the function, stage by stage.

    python benchmarks/build_scaling.py [N ...] [--all] [--no-black] [--profile]

Writes random straight-line functions of N statements like
``v17 = math.sin(v3) * v12 + v9 / (1.0 + v5 * v5)`` to a temporary file
(srcgrad reads source) and times ``srcgrad.grad`` of each, after SymPy and
black are imported and the rules of ``math.sin`` derived, so each figure is
the build alone. Each build's time is split by stage, timed around the
functions ``srcgrad.building`` calls: lowering (frontend), the passes and
the transform (passes/AD), writing the code (codegen), black, compiling it
(compile), and the rest of ``grad`` (reading the function's free names for
the cache key, binding). ``--no-black`` leaves black out, as a build will
once formatting happens only when the source is read; ``--all`` runs
N = 100, 1,000, 3,000 and 10,000; ``--profile`` prints, for each N, the
functions the build spends most time in (cProfile, which slows it down).
"""

from __future__ import annotations

import argparse
import cProfile
import importlib.util
import math
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

import srcgrad
import srcgrad.building
import srcgrad.codegen.emit

STAGES = ("frontend", "passes/AD", "codegen", "black", "compile", "other")


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

    #: Each stage, and the function of ``srcgrad.building`` that runs it.
    TIMED = {
        "frontend": "lower_live_program",
        "passes/AD": "_transform",
        "codegen": "generate_program",
        "compile": "compile_module",
    }

    def __init__(self, black: bool) -> None:
        self.black = black
        self.seconds = dict.fromkeys(STAGES, 0.0)

    def _timed(self, stage: str, function: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                self.seconds[stage] += time.perf_counter() - started

        return timed

    def _format(self, text: str) -> str:
        if not self.black:
            return text
        started = time.perf_counter()
        formatted = self.original_format(text)
        elapsed = time.perf_counter() - started
        self.seconds["black"] += elapsed
        self.seconds["codegen"] -= elapsed  # black runs inside codegen's timer
        return formatted

    @contextmanager
    def installed(self) -> Iterator[StageClock]:
        building: types.ModuleType = srcgrad.building
        originals = {name: getattr(building, name) for name in self.TIMED.values()}
        self.original_format = srcgrad.codegen.emit.format_source
        try:
            for stage, name in self.TIMED.items():
                setattr(building, name, self._timed(stage, originals[name]))
            srcgrad.codegen.emit.format_source = self._format  # type: ignore[assignment]
            yield self
        finally:
            for name, function in originals.items():
                setattr(building, name, function)
            srcgrad.codegen.emit.format_source = self.original_format


def load(directory: Path, statements: int) -> types.FunctionType:
    """The function of ``statements`` assignments, imported from a file."""
    path = directory / f"straight_{statements}.py"
    path.write_text(source(statements))
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[path.stem] = module
    spec.loader.exec_module(module)
    return module.f  # type: ignore[no-any-return]


def build(f: types.FunctionType, black: bool) -> dict[str, float]:
    """Seconds per stage (and ``total``) to build the gradient of ``f``."""
    srcgrad.clear_cache()
    with StageClock(black).installed() as clock:
        started = time.perf_counter()
        srcgrad.grad(f, wrt=(0, 1, 2, 3))
        total = time.perf_counter() - started
    clock.seconds["other"] = total - sum(clock.seconds.values())
    return {**clock.seconds, "total": total}


def profile(f: types.FunctionType, black: bool, lines: int = 25) -> None:
    """Print where a build of ``f`` spends its time, by function."""
    srcgrad.clear_cache()
    with StageClock(black).installed():
        profiler = cProfile.Profile()
        profiler.runcall(srcgrad.grad, f, wrt=(0, 1, 2, 3))
    stats = pstats.Stats(profiler, stream=sys.stdout)
    stats.sort_stats("tottime").print_stats(lines)


def warm_up() -> None:
    """Import SymPy and black, and derive the rules the functions use."""
    srcgrad.grad(_uses_the_same_primitives, wrt=(0, 1))


def _uses_the_same_primitives(x: float, y: float) -> float:
    return math.sin(x) * y + x / (1.0 + y * y)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[100, 300, 1000])
    parser.add_argument("--all", action="store_true", help="N = 100 to 10,000")
    parser.add_argument("--no-black", action="store_true", help="leave black out")
    parser.add_argument("--profile", action="store_true", help="cProfile each N")
    options = parser.parse_args()
    sizes = [100, 1000, 3000, 10000] if options.all else options.sizes
    black = not options.no_black
    warm_up()
    columns = [stage for stage in STAGES if black or stage != "black"]
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
                profile(f, black)


if __name__ == "__main__":
    main()
