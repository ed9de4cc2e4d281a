"""Building gradients: from many threads at once, and of very deep code."""

from __future__ import annotations

import gc
import importlib
import math
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import srcgrad
from srcgrad.compiler import recursion_headroom

ROOT = Path(__file__).resolve().parent.parent

THREADS = """
import math
import sys
import threading

import numpy as np

import srcgrad

# Each thread builds a different gradient (cold: the first ones import
# SymPy and black and fill rule tables) and some build the same one.
def f0(x):
    return math.sin(x) * math.exp(x)


def f1(x):
    return math.log1p(x * x)


def f2(x):
    return np.tanh(x) * x


def f3(x):
    return math.atan(x) + x**3


FUNCTIONS = [
    (f0, lambda x: math.exp(x) * (math.sin(x) + math.cos(x))),
    (f1, lambda x: 2 * x / (1 + x * x)),
    (f2, lambda x: math.tanh(x) + x * (1 - math.tanh(x) ** 2)),
    (f3, lambda x: 1 / (1 + x * x) + 3 * x * x),
]
barrier = threading.Barrier(8)
errors = []


def build(index):
    f, expected = FUNCTIONS[index % len(FUNCTIONS)]
    barrier.wait()
    try:
        g = srcgrad.grad(f)
        for x in (0.3, 1.1, 2.5):
            if abs(g(x) - expected(x)) > 1e-12 * max(1.0, abs(expected(x))):
                errors.append((index, x, g(x), expected(x)))
    except BaseException as error:
        errors.append((index, repr(error)))


threads = [threading.Thread(target=build, args=(i,)) for i in range(8)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
print(errors or "ok", srcgrad.cache_info()["entries"])
"""


def test_gradients_built_from_eight_threads_in_a_fresh_process_are_right(tmp_path):
    # A race shows only sometimes: five fresh processes at once.
    script = tmp_path / "threads.py"
    script.write_text(THREADS)
    runs = [
        subprocess.Popen(
            [sys.executable, str(script)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        for _ in range(5)
    ]
    for run in runs:
        out, err = run.communicate(timeout=60)
        assert run.returncode == 0, err
        assert out.split() == ["ok", "4"], out + err


@pytest.fixture
def deep(tmp_path, monkeypatch):
    """A module of very wide and very deep expressions, as a user might generate."""
    wide = " + ".join(["x"] + [f"x * {i}.0" for i in range(1, 600)])
    # Python allows at most 200 nested parentheses (a SyntaxError beyond).
    nested = "(x * " * 199 + "x" + ")" * 199
    sines = "math.sin(x * " * 150 + "x" + ")" * 150
    (tmp_path / "deep_model.py").write_text(textwrap.dedent(f"""
            import math

            def wide(x):
                return {wide}

            def nested(x):
                return {nested}

            def sines(x):
                return {sines}
            """))
    monkeypatch.syspath_prepend(str(tmp_path))
    yield importlib.import_module("deep_model")
    sys.modules.pop("deep_model", None)


def test_a_600_term_sum(deep):
    assert srcgrad.grad(deep.wide)(1.5) == 1.0 + sum(range(1, 600))


def test_199_nested_parentheses(deep):
    assert srcgrad.grad(deep.nested)(1.01) == pytest.approx(200 * 1.01**199, rel=1e-12)


def test_150_nested_calls(deep):
    # s_0 = x, s_k = sin(x * s_{k-1}); ds_k = cos(x s_{k-1}) (s_{k-1} + x ds_{k-1}).
    x, value, derivative = 0.9, 0.9, 1.0
    for _ in range(150):
        value, derivative = (
            math.sin(x * value),
            math.cos(x * value) * (value + x * derivative),
        )
    assert srcgrad.grad(deep.sines)(x) == pytest.approx(derivative, rel=1e-12)


def test_the_recursion_limit_is_restored_after_a_build(deep):
    before = sys.getrecursionlimit()
    srcgrad.clear_cache()
    srcgrad.grad(deep.sines)
    assert sys.getrecursionlimit() == before


def test_the_collector_runs_less_often_during_a_build_and_as_before_after():
    # A build keeps millions of objects alive until it ends; collecting the
    # youngest generation every 700 allocations traversed them again and
    # again (a third of a 10,000-statement build's time).
    before = gc.get_threshold()
    with recursion_headroom(100):
        assert gc.get_threshold() == (10_000, *before[1:])
    assert gc.get_threshold() == before


def test_a_build_leaves_collection_off_where_it_was_off():
    before = gc.get_threshold()
    gc.set_threshold(0)
    try:
        with recursion_headroom(100):
            assert gc.get_threshold()[0] == 0
    finally:
        gc.set_threshold(*before)
