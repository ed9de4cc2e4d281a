"""A name generated code reads means what it means in the user's code.

Generated code reads the user's globals by name, as the functions it was
made from do. Every name srcgrad chooses (local variables, temporaries,
the parameters of a helper's forward and backward sweeps such as ``saved``
and ``h_bar``, the names of the functions it writes, the gradient's own)
must therefore hide none of them; closure variables are bound as cells and
hide nothing. These functions read globals named exactly like what the
generated code would otherwise call its own values, and each gradient is
checked against central differences.
"""

from __future__ import annotations

import importlib.util
import math
import sys
import textwrap

import numpy as np
import pytest
from helpers import central_difference, define

import srcgrad
from srcgrad.cli import main

#: A helper big enough to be called (not written out), whose globals are
#: named like the values of its sweeps: `saved` is the backward sweep's
#: parameter, `spring_bar_0` the adjoint of its first value, `big_bar` the
#: adjoint of `big`, and so on, as the code generated for it without these
#: globals names them.
SPRING = """
import math

saved = 3.0
spring_bar_0 = 0.5
big_bar = 0.25
result_bar_1 = 1.5
r2_bar = 0.1
tape = 0.5
u = 0.25
t_bar = 0.75
f_grad = 2.0
spring_forward = 1.25
spring_backward = 0.8


def spring(t, r2):
    big = t * saved + r2 * spring_bar_0
    result = math.sin(big) * big_bar * spring_forward
    stretch = big * big + r2 * result_bar_1
    damping = math.exp(-stretch * r2_bar) * f_grad
    for i in range(3):
        result = result * math.cos(stretch) + damping * tape
        stretch = stretch + result * u * spring_backward
    return result * stretch, r2 * big * t_bar


def f(x, y):
    a, b = spring(x, y)
    return a + b * x
"""

POINTS = [(0.3, 0.7), (-0.4, 0.2), (1.1, -0.5)]


def _assert_matches_differences(f, gradient, points=POINTS):
    for point in points:
        found = gradient(*point)
        for index, value in enumerate(found):
            expected = central_difference(f, list(point), index)
            assert value == pytest.approx(expected, rel=1e-6, abs=1e-8), point


def test_a_called_helpers_globals_named_like_its_sweeps_values():
    f = define(SPRING, "f")
    gradient = srcgrad.grad(f, wrt=("x", "y"))
    source = srcgrad.source(gradient)
    assert "def spring_forward_1(" in source  # called, not written out
    _assert_matches_differences(f, gradient)
    # The backward sweep's own `saved` and `spring_bar_0` are renamed, not
    # the globals, which the code reads by their names.
    assert "def spring_backward_1(saved_1, spring_bar_0_1, spring_bar_1):" in source
    assert "def f_grad_1(x, y):" in source  # a global is called f_grad
    assert "big = t * saved + r2 * spring_bar_0" in source


def test_the_printed_source_runs_given_the_globals_it_reads():
    f = define(SPRING, "f")
    gradient = srcgrad.grad(f, wrt=("x", "y"))
    reads = gradient.__srcgrad__.reads
    assert set(reads) >= {"saved", "spring_bar_0", "f_grad", "spring_forward"}
    namespace = {name: f.__globals__[name] for name in reads}
    exec(srcgrad.source(gradient), namespace)
    assert namespace["f_grad_1"](0.3, 0.7) == gradient(0.3, 0.7)
    assert namespace["f_grad"] == 2.0  # the global, not the gradient


def test_show_prints_what_the_live_gradient_runs(tmp_path, capsys):
    path = tmp_path / "spring_names.py"
    path.write_text(textwrap.dedent(SPRING))
    assert main(["show", f"{path}::f", "--wrt", "x,y"]) == 0
    shown = capsys.readouterr().out
    spec = importlib.util.spec_from_file_location("spring_names", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["spring_names"] = module
    try:
        spec.loader.exec_module(module)
        gradient = srcgrad.grad(module.f, wrt=("x", "y"))
    finally:
        del sys.modules["spring_names"]
    assert shown == srcgrad.source(gradient)
    assert "def f_grad_1(x, y):" in shown  # not the global f_grad
    namespace = {"__name__": "shown"}
    exec(compile(textwrap.dedent(SPRING), str(path), "exec"), namespace)
    exec(compile(shown, "shown", "exec"), namespace)
    assert namespace["f_grad_1"](0.3, 0.7) == gradient(0.3, 0.7)


SCALED = """
def helper(t):
    return t * scale + math.sin(t) * offset


def f(x, scale, offset):
    return helper(x) * scale + offset * x
"""


@pytest.mark.parametrize("limit", [16, -1], ids=["inlined", "called"])
def test_a_parameter_of_f_named_like_a_global_its_helper_reads(limit, monkeypatch):
    # The helper's `scale` is the global; f's is its parameter. Written out
    # in the gradient, the global was read as the parameter.
    monkeypatch.setattr("srcgrad.settings.INLINE_LIMIT", limit)
    srcgrad.clear_cache()
    f = define(SCALED, "f", scale=3.0, offset=0.5)
    gradient = srcgrad.grad(f)
    srcgrad.clear_cache()
    for point in POINTS:
        expected = central_difference(f, [point[0], 2.0, 0.25], 0)
        assert gradient(point[0], 2.0, 0.25) == pytest.approx(expected, rel=1e-7)
    assert gradient.__srcgrad__.reads == ("offset", "scale")


@pytest.mark.parametrize("limit", [16, -1], ids=["inlined", "called"])
def test_the_global_a_parameter_of_f_is_named_like_is_checked(limit, monkeypatch):
    monkeypatch.setattr("srcgrad.settings.INLINE_LIMIT", limit)
    srcgrad.clear_cache()
    f = define(SCALED, "f", scale=np.array([3.0, 1.0]), offset=0.5)
    gradient = srcgrad.grad(f)
    srcgrad.clear_cache()
    # The helper's global scale is an array, so f returns one: no gradient.
    with pytest.raises(srcgrad.DifferentiationError, match=r"scale\.shape\[0\]"):
        gradient(0.3, 2.0, 0.25)


def test_a_closure_variable_of_f_named_like_a_global_its_helper_reads():
    make = define(
        """
        def helper(t):
            return t * k

        def make(k):
            def f(x):
                return helper(x) * k + math.cos(x * k)

            return f
        """,
        "make",
        k=3.0,
    )
    f = make(2.0)
    gradient = srcgrad.grad(f)
    for x in (0.3, -1.2):
        expected = central_difference(f, [x], 0)
        assert gradient(x) == pytest.approx(expected, rel=1e-7)
    assert gradient.__srcgrad__.reads == ("k", "k_1")


def test_a_helpers_parameter_named_like_a_global_a_helper_it_calls_reads():
    # `tiny` is written out in `big`, whose own parameter is called k too.
    f = define(
        """
        def tiny(t):
            return t * k

        def big(t, k):
            a = tiny(t) * k
            b = math.sin(a) + t
            c = b * b + a
            d = math.cos(c) * a
            e = d + b * c
            g = e * t + math.exp(-a * 0.01)
            h = g * g + d
            m = h * 0.5 + c * a
            return m + math.sin(m)

        def f(x):
            return big(x, 0.5)
        """,
        "f",
        k=3.0,
    )
    gradient = srcgrad.grad(f)
    assert "def big_forward(t, k_1):" in srcgrad.source(gradient)
    for x in (0.3, -0.2, 0.9):
        assert gradient(x) == pytest.approx(central_difference(f, [x], 0), rel=1e-6)


def test_a_global_named_like_the_gradient_is_not_the_gradient():
    f = define("def f(x):\n    return x * f_grad + math.sin(x)\n", f_grad=2.0)
    gradient = srcgrad.grad(f)
    assert gradient(0.5) == 2.0 + math.cos(0.5)
    assert gradient.__name__ == "f_grad_1"


def test_show_of_a_file_names_no_gradient_like_a_global_another_reads(tmp_path, capsys):
    path = tmp_path / "two.py"
    text = "f_grad = 2.0\n\n\ndef f(x):\n    return x * x\n\n\ndef g(x):\n"
    path.write_text(text + "    return x * f_grad\n")
    assert main(["show", str(path)]) == 0
    shown = capsys.readouterr().out
    namespace: dict[str, object] = {}
    exec(compile(path.read_text(), str(path), "exec"), namespace)
    exec(compile(shown, "shown", "exec"), namespace)
    assert namespace["f_grad_1"](3.0) == 6.0
    assert namespace["g_grad"](3.0) == 2.0


@pytest.mark.parametrize("limit", [16, -1], ids=["inlined", "called"])
def test_a_helper_from_a_module_whose_name_is_no_identifier(
    limit, tmp_path, monkeypatch
):
    # `import my-helpers` is no Python: the generated code was a SyntaxError.
    monkeypatch.setattr("srcgrad.settings.INLINE_LIMIT", limit)
    srcgrad.clear_cache()
    path = tmp_path / "my-helpers.py"
    path.write_text(
        "import math\n\nSCALE = 2.0\n\n\ndef smooth(t):\n"
        "    return math.sin(t) * SCALE + t * t\n"
    )
    spec = importlib.util.spec_from_file_location("my-helpers", path)
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "my-helpers", module)
    spec.loader.exec_module(module)
    f = define("def f(x):\n    return smooth(x) * x\n", smooth=module.smooth)
    gradient = srcgrad.grad(f)
    srcgrad.clear_cache()
    for x in (0.3, -1.1):
        assert gradient(x) == pytest.approx(central_difference(f, [x], 0), rel=1e-7)
    module.SCALE = 5.0  # read when the gradient runs
    assert gradient(0.3) == pytest.approx(central_difference(f, [0.3], 0), rel=1e-7)
    source = srcgrad.source(gradient)
    assert 'my_helpers = __import__("importlib").import_module("my-helpers")' in source
    namespace: dict[str, object] = {}
    exec(source, namespace)
    assert namespace["f_grad"](0.3) == gradient(0.3)


def test_show_of_a_file_names_no_helper_like_another_functions_gradient(
    tmp_path, capsys
):
    # g calls the user's f_grad as itself (nothing in it is differentiated);
    # written next to f's gradient f_grad, the later def replaced the other.
    path = tmp_path / "helper_named_f_grad.py"
    body = "\n".join(f"    t = math.sin(t) * t + {n}.0" for n in range(17))
    path.write_text(
        f"import math\n\n\ndef f_grad(t):\n{body}\n    return t\n\n\n"
        "def f(x):\n    return x * x\n\n\n"
        "def g(x, y):\n    return x + f_grad(y)\n"
    )
    assert main(["show", str(path)]) == 0
    shown = capsys.readouterr().out
    assert shown.count("def f_grad(") == 1
    namespace: dict[str, object] = {}
    exec(compile(shown, "shown", "exec"), namespace)
    assert namespace["f_grad"](3.0) == 6.0
    assert namespace["g_grad"](3.0, 0.5) == 1.0
