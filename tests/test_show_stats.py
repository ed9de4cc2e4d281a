"""``srcgrad show --stats`` counts operations; ``--color`` highlights."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

from srcgrad.cli import main

ROOT = Path(__file__).resolve().parent.parent
_STATS = re.compile(
    r"^# (\w+): (\d+) operations; (\w+): (\d+) \((\d+\.\d\d) times \1's\)$"
)


def _operations(body: list[ast.stmt]) -> int:
    """Arithmetic operations and calls in ``body``: what a person counts."""
    return sum(
        isinstance(node, (ast.BinOp, ast.Call))
        or (isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub))
        for statement in body
        for node in ast.walk(statement)
    )


def _computing(function: ast.FunctionDef) -> list[ast.stmt]:
    """The statements that compute: not the docstring, nor the check of
    the inputs' types every gradient starts with."""
    return [
        statement
        for statement in function.body
        if not (
            isinstance(statement, ast.Expr)
            and isinstance(statement.value, ast.Constant)
        )
        and not (
            isinstance(statement, ast.If) and "__class__" in ast.unparse(statement.test)
        )
    ]


@pytest.mark.parametrize("target", ["examples/tutorial.py", "examples/quickstart.py"])
def test_stats_count_the_operations_a_reader_counts(target, capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    assert main(["show", target, "--stats", "--color", "never"]) == 0
    out = capsys.readouterr().out
    code, _, stats = out.rpartition("\n\n")
    module = ast.parse(code)
    generated = {
        node.name: node for node in module.body if isinstance(node, ast.FunctionDef)
    }
    source = ast.parse((ROOT / target).read_text())
    written = {
        node.name: node for node in source.body if isinstance(node, ast.FunctionDef)
    }
    lines = stats.strip().splitlines()
    assert lines and len(lines) == len(written)
    for line in lines:
        name, primal, gradient, made, ratio = _STATS.match(line).group(1, 2, 3, 4, 5)
        assert int(primal) == _operations(written[name].body), line
        assert int(made) == _operations(_computing(generated[gradient])), line
        assert float(ratio) == pytest.approx(int(made) / int(primal), abs=0.005)


def _show(*options):
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "srcgrad",
            "show",
            "examples/tutorial.py::shared",
            *options,
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
    ).stdout


def test_code_is_highlighted_on_request_and_plain_when_piped():
    plain = _show()
    assert "\x1b[" not in plain
    assert _show("--color", "never") == plain
    coloured = _show("--color", "always")
    assert "\x1b[" in coloured
    assert re.sub(r"\x1b\[[0-9;]*m", "", coloured) == plain


def test_a_helper_counts_at_each_call_in_f_and_in_its_gradient(tmp_path, capsys):
    # f counted the helper once and its gradient at each inlined call: 4.64.
    helper = "math.sin(x) * math.exp(x) + x * x / (1 + x)"
    path = tmp_path / "calls.py"
    path.write_text(
        f"import math\n\ndef h(x):\n    return {helper}\n\n\n"
        "def f(x):\n    return h(x) + h(2 * x) + h(3 * x) + h(4 * x)\n"
    )
    assert main(["show", f"{path}::f", "--stats", "--color", "never"]) == 0
    line = capsys.readouterr().out.strip().splitlines()[-1]
    primal, made = map(int, _STATS.match(line).group(2, 4))
    assert primal == 4 * 7 + 3 + 3  # four calls of h, three + and three *
    assert made / primal < 2.5
