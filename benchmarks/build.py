"""What building a gradient costs: cold, again, and from the cache.

    python benchmarks/build.py

Run it in a fresh process: the first build pays for importing SymPy (rule
derivation) and black (formatting); later builds of other functions don't;
a cache hit reads no source and runs no compiler.
"""

from __future__ import annotations

import time

started = time.perf_counter()
import math  # noqa: E402

import srcgrad  # noqa: E402

imported = time.perf_counter()


def f(x, y):
    return math.sin(x * y) + math.exp(x) * math.cos(y) / (1 + x * x)


def h(x, y):
    return math.tanh(x * y) + math.log(x) * math.atan(y) / (1 + x * x)


def main() -> None:
    first_start = time.perf_counter()
    srcgrad.grad(f, wrt=("x", "y"))
    second_start = time.perf_counter()
    srcgrad.grad(h, wrt=("x", "y"))
    hit_start = time.perf_counter()
    srcgrad.grad(h, wrt=("x", "y"))
    hit_end = time.perf_counter()
    print(f"import srcgrad          {1e3 * (imported - started):8.1f} ms")
    print(f"first gradient (cold)  {1e3 * (second_start - first_start):8.1f} ms")
    print(f"another gradient       {1e3 * (hit_start - second_start):8.1f} ms")
    print(f"cache hit              {1e6 * (hit_end - hit_start):8.1f} us")


if __name__ == "__main__":
    main()
