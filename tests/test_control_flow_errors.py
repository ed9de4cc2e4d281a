"""Control flow srcgrad cannot lower is an error at the place it happens.

A name that may be undefined is reported where it is read, naming where it
was assigned and what to do; a construct outside the language is reported
where it is written, with what to write instead.
"""

from __future__ import annotations

import textwrap

import pytest
from helpers import define

from srcgrad.errors import (
    CallError,
    NameResolutionError,
    SrcgradError,
    UnsupportedSyntaxError,
)
from srcgrad.frontend import lower_file, lower_live

HEADER = "import math\n\n\ndef f(x, n, xs):\n"
#: The line of the file ``HEADER`` puts the first line of a body on.
FIRST = 5


def _lower(body: str, **namespace):
    source = HEADER + textwrap.indent(textwrap.dedent(body).strip("\n"), "    ")
    f = define(source + "\n", "f", **namespace)
    return lower_live(f)


def _check(error: SrcgradError, line: int, under: str) -> None:
    """``error``'s caret is under ``under`` on ``line`` (1-based) of the body."""
    location = error.location
    assert location is not None
    assert location.line == FIRST + line - 1, str(error)
    span = location.text[location.column - 1 : location.end_column - 1]
    assert span == under, (str(error), under)


# (body, the line of the read, the text read, what the message must say)
MAYBE_UNDEFINED = [
    (
        """
        if x > 0:
            y = x
        return y
        """,
        3,
        "y",
        "`y` may be undefined here: it is assigned on line 6, but only in some "
        "branches of the `if` at line 5; assign it before the `if`",
    ),
    (
        """
        if x > 0:
            a = 1.0
        elif x < -1:
            a = 2.0
        return x * a
        """,
        5,
        "a",
        "only in some branches of the `if` at line 5",
    ),
    (
        """
        for i in range(n):
            t = x * i
        return t
        """,
        3,
        "t",
        "`t` may be undefined here: it is assigned in the `for` loop at line 5, "
        "so it may be undefined if the loop runs zero times; assign it before "
        "the loop",
    ),
    (
        """
        for i in range(n):
            x = x * 2.0
        return x + i
        """,
        3,
        "i",
        "may be undefined if the loop runs zero times",
    ),
    (
        """
        while x > 1.0:
            x = x / 2.0
            halves = x
        return halves
        """,
        4,
        "halves",
        "assigned in the `while` loop at line 5, so it may be undefined if the "
        "loop runs zero times",
    ),
    (
        """
        s = 0.0
        for i in range(n):
            if i > 0:
                s = s + last
            last = x * i
        return s
        """,
        4,
        "last",
        "assigned in the `for` loop at line 6 only after this point",
    ),
    (
        """
        for i in range(n):
            if i > x:
                break
        else:
            y = 1.0
        return y
        """,
        6,
        "y",
        "only in the `else` of the loop at line 5, which a `break` skips",
    ),
    (
        """
        while True:
            if x > 10.0:
                break
            y = x
            x = x * 2.0
        return y
        """,
        6,
        "y",
        "the `break` on line 7 may leave the loop before it is assigned",
    ),
    (
        """
        for i in range(n):
            if i > 2:
                y = x
            x = y * 2.0
        return x
        """,
        4,
        "y",
        "only in some branches of the `if` at line 6",
    ),
]


@pytest.mark.parametrize(
    ("body", "line", "name", "message"),
    MAYBE_UNDEFINED,
    ids=[case[3][:40] for case in MAYBE_UNDEFINED],
)
def test_reading_a_name_that_may_be_undefined_is_an_error_at_the_read(
    body, line, name, message
):
    with pytest.raises(NameResolutionError) as raised:
        _lower(body)
    assert message in raised.value.message
    _check(raised.value, line, name)


def test_a_name_assigned_on_every_path_of_a_loop_that_surely_runs_is_defined():
    ir = _lower("""
        while True:
            y = x
            if y > 10.0:
                break
            x = x * 2.0
        for i in range(3):
            z = y * i
        return y + z + i
        """)
    assert ir.entry.terminator is not None


# (body, line, the construct's text, the error's class, what it must say)
UNSUPPORTED = [
    (
        "try:\n    x = 1.0 / x\nexcept ZeroDivisionError:\n    pass\nreturn x",
        1,
        "try:",
        UnsupportedSyntaxError,
        "`try` statement is not supported; handle errors outside",
    ),
    (
        "with open(xs) as handle:\n    pass\nreturn x",
        1,
        "with open(xs) as handle:",
        UnsupportedSyntaxError,
        "`with` statement is not supported; enter the context outside",
    ),
    (
        "assert x > 0\nreturn x",
        1,
        "assert x > 0",
        UnsupportedSyntaxError,
        "`assert` statement is not supported; move checks outside",
    ),
    (
        "y = x\ndel y\nreturn x",
        2,
        "del y",
        UnsupportedSyntaxError,
        "`del` statement is not supported; remove the `del`",
    ),
    (
        "global TOTAL\nTOTAL = x\nreturn x",
        1,
        "global TOTAL",
        UnsupportedSyntaxError,
        "`global` statement is not supported; pass the value in",
    ),
    (
        "match n:\n    case 1:\n        x = 2.0\nreturn x",
        1,
        "match n:",
        UnsupportedSyntaxError,
        "`match` statement is not supported; use `if`/`elif`",
    ),
    (
        "if (y := x * 2) > 1:\n    return y\nreturn x",
        1,
        "y := x * 2",
        UnsupportedSyntaxError,
        "assignment expression (`:=`) is not supported; assign the value on a line",
    ),
    (
        "return max(x, n, key=lambda t: t * t)",
        1,
        "max(x, n, key=lambda t: t * t)",
        UnsupportedSyntaxError,
        "keyword argument 'key' of max is not supported",
    ),
    (
        "return (lambda t: t * t)(x)",
        1,
        "lambda t: t * t",
        UnsupportedSyntaxError,
        "lambda is not supported; bind it to a name",
    ),
    (
        "if x > 0:\n    def g(t):\n        return t * t\n    x = g(x)\nreturn x",
        2,
        "def g(t):",
        UnsupportedSyntaxError,
        "a nested function must be defined at the top level of f's body",
    ),
    (
        "g = lambda t: t * t\ng = lambda t: t\nreturn g(x)",
        1,
        "g = lambda t: t * t",
        UnsupportedSyntaxError,
        "`g` is bound more than once in f",
    ),
    (
        "y = g(x)\ndef g(t):\n    return t * t\nreturn y",
        1,
        "g",
        UnsupportedSyntaxError,
        "called before its definition on line",
    ),
    (
        "def g(t):\n    return t * t\nreturn g",
        3,
        "g",
        UnsupportedSyntaxError,
        "`g` is a function: srcgrad supports calling it, not using it as a value",
    ),
    (
        "raise ValueError(x)",
        1,
        "raise ValueError(x)",
        UnsupportedSyntaxError,
        "`raise` statement is not supported; check inputs outside",
    ),
    (
        "if x is None:\n    return 0.0\nreturn x",
        1,
        "x is None",
        UnsupportedSyntaxError,
        "`is` comparison is not supported; compare numbers with `==`",
    ),
    (
        "return 1.0 if x is not n else 0.0",
        1,
        "x is not n",
        UnsupportedSyntaxError,
        "`is not` comparison is not supported",
    ),
    (
        "if x in (1.0, 2.0):\n    return x\nreturn -x",
        1,
        "x in (1.0, 2.0)",
        UnsupportedSyntaxError,
        "`in` test is not supported; compare with each value, joined with `or`",
    ),
    (
        "return 0.0 < x not in xs",
        1,
        "0.0 < x not in xs",
        UnsupportedSyntaxError,
        "`not in` test is not supported",
    ),
    (
        "s = 0.0\nfor c in sorted(xs):\n    s += c\nreturn s",
        2,
        "sorted(xs)",
        UnsupportedSyntaxError,
        "iterating over `sorted(xs)` is not supported; iterate over range(...)",
    ),
    (
        "s = 0.0\nfor c in xs * 2:\n    s += c\nreturn s",
        2,
        "xs * 2",
        UnsupportedSyntaxError,
        "iterating over `xs * 2` is not supported",
    ),
    (
        "r = range(n)\nreturn x",
        1,
        "range(n)",
        UnsupportedSyntaxError,
        "range(...) is supported only as what a `for` loop iterates over",
    ),
    (
        "return max(xs)",
        1,
        "max(xs)",
        UnsupportedSyntaxError,
        "max(xs) of one argument takes the largest item of xs: a number is not "
        "iterable (Python raises TypeError: 'float' object is not iterable), and "
        "max of a sequence passed in is not supported; write max(a, b, ...)",
    ),
    (
        "return max(x, n, key=abs)",
        1,
        "max(x, n, key=abs)",
        UnsupportedSyntaxError,
        "keyword argument 'key' of max is not supported",
    ),
    (
        "return min()",
        1,
        "min()",
        CallError,
        "min takes at least 1 argument, got 0",
    ),
    (
        "for i in range(1, 2, 3, 4):\n    x = x * 2\nreturn x",
        1,
        "range(1, 2, 3, 4)",
        CallError,
        "range takes 1 to 3 arguments, got 4",
    ),
    (
        "return helper(x)",
        1,
        "helper",
        UnsupportedSyntaxError,
        "call to helper (a class) is not supported; srcgrad reads and differentiates",
    ),
    (
        "if x > 0:\n    return x",
        2,
        "return x",
        UnsupportedSyntaxError,
        "`f` can reach its end without returning a value",
    ),
    (
        "for i in range(n):\n    return x * i",
        2,
        "return x * i",
        UnsupportedSyntaxError,
        "`f` can reach its end without returning a value",
    ),
    (
        "if x > 0:\n    return x, x\nreturn x",
        3,
        "return x",
        UnsupportedSyntaxError,
        "returns tuples of different lengths, or a tuple and a number",
    ),
    (
        "for i in range(n):\n    if x > i:\n        return x, x\n    if x < i:\n"
        "        return x\nreturn x",
        1,
        "for i in range(n):",
        UnsupportedSyntaxError,
        "returns tuples of different lengths, or a tuple and a number",
    ),
    (
        "p = (x, n)\nfor i in range(n):\n    p = x\nreturn p",
        2,
        "for i in range(n):",
        UnsupportedSyntaxError,
        "`p` holds a tuple of another length, or a tuple instead of a number",
    ),
]


class _Helper:
    pass


@pytest.mark.parametrize(
    ("body", "line", "under", "kind", "message"),
    UNSUPPORTED,
    ids=[case[4][:40] for case in UNSUPPORTED],
)
def test_unsupported_control_flow_is_an_error_at_the_construct(
    body, line, under, kind, message
):
    with pytest.raises(kind) as raised:
        _lower(body, helper=_Helper)
    assert message in raised.value.message, raised.value.message
    _check(raised.value, line, under)


def test_a_generator_is_refused_at_its_yield():
    with pytest.raises(UnsupportedSyntaxError, match="uses `yield`") as raised:
        _lower("for i in range(n):\n    yield x * i\nreturn x")
    _check(raised.value, 2, "yield x * i")


def test_nonlocal_is_refused_where_it_is_written():
    source = textwrap.dedent("""
        def outer():
            total = 0.0

            def f(x):
                nonlocal total
                total = x
                return x

            return f
        """)
    f = define(source, "outer")()
    with pytest.raises(UnsupportedSyntaxError, match="`nonlocal` statement") as raised:
        lower_live(f)
    assert raised.value.location is not None
    assert raised.value.location.text.strip() == "nonlocal total"


def test_a_class_definition_is_refused_where_it_is_written(tmp_path):
    path = tmp_path / "model.py"
    path.write_text("def f(x):\n    class Point:\n        pass\n    return x\n")
    with pytest.raises(UnsupportedSyntaxError) as raised:
        lower_file(str(path))
    error = raised.value
    assert "class definition is not supported; define the class at the top" in (
        error.message
    )
    assert error.location is not None
    assert (error.location.line, error.location.column) == (2, 5)
