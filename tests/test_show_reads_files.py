"""``srcgrad show`` reads a file as Python would import it, without running it."""

from __future__ import annotations

import textwrap

import pytest

from srcgrad.cli import main


def _file(tmp_path, text: str, encoding: str = "utf-8", name: str = "model.py"):
    path = tmp_path / name
    path.write_bytes(textwrap.dedent(text).lstrip("\n").encode(encoding))
    return str(path)


def _line(text: str, snippet: str) -> int:
    """The line of ``text`` (as ``_file`` writes it) holding ``snippet``."""
    lines = textwrap.dedent(text).lstrip("\n").splitlines()
    return next(number for number, line in enumerate(lines, 1) if snippet in line)


def _show_f(tmp_path, capsys, top_level: str, returned: str):
    """Show ``def f(x): return <returned>`` after ``top_level`` statements."""
    text = f"{top_level}\n\n\ndef f(x):\n    return {returned}\n"
    return _show(capsys, f"{_file(tmp_path, text)}::f")


def _show(capsys, *arguments: str) -> tuple[int, str, str]:
    status = main(["show", *arguments])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


NEVER_RUN = """
    import math
    open({marker!r}, "w").write("the file was run")
    raise RuntimeError("the file was run")


    def f(x):
        return math.sin(x)
"""


def test_show_never_runs_the_file(tmp_path, capsys):
    marker = tmp_path / "ran.txt"
    path = _file(tmp_path, NEVER_RUN.format(marker=str(marker)))
    status, out, err = _show(capsys, path)
    assert status == 0, err
    assert "x_bar = math.cos(x)" in out
    assert not marker.exists()


@pytest.mark.parametrize("encoding", ["latin-1", "cp1252", "utf-8"])
def test_a_coding_line_picks_the_encoding(tmp_path, capsys, encoding):
    path = _file(
        tmp_path,
        f"""
        # -*- coding: {encoding} -*-
        import math


        def f(x):
            return math.exp(x) / 2  # « moitié »


        def g(x):
            return x << 1.0  # où
        """,
        encoding,
    )
    status, out, err = _show(capsys, path)
    assert status == 1
    # The comment quotes the line as Python decodes it.
    assert "# line 6: return math.exp(x) / 2  # « moitié »" in out
    # Columns count characters, not bytes, after non-ASCII text.
    assert f"{path}:10:12: unsupported construct:" in err
    assert "return x << 1.0  # où\n               ^^^^^^^^\n" in err


def test_a_byte_order_mark_is_not_part_of_the_text(tmp_path, capsys):
    path = _file(
        tmp_path, "import math\n\ndef f(x):\n    return math.sqrt(x)\n", "utf-8-sig"
    )
    status, out, err = _show(capsys, path)
    assert status == 0, err
    assert "def f_grad(x):" in out


def test_lines_are_counted_as_python_counts_them(tmp_path, capsys):
    # Form feeds and U+2028 are not line breaks to Python; CRLF is one.
    text = (
        'import math\r\n\x0c\r\ns = "\u2028"\r\n\r\ndef f(x):\r\n    return x << 1\r\n'
    )
    path = tmp_path / "lines.py"
    path.write_bytes(text.encode("utf-8"))
    status, _, err = _show(capsys, str(path))
    assert status == 1
    assert f"{path}:6:12: unsupported construct:" in err
    assert "    return x << 1\n" in err


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            b"x = 1\ny = '\xff'\n",
            "2:6: unsupported construct: the file is not valid utf-8",
        ),
        (b"# -*- coding: klingon -*-\nx = 1\n", "unknown encoding"),
    ],
)
def test_an_undecodable_file_is_a_clear_error(tmp_path, capsys, data, message):
    path = tmp_path / "bad.py"
    path.write_bytes(data)
    status, _, err = _show(capsys, str(path))
    assert status == 1
    assert message in err and "Traceback" not in err


ALIASES = """
    import math
    import numpy as np

    fn = math.sin
    sq = np.sqrt
    fa, fb = math.cos, np.tanh
    m = math
    also = fn


    def f(x):
        return fn(x) + sq(x) + fa(x) + fb(x) + m.exp(x) + also(x)
"""


def test_module_level_aliases_are_the_functions_they_name(tmp_path, capsys):
    status, out, err = _show(capsys, _file(tmp_path, ALIASES))
    assert status == 0, err
    for term in (
        "math.cos(x)",
        "np.sqrt(x)",
        "math.sin(x)",
        "np.abs(x)",  # tanh's derivative, 4t/(1 + t)**2 with t = exp(-2|x|)
        "math.exp(x)",
    ):
        assert term in out


GUARDED = """
    import typing
    from typing import TYPE_CHECKING as CHECKING

    try:
        import numpy as np

        HAVE_NUMPY = True
    except ImportError:
        np = None
        HAVE_NUMPY = False

    try:
        from numpy import log1p, tanh
    except ImportError:
        from math import log1p, tanh

    try:
        import not_a_module_anywhere as fast
    except ImportError:
        fast = None

    if CHECKING:
        import math as m
    if typing.TYPE_CHECKING:
        from math import cos
    else:
        from math import sin as cos


    def softplus(x):
        return log1p(np.exp(x)) + tanh(x)


    def wave(x):
        return cos(x)


    def typed_only(x):
        return m.exp(x)


    def faster(x):
        return fast.exp(x)
"""


def test_guarded_imports_resolve_as_they_run(tmp_path, capsys):
    path = _file(tmp_path, GUARDED)
    status, out, err = _show(capsys, path)
    assert status == 1
    # The try body runs here, so its handler does not: tanh is NumPy's.
    assert "def softplus_grad(x):" in out and "np.exp(x)" in out
    assert "np.exp(-2 * np.abs(x))" in out and "math.fabs" not in out
    # The else branch of `if TYPE_CHECKING:` is what runs: cos is math.sin.
    assert "def wave_grad(x):" in out and "math.cos(x)" in out
    assert "-math.sin(x)" not in out
    assert (
        f"{path}:{_line(GUARDED, 'm.exp')}:12: unresolved name: m.exp: 'm' "
        "(imported only under `if TYPE_CHECKING:` on line "
        f"{_line(GUARDED, 'import math as m')}, so not defined when the code runs)"
    ) in err
    # `fast` is the module or None: show cannot know which, and says so.
    use = _line(GUARDED, "fast.exp")
    assert f"{path}:{use}:12: unresolved name: fast.exp: 'fast' (it is bound " in err
    bound = _line(GUARDED, "as fast"), _line(GUARDED, "fast = None")
    assert f"conditionally or more than once, on lines {bound[0]}, {bound[1]};" in err


@pytest.mark.parametrize(
    ("imports", "use", "message"),
    [
        (
            "import not_a_module",
            "not_a_module.sin(x)",
            "not_a_module.sin: module 'not_a_module', which srcgrad has no rules "
            "for (imported on line 1)",
        ),
        (
            "from . import helpers",
            "helpers.sin(x)",
            "attribute access on 'helpers' (imported on line 1 from '.', which "
            "srcgrad show does not read)",
        ),
        (
            "from .helpers import sin",
            "sin(x)",
            "'sin' (imported on line 1 from '.helpers', which srcgrad show does "
            "not read)",
        ),
        (
            "from helpers import sin",
            "sin(x)",
            "'sin' (imported on line 1 from 'helpers', which srcgrad show does "
            "not read)",
        ),
        (
            "import numpy.not_a_submodule as sub",
            "sub.sin(x)",
            "module 'numpy.not_a_submodule' (imported on line 1), which cannot be "
            "imported",
        ),
        (
            "from numpy import not_a_function",
            "not_a_function(x)",
            "'not_a_function' (imported on line 1 from 'numpy', which has no such "
            "name)",
        ),
    ],
)
def test_an_import_show_cannot_resolve_is_a_located_error(
    tmp_path, capsys, imports, use, message
):
    path = _file(tmp_path, f"{imports}\n\n\ndef f(x):\n    return {use}\n")
    status, _, err = _show(capsys, path)
    assert status == 1
    assert f"{path}:5:12: " in err and message in err
    assert f"    return {use}\n               ^" in err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    "binding",
    [
        # Assigned from a call to another module: any object at all.
        "import helpers\nfn = helpers.pick()",
        # Bound in one of two branches: either function.
        "import math\nif math.pi > 3:\n    fn = math.sin\nelse:\n    fn = math.cos",
        # Bound twice: which one a decorator saw depends on where it is.
        "import math\nfn = math.sin\nfn = math.cos",
        # Rebound by a function at any time.
        "import math\nfn = math.sin\ndef swap():\n    global fn\n    fn = math.cos",
        # A star import of a module show does not read may rebind it.
        "from math import sin as fn\nfrom helpers import *",
    ],
)
def test_a_function_show_cannot_know_is_an_error_not_a_guess(tmp_path, capsys, binding):
    status, out, err = _show_f(tmp_path, capsys, binding, "fn(x)")
    assert status == 1 and out == ""
    assert "model.py:" in err and ":12: " in err
    assert "'fn'" in err and "math.cos" not in out


@pytest.mark.parametrize(
    "binding",
    [
        "import helpers\nK = helpers.stiffness()",
        "import os\nif os.environ.get('STIFF'):\n    K = 9.0\nelse:\n    K = 1.0",
        "K = 1.0\nK *= 3",
        "for K in (1.0, 2.0):\n    pass",
        "import math\nK = math.pi",
        # Perhaps bound by a star import of a module show does not read.
        "K = 1.0\nfrom physics import *",
        "from physics import *",
    ],
)
def test_a_number_show_cannot_know_is_read_when_the_gradient_runs(
    tmp_path, capsys, binding
):
    status, out, err = _show_f(tmp_path, capsys, binding, "K * x * x")
    assert status == 0, err
    assert "* K * x" in out and "3.14" not in out


def test_a_decorator_sees_only_the_names_bound_above_it(tmp_path, capsys):
    # Importing this file fails: the decorator runs before G is bound.
    text = """
        import srcgrad


        @srcgrad.grad
        def f(x):
            return G * x


        G = 6.674e-11
    """
    status, out, err = _show(capsys, _file(tmp_path, text))
    assert status == 1 and out == ""
    assert "model.py:6:12: unresolved name: name 'G' is not defined" in err


@pytest.mark.parametrize(
    ("top_level", "why", "hint"),
    [
        (
            # What grad(f) calls depends on when it runs: before or after
            # the second def. (A decorator on f would fix the moment.)
            "def helper(t):\n    return t * t\n\n\n"
            "def later(t):\n    return t\n\n\n"
            "def helper(t):\n    return t * t * t",
            "it is bound more than once, on lines 1, 9, so what it is depends on "
            "when srcgrad.grad runs;",
            "give each function a name of its own",
        ),
        (
            "import math\n\nif math.pi > 3:\n\n    def helper(t):\n        return t\n\n"
            "else:\n\n    def helper(t):\n        return 2 * t",
            "it is bound conditionally or more than once, on lines 5, 10;",
            "bind the function once, unconditionally, at the top level of the "
            "file; or build the gradient with srcgrad.grad, which reads the "
            "function that runs",
        ),
    ],
)
def test_a_helper_show_cannot_single_out_is_refused_saying_why(
    tmp_path, capsys, top_level, why, hint
):
    status, out, err = _show_f(tmp_path, capsys, top_level, "helper(x)")
    assert status == 1 and out == ""
    assert f"unresolved name: call to 'helper' ({why}" in err
    assert f"without running the file): {hint}\n" in err
    # It is a function defined with `def`: no hint to write one.
    assert "defined with `def`" not in err


def test_a_function_under_another_decorator_is_not_shown(tmp_path, capsys):
    text = """
        import functools


        @functools.lru_cache
        def f(x):
            return x * x
    """
    status, out, err = _show(capsys, _file(tmp_path, text))
    assert status == 1 and out == ""
    assert (
        "model.py:4:2: unsupported construct: f is decorated with "
        "@functools.lru_cache, so f is what that decorator returned, which "
        "srcgrad show cannot know without running the file; srcgrad.grad reads "
        "the function when it runs, and srcgrad.source shows what it builds\n"
    ) in err
