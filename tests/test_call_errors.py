"""Calls srcgrad cannot take as written are refused where they are written."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from helpers import define

import srcgrad


def test_a_third_positional_argument_of_a_ufunc_is_out_not_an_operand():
    # math.hypot takes any number of arguments; np.hypot takes two, and its
    # third positional argument is `out`: refused when built, not at run time.
    f = define("def f(x):\n    return np.hypot(x, x, x)\n")
    with pytest.raises(srcgrad.UnsupportedSyntaxError, match="'out'"):
        srcgrad.grad(f)
    g = define("def f(x):\n    return math.hypot(x, x, x)\n")
    assert srcgrad.grad(g)(1.0) == pytest.approx(3**0.5)


def test_math_log_takes_one_or_two_arguments():
    f = define("def f(x):\n    return math.log(x, 2.0, 3.0)\n")
    with pytest.raises(srcgrad.CallError, match="1 or 2") as raised:
        srcgrad.grad(f)
    assert ":2:" in str(raised.value)


def test_variadic_parameters_are_named_at_their_place_before_wrt_is_read():
    f = define("def f(*x):\n    return 1.0\n")
    with pytest.raises(srcgrad.UnsupportedSyntaxError, match=r"\*x"):
        srcgrad.grad(f)


def test_a_class_method_gets_a_hint_that_fits_it():
    f = define(
        """
        class Model:
            @classmethod
            def energy(cls, x):
                return x * 2.0
        """,
        "Model",
    )
    with pytest.raises(srcgrad.SourceUnavailableError, match=r"energy\.__func__"):
        srcgrad.grad(f.energy, wrt="x")


def test_a_wrt_input_must_be_floating_point():
    f = define("def f(x):\n    return math.sin(x)\n")
    g = srcgrad.grad(f)
    for value in (Fraction(1, 2), 2, True):
        with pytest.raises(srcgrad.NotRealError):
            g(value)
    assert g(np.float32(0.5)) == pytest.approx(np.cos(0.5), rel=1e-6)


def test_numpy_integers_that_would_wrap_in_derivative_terms_are_refused():
    # f computes count * w; its derivative computes -count, which for an
    # unsigned NumPy integer wraps to 4294967291: refused, not returned.
    f = define("def f(w, count):\n    return 10.0 - count * w\n")
    g = srcgrad.grad(f)
    assert g(0.5, 5) == -5
    for count in (np.uint32(5), np.int32(5), np.int8(5)):
        with pytest.raises(srcgrad.NotRealError, match="wrap"):
            g(0.5, count)


def test_calling_a_calls_result_is_named_as_a_reader_would():
    f = define("def f(x):\n    return math.sin(x)(x)\n")
    with pytest.raises(srcgrad.UnsupportedSyntaxError, match="calling the result"):
        srcgrad.grad(f)


@pytest.mark.parametrize(
    "call",
    ["np.arctan2(x, 1.0, out=None)", "np.log(x, where=True)", "np.sin(x, dtype=float)"],
)
def test_numpy_options_are_refused_by_name(call):
    f = define(f"def f(x):\n    return {call}\n")
    option = call.split(", ")[-1].split("=")[0]
    with pytest.raises(srcgrad.UnsupportedSyntaxError, match=f"argument '{option}'"):
        srcgrad.grad(f)
