"""The gradients benchmarks/compare.py times srcgrad against are right.

Each workload of benchmarks/workloads.py comes with a gradient written by
hand; compare.py takes it as the truth every system must agree with. Here
it is checked against srcgrad's gradient and against central differences
along one random direction (cheap for the MLP's 100,000 weights), so that
a slip in a hand-written gradient is not reported as every system being
wrong. Nothing here is timed.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import numpy as np
import pytest

import srcgrad

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"


def _import_workloads():
    # The benchmarks folder holds modules named like the tests' own
    # (arrays.py): it is on the path only while workloads.py is imported.
    sys.path.insert(0, str(BENCHMARKS))
    try:
        return importlib.import_module("workloads")
    finally:
        sys.path.remove(str(BENCHMARKS))


workloads = _import_workloads()
WORKLOADS = {workload.title: workload for workload in workloads.WORKLOADS}


def _directional_difference(workload, direction, step=1e-6):
    """(f(x + h v) - f(x - h v)) / 2h, moving every ``wrt`` input along v."""

    def at(sign):
        inputs = list(workload.inputs())
        for index, move in zip(workload.wrt, direction, strict=True):
            inputs[index] = inputs[index] + sign * step * move
        return workload.function(*inputs)

    return (at(1.0) - at(-1.0)) / (2 * step)


@pytest.mark.parametrize("title", list(WORKLOADS))
def test_hand_written_gradient_matches_srcgrad(title):
    workload = WORKLOADS[title]
    gradient = srcgrad.grad(workload.function, wrt=workload.wrt)
    mine = workloads.as_tuple(gradient(*workload.inputs()))
    by_hand = workload.gradient_by_hand()
    assert len(mine) == len(by_hand) == len(workload.wrt)
    for srcgrads, theirs in zip(mine, by_hand, strict=True):
        scale = np.max(np.abs(theirs))
        np.testing.assert_allclose(srcgrads, theirs, rtol=1e-9, atol=1e-9 * scale)


@pytest.mark.parametrize("title", list(WORKLOADS))
def test_hand_written_gradient_matches_differences(title):
    workload = WORKLOADS[title]
    rng = np.random.default_rng(0)
    inputs = workload.inputs()
    direction = [
        rng.normal(size=np.shape(inputs[index])) if np.ndim(inputs[index]) else 1.0
        for index in workload.wrt
    ]
    by_hand = workload.gradient_by_hand()
    slope = sum(
        float(np.sum(gradient * move))
        for gradient, move in zip(by_hand, direction, strict=True)
    )
    # Differences of f's rounding over the step: 1e-16 / 1e-6, give or take.
    difference = _directional_difference(workload, direction)
    assert slope == pytest.approx(difference, rel=1e-6, abs=1e-9)
