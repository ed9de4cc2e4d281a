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


LOOPS_IN_BRANCHES = {
    "a return in the loop": """
        def f(x):
            y = np.zeros(3)
            if x[0] > 0:
                for i in range(3):
                    y[i] = x[i] * 3.0
                    if x[i] > 0.4:
                        return np.sum(y * x)
            return np.sum(y) + x[1]
        """,
    "no return": """
        def f(x):
            y = np.zeros(3)
            if x[0] > 0:
                for i in range(3):
                    y[i] = x[i] * 3.0
            return np.sum(y * x) + x[1]
        """,
    "a break": """
        def f(x):
            y = np.zeros(3)
            if x[0] > 0:
                for i in range(3):
                    y[i] = x[i] * 3.0
                    if x[i] > 0.4:
                        break
            return np.sum(y * x)
        """,
    "in the else branch, with a return": """
        def f(x):
            y = np.ones(3)
            if x[0] < 0:
                s = x[1]
            else:
                for i in range(3):
                    y[i] = y[i] * x[i]
                    if x[i] > 0.4:
                        return np.sum(y ** 2)
                s = x[2]
            return np.sum(y * x) * s
        """,
    "a write after the if": """
        def f(x):
            y = np.zeros(3)
            if x[0] > 0:
                for i in range(3):
                    y[i] = x[i] * 2.0
                    if x[i] > 0.4:
                        return np.sum(y)
            y[0] = x[2] * x[1]
            return np.sum(y * x)
        """,
    "a while loop with a return": """
        def f(x):
            y = np.zeros(3)
            i = 0
            if x[0] > 0:
                while i < 3:
                    y[i] = x[i] * x[0]
                    if y[i] > 0.1:
                        return np.sum(y) + x[1]
                    i += 1
            return np.sum(y * x)
        """,
    "appends, and a return": """
        def f(x):
            out = []
            if x[0] > 0:
                for i in range(3):
                    out.append(x[i] * 2.0)
                    if x[i] > 0.4:
                        return sum(out) * x[0]
            return sum(out) + x[1]
        """,
    "+=, and a return": """
        def f(x):
            y = x * 1.0
            if x[0] > 0:
                for i in range(2):
                    y += x * x[i]
                    if x[i] > 0.4:
                        return np.sum(y * y)
            return np.sum(y)
        """,
    "two ifs, a loop in each": """
        def f(x):
            y = np.zeros(3)
            if x[0] > 0:
                for i in range(3):
                    y[i] = x[i]
            if x[1] > 0.3:
                for i in range(3):
                    y[i] = y[i] * x[i]
                    if x[i] < 0:
                        return np.sum(y)
            return np.sum(y * y)
        """,
    "in an outer loop": """
        def f(x):
            y = np.zeros(3)
            s = 0.0
            for t in range(2):
                if x[t] > 0:
                    for i in range(3):
                        y[i] = y[i] + x[i] * x[t]
                        if y[i] > 0.6:
                            return s + np.sum(y)
                s = s + np.sum(y * x)
            return s
        """,
    "an elif chain, loops in two branches": """
        def f(x):
            y = np.zeros(3)
            if x[0] > 0.5:
                for i in range(3):
                    y[i] = x[i]
            elif x[0] > 0:
                for i in range(3):
                    y[i] = x[i] ** 2
                    if x[i] > 0.4:
                        break
            return np.sum(y * x)
        """,
    "a return in an inner else": """
        def f(x):
            y = np.ones(3)
            if x[1] > 0:
                i = 0
                while i < 3:
                    if x[i] > -0.1:
                        y[i] = x[i] * y[i - 1]
                    else:
                        return np.sum(y) * x[i]
                    i += 1
            return np.sum(y * x)
        """,
    "appends in a while loop, and a return": """
        def f(x):
            out = []
            if x[0] > 0:
                i = 0
                while i < 3:
                    out.append(x[i] ** 2)
                    if sum(out) > 0.3:
                        return sum(out) * x[1]
                    i += 1
            out.append(x[2])
            return sum(out)
        """,
    "rows of a matrix, a break, a write after": """
        def f(x):
            A = np.zeros((2, 3))
            for r in range(2):
                if x[r] > 0:
                    for c in range(3):
                        A[r, c] = x[c] * x[r]
                        if A[r, c] > 0.12:
                            break
                A[r, 0] = A[r, 0] + x[2]
            return np.sum(A * A)
        """,
}


@pytest.mark.parametrize("x", POINTS.values(), ids=POINTS)
@pytest.mark.parametrize("source", LOOPS_IN_BRANCHES.values(), ids=LOOPS_IN_BRANCHES)
def test_a_loop_in_a_branch_hands_on_the_array_it_writes(source, x):
    check_gradient(define(source), (x,), [0])


HELD_BEFORE_THE_LOOP = {
    "another name bound before the if": """
        def f(x):
            y = np.zeros(3)
            z = y
            if x[0] > 0:
                for i in range(3):
                    y[i] = x[i] * 3.0
                    if x[i] > 0.4:
                        return np.sum(y * x)
            return np.sum(z) + x[1]
        """,
    "another name bound in the branch": """
        def f(x):
            y = np.zeros(3)
            if x[0] > 0:
                z = y
                for i in range(3):
                    y[i] = x[i] * 3.0
                    if x[i] > 0.4:
                        return np.sum(y * x)
            else:
                z = np.ones(3)
            return np.sum(z * x)
        """,
    "a view taken before, chosen after": """
        def f(x):
            y = np.zeros(3)
            z = y[0:2]
            if x[0] > 0:
                for i in range(3):
                    y[i] = x[i] * 3.0
            a = y[0:2] if x[1] > 0.3 else z
            return np.sum(a)
        """,
    "another name for the list": """
        def f(x):
            out = []
            keep = out
            if x[0] > 0:
                for i in range(3):
                    out.append(x[i] * 2.0)
                    if x[i] > 0.4:
                        return sum(out) * x[0]
            return sum(keep) + x[1]
        """,
}


@pytest.mark.parametrize(
    "source", HELD_BEFORE_THE_LOOP.values(), ids=HELD_BEFORE_THE_LOOP
)
def test_another_name_for_what_a_loop_in_a_branch_writes_is_refused(source):
    refused(source, "read after the loop")


#: Another name for the array on a path the write is not on: the other
#: branch of the if, or of a second if on one condition (the frontend
#: writes what follows an if whose branch always leaves that way).
ON_OTHER_PATHS = {
    "the old array named in the other branch": """
        def f(x):
            y = np.zeros(3)
            if x[0] > 0:
                for i in range(3):
                    y[i] = x[i] * 3.0
                a = x * 2.0
            else:
                a = y
            return np.sum(a * x) + np.sum(y)
        """,
    "a write in one branch, the old array named in the other": """
        def f(x):
            y = np.zeros(3)
            if x[0] > 0:
                y[0] = x[1] * x[2]
                a = x * 2.0
            else:
                a = y
            return np.sum(a * x) + np.sum(y * x)
        """,
    "appends in one branch, the old list named in the other": """
        def f(x):
            out = [x[2]]
            if x[0] > 0:
                for i in range(3):
                    out.append(x[i] * 2.0)
                keep = [x[1]]
            else:
                keep = out
            return sum(keep) * x[0] + sum(out)
        """,
    "a while True that returns, the old array read after": """
        def f(x):
            y = np.zeros(3)
            if x[2] < 0.5:
                i = 0
                while True:
                    y[i] = x[i] * 2.0
                    if x[i] > 0.4 or i == 2:
                        return np.sum(y * x)
                    i += 1
            return np.sum(y)
        """,
    "two ifs on a condition fixed before the loop": """
        def f(x):
            y = np.zeros(3)
            z = y
            c = x[0] > 0
            s = 0.0
            for t in range(3):
                if c:
                    for i in range(3):
                        y[i] = x[i] * x[t]
                if not c:
                    s = s + np.sum(z * x)
            return s + np.sum(y * x)
        """,
}


@pytest.mark.parametrize("x", POINTS.values(), ids=POINTS)
@pytest.mark.parametrize("source", ON_OTHER_PATHS.values(), ids=ON_OTHER_PATHS)
def test_another_name_on_a_path_the_write_is_not_on(source, x):
    check_gradient(define(source), (x,), [0])


#: Where a later step, or the code after the if, may read it after the write.
ON_PATHS_AFTER = {
    "the other branch, in a later step": """
        def f(x):
            y = np.zeros(3)
            z = y
            s = 0.0
            for t in range(3):
                if x[t] > 0:
                    for i in range(3):
                        y[i] = x[i] * x[t]
                else:
                    s = s + np.sum(z * x)
            return s + np.sum(y)
        """,
    "an if on the same condition, tested anew each step": """
        def f(x):
            y = np.zeros(3)
            z = y
            s = 0.0
            for t in range(3):
                c = x[t] > 0
                if c:
                    for i in range(3):
                        y[i] = x[i] * x[t]
                if not c:
                    s = s + np.sum(z * x)
            return s + np.sum(y)
        """,
    "a name bound in the other branch, written in a later step": """
        def f(x):
            y = np.zeros(3)
            a = np.ones(3)
            s = 0.0
            for t in range(3):
                if x[t] > 0:
                    y[0] = x[t]
                else:
                    a = y
                s = s + np.sum(a * x)
            return s
        """,
    "a write after the if": """
        def f(x):
            y = np.zeros(3)
            if x[0] > 0:
                y[0] = x[1] * x[2]
                a = x * 2.0
            else:
                a = y
            y[1] = x[0]
            return np.sum(a * x) + np.sum(y * x)
        """,
    "a write after the if with the loop": """
        def f(x):
            y = np.zeros(3)
            if x[0] > 0:
                for i in range(3):
                    y[i] = x[i] * 3.0
                a = x * 2.0
            else:
                a = y
            y[1] = x[0]
            return np.sum(a * x) + np.sum(y * x)
        """,
}


@pytest.mark.parametrize("source", ON_PATHS_AFTER.values(), ids=ON_PATHS_AFTER)
def test_another_name_on_a_path_after_the_write_is_refused(source):
    refused(source, "read after")


#: The variable written is read nowhere after the if, only another name for
#: its array: the if has no value, but its writes are still seen (these gave
#: a gradient of zeros, the frontend having dropped the if).
ONLY_ANOTHER_NAME_READ_AFTER = {
    "a loop in a branch": """
        def f(x):
            y = np.zeros(3)
            z = y
            if x[0] > 0:
                for i in range(3):
                    y[i] = x[i] * 2.0
            return np.sum(z * x)
        """,
    "a while True in a branch": """
        def f(x):
            y = np.zeros(3)
            z = y
            if x[2] < 0.5:
                i = 0
                while True:
                    y[i] = x[i] * 2.0
                    if x[i] > 0.4 or i == 2:
                        break
                    i += 1
            return np.sum(z * x)
        """,
}


@pytest.mark.parametrize(
    "source",
    ONLY_ANOTHER_NAME_READ_AFTER.values(),
    ids=ONLY_ANOTHER_NAME_READ_AFTER,
)
def test_an_if_that_only_writes_is_judged_too(source):
    refused(source, "read after")
