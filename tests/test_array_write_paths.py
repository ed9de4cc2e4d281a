"""Writes in loops inside branches, and branches inside loops, that may
leave early: against central differences, at points that take each path.

A loop that writes an array (or appends to a list) inside one branch of
an ``if`` hands on the same variable the other branch leaves unchanged:
after the ``if`` both paths hold the one array, as in Python. Another name
for the array read after the loop sees the loop's writes in Python and is
refused where the array is written.
"""

from __future__ import annotations

import numpy as np
import pytest
from arrays import check_gradient
from helpers import define
from write_path_cases import (
    HELD_BEFORE_THE_LOOP,
    LOOPS_IN_BRANCHES,
    ON_OTHER_PATHS,
    ON_PATHS_AFTER,
    ONLY_ANOTHER_NAME_READ_AFTER,
    PUT_IN_A_LIST_EACH_STEP,
    PUT_IN_A_LIST_ONCE,
    SIBLINGS,
    SIBLINGS_REFUSED,
)

import srcgrad
from srcgrad import ValueTypeError

#: Points taking the three paths of most cases below: the first branch and
#: an early exit, the first branch to its end, the other branch.
POINTS = {
    "leaves early": np.array([0.3, 0.5, -0.2]),
    "runs to the end": np.array([0.3, 0.2, -0.2]),
    "other branch": np.array([-0.3, 0.5, 0.6]),
}


def refused(source: str, match: str) -> None:
    """Building the gradient of ``source`` refuses it, saying ``match``."""
    with pytest.raises(ValueTypeError, match=match):
        srcgrad.grad(define(source))(POINTS["leaves early"])


@pytest.mark.parametrize("x", POINTS.values(), ids=POINTS)
@pytest.mark.parametrize("source", LOOPS_IN_BRANCHES.values(), ids=LOOPS_IN_BRANCHES)
def test_a_loop_in_a_branch_hands_on_the_array_it_writes(source, x):
    check_gradient(define(source), (x,), [0])


@pytest.mark.parametrize(
    "source", HELD_BEFORE_THE_LOOP.values(), ids=HELD_BEFORE_THE_LOOP
)
def test_another_name_for_what_a_loop_in_a_branch_writes_is_refused(source):
    refused(source, "read after the loop")


@pytest.mark.parametrize("x", POINTS.values(), ids=POINTS)
@pytest.mark.parametrize("source", ON_OTHER_PATHS.values(), ids=ON_OTHER_PATHS)
def test_another_name_on_a_path_the_write_is_not_on(source, x):
    check_gradient(define(source), (x,), [0])


@pytest.mark.parametrize("source", ON_PATHS_AFTER.values(), ids=ON_PATHS_AFTER)
def test_another_name_on_a_path_after_the_write_is_refused(source):
    refused(source, "read after")


@pytest.mark.parametrize(
    "source",
    ONLY_ANOTHER_NAME_READ_AFTER.values(),
    ids=ONLY_ANOTHER_NAME_READ_AFTER,
)
def test_an_if_that_only_writes_is_judged_too(source):
    refused(source, "read after")


@pytest.mark.parametrize("x", POINTS.values(), ids=POINTS)
@pytest.mark.parametrize("source", PUT_IN_A_LIST_ONCE.values(), ids=PUT_IN_A_LIST_ONCE)
def test_an_array_a_loop_writes_is_put_in_a_list_once(source, x):
    check_gradient(define(source), (x,), [0])


@pytest.mark.parametrize(
    "source", PUT_IN_A_LIST_EACH_STEP.values(), ids=PUT_IN_A_LIST_EACH_STEP
)
def test_one_array_put_in_a_list_each_step_is_refused(source):
    refused(source, "put in a list each time round")


@pytest.mark.parametrize("x", POINTS.values(), ids=POINTS)
@pytest.mark.parametrize("source", SIBLINGS.values(), ids=SIBLINGS)
def test_writes_with_early_exits(source, x):
    check_gradient(define(source), (x,), [0])


@pytest.mark.parametrize("source", SIBLINGS_REFUSED.values(), ids=SIBLINGS_REFUSED)
def test_writes_with_early_exits_another_name_sees_are_refused(source):
    refused(source, "read after")
