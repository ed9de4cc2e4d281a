"""One measurement of scaling.py, in a process of its own (so it can be
stopped at a time limit); prints JSON lines as results come.

    python benchmarks/scaling_worker.py straight N
    python benchmarks/scaling_worker.py doubling MAX_DEPTH
    python benchmarks/scaling_worker.py sympy DEPTH
"""

from __future__ import annotations

import json
import math
import sys
import tempfile
import time
from pathlib import Path

from build_scaling import module_from_source, source
from workloads import doubling_by_hand

import srcgrad


def doubling_source(depth: int) -> str:
    """The doubling graph of ``depth`` levels written out, one line a level."""
    level = "    a, b = math.sin(a) * math.cos(b), math.cos(a) + math.sin(b)"
    lines = ["import math", "", "", f"def doubling_{depth}(a, b):"]
    lines += [level] * depth + ["    return a + b"]
    return "\n".join(lines) + "\n"


def _say(**figures: object) -> None:
    print(json.dumps(figures), flush=True)


def _warm_up(x):
    return math.sin(x) * math.cos(x) / (1.0 + x * x)


def _build(
    module_name: str, text: str, function_name: str, wrt: tuple, repeats: int = 1
):
    """Build the gradient of a function of ``text``: the best seconds of
    ``repeats`` builds, the gradient and its source."""
    srcgrad.grad(_warm_up)(0.5)  # SymPy and black imported, sin's and cos's rules
    best = math.inf
    with tempfile.TemporaryDirectory() as directory:
        module = module_from_source(Path(directory), module_name, text)
        function = getattr(module, function_name)
        for _ in range(repeats):
            srcgrad.clear_cache()
            started = time.perf_counter()
            gradient = srcgrad.grad(function, wrt=wrt)
            best = min(best, time.perf_counter() - started)
    return best, gradient, srcgrad.source(gradient)


def straight(statements: int) -> None:
    seconds, _, generated = _build(
        f"straight_{statements}", source(statements), "f", (0, 1, 2, 3)
    )
    _say(seconds=seconds, characters=len(generated), lines=generated.count("\n"))


def doubling(max_depth: int) -> None:
    for depth in range(1, max_depth + 1):
        seconds, gradient, generated = _build(
            f"doubling_{depth}",
            doubling_source(depth),
            f"doubling_{depth}",
            (0, 1),
            repeats=3,
        )
        got, expected = gradient(0.5, 0.7), doubling_by_hand(0.5, 0.7, depth)
        error = max(abs(g - e) for g, e in zip(got, expected, strict=True))
        _say(
            depth=depth,
            seconds=seconds,
            characters=len(generated),
            lines=generated.count("\n"),
            error=error / max(abs(e) for e in expected),
        )


def sympy_doubling(depth: int) -> None:
    import sympy

    u, v = sympy.symbols("u v")
    sympy.diff(sympy.sin(u) * sympy.cos(v) + sympy.cos(u), u)  # its first call
    a, b = sympy.symbols("a b")
    x, y = a, b
    for _ in range(depth):
        x, y = sympy.sin(x) * sympy.cos(y), sympy.cos(x) + sympy.sin(y)
    started = time.perf_counter()
    derivatives = [sympy.diff(x + y, a), sympy.diff(x + y, b)]
    _say(seconds=time.perf_counter() - started)
    _say(operations=sum(sympy.count_ops(d) for d in derivatives))
    _say(characters=sum(len(str(d)) for d in derivatives))


def main() -> None:
    kind, size = sys.argv[1], int(sys.argv[2])
    {"straight": straight, "doubling": doubling, "sympy": sympy_doubling}[kind](size)


if __name__ == "__main__":
    main()
