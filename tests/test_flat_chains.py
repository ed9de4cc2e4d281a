"""An ``elif`` chain stays a flat chain in the generated code.

A piecewise table written as ``if/elif/.../else`` is, in the IR, each
``if`` nested in the else-branch of the one before. Written out as it is,
its gradient nested one level per branch, and a table of a hundred
branches gave Python's bare ``IndentationError``. A long chain is written
with ``elif`` instead, in the forward and the reverse sweep, a condition
the reverse sweep needs bound where it is tested (``elif t_1 := x < 1.0:``);
a short one nests, as a person writes it. What is
still too deep for Python is an error at its line, never a bare
``IndentationError``, and ``srcgrad show`` fails on it.
"""

from __future__ import annotations

import math

import pytest
from helpers import define

import srcgrad
from srcgrad.cli import main
from srcgrad.codegen import nesting
from srcgrad.errors import UnsupportedSyntaxError


def _piecewise(branches: int) -> str:
    """``f(x)``: on ``[k, k + 1)`` a parabola of its own, left of 0 a line,
    right of the table a sine."""
    lines = [
        "import math",
        "",
        "",
        "def f(x):",
        "    if x < 0.0:",
        "        y = 2.0 * x",
    ]
    for k in range(1, branches):
        lines.append(f"    elif x < {k}.0:")
        lines.append(f"        y = {k}.0 * x * x + math.sin({k}.0 * x)")
    lines += ["    else:", "        y = math.cos(x)", "    return y"]
    return "\n".join(lines) + "\n"


def _deepest_indent(text: str) -> int:
    return max(
        (len(line) - len(line.lstrip())) // 4 for line in text.splitlines() if line
    )


def test_a_chain_of_150_branches_is_flat_and_its_gradient_is_right():
    f = define(_piecewise(150), "f")
    g = srcgrad.grad(f)
    text = srcgrad.source(g)
    # A few levels however long the chain: the last few branches nest (a
    # short chain reads best nested), the rest is an elif chain.
    assert _deepest_indent(text) <= 6
    assert text.count("elif") >= 2 * 140
    for x in (-3.25, 0.5, 1.5, 37.25, 98.75, 148.5, 149.25, 200.5):
        step = 1e-6 * max(1.0, abs(x))
        slope = (f(x + step) - f(x - step)) / (2 * step)
        assert g(x) == pytest.approx(slope, rel=1e-6, abs=1e-6), x


def test_the_conditions_the_reverse_sweep_reads_are_bound_in_the_elif():
    f = define(_piecewise(12), "f")
    text = srcgrad.source(srcgrad.grad(f))
    assert "elif t_1 := x < 1.0:" in text
    assert "elif t_2 := x < 2.0:" in text
    assert "elif t_1:" in text and "elif t_2:" in text  # the reverse sweep


def test_a_chain_whose_branches_compute_nothing_forward_stays_flat():
    # Slopes are constants: the forward sweep only records the branch taken.
    lines = ["def f(x):", "    if x < 0.0:", "        y = 0.5 * x"]
    for k in range(1, 120):
        lines += [f"    elif x < {k}.0:", f"        y = {k}.0 * x"]
    lines += ["    else:", "        y = x", "    return y"]
    f = define("\n".join(lines) + "\n", "f")
    g = srcgrad.grad(f)
    assert _deepest_indent(srcgrad.source(g)) <= 6
    assert [g(x) for x in (-1.0, 0.5, 57.5, 119.5, 500.0)] == [0.5, 1.0, 58.0, 1.0, 1.0]


def test_a_value_computed_for_the_condition_is_bound_where_it_is_first_read():
    f = define("""
        def f(x):
            if x < 0.0:
                y = x
            elif math.exp(x) < 2.0:
                y = math.exp(x) * 3.0
            elif math.exp(x) * x < 5.0:
                y = math.exp(x) * x
            elif x < 3.0:
                y = 3.0 * x
            elif x < 4.0:
                y = 4.0 * x
            elif x < 5.0:
                y = 5.0 * x
            elif x < 6.0:
                y = 6.0 * x
            else:
                y = x * x
            return y
        """)
    g = srcgrad.grad(f)
    assert "elif t_2 := (t_1 := math.exp(x)) < 2.0:" in srcgrad.source(g)
    assert g(-1.0) == 1.0 and g(0.5) == 3 * math.exp(0.5) and g(2.0) == 3.0
    assert g(2.5) == 3.0 and g(5.5) == 6.0 and g(7.0) == 14.0
    assert g(1.0) == pytest.approx(2 * math.exp(1.0))


#: Each `return` in an `if` puts the rest of the function in the else-branch
#: of that `if`; the statements between keep the chain from being an elif.
RETURNS = (
    "def f(x):\n"
    + "".join(
        f"    x = x * 1.5\n    if x > {k}.0:\n        return x\n"
        for k in range(1000, 1110)
    )
    + "    return x\n"
)


def test_code_nested_deeper_than_python_allows_is_an_error_at_its_line():
    f = define(RETURNS, "f")
    with pytest.raises(UnsupportedSyntaxError) as raised:
        srcgrad.grad(f)
    error = raised.value
    assert "code nested too deeply" in error.message
    assert "Python allows at most 99" in error.message
    assert "helper function" in error.message
    assert error.location is not None
    assert error.location.text.strip().startswith("if x > ")
    assert ":5:" in str(error.location) or error.location.column == 5


def test_show_exits_non_zero_on_code_nested_too_deeply(tmp_path, capsys):
    path = tmp_path / "deep.py"
    path.write_text(RETURNS)
    assert main(["show", str(path)]) == 1
    captured = capsys.readouterr()
    assert "code nested too deeply" in captured.err
    assert "IndentationError" not in captured.err
    assert "def f_grad" not in captured.out


def test_show_exits_non_zero_on_code_that_does_not_compile(
    tmp_path, capsys, monkeypatch
):
    # Were srcgrad's own check wrong, Python's compiler refuses the text:
    # that is a clear error too, and nothing uncompilable is printed.
    monkeypatch.setattr(nesting, "MAX_INDENT", 10**6)
    path = tmp_path / "deep.py"
    path.write_text(RETURNS)
    assert main(["show", str(path)]) == 1
    captured = capsys.readouterr()
    assert "does not compile: IndentationError" in captured.err
    assert "bug in srcgrad" in captured.err
    assert "def f_grad" not in captured.out
