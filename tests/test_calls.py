"""Calls into the user's own functions, through every stage.

Each function of ``calls_corpus`` is differentiated with its small helpers
inlined (the default) and with none inlined (every call a forward/backward
pair), and checked against central differences and, where the gradient has
a closed form, SymPy. Its IR runs in the reference interpreter as Python
runs the function, and so does the gradient's IR.
"""

from __future__ import annotations

import importlib
import sys

import pytest
import sympy
from calls_corpus import CASES, Case
from helpers import central_difference, code_without_comments, define
from interpret import interpret

import srcgrad
import srcgrad.passes.inline as inline_pass
from srcgrad.compiler import gradient_program
from srcgrad.frontend import lower_live_program
from srcgrad.ir import verify


def define_f(source: str, **namespace):
    """The function ``f`` of ``source``."""
    return define(source, "f", **namespace)


def _function(case: Case):
    made = define(case.source, case.entry if case.make is None else "make")
    return made if case.make is None else made(*case.make)


def _indices(function, case: Case) -> list[int]:
    names = function.__code__.co_varnames[: function.__code__.co_argcount]
    return [names.index(name) for name in case.wrt]


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_gradient_matches_finite_differences(case, inlining):
    function = _function(case)
    gradient = srcgrad.grad(function, wrt=case.wrt)
    for point in case.points:
        found = gradient(
            *[
                float(v) if i in _indices(function, case) else v
                for i, v in enumerate(point)
            ]
        )
        for index, value in zip(_indices(function, case), found, strict=True):
            expected = central_difference(function, list(point), index)
            assert value == pytest.approx(expected, rel=1e-6, abs=1e-7), (
                case.name,
                point,
            )


CLOSED_FORM = [case for case in CASES if case.exact is not None]


@pytest.mark.parametrize("case", CLOSED_FORM, ids=[c.name for c in CLOSED_FORM])
def test_gradient_matches_sympy(case, inlining):
    function = _function(case)
    gradient = srcgrad.grad(function, wrt=case.wrt)
    wrt = _indices(function, case)
    for point in case.points:
        symbols = {i: sympy.Symbol(f"v{i}") for i in wrt}
        args = [symbols.get(i, value) for i, value in enumerate(point)]
        exact = case.exact(sympy, *args)
        values = {symbols[i]: point[i] for i in wrt}
        found = gradient(*[float(v) if i in wrt else v for i, v in enumerate(point)])
        for value, expression in zip(found, exact, strict=True):
            expected = float(sympy.sympify(expression).subs(values).evalf(30))
            assert value == pytest.approx(expected, rel=1e-12, abs=1e-13)


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_ir_runs_as_python_does(case, inlining):
    function = _function(case)
    program = verify(lower_live_program(function))
    namespace = dict(function.__globals__)
    code, cells = function.__code__, function.__closure__ or ()
    namespace.update(
        (name, cell.cell_contents)
        for name, cell in zip(code.co_freevars, cells, strict=True)
    )
    for point in case.points:
        assert interpret(program, *point, namespace=namespace, live=function) == (
            pytest.approx(function(*point), rel=1e-15)
        )
    gradient = gradient_program(
        program, list(case.wrt), as_tuple=True, after_each=verify
    )
    live = srcgrad.grad(function, wrt=case.wrt)
    for point in case.points:
        args = [
            float(v) if i in _indices(function, case) else v
            for i, v in enumerate(point)
        ]
        assert interpret(gradient, *args, namespace=namespace, live=function) == (
            pytest.approx(live(*args), rel=1e-14, abs=1e-300)
        )


# -- helpers from another module -------------------------------------------------
HELPERS = """
import math

SCALE = 3.0


def unit(t):
    return t / SCALE


def scaled_sin(t, k=2.0):
    return k * SCALE * math.sin(unit(t))


def make(k):
    def inner(t):
        return k * t * t

    return inner


tripled = make(3.0)


def big(t):
    s = t
    for i in range(3):
        s = s * math.cos(s) + SCALE
    return s * s + math.exp(-s) + math.log(1.0 + s * s)
"""


@pytest.fixture
def helpers_module(tmp_path, monkeypatch):
    name = f"calls_helpers_{abs(hash(str(tmp_path)))}"
    (tmp_path / f"{name}.py").write_text(HELPERS)
    monkeypatch.syspath_prepend(str(tmp_path))
    module = importlib.import_module(name)
    yield module
    sys.modules.pop(name, None)


def test_an_imported_helper_reads_its_own_module_globals(helpers_module, inlining):
    # The caller's SCALE is another number: the helper must read its own.
    f = define(
        """
        def f(x):
            return scaled_sin(x) * big(x) + SCALE * x
        """,
        scaled_sin=helpers_module.scaled_sin,
        big=helpers_module.big,
        SCALE=100.0,
    )
    gradient = srcgrad.grad(f)
    for x in (0.3, 1.7):
        assert gradient(x) == pytest.approx(central_difference(f, [x], 0), rel=1e-6)
    source = srcgrad.source(gradient)
    assert f"import {helpers_module.__name__}" in source
    assert f"{helpers_module.__name__}.SCALE" in source
    # A module's function called as its attribute; it has a closure cell.
    g = define_f(
        "def f(x):\n    return helpers.tripled(x) + x\n", helpers=helpers_module
    )
    assert srcgrad.grad(g)(2.0) == 13.0
    # The module global is read when the gradient runs, as f reads it.
    helpers_module.SCALE = 4.0
    assert gradient(0.3) == pytest.approx(central_difference(f, [0.3], 0), rel=1e-6)


# -- code size ---------------------------------------------------------------------
TEN_CALLS = """
def helper(t):
    u = math.sin(t) * t + math.cos(t * t)
    v = math.exp(-u * u) + math.log(1.0 + t * t)
    w = u * v + math.tanh(u - v)
    return math.tanh(w * w) + u / (1.0 + v * v)

def f(x):
    a = helper(x)
    b = helper(a)
    c = helper(x * a)
    d = helper(b + c)
    e = helper(d * x)
    g = helper(e - a)
    h = helper(g * g)
    i = helper(h + x)
    j = helper(i * b)
    return helper(j + c)
"""


def test_a_helper_called_from_ten_places_is_differentiated_once():
    f = define(TEN_CALLS, "f")
    helper = lower_live_program(f).functions["helper"]
    assert inline_pass.size(helper) > srcgrad.settings.INLINE_LIMIT
    gradient = srcgrad.grad(f)
    source = srcgrad.source(gradient)
    assert source.count("def helper_forward(") == 1
    assert source.count("def helper_backward(") == 1
    assert source.count("helper_forward(") == 11  # its def and ten calls
    # The forward sweep's two, once (their derivatives are written with exp).
    assert code_without_comments(source).count("math.tanh") == 2
    assert gradient(0.3) == pytest.approx(central_difference(f, [0.3], 0), rel=1e-6)


def test_code_grows_linearly_with_the_calls():
    one = define(
        TEN_CALLS.split("def f(x):")[0] + "def f(x):\n    return helper(x)\n", "f"
    )
    ten = define(TEN_CALLS, "f")
    size_one = len(srcgrad.source(srcgrad.grad(one)).splitlines())
    size_ten = len(srcgrad.source(srcgrad.grad(ten)).splitlines())
    # Each further call adds a few lines (a forward and a backward call),
    # never another derivative of the helper.
    assert size_ten - size_one < 9 * 8


def test_a_small_helper_is_written_out_at_its_calls():
    f = define_f("""
        def sq(t):
            return t * t

        def f(x):
            return sq(x) + sq(2.0 * x)
        """)
    source = srcgrad.source(srcgrad.grad(f))
    assert "def sq" not in source and "sq_forward" not in source
    assert srcgrad.grad(f)(1.5) == 1.5 * 2 + 8 * 1.5


def test_a_call_where_nothing_is_active_calls_the_helper_itself():
    f = define(CASES_BY_NAME["inactive_call"].source, "f")
    source = srcgrad.source(srcgrad.grad(f))
    # weight is small enough to be written out; kept as a call, it is
    # called as itself, not through a forward sweep.
    assert "weight_forward" not in source


CASES_BY_NAME = {case.name: case for case in CASES}


def test_a_call_where_nothing_is_active_calls_the_primal_copy(monkeypatch):
    monkeypatch.setattr("srcgrad.settings.INLINE_LIMIT", -1)
    srcgrad.clear_cache()
    f = define(CASES_BY_NAME["inactive_call"].source, "f")
    source = srcgrad.source(srcgrad.grad(f))
    srcgrad.clear_cache()
    assert "def weight(n):" in source
    assert "weight_forward" not in source and "weight_backward" not in source


# -- golden code of a recursive function ----------------------------------------------
POWER = """
def power(x, n):
    if n == 0:
        return 1.0
    half = power(x, n // 2)
    return half * half if n % 2 == 0 else half * half * x
"""

POWER_GRADIENT = '''\
from srcgrad.runtime import has_arrays


def power_grad(x, n):
    """Gradient of power with respect to x."""
    if x.__class__ is not float or n.__class__ not in (float, int):
        if has_arrays("power_grad", wrt={"x": x}, parameters={"n": n}):
            return for_arrays(x, n)
    # line 2: if n == 0:
    t = n == 0
    if not t:
        # line 4: half = power(x, n // 2)
        half, power_saved = power_forward(x, n // 2)
        # line 5: return half * half if n % 2 == 0 else half * half * x
        t_1 = n % 2 == 0
        if not t_1:
            x_bar = half * half
    # line 2: if n == 0:
    if t:
        x_bar_1 = 0.0
    else:
        # line 5: return half * half if n % 2 == 0 else half * half * x
        if t_1:
            half_bar = 2.0 * half
            x_bar = 0.0
        else:
            half_bar = 2.0 * x * half
        # line 4: half = power(x, n // 2)
        x_bar_1 = x_bar + power_backward(power_saved, half_bar)
    # line 5: return half * half if n % 2 == 0 else half * half * x
    x_bar_1 = float(x_bar_1)
    return x_bar_1


def power_forward(x, n):
    """Forward sweep of power: its value, and what its backward sweep reads."""
    # line 2: if n == 0:
    t = n == 0
    if t:
        result, half, power_saved, t_1, t_2 = 1.0, None, None, None, None
    else:
        # line 4: half = power(x, n // 2)
        half, power_saved = power_forward(x, n // 2)
        # line 5: return half * half if n % 2 == 0 else half * half * x
        t_1 = n % 2 == 0
        if t_1:
            result, t_2 = half * half, None
        else:
            t_2 = half * half
            result = t_2 * x
    saved = (t, t_1, half, t_2, x, power_saved)
    return result, saved


def power_backward(saved, power_bar):
    """Backward sweep of power: the adjoint of x, from that of its value."""
    t, t_1, half, t_2, x, power_saved = saved
    # line 2: if n == 0:
    if t:
        x_bar = 0.0
    else:
        # line 5: return half * half if n % 2 == 0 else half * half * x
        if t_1:
            half_bar = 2.0 * power_bar * half
            x_bar = 0.0
        else:
            x_bar = power_bar * t_2
            half_bar = 2.0 * power_bar * x * half
        # line 4: half = power(x, n // 2)
        x_bar = x_bar + power_backward(power_saved, half_bar)
    return x_bar
'''


def test_golden_code_of_power_by_squaring():
    power = define(POWER)
    gradient = srcgrad.grad(power)
    assert srcgrad.source(gradient) == POWER_GRADIENT
    assert gradient(1.1, 13) == pytest.approx(13 * 1.1**12, rel=1e-14)
