"""How a build's time grows with the size of the function.

    python benchmarks/build_scaling.py [N ...]

Writes random straight-line functions of N statements like
``v17 = math.sin(v3) * v12 + v9 / (1.0 + v5 * v5)`` to a temporary file
(srcgrad reads source) and times ``srcgrad.grad`` of each, after SymPy and
black are imported, so each figure is the build alone: lowering, the
passes, reverse mode, codegen and formatting.
"""

from __future__ import annotations

import argparse
import importlib.util
import random
import sys
import tempfile
import time
from pathlib import Path
from types import ModuleType

import srcgrad


def source(statements: int, seed: int = 0) -> str:
    """A function of four inputs and ``statements`` assignments."""
    rng = random.Random(seed)
    lines = ["import math", "", "", "def f(v0, v1, v2, v3):"]
    for k in range(4, statements + 4):
        a, b, c, d, e = (rng.randrange(k) for _ in range(5))
        lines.append(f"    v{k} = math.sin(v{a}) * v{b} + v{c} / (1.0 + v{d} * v{e})")
    lines.append(f"    return v{statements + 3}")
    return "\n".join(lines) + "\n"


def module_from_source(directory: Path, name: str, text: str) -> ModuleType:
    """``text`` as module ``name``, imported from a file (srcgrad reads source)."""
    path = directory / f"{name}.py"
    path.write_text(text)
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def built_in(directory: Path, statements: int) -> float:
    """Seconds to build the gradient of a function of ``statements``."""
    module = module_from_source(directory, f"straight_{statements}", source(statements))
    started = time.perf_counter()
    srcgrad.grad(module.f, wrt=(0, 1, 2, 3))
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[100, 300, 1000])
    sizes = parser.parse_args().sizes
    srcgrad.grad(lambda x: x * 2.0)  # SymPy and black imported before timing
    print("| statements | build (s) | ms per statement |")
    print("| ---: | ---: | ---: |")
    with tempfile.TemporaryDirectory() as directory:
        for statements in sizes:
            seconds = built_in(Path(directory), statements)
            per = 1e3 * seconds / statements
            print(f"| {statements:,} | {seconds:.2f} | {per:.1f} |")


if __name__ == "__main__":
    main()
