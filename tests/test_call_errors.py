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


def _place(error: srcgrad.SrcgradError) -> tuple[str, str]:
    """``file:line:col`` of the error, and the text its caret is under."""
    location = error.location
    assert location is not None, str(error)
    under = location.text[location.column - 1 : location.end_column - 1]
    return str(location), under


def test_a_function_passed_as_an_argument_is_refused_at_the_call():
    source = """
        def apply(fn, v):
            return fn(v)

        def f(x):
            return apply(math.sin, x) + x
        """
    f = define(source, "f")
    with pytest.raises(srcgrad.UnsupportedSyntaxError) as raised:
        srcgrad.grad(f)
    error = raised.value
    assert error.message == (
        "passing a function (`math.sin`) as an argument to apply is not "
        "supported: srcgrad reads which function each call calls from its name; "
        "call math.sin by name inside apply (one helper per function, if "
        "several are passed)"
    )
    filename = f.__code__.co_filename
    assert _place(error) == (f"{filename}:5:18", "math.sin")


def test_a_lambda_passed_as_an_argument_is_refused_at_the_call():
    source = (
        "def apply(fn, v):\n    return fn(v)\n\n"
        "def f(x):\n    return apply(lambda t: t * t, x)\n"
    )
    f = define(source, "f")
    with pytest.raises(srcgrad.UnsupportedSyntaxError) as raised:
        srcgrad.grad(f)
    assert "passing a function (a lambda) as an argument to apply" in str(raised.value)
    assert _place(raised.value)[1] == "lambda t: t * t"


def test_calling_a_parameter_says_functions_are_called_by_name():
    f = define("def f(fn, x):\n    return fn(x)\n")
    with pytest.raises(srcgrad.UnsupportedSyntaxError) as raised:
        srcgrad.grad(f, wrt="x")
    assert "parameter 'fn' is called here: functions passed as arguments are " in (
        raised.value.message
    )
    assert _place(raised.value) == (f"{f.__code__.co_filename}:2:12", "fn")


def test_an_unknown_keyword_is_named_before_a_missing_argument():
    source = "def h(s, t):\n    return s * t\n\ndef f(x):\n    return h(x=x)\n"
    f = define(source, "f")
    with pytest.raises(srcgrad.CallError) as raised:
        srcgrad.grad(f)
    assert raised.value.message == (
        "h() got an unexpected keyword argument 'x'; its parameters are (s, t)"
    )
    assert _place(raised.value) == (f"{f.__code__.co_filename}:5:14", "x=x")


def test_a_keyword_for_a_positional_only_parameter_says_so():
    source = "def h(s, /, t):\n    return s * t\n\ndef f(x):\n    return h(s=x, t=x)\n"
    with pytest.raises(srcgrad.CallError, match="h\\(\\) takes 's' by position only"):
        srcgrad.grad(define(source, "f"))


def test_an_attribute_of_a_complex_result_names_complex_values():
    f = define("import cmath\n\ndef f(x):\n    return cmath.sin(x).real\n", "f")
    with pytest.raises(srcgrad.UnsupportedSyntaxError) as raised:
        srcgrad.grad(f)
    message = raised.value.message
    assert message.startswith(
        "attribute `.real` of a computed value (`cmath.sin(x)`) is not supported: "
        "complex values are not supported"
    )
    assert "calling the result" not in message
    place = (f"{f.__code__.co_filename}:4:12", "cmath.sin(x).real")
    assert _place(raised.value) == place


def test_an_error_in_a_helper_names_every_call_on_the_way_with_its_file():
    source = """
        def inner(x):
            return x.foo

        def middle(x):
            return inner(x) * 2.0

        def f(x):
            return middle(x)
        """
    f = define(source, "f")
    filename = f.__code__.co_filename
    with pytest.raises(srcgrad.UnsupportedSyntaxError) as raised:
        srcgrad.grad(f)
    assert raised.value.message.endswith(
        f"(in inner, called from middle at {filename}:5:12, which is called "
        f"from f at {filename}:8:12)"
    )
    assert _place(raised.value) == (f"{filename}:2:12", "x.foo")


def test_max_of_one_number_says_a_number_is_not_iterable():
    f = define("def f(x):\n    return max(x * 2.0)\n")
    with pytest.raises(srcgrad.UnsupportedSyntaxError) as raised:
        srcgrad.grad(f)
    assert raised.value.message.startswith(
        "max(x * 2.0) of one number: max of one argument takes the largest item "
        "of it, and a number is not iterable (Python raises TypeError: 'float' "
        "object is not iterable)"
    )
    assert "max of a sequence" not in raised.value.message
    g = define("def f(x):\n    return min(x)\n")
    with pytest.raises(srcgrad.UnsupportedSyntaxError) as raised:
        srcgrad.grad(g)
    assert raised.value.message.startswith(
        "min(x) of one argument takes the smallest item of x: a number is not "
        "iterable"
    )
    assert _place(raised.value) == (f"{g.__code__.co_filename}:2:12", "min(x)")


#: A helper too big to be written out at its call: it has sweeps of its own.
BIG = """
def big(x, y):
    a = x * y + math.sin(x) * math.cos(y) + x * x * y
    b = a * a + math.exp(a) * x - y * y * a + math.sin(a * x)
    c = b * a + math.log(1.0 + b * b) + a * b * x * y + math.tanh(b)
    return c + y ** 1.5

def f(x, y):
    return big(x, y) * 2.0
"""


def test_a_complex_value_in_a_helper_names_the_helper_not_its_sweep():
    g = srcgrad.grad(define(BIG, "f"))
    assert "def big_forward(" in srcgrad.source(g)
    with pytest.raises(srcgrad.NotRealError) as raised:
        g(1.0, -2.0)
    message = str(raised.value)
    assert "big: y ** 1.5 (line 5) is complex" in message
    assert "big_forward" not in message
