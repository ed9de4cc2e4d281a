"""Calls: a helper written out at its calls (inlined) against a call to its
forward and backward sweeps, by the helper's size.

    def f(x, n):
        s = 0.0
        for i in range(n):
            s = s + helper(x + 0.001 * i)
        return s

For helpers of 1 to 48 operations, times srcgrad's gradient of ``f`` (n =
500) with the helper inlined and with every call kept as a call, and counts
the lines of each generated module. The ratio is what a call costs; it
shrinks as the helper grows, while inlining copies the helper's derivative
to every call site. ``srcgrad.settings.INLINE_LIMIT`` is set from this
table (docs/design.md, "Calls").

    python benchmarks/calls.py [--repeat 7] [--seconds 0.05] [--steps 500]
"""

from __future__ import annotations

import argparse
import importlib
import platform
import sys
import tempfile
from pathlib import Path

from timing import time_all

import srcgrad
import srcgrad.settings as settings

#: One operation each, cycled to make a helper of any size.
_STEPS = [
    "u = u * t",
    "u = math.sin(u)",
    "u = u + t",
    "u = u * 0.5",
    "u = math.cos(u)",
    "u = u - t",
]
SIZES = (1, 2, 3, 5, 8, 12, 16, 24, 32, 48)


def module_text(size: int) -> str:
    """A module with a helper of ``size`` operations and ``f`` calling it."""
    body = "\n".join(f"    {_STEPS[i % len(_STEPS)]}" for i in range(size))
    return (
        "import math\n\n\n"
        f"def helper(t):\n    u = t\n{body}\n    return u\n\n\n"
        "def f(x, n):\n    s = 0.0\n    for i in range(n):\n"
        "        s = s + helper(x + 0.001 * i)\n    return s\n"
    )


def gradients(module) -> dict[str, object]:
    """The gradient of ``module.f`` with the helper inlined, and kept a call."""
    built = {}
    for name, limit in (("inlined", 10**6), ("call", -1)):
        saved = settings.INLINE_LIMIT
        settings.INLINE_LIMIT = limit
        srcgrad.clear_cache()
        try:
            built[name] = srcgrad.grad(module.f)
        finally:
            settings.INLINE_LIMIT = saved
            srcgrad.clear_cache()
    return built


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--seconds", type=float, default=0.05)
    parser.add_argument("--steps", type=int, default=500)
    options = parser.parse_args(argv)
    print(f"Python {platform.python_version()}, n = {options.steps}")
    print(
        f"{'ops':>4} {'inlined us':>11} {'call us':>9} {'call/inlined':>13} "
        f"{'lines inlined':>14} {'lines call':>11}"
    )
    with tempfile.TemporaryDirectory() as directory:
        sys.path.insert(0, directory)
        for size in SIZES:
            name = f"calls_benchmark_{size}"
            (Path(directory) / f"{name}.py").write_text(module_text(size))
            module = importlib.import_module(name)
            built = gradients(module)
            times = time_all(
                built, (0.3, options.steps), options.repeat, options.seconds
            )
            lines = {k: len(srcgrad.source(g).splitlines()) for k, g in built.items()}
            print(
                f"{size:4d} {times['inlined'] / 1e3:11.1f} {times['call'] / 1e3:9.1f} "
                f"{times['call'] / times['inlined']:13.2f} "
                f"{lines['inlined']:14d} {lines['call']:11d}"
            )


if __name__ == "__main__":
    main()
