"""Gradients through loops and branches: what they save, refuse and check.

The corpus (``test_gradient_corpus.py``) checks numbers at many points;
these tests pin the behaviour a reviewer asks about: which values a loop
keeps on a tape (exactly the ones the reverse sweep reads, each from its
own iteration), what counts as an integer, and what a gradient refuses
when it runs.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from helpers import central_difference as _central
from helpers import define

import srcgrad
from srcgrad.errors import DifferentiationError, NotRealError, ValueTypeError


def test_a_value_overwritten_late_in_an_iteration_is_read_from_its_own_iteration():
    # s reads x and y before the iteration overwrites them: the reverse step
    # must see the old x and y of the same iteration, never the new ones.
    f = define("""
        def f(x, y, n):
            s = 0.0
            for i in range(n):
                s = s + x * y
                x = math.sin(x) + 0.1 * i
                y = y * 0.9 + x
            return s
        """)
    gradient = srcgrad.grad(f, wrt=("x", "y"))
    for n in (0, 1, 2, 7):
        got = gradient(0.4, 1.3, n)
        for index in range(2):
            assert got[index] == pytest.approx(_central(f, (0.4, 1.3, n), index))
    # Each taped value is pushed once per iteration, where it is defined.
    text = srcgrad.source(gradient)
    assert text.count(".append(") == text.count("_tape = []")


def test_a_carried_value_read_after_the_loop_and_an_outer_value_read_inside():
    f = define("""
        def f(x, c):
            scale = c * c
            y = x
            for i in range(5):
                y = math.tanh(y * scale + i)
            return y * x + scale
        """)
    gradient = srcgrad.grad(f, wrt=("x", "c"))
    got = gradient(0.3, 0.8)
    for index in range(2):
        assert got[index] == pytest.approx(_central(f, (0.3, 0.8), index))
    # scale is defined before the loop: read where it is, never taped.
    assert "scale_tape" not in srcgrad.source(gradient)


def test_the_pendulum_tapes_only_the_state_the_reverse_sweep_reads():
    f = define(
        """
        def f(theta, damping, steps):
            omega = 0.0
            for _ in range(steps):
                alpha = -GRAVITY / 1.5 * math.sin(theta) - damping * omega
                theta = theta + 0.01 * omega
                omega = omega + 0.01 * alpha
            return theta
        """,
        GRAVITY=9.81,
    )
    text = srcgrad.source(srcgrad.grad(f, wrt=("theta", "damping")))
    tapes = sorted(line.split("=")[0].strip() for line in text.splitlines()
                   if line.strip().endswith("= []"))  # fmt: skip
    assert tapes == ["omega_tape", "theta_tape"]


def test_a_branch_in_a_loop_records_the_branch_taken_per_iteration():
    f = define("""
        def f(x, c):
            for i in range(6):
                if x > 1.0:
                    x = x * 0.5 + math.sin(x * c)
                else:
                    x = x * c + 0.3
            return x
        """)
    gradient = srcgrad.grad(f, wrt=("x", "c"))
    assert "branch_tape" in srcgrad.source(gradient)
    for point in [(1.7, 0.9), (0.4, 1.3), (2.5, 1.1)]:
        got = gradient(*point)
        for index in range(2):
            expected = _central(f, point, index)
            assert got[index] == pytest.approx(expected, rel=1e-6, abs=1e-9)


@pytest.mark.parametrize(
    ("source", "construct"),
    [
        ("def f(x, n):\n    for i in range(n):\n        x = x * 2.0\n    return x\n",
         r"range\(\) bound"),
        ("def f(x, n):\n    for i in range(int(n) + n):\n        x = x * 2.0\n"
         "    return x\n", r"range\(\) bound"),
    ],
)  # fmt: skip
def test_a_parameter_used_as_an_integer_cannot_be_differentiated(source, construct):
    f = define(source)
    with pytest.raises(DifferentiationError, match=construct) as raised:
        srcgrad.grad(f, wrt="n")
    assert raised.value.location is not None and raised.value.location.line == 2


def test_an_integer_parameter_beside_the_real_ones_is_fine():
    f = define(
        "def f(x, n):\n    for i in range(n):\n        x = x * 2.0\n    return x\n"
    )
    assert srcgrad.grad(f, wrt="x")(1.5, 3) == 8.0


def test_int_of_a_real_parameter_is_a_zero_derivative_not_an_error():
    f = define("""
        def f(x):
            total = 0.0
            for i in range(int(x)):
                total = total + x
            return total
        """)
    # total = int(x) * x: d/dx = int(x) away from the jumps.
    assert srcgrad.grad(f)(3.5) == 3.0


def test_a_sequence_parameter_must_hold_real_numbers():
    f = define("""
        def f(x, coefficients):
            total = 0.0
            for c in coefficients:
                total = total * x + c
            return total
        """)
    gradient = srcgrad.grad(f)
    assert gradient(2.0, [1.0, 2, 3.0]) == 2 * 2.0 * 1.0 + 2
    assert gradient(2.0, (1.0, 2.0)) == 1.0
    assert gradient(2.0, []) == 0.0
    for bad in ([1.0, 1j], [1.0, None], "12", [1.0, [2j]], 3.0):
        with pytest.raises(NotRealError, match="coefficients"):
            gradient(2.0, bad)


def test_pairs_of_numbers_pass_the_sequence_check():
    f = define("""
        def f(w, pairs):
            loss = 0.0
            for a, b in pairs:
                loss = loss + (w * a - b) ** 2
            return loss
        """)
    gradient = srcgrad.grad(f)
    pairs = ((1.0, 2.0), (3.0, -1.0))
    expected = sum(2 * (0.5 * a - b) * a for a, b in pairs)
    assert gradient(0.5, pairs) == pytest.approx(expected)
    with pytest.raises(NotRealError, match="pairs"):
        gradient(0.5, ((1.0, 2j),))


def test_a_loop_over_values_that_depend_on_wrt_walks_an_array_not_a_number():
    # Python cannot iterate over a number; an array is walked by index.
    f = define("""
        def f(x, data):
            total = 0.0
            for v in data:
                total = total + v * x
            return total
        """)
    gradient = srcgrad.grad(f, wrt="data")
    np.testing.assert_allclose(gradient(2.0, np.array([1.0, 3.0])), [2.0, 2.0])
    with pytest.raises(ValueTypeError, match="iterates over a number") as raised:
        gradient(2.0, 3.0)
    assert raised.value.location.line == 3


def test_a_while_loop_with_a_trip_count_only_counts_trips():
    f = define("""
        def f(x, y):
            while y < 100.0:
                x = x * 3.0
                y = y * 2.0
            return x
        """)
    gradient = srcgrad.grad(f)
    assert gradient(1.0, 1.0) == 3.0**7
    assert gradient(1.0, 500.0) == 1.0
    assert "_tape" not in srcgrad.source(gradient)


def test_early_return_inside_a_loop_differentiates_the_path_taken():
    f = define("""
        def f(x, limit):
            y = x
            for i in range(10):
                y = y * 1.5 + math.cos(y)
                if y > limit:
                    return y - limit * i
            return -y
        """)
    gradient = srcgrad.grad(f, wrt=("x", "limit"))
    for point in [(0.5, 5.0), (0.5, 1e9), (2.0, 3.0)]:
        got = gradient(*point)
        for index in range(2):
            expected = _central(f, point, index)
            assert got[index] == pytest.approx(expected, rel=1e-6, abs=1e-9)
    assert math.isfinite(gradient(0.5, 5.0)[0])


def test_a_value_carried_out_of_an_inner_loop_that_never_runs():
    # y > 0.3 is the same in every iteration of the while, so it is carried
    # out of it once; the outer loop saves it on its tape even when the
    # while runs zero times (it must exist then: it is None).
    f = define("""
        def f(x, y, n):
            for k in range(3):
                c = 0
                while c < n:
                    c = c + 1
                    if y > 0.3:
                        x = math.sin(x * y)
            return x
        """)
    gradient = srcgrad.grad(f, wrt=("x", "y"))
    for point in [(0.7, 0.5, 0), (0.7, 0.5, 2), (0.7, 0.1, 2)]:
        got = gradient(*point)
        for index in range(2):
            expected = _central(f, point, index)
            assert got[index] == pytest.approx(expected, rel=1e-6, abs=1e-9)


def test_a_range_index_is_replayed_backwards_not_taped():
    # The reverse sweep walks the same range backwards: the index and what
    # is cheaply computed from it (j) are never pushed on a tape.
    f = define("""
        def f(x, n):
            s = x
            for i in range(1, n, 2):
                j = 2 * i + 1
                s = s * math.cos(j * x) + math.sin(i * x) / i
            return s
        """)
    gradient = srcgrad.grad(f, wrt="x")
    for n in (0, 1, 2, 8):
        assert gradient(0.3, n) == pytest.approx(_central(f, (0.3, n), 0))
    text = srcgrad.source(gradient)
    assert "i_tape" not in text and "j_tape" not in text
    assert "reversed(" in text


def test_a_series_needs_no_forward_loop_at_all():
    f = define("""
        def f(x, n):
            s = 0.0
            for i in range(1, n):
                s += math.sin(i * x) / i
            return s
        """)
    gradient = srcgrad.grad(f, wrt="x")
    for n in (0, 1, 5):
        assert gradient(0.7, n) == pytest.approx(_central(f, (0.7, n), 0))
    text = srcgrad.source(gradient)
    loops = [line for line in text.splitlines() if line.strip().startswith("for ")]
    assert len(loops) == 1 and "_tape" not in text


@pytest.mark.parametrize(
    "assignment",
    [
        "a, b = (y, x) if x > y else (x, y)",
        "a, b = (x, y * 2) if x < y else (y, x * 3)",
        "a, b = (x, y) if x > y else (y, x)",
    ],
)
@pytest.mark.parametrize("point", [(0.3, 0.7), (0.9, 0.2)])
def test_a_conditional_expression_of_two_tuples(assignment, point):
    # a sort of two, written as one line: an `if` with two results
    f = define(f"def f(x, y):\n    {assignment}\n    return a * math.sin(b) + b\n")
    got = srcgrad.grad(f, wrt=(0, 1))(*point)
    expected = [_central(f, point, index) for index in (0, 1)]
    assert got == pytest.approx(expected, rel=1e-6)


def test_a_conditional_expression_of_tuples_of_two_lengths_is_refused():
    f = define("def f(x, y):\n    a, b = (x, y) if x > 0 else (y,)\n    return a\n")
    with pytest.raises(srcgrad.SrcgradError, match="different lengths"):
        srcgrad.grad(f)(0.3, 0.2)
