"""``srcgrad show``: prints generated gradients without running the file."""

from __future__ import annotations

import math
import subprocess
import sys
import textwrap

import pytest

from srcgrad.cli import main
from srcgrad.codegen.format import format_source

MODEL = '''
import math
import numpy as np
from math import exp as e

SCALE = 2.0
open(MARKER, "w").write("the file was run")


def energy(x, v):
    """Kinetic plus potential energy."""
    return 0.5 * v * v + SCALE * (1 - math.cos(x))


def smooth(x):
    return np.tanh(x) * e(x)
'''


@pytest.fixture
def model(tmp_path):
    marker = tmp_path / "ran.txt"
    path = tmp_path / "model.py"
    path.write_text(MODEL.replace("MARKER", repr(str(marker))))
    return path, marker


def test_show_prints_every_function_and_never_runs_the_file(model, capsys):
    path, marker = model
    assert main(["show", str(path)]) == 0
    out = capsys.readouterr().out
    assert "def energy_grad(x, v):" in out
    assert "def smooth_grad(x):" in out
    assert "SCALE * math.sin(x)" in out
    assert not marker.exists()
    # One module: each import once, at the top, and black would not change it.
    assert out.count("import math\n") == 1 and out.startswith(
        "import math\nimport numpy"
    )
    compile(out, "shown.py", "exec")
    assert format_source(out) == out


def test_show_one_function_with_respect_to_chosen_parameters(model, capsys):
    path, marker = model
    assert main(["show", f"{path}::energy", "--wrt", "x,v"]) == 0
    out = capsys.readouterr().out
    assert "smooth" not in out
    assert "return x_bar, v" in out or "return x_bar, v_bar" in out
    # What show prints is plain Python: it runs as printed.
    namespace = {"SCALE": 2.0}
    exec(out, namespace)
    assert namespace["energy_grad"](0.5, 3.0) == pytest.approx(
        (2.0 * math.sin(0.5), 3.0)
    )
    assert not marker.exists()


def test_show_ir(model, capsys):
    path, _ = model
    assert main(["show", f"{path}::smooth", "--ir"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("func smooth_grad(%x) {")
    assert "numpy.tanh %x" in out and "math.exp %x" in out


@pytest.mark.parametrize(
    ("argument", "message"),
    [
        ("::nosuch", "no top-level function named 'nosuch'"),
        ("::SCALE", "no top-level function named 'SCALE' (what it holds: global"),
        # An empty name is a mistake, not a request for every function.
        ("::", "names no function after '::'; write "),
        ("::energy --wrt q", "--wrt 'q' is not a parameter of energy"),
    ],
)
def test_show_errors_are_one_clear_line(model, capsys, argument, message):
    path, _ = model
    target, *options = argument.split()
    assert main(["show", f"{path}{target}", *options]) == 1
    assert message in capsys.readouterr().err


def test_the_name_follows_the_last_double_colon(tmp_path, capsys):
    # A directory may have '::' in its name; a function's name never does.
    directory = tmp_path / "runs::2024"
    directory.mkdir()
    path = directory / "model.py"
    path.write_text("def f(x):\n    return x * x\n\n\ndef g(x):\n    return x\n")
    assert main(["show", f"{path}::f"]) == 0
    out = capsys.readouterr().out
    assert "def f_grad(x):" in out and "g_grad" not in out
    assert main(["show", str(path)]) == 0
    assert "def g_grad(x):" in capsys.readouterr().out


def test_show_rejects_modules_without_rules_with_a_location(tmp_path, capsys):
    path = tmp_path / "uses_os.py"
    path.write_text(textwrap.dedent("""
        import os

        def f(x):
            return os.fspath(x)
    """))
    assert main(["show", str(path)]) == 1
    err = capsys.readouterr().err
    assert f"{path}:5:12:" in err
    assert "module 'os', which srcgrad has no rules for" in err


def test_console_script_runs(tmp_path):
    path = tmp_path / "f.py"
    path.write_text("import math\n\ndef f(x):\n    return math.cos(x**2)\n")
    result = subprocess.run(
        [sys.executable, "-m", "srcgrad.cli", "show", str(path)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "x_bar = -math.sin(x**2) * (2 * x)" in result.stdout


def test_show_prints_what_it_can_and_reports_each_failure(tmp_path, capsys):
    path = tmp_path / "mixed.py"
    path.write_text(
        "import math\n\n"
        "def good(x):\n    return math.exp(x)\n\n"
        "def checked(x):\n    assert x > 0\n    return x\n\n"
        "def also_good(x):\n    return x * x\n"
    )
    assert main(["show", str(path)]) == 1
    captured = capsys.readouterr()
    assert "def good_grad(x):" in captured.out
    assert "def also_good_grad(x):" in captured.out
    assert f"{path}:7:5: unsupported construct: `assert` statement" in captured.err


def test_show_resolves_star_imports_of_modules_with_rules(tmp_path, capsys):
    path = tmp_path / "star.py"
    path.write_text("from math import *\n\ndef f(x):\n    return sin(x) * pi\n")
    assert main(["show", str(path)]) == 0
    # `pi` is a global of the file, read when the gradient runs, as live.
    assert "x_bar = pi * math.cos(x)" in capsys.readouterr().out


def test_show_reports_a_syntax_error_at_its_place(tmp_path, capsys):
    path = tmp_path / "broken.py"
    path.write_text("def f(x):\n    return x +\n")
    assert main(["show", str(path)]) == 1
    err = capsys.readouterr().err
    assert f"{path}:2:" in err and "invalid Python" in err


def test_show_uses_the_wrt_of_the_functions_own_decorator(tmp_path, capsys):
    path = tmp_path / "decorated.py"
    path.write_text(textwrap.dedent("""
        import srcgrad as sg
        from srcgrad import grad

        @sg.grad(wrt=("y", "x"))
        def both(x, y):
            return x * y

        @grad(wrt=("y",))
        def one(x, y):
            return x * y

        @grad
        def first(x, y):
            return x * y
    """))
    assert main(["show", str(path)]) == 0
    out = capsys.readouterr().out
    assert "Gradient of both with respect to y and x." in out
    assert "y_bar = float(x)" in out and "return (y_bar,)" in out
    assert "def first_grad(x, y):" in out and "x_bar = float(y)" in out
    assert main(["show", f"{path}::both", "--wrt", "x"]) == 0
    assert "Gradient of both with respect to x." in capsys.readouterr().out


def test_show_refuses_a_decorator_wrt_it_cannot_read(tmp_path, capsys):
    path = tmp_path / "computed.py"
    path.write_text(
        "import srcgrad\nW = 'x'\n\n@srcgrad.grad(wrt=W)\ndef f(x):\n    return x\n"
    )
    assert main(["show", str(path)]) == 1
    assert f"{path}:4:19:" in capsys.readouterr().err


def test_show_refuses_self_in_wrt_as_grad_does(tmp_path, capsys):
    path = tmp_path / "methods.py"
    path.write_text("def energy(self, x):\n    return x * 2.0\n")
    assert main(["show", str(path)]) == 1
    assert "wrt selects 'self'" in capsys.readouterr().err
    assert main(["show", str(path), "--wrt", "x"]) == 0


def test_show_prints_only_the_last_definition_of_a_name(tmp_path, capsys):
    path = tmp_path / "twice.py"
    path.write_text(
        "import math\n\n\ndef f(x):\n    return x * x\n\n\n"
        "def f(x):\n    return math.sin(x)\n"
    )
    assert main(["show", f"{path}::f"]) == 0
    out = capsys.readouterr().out
    assert out.count("def f_grad") == 1 and "math.cos(x)" in out


def test_show_builds_a_600_term_sum_as_grad_does(tmp_path, capsys):
    terms = " + ".join(f"{k}.0 * math.sin(x * {k}.0)" for k in range(600))
    path = tmp_path / "wide.py"
    path.write_text(f"import math\n\n\ndef f(x):\n    return {terms}\n")
    assert main(["show", str(path)]) == 0
    assert "x_bar" in capsys.readouterr().out


LOGISTIC = """
import numpy as np


def loss(w, b, X, y):
    z = X @ w + b
    p = 1.0 / (1.0 + np.exp(-z))
    return -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))
"""


def test_show_a_gradient_for_arrays_of_given_shapes(tmp_path, capsys):
    path = tmp_path / "logistic.py"
    path.write_text(LOGISTIC)
    shapes = ["--shape", "w=50", "--shape", "X=2000x50", "--shape", "y=2000"]
    assert main(["show", f"{path}::loss", "--wrt", "w,b", *shapes]) == 0
    out = capsys.readouterr().out
    # the code a call with such arrays runs: its sums over the axes written out
    assert "def loss_grad(w, b, X, y):" in out
    assert "b_bar = z_bar.sum()" in out and "w_bar = X.T @ z_bar" in out


def test_each_function_shown_gets_the_shapes_of_its_own_parameters(tmp_path, capsys):
    # Shapes for one function's parameters do not make another function of
    # the file, without those parameters, an error.
    path = tmp_path / "two.py"
    path.write_text(LOGISTIC + "\n\ndef scale(s, v):\n    return s * np.sum(v * v)\n")
    shapes = ["--shape", "X=20x5", "--shape", "y=20", "--shape", "w=5"]
    assert main(["show", str(path), "--shape", "v=3", *shapes]) == 0
    out = capsys.readouterr().out
    assert "w_bar = X.T @ z_bar" in out and "s_bar = as_float(np.sum(v * v))" in out
    assert main(["show", str(path), "--shape", "q=3"]) == 1
    assert "no parameter 'q' (no function shown has one)" in capsys.readouterr().err


def test_show_of_a_function_of_arrays_says_how_to_give_shapes(tmp_path, capsys):
    path = tmp_path / "logistic.py"
    path.write_text(LOGISTIC)
    assert main(["show", f"{path}::loss"]) == 1
    assert "--shape X=64x784" in capsys.readouterr().err
    assert main(["show", f"{path}::loss", "--shape", "q=3"]) == 1
    err = capsys.readouterr().err
    assert "no parameter 'q' (loss's parameters: w, b, X, y)" in err
    with pytest.raises(SystemExit):
        main(["show", f"{path}::loss", "--shape", "X=2000by50"])
    assert "write NAME=SHAPE" in capsys.readouterr().err


def test_the_shapes_hint_names_the_parameters_taken_as_numbers(tmp_path, capsys):
    # Some shapes given, not all: the function fails on a value's type, and
    # the hint says which parameters show took to be numbers.
    path = tmp_path / "logistic.py"
    path.write_text(LOGISTIC)
    assert main(["show", f"{path}::loss", "--shape", "w=5"]) == 1
    err = capsys.readouterr().err
    assert "as here for b, X, y;" in err and "--shape X=64x784" in err
    # Every parameter has a shape: a failure on a type is no missing shape.
    path.write_text("import numpy as np\n\ndef f(x):\n    return np.squeeze(x, 0)\n")
    assert main(["show", str(path), "--shape", "x=5"]) == 1
    err = capsys.readouterr().err
    assert "squeeze of axis 0" in err and "--shape" not in err


def test_a_shape_given_twice_is_an_error_naming_both(tmp_path, capsys):
    path = tmp_path / "logistic.py"
    path.write_text(LOGISTIC)
    shapes = ["--shape", "w=5", "--shape", "X=3x5", "--shape", "w="]
    assert main(["show", f"{path}::loss", *shapes]) == 1
    err = capsys.readouterr().err
    assert "--shape w=... is given twice (--shape w=5 and --shape w=)" in err


@pytest.mark.parametrize(
    ("shape", "message"),
    [
        ("99999999999999999999x2", "more bytes than NumPy can count"),
        ("4294967296x4294967296", "more bytes than NumPy can count"),
        ("0x99999999999999999999", "more bytes than NumPy can count"),
        ("x".join(["1"] * 65), "65 axes; NumPy"),
    ],
)
def test_a_shape_numpy_makes_no_array_of_is_refused(tmp_path, capsys, shape, message):
    path = tmp_path / "logistic.py"
    path.write_text(LOGISTIC)
    with pytest.raises(SystemExit):
        main(["show", f"{path}::loss", "--shape", f"X={shape}"])
    err = capsys.readouterr().err
    assert message in err and "internal error" not in err


@pytest.mark.parametrize(
    "X", ["100000x100000", "0x99999999999999999", "x".join(["3"] + ["1"] * 39)]
)
def test_a_shape_is_typed_without_making_an_array_of_it(tmp_path, capsys, X):
    # Terabytes of floats, or forty axes: show never makes the array.
    path = tmp_path / "rows.py"
    path.write_text("import numpy as np\n\ndef f(X):\n    return np.sum(np.sin(X))\n")
    assert main(["show", str(path), "--shape", f"X={X}"]) == 0
    assert "X_bar = np.cos(X)" in capsys.readouterr().out


TRANSFORMED = """
import math
import numpy as np
import srcgrad
from srcgrad import derivative


def f(x, y):
    return math.sin(x * y) + x**3 * math.exp(y)


@srcgrad.hessian(wrt=("x", "y"))
def h(x, y):
    return x * x * y + math.cos(x)


@derivative
def d(t):
    return math.sin(t) * t


def loss(w, X):
    return np.sum(np.tanh(X @ w) ** 2)
"""


def _shown_function(out, name):
    """The function ``name`` of the module ``show`` printed, defined."""
    scope = {}
    exec(compile(out, "shown.py", "exec"), scope)
    return scope[name]


@pytest.mark.parametrize(
    ("options", "name", "args", "expected"),
    [
        (["--mode", "forward"], "f_jvp", (0.3, 0.7), "jvp"),
        (["--mode", "reverse"], "f_grad", (0.3, 0.7), "grad"),
        (["--hessian", "--wrt", "x,y"], "f_hessian", (0.3, 0.7), "hessian"),
        (["--transform", "derivative"], "f_derivative", (0.3, 0.7), "derivative"),
        (["--transform", "vjp"], "f_vjp", (0.3, 0.7), "vjp"),
        (["--transform", "hvp"], "f_hvp", (0.3, 0.7), "hvp"),
        (["--transform", "value_and_grad"], "f_grad", (0.3, 0.7), "value_and_grad"),
    ],
)
def test_show_prints_each_transform_as_the_api_builds_it(
    tmp_path, capsys, options, name, args, expected
):
    import srcgrad

    path = tmp_path / "transformed.py"
    path.write_text(TRANSFORMED)
    assert main(["show", f"{path}::f", *options]) == 0
    out = capsys.readouterr().out
    assert f"def {name}(" in out
    shown = _shown_function(out, name)
    scope = {}
    exec(compile(TRANSFORMED, str(path), "exec"), scope)
    f = scope["f"]
    if expected == "jvp":
        assert shown(*args, x_dot=2.0) == srcgrad.jvp(f, args, (2.0, None))
    elif expected == "vjp":
        assert shown(*args, cotangent=3.0) == (3.0 * srcgrad.grad(f)(*args),)
    elif expected == "hvp":
        assert shown(*args, x_dot=2.0) == srcgrad.hvp(f, args, (2.0, None))
    elif expected == "hessian":
        assert shown(*args) == srcgrad.hessian(f, wrt=(0, 1))(*args)
    elif expected == "value_and_grad":
        assert shown(*args) == srcgrad.value_and_grad(f)(*args)
    else:
        made = getattr(srcgrad, expected)(f)
        assert shown(*args) == made(*args)


def test_show_prints_what_a_functions_srcgrad_decorator_builds(tmp_path, capsys):
    path = tmp_path / "transformed.py"
    path.write_text(TRANSFORMED)
    assert main(["show", f"{path}::h"]) == 0
    assert main(["show", f"{path}::d"]) == 0
    out = capsys.readouterr().out
    assert "def h_hessian(x, y):" in out and "def d_derivative(t):" in out
    out = out[out.index("import math", 1) :]  # the second module printed
    assert _shown_function(out, "d_derivative")(0.5) == math.cos(0.5) * 0.5 + math.sin(
        0.5
    )


def test_show_prints_the_hessian_vector_product_of_an_array(tmp_path, capsys):
    path = tmp_path / "transformed.py"
    path.write_text(TRANSFORMED)
    options = ["--hessian", "--shape", "w=3", "--shape", "X=5x3"]
    assert main(["show", f"{path}::loss", *options]) == 0
    out = capsys.readouterr().out
    assert "def loss_hvp(w, X, *, w_dot):" in out
    assert '"""Hessian of loss in w, times w_dot."""' in out


def test_show_takes_one_choice_of_derivative(tmp_path, capsys):
    path = tmp_path / "transformed.py"
    path.write_text(TRANSFORMED)
    with pytest.raises(SystemExit):
        main(["show", str(path), "--hessian", "--mode", "forward"])
    assert "not allowed with argument" in capsys.readouterr().err
