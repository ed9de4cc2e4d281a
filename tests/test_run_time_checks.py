"""A gradient refuses inputs that are not real numbers, when it runs.

A complex number, a string or None would otherwise flow through the
arithmetic into a plausible number. The check at the top of every gradient
costs two attribute reads per input for floats and raises ``NotRealError``
(also a ``TypeError``) for the rest, naming the gradient and the input;
arrays go on to the gradient built for them, which refuses a function that
then returns an array (``x * a``, ``x + W``) rather than summing it.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
from helpers import define

import srcgrad
from srcgrad import DifferentiationError, NotRealError
from srcgrad.runtime import check_real

NOT_REAL = [
    pytest.param(1 + 2j, id="complex"),
    pytest.param("1.0", id="str"),
    pytest.param(None, id="None"),
    pytest.param([1.0], id="list"),
    pytest.param(np.complex128(1.0), id="numpy complex"),
    pytest.param(np.array([1.5j]), id="complex array"),
]
NOT_A_FLOAT = [*NOT_REAL, pytest.param(2, id="int"), pytest.param(True, id="bool")]


@pytest.fixture(scope="module")
def scaled():
    return srcgrad.grad(define("def f(x, a):\n    return x * a\n"))


@pytest.mark.parametrize("value", NOT_A_FLOAT)
def test_a_wrt_parameter_must_be_a_real_float(scaled, value):
    with pytest.raises(NotRealError) as caught:
        scaled(value, 3.0)
    assert isinstance(caught.value, TypeError)
    assert "f_grad" in str(caught.value) and "parameter 'x'" in str(caught.value)


@pytest.mark.parametrize("value", [np.float64(1.5), np.float32(1.5), 1.5])
def test_real_floats_of_any_kind_are_differentiated(scaled, value):
    assert scaled(value, 3.0) == 3.0


@pytest.mark.parametrize("value", NOT_REAL)
def test_another_parameter_reaching_the_output_must_be_real(scaled, value):
    with pytest.raises(NotRealError, match="parameter 'a'"):
        scaled(1.5, value)


@pytest.mark.parametrize("value", [3, np.float64(3.0), np.float32(3.0), Fraction(3)])
def test_other_parameters_may_be_any_real_number(scaled, value):
    assert scaled(1.5, value) == 3.0


@pytest.mark.parametrize("value", [np.array([1.5, 2.5]), np.ones((2, 1))])
def test_an_array_input_that_makes_f_return_an_array_is_refused(scaled, value):
    # x * a is an array: the gradient of one number does not exist.
    with pytest.raises(DifferentiationError, match="returns an array"):
        scaled(1.5, value)
    with pytest.raises(DifferentiationError, match="returns an array"):
        scaled(value, 1.5)


def test_a_0d_array_is_one_number():
    assert scaled_value(np.array(2.5)) == 2.5
    gradient = srcgrad.grad(define("def f(x, a):\n    return x * a\n"))(
        np.array(1.5), 2.0
    )
    assert gradient == 2.0 and np.shape(gradient) == ()


def scaled_value(a):
    return srcgrad.grad(define("def f(x, a):\n    return x * a\n"))(1.5, a)


def test_an_array_global_gives_no_gradient_of_an_array():
    # x + W returned 1.0, whatever W was.
    f = define("def f(x):\n    return x + W\n", W=np.ones(3))
    with pytest.raises(DifferentiationError, match="returns an array"):
        srcgrad.grad(f)(1.0)
    f.__globals__["W"] = 2.0
    assert srcgrad.grad(f)(1.0) == 1.0
    # Its sum has a gradient: one per item of W.
    g = define("def g(x):\n    return np.sum(x + W)\n", W=np.ones(3))
    assert srcgrad.grad(g)(1.0) == 3.0
    g.__globals__["W"] = np.ones((2, 4))  # a new shape gets its own build
    assert srcgrad.grad(g)(1.0) == 8.0


@pytest.mark.parametrize("value", NOT_REAL)
def test_globals_and_closure_variables_reaching_the_output_must_be_real(value):
    f = define("def f(x):\n    return x * GRAVITY\n", GRAVITY=value)
    with pytest.raises(NotRealError, match="global 'GRAVITY'"):
        srcgrad.grad(f)(1.0)
    g = define("""
        def outer(scale):
            def g(x):
                return math.sin(x) * scale
            return g
        """)(value)
    with pytest.raises(NotRealError, match="closure variable 'scale'"):
        srcgrad.grad(g)(1.0)


def test_inputs_the_output_does_not_depend_on_are_not_checked():
    f = define("""
        def f(x, label, unused_weight=None):
            ignored = unused_weight * 2.0
            return x * 3.0
        """)
    assert srcgrad.grad(f)(1.0, "any label", None) == 3.0


def test_the_check_is_readable_code_with_a_fast_path():
    f = define("def f(x, length):\n    return x * length * G\n", G=9.81)
    source = srcgrad.source(srcgrad.grad(f))
    assert "from srcgrad.runtime import has_arrays" in source
    # Black wraps the statement; compare it as one line.
    flat = " ".join(source.split()).replace("( ", "(").replace(" )", ")")
    assert (
        "if (x.__class__ is not float or length.__class__ not in (float, int) "
        "or G.__class__ not in (float, int)):" in flat
    )
    assert (
        'if has_arrays("f_grad", wrt={"x": x}, parameters={"length": length}, '
        'globals={"G": G}): return for_arrays(x, length)' in flat
    )


def test_check_real_names_what_it_got():
    with pytest.raises(NotRealError) as caught:
        check_real("energy_grad", wrt={"theta": 1.0}, globals={"GRAVITY": [9.81]})
    message = str(caught.value)
    assert "energy_grad: global 'GRAVITY' is list [9.81], not a real number" in message
    with pytest.raises(NotRealError, match=r"pass a float \(2.0, not 2\)"):
        check_real("energy_grad", wrt={"theta": 2})
    check_real("g", wrt={"x": math.pi}, parameters={"n": 3}, closure={"c": 1.0})


TWO_CLOSURES = """
def make(k):
    def h(t):
        return t * k * k

    return h


h2, h3 = make(K2), make(K3)


def f(x):
    return h2(x) + h3(x)
"""


@pytest.mark.parametrize("inlined", [True, False], ids=["inlined", "called"])
def test_each_closure_a_factory_made_is_checked(inlined, monkeypatch):
    # Both helpers read a `k`; the code reads the second as k_1, and the
    # check read only `k`: np.int8(100) * np.int8(100) wraps around to 16.
    if not inlined:
        monkeypatch.setattr("srcgrad.settings.INLINE_LIMIT", -1)
    srcgrad.clear_cache()
    f = define(TWO_CLOSURES, "f", K2=2, K3=np.int8(100))
    with pytest.raises(NotRealError, match="closure variable 'k of h3' is int8"):
        srcgrad.grad(f)(0.5)
    f.__globals__["h3"] = f.__globals__["make"](100)
    gradient = srcgrad.grad(f)
    srcgrad.clear_cache()
    assert gradient(0.5) == 4 + 10000
    assert gradient.__srcgrad__.reads == ("k", "k_1")


def test_a_global_and_a_helpers_closure_variable_of_one_name_are_both_checked():
    source = TWO_CLOSURES.replace("h2(x) + h3(x)", "h3(x) * k")
    f = define(source, "f", K2=2, K3=np.int8(100), k=3)
    with pytest.raises(NotRealError, match="closure variable 'k of h3' is int8"):
        srcgrad.grad(f)(0.5)
    f.__globals__["h3"] = f.__globals__["make"](10)
    assert srcgrad.grad(f)(0.5) == 300
    f.__globals__["k"] = np.int8(3)
    with pytest.raises(NotRealError, match="global 'k' is int8"):
        srcgrad.grad(f)(0.5)
