"""Calls srcgrad refuses, and where it says so; the cache and ``srcgrad
show`` with calls."""

from __future__ import annotations

import importlib
import importlib.util
import math
import re
import sys
import textwrap

import pytest
from helpers import define
from test_calls import POWER, define_f

import srcgrad


# -- errors ---------------------------------------------------------------------------
class _Model:
    def energy(self, x):
        return x * x


ERRORS = [
    ("return divmod(x, 2.0)[0]", "call to divmod (a built-in function)"),
    ("return divmod(x, 2.0)", "call to divmod (a built-in function) is not supported"),
    ("return mul(x, x)", "call to mul (a built-in function) is not supported"),
    ("return x.conjugate()", "attribute access on a value is not supported (nor"),
    ("return model.energy(x)", "nor are an object's methods); pass the numbers"),
    ("return Model(x)", "call to Model (a class) is not supported"),
    ("return wrapped(x)", "wrapped by a decorator"),
    ("return needs_array(x)", "the default of parameter 'w' of needs_array is a list"),
    ("return takes_two(x)", "takes_two(): missing a required argument: 'b'"),
]


def _wrap(function):
    import functools

    @functools.wraps(function)
    def wrapper(*args):
        return function(*args)

    return wrapper


@pytest.mark.parametrize(("body", "message"), ERRORS, ids=[e[1][:30] for e in ERRORS])
def test_a_call_srcgrad_cannot_read_is_an_error_at_the_call(body, message):
    import operator

    source = (
        "def needs_array(x, w=[1.0]):\n    return x\n\n"
        "def takes_two(a, b):\n    return a * b\n\n"
        f"def f(x):\n    {body}\n"
    )
    plain = define("def plain(t):\n    return t\n")
    f = define_f(
        source, mul=operator.mul, model=_Model(), Model=_Model, wrapped=_wrap(plain)
    )
    with pytest.raises(srcgrad.SrcgradError) as raised:
        srcgrad.grad(f)
    error = raised.value
    assert message in error.message, error.message
    assert error.location is not None and error.location.line == 8
    assert error.location.column >= 12


def test_an_error_inside_a_helper_points_into_the_helper():
    f = define_f("""
        def helper(t):
            return math.gamma(t)

        def f(x):
            return helper(x) * x
        """)
    with pytest.raises(srcgrad.DifferentiationError) as raised:
        srcgrad.grad(f)
    assert raised.value.location.line == 2
    assert "no derivative rule for math.gamma" in raised.value.message


def test_an_integer_a_helper_needs_is_refused_in_the_helper():
    f = define_f("""
        def repeat(x, n):
            s = 0.0
            for i in range(n):
                s = s + x
            return s

        def f(x):
            return repeat(x, x)
        """)
    with pytest.raises(
        srcgrad.DifferentiationError, match="range\\(\\) bound"
    ) as raised:
        srcgrad.grad(f)
    assert raised.value.location.line == 3


def test_a_generator_helper_is_refused_at_its_yield():
    f = define_f("def gen(t):\n    yield t\n\ndef f(x):\n    return gen(x)\n")
    with pytest.raises(srcgrad.UnsupportedSyntaxError, match="generator") as raised:
        srcgrad.grad(f)
    assert raised.value.location.line == 2
    # The call's file, line and column, as the error's own place is given.
    assert re.search(
        r"\(in gen, called from f at <test-source-\d+>:5:12\)$", raised.value.message
    )


def test_a_lambda_and_a_static_method_call_helpers():
    namespace = define_f("""
        def helper(t):
            return 2.0 * t * t

        class Model:
            @staticmethod
            def energy(x):
                return helper(x) * 3.0

        lam = lambda x: helper(x) + 1.0

        def f(x):
            return x
        """).__globals__
    assert srcgrad.grad(namespace["lam"])(0.5) == 2.0
    assert srcgrad.grad(namespace["Model"].energy)(0.5) == 6.0


def test_a_helper_edited_since_import_is_refused(tmp_path, monkeypatch):
    path = tmp_path / "edited_helper.py"
    path.write_text("def helper(t):\n    return t * t\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    module = importlib.import_module("edited_helper")
    try:
        f = define_f("def f(x):\n    return helper(x)\n", helper=module.helper)
        path.write_text("def helper(t):\n    return t * t * t\n")
        import linecache

        linecache.checkcache(str(path))
        with pytest.raises(srcgrad.SourceUnavailableError, match="changed since"):
            srcgrad.grad(f)
    finally:
        sys.modules.pop("edited_helper", None)


def test_a_helper_without_readable_source_is_an_error_at_the_call():
    namespace: dict = {}
    exec("def helper(t):\n    return t * t\n", namespace)  # no file
    f = define("def f(x):\n    return helper(x)\n", helper=namespace["helper"])
    with pytest.raises(srcgrad.SourceUnavailableError) as raised:
        srcgrad.grad(f)
    assert "cannot call helper" in raised.value.message
    assert raised.value.location.line == 2


# -- the cache -----------------------------------------------------------------------
def test_rebinding_a_helper_rebuilds_the_gradient():
    f = define_f("""
        def helper(t):
            return t * t

        def cube(t):
            return t * t * t

        def f(x):
            return helper(x)
        """)
    assert srcgrad.grad(f)(3.0) == 6.0
    f.__globals__["helper"] = f.__globals__["cube"]
    assert srcgrad.grad(f)(3.0) == 27.0


def test_changing_a_helpers_default_rebuilds_the_gradient():
    f = define_f("""
        def helper(t, k=2.0):
            return k * t

        def f(x):
            return helper(x)
        """)
    assert srcgrad.grad(f)(3.0) == 2.0
    f.__globals__["helper"].__defaults__ = (5.0,)
    assert srcgrad.grad(f)(3.0) == 5.0


def test_a_helpers_closure_variable_is_read_when_the_gradient_runs():
    make = define(
        """
        def make(k):
            def helper(t):
                return k * t * t

            def f(x):
                return helper(x)

            def set_k(value):
                nonlocal k
                k = value

            return f, set_k
        """,
        "make",
    )
    f, set_k = make(2.0)
    gradient = srcgrad.grad(f)
    assert gradient(3.0) == 12.0
    set_k(5.0)
    assert gradient(3.0) == 30.0


# -- srcgrad show ---------------------------------------------------------------------
def test_show_prints_what_the_decorator_builds(tmp_path, capsys):
    path = tmp_path / "model.py"
    path.write_text(
        textwrap.dedent(POWER) + "\n\ndef f(x):\n    return power(x, 5) * x\n"
    )
    spec = importlib.util.spec_from_file_location("calls_show_model", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    from srcgrad.cli import main

    assert main(["show", f"{path}::f"]) == 0
    assert capsys.readouterr().out == srcgrad.source(srcgrad.grad(module.f))


def test_show_refuses_a_helper_from_another_module(tmp_path, capsys):
    path = tmp_path / "model.py"
    path.write_text("from helpers import h\n\n\ndef f(x):\n    return h(x)\n")
    from srcgrad.cli import main

    assert main(["show", str(path)]) == 1
    err = capsys.readouterr().err
    assert f"{path}:5:12:" in err
    assert "srcgrad show reads one file without running it" in err


def test_math_is_still_math():
    # A helper named like a module srcgrad knows is still the user's.
    f = define_f(
        "def sin(t):\n    return t\n\ndef f(x):\n    return sin(x) * math.pi\n"
    )
    assert srcgrad.grad(f)(2.0) == math.pi


SHARED_HELPER = """
import math


def h(a, b):
    s = a * math.sin(b) + b * b
    for i in range(3):
        s = s * math.cos(s) + a
    return s * s + math.exp(-s) + math.log(1.0 + s * s) + math.tanh(a * b)


def f(x):
    return h(x, 2.0) + h(x, x)


def g(y):
    return h(3.0, y)
"""


def test_show_of_a_file_is_one_module_however_gradients_share_helpers(tmp_path, capsys):
    path = tmp_path / "shared.py"
    path.write_text(SHARED_HELPER)
    from srcgrad.cli import main

    assert main(["show", str(path)]) == 0
    printed = capsys.readouterr().out
    namespace: dict = {}
    exec(compile(printed, "shown", "exec"), namespace)
    f, g = define_f(SHARED_HELPER), define(SHARED_HELPER, "g")
    assert namespace["f_grad"](0.7) == srcgrad.grad(f)(0.7)
    assert namespace["g_grad"](0.7) == srcgrad.grad(g)(0.7)
    assert "def h_backward_1(" in printed  # g needs d/db, f both: two sweeps


@pytest.mark.parametrize("limit", [-1, 16], ids=["called", "inlined"])
def test_a_helper_nothing_differentiates_still_raises_where_f_does(limit, monkeypatch):
    monkeypatch.setattr("srcgrad.settings.INLINE_LIMIT", limit)
    srcgrad.clear_cache()
    f = define_f(
        "def helper(t):\n    return math.log(t) * t\n\n"
        "def f(x, y):\n    return x + helper(y)\n"
    )
    gradient = srcgrad.grad(f)
    srcgrad.clear_cache()
    assert gradient(1.0, 2.0) == 1.0
    with pytest.raises(ValueError, match="math domain error"):
        gradient(1.0, -1.0)


def test_a_helper_looping_over_zip_written_out_twice_makes_two_iterators():
    # Written out at both calls, the two zip(a, b) are equal expressions; a
    # loop uses an iterator up, so they must stay two calls.
    f = define_f("""
        def dot(t, a, b):
            s = 0.0
            for p, q in zip(a, b):
                s += p * q * t
            return s

        def f(x, a, b):
            return dot(x, a, b) * dot(x * x, a, b)
        """)
    gradient = srcgrad.grad(f, wrt="x")
    # f = (11 x) (11 x^2) = 121 x^3
    assert gradient(0.7, [1.0, 2.0], [3.0, 4.0]) == pytest.approx(363 * 0.7**2)
    assert srcgrad.source(gradient).count("zip(a, b)") >= 2
