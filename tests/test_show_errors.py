"""``srcgrad show`` reports each function it cannot build, and shows the rest."""

from __future__ import annotations

import textwrap

import pytest

import srcgrad.cli
import srcgrad.cli_transforms
from srcgrad.cli import main

#: Good functions between bad ones of every kind; (name, line, column) of
#: each error, by where it points.
MIXED = """
import functools
import math
import os

import srcgrad


def good(x):
    return math.exp(x)


def guarded(x):
    try:
        return 1.0 / x
    except ZeroDivisionError:
        return 0.0


def undefined(x):
    return x * nowhere


def other_module(x):
    return os.fspath(x)


def bad_call(x):
    return math.sin(x, x)


def pair(x):
    return x, x


@srcgrad.grad(wrt=("x", "nope"))
def asks_for_nothing(x):
    return x


@srcgrad.grad(wrt=WRT)
def computed_wrt(x):
    return x


@srcgrad.grad(wrt="x")
@functools.cache
def cached(x):
    return x


def variadic(*xs):
    return 1.0


async def later(x):
    return x


def also_good(x, y=2.0):
    return x * y
"""


def _line(snippet: str) -> int:
    """The line of MIXED, as written to the file, that holds ``snippet``."""
    lines = MIXED.lstrip("\n").splitlines()
    return next(number for number, line in enumerate(lines, 1) if snippet in line)


# (line, column, what the message starts with) of each error, in the file's
# order. Errors other parts of srcgrad raise are checked by place and kind
# only (column None: any column).
ERRORS = [
    (_line("    try:"), 5, "unsupported construct: `try` statement"),
    (_line("nowhere"), None, "unresolved name:"),
    (_line("os.fspath"), None, "unresolved name: os.fspath: module 'os'"),
    (_line("math.sin(x, x)"), None, "bad call:"),
    (_line("return x, x"), None, "cannot differentiate:"),
    (
        _line("def asks_for_nothing"),
        1,
        "cannot differentiate: wrt='nope' is not a parameter of asks_for_nothing",
    ),
    (_line("wrt=WRT"), 19, "unsupported construct: this decorator's wrt is not"),
    (
        _line("@functools.cache"),
        2,
        "unsupported construct: @srcgrad.grad differentiates what this decorator "
        "returns",
    ),
    (_line("def variadic"), None, "unsupported construct:"),
    (_line("async def"), 1, "unsupported construct: later is an `async def`"),
]


@pytest.fixture
def mixed(tmp_path):
    path = tmp_path / "mixed.py"
    path.write_text(MIXED.lstrip("\n"))
    return str(path)


def test_each_bad_function_is_reported_where_it_is_and_the_rest_shown(mixed, capsys):
    assert main(["show", mixed]) == 1
    captured = capsys.readouterr()
    assert "def good_grad(x):" in captured.out
    assert "def also_good_grad(x, y=2.0):" in captured.out
    compile(captured.out, "shown.py", "exec")
    reported = [
        line for line in captured.err.splitlines() if line.startswith("srcgrad:")
    ]
    assert len(reported) == len(ERRORS), captured.err
    for report, (line, column, message) in zip(reported, ERRORS, strict=True):
        place = f"srcgrad: {mixed}:{line}:"
        assert report.startswith(place), report
        found_column, _, found_message = report.removeprefix(place).partition(": ")
        assert found_column == str(column) or column is None, report
        assert found_column.isdigit() and found_message.startswith(message), report


def test_the_ir_too_is_printed_for_the_functions_that_build(mixed, capsys):
    assert main(["show", mixed, "--ir"]) == 1
    out = capsys.readouterr().out
    assert out.startswith("func good_grad(%x) {") and "func also_good_grad(" in out


def test_a_crash_inside_srcgrad_is_reported_at_its_function(
    tmp_path, capsys, monkeypatch
):
    path = tmp_path / "model.py"
    path.write_text("def f(x):\n    return x * x\n\n\ndef g(x):\n    return 3 * x\n")
    build = srcgrad.cli_transforms.gradient_program

    def crash_on_f(primal, *args, **kwargs):
        if primal.entry == "f":
            raise OverflowError("int too large to convert to float")
        return build(primal, *args, **kwargs)

    monkeypatch.setattr(srcgrad.cli_transforms, "gradient_program", crash_on_f)
    assert main(["show", str(path)]) == 1
    captured = capsys.readouterr()
    assert "def g_grad(x):" in captured.out and "f_grad" not in captured.out
    assert captured.err.startswith(
        f"srcgrad: {path}:1:1: error: internal error while building the gradient "
        "of f: OverflowError: int too large to convert to float"
    )
    assert "Traceback" not in captured.err


def test_a_number_floats_cannot_hold_does_not_hide_the_others(tmp_path, capsys):
    path = tmp_path / "huge.py"
    path.write_text(
        "def huge(x):\n    return x * 10 ** 400\n\n\ndef ok(x):\n    return x\n"
    )
    main(["show", str(path)])
    captured = capsys.readouterr()
    assert "def ok_grad(x):" in captured.out
    # Either it builds, or it is reported at its own lines.
    assert "def huge_grad(x):" in captured.out or f"{path}:1:" in captured.err
    assert "Traceback" not in captured.err


MODEL = textwrap.dedent("""
    SCALE = 2.0


    def energy(x, v):
        kinetic = 0.5 * v * v
        return kinetic + SCALE * x
""").lstrip("\n")


@pytest.mark.parametrize(
    ("wrt", "message"),
    [
        ("", "--wrt '' names no parameter; give one (--wrt x) or several"),
        (",", "--wrt ',' names no parameter"),
        (" , ", "--wrt ' , ' names no parameter"),
        ("x,,v", "--wrt 'x,,v': '' is not a parameter name"),
        ("0", "--wrt '0': '0' is not a parameter name"),
        ("x y", "--wrt 'x y': 'x y' is not a parameter name"),
    ],
)
def test_a_wrt_list_that_names_nothing_is_refused(tmp_path, capsys, wrt, message):
    path = tmp_path / "model.py"
    path.write_text(MODEL)
    assert main(["show", str(path), "--wrt", wrt]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith(f"srcgrad: error: {message}")


@pytest.mark.parametrize(
    ("wrt", "message"),
    [
        ("q", "--wrt 'q' is not a parameter of energy; its parameters are ('x', 'v')"),
        ("SCALE", "--wrt 'SCALE' is a global name in {path}, not a parameter"),
        ("kinetic", "--wrt 'kinetic' is a local variable of energy, not a parameter"),
        ("x,q", "--wrt 'q' is not a parameter of energy"),
        ("x,x", "parameter 'x' appears twice in wrt"),
    ],
)
def test_a_wrt_that_is_not_a_parameter_is_refused_at_the_function(
    tmp_path, capsys, wrt, message
):
    path = tmp_path / "model.py"
    path.write_text(MODEL)
    assert main(["show", f"{path}::energy", "--wrt", wrt]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert (
        f"{path}:4:1: cannot differentiate: {message.format(path=path)}" in captured.err
    )
    assert "    def energy(x, v):\n    ^" in captured.err
