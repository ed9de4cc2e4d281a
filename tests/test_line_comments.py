"""The ``# line N`` comments of generated code point at the right lines.

A statement is its op and the ops written inline into it; the comment
heading it names the source line most of those ops come from, and a new
comment starts wherever that line changes, so each run of statements is
headed by its own line.
"""

from __future__ import annotations

import importlib
import linecache
import re
import sys

from helpers import central_difference, define

import srcgrad
from srcgrad import ir
from srcgrad.codegen import generate
from srcgrad.primitives import PRIMITIVES


def _at(line: int, text: str) -> ir.SourceLocation:
    return ir.SourceLocation("model.py", line, 5, 5 + len(text), f"    {text}\n")


def test_a_statement_is_headed_by_the_line_most_of_it_comes_from():
    # r = cos(sin(x)) * x: two of its three ops come from line 2, so the
    # statement is headed by line 2, not by the line of its last op.
    x = ir.Value("x")
    block = ir.Block([x])
    builder = ir.Builder(block)
    with builder.at(_at(2, "s = math.cos(math.sin(x))")):
        inner = builder.create(PRIMITIVES["sin"], [x], {"namespace": "math"})
        outer = builder.create(PRIMITIVES["cos"], [inner.result], {"namespace": "math"})
    with builder.at(_at(3, "r = s * x")):
        product = builder.create(
            PRIMITIVES["mul"], [outer.result, x], {"namespace": "operator"}, hint="r"
        )
    builder.ret([product.result])
    text = generate(
        ir.Function("f", [ir.Parameter("x")], ir.Region([block]))
    ).definition
    assert "    # line 2: s = math.cos(math.sin(x))\n    r = " in text
    assert "# line 3" not in text


def test_each_run_of_statements_is_headed_by_its_own_line():
    f = define("""
        import math

        def f(x, y):
            u = math.exp(x) * y
            v = math.sin(u) + x
            w = v * u + math.cos(x * y)
            return w * math.log(y)
        """)
    filename = f.__code__.co_filename
    gradient = srcgrad.grad(f, wrt=("x", "y"))
    text = srcgrad.source(gradient)
    headers = re.findall(r"# line (\d+): (.*)", text)
    numbers = [int(number) for number, _ in headers]
    # The forward sweep runs down the lines, the reverse sweep back up them.
    assert numbers == [4, 5, 6, 7, 6, 5, 4]
    for number, quoted in headers:
        assert linecache.getline(filename, int(number)).strip() == quoted
    # No run is empty, and no two consecutive comments name the same line.
    body = text.split('"""', 2)[2].splitlines()
    for line, following in zip(body, body[1:], strict=False):
        if line.strip().startswith("# line"):
            assert not following.strip().startswith("#")
    point = (0.3, 1.7)
    expected = [central_difference(f, point, i) for i in range(2)]
    assert all(
        abs(a - e) <= 1e-7 * abs(e)
        for a, e in zip(gradient(*point), expected, strict=True)
    )


SETTLING = """
import math


def settle(a, k=0.5):
    x = a
    for _ in range(3):
        x = x - k * math.sin(x) + a * math.cos(x) * math.exp(-x * x)
    if x > a:
        return x * math.log(1.0 + x * x)
    return a * math.atan(x) * math.sinh(x * a) / (1.0 + math.cosh(x))
"""

MODEL = """
from settling import settle


def f(y):
    z = settle(y) * y
    return z * settle(z, 0.25)
"""


def _comments_by_function(text: str) -> dict[str, list[tuple[str, int, str]]]:
    """Each generated function's comments: (file named, line, quoted text)."""
    found: dict[str, list[tuple[str, int, str]]] = {}
    current = ""
    for line in text.splitlines():
        if line.startswith("def "):
            current = line[4 : line.index("(")]
        header = re.match(r"\s*# (?:(\S+), )?line (\d+): (.*)", line)
        if header:
            file, number, quoted = header.groups()
            found.setdefault(current, []).append((file or "", int(number), quoted))
    return found


def test_a_helpers_sweeps_quote_the_lines_of_its_own_file(tmp_path, monkeypatch):
    (tmp_path / "settling.py").write_text(SETTLING.lstrip("\n"))
    (tmp_path / "model.py").write_text(MODEL.lstrip("\n"))
    monkeypatch.syspath_prepend(str(tmp_path))
    model = importlib.import_module("model")
    try:
        text = srcgrad.source(srcgrad.grad(model.f))
    finally:
        for name in ("model", "settling"):
            sys.modules.pop(name, None)
    comments = _comments_by_function(text)
    assert set(comments) == {"f_grad", "settle_forward", "settle_backward"}
    files = {"": tmp_path / "model.py", "settling.py": tmp_path / "settling.py"}
    for function, headers in comments.items():
        # The gradient's lines are its own file's; a helper's, settling.py's.
        expected = "" if function == "f_grad" else "settling.py"
        for file, number, quoted in headers:
            assert file == expected, (function, file, number)
            line = files[file].read_text().splitlines()[number - 1]
            assert line.strip() == quoted, (function, number)
    # The backward sweep starts where the gradient does: from the value the
    # `return` gave, not from the `def` line.
    backward = [quoted for _, _, quoted in comments["settle_backward"]]
    assert not any(quoted.startswith("def ") for quoted in backward)
