"""Unsupported code is an error that names file, line, column and construct."""

from __future__ import annotations

import functools
import re

import numpy as np
import pytest
from helpers import define

import srcgrad
from srcgrad.errors import (
    CallError,
    DifferentiationError,
    NameResolutionError,
    SourceUnavailableError,
    SrcgradError,
    UnsupportedSyntaxError,
    ValueTypeError,
)

# (function body, error class, what the message must say, the text the caret is under)
CASES = [
    (
        "try:\n        x = 1 / x\n    except ZeroDivisionError:\n        pass\n"
        "    return x",
        UnsupportedSyntaxError,
        "`try` statement",
        "try:",
    ),
    (
        "with x:\n        x = x * 2\n    return x",
        UnsupportedSyntaxError,
        "`with` statement",
        "with x:",
    ),
    (
        "match x:\n        case 1:\n            x = 2.0\n    return x",
        UnsupportedSyntaxError,
        "`match` statement",
        "match x:",
    ),
    ("return x << 2", UnsupportedSyntaxError, "`<<` operator", "x << 2"),
    (
        "return (y := x)",
        UnsupportedSyntaxError,
        "assignment expression",
        "y := x",
    ),
    ("return {x}", UnsupportedSyntaxError, "set", "{x}"),
    ("return x is x", UnsupportedSyntaxError, "`is` comparison", "x is x"),
    ("return 'x'", UnsupportedSyntaxError, "constant 'x'", "'x'"),
    (
        "return undefined_name * x",
        NameResolutionError,
        "name 'undefined_name' is not defined",
        "undefined_name",
    ),
    ("return sorted(x)", UnsupportedSyntaxError, "call to sorted", "sorted"),
    ("return math.sin(x, 2)", CallError, "math.sin", "math.sin(x, 2)"),
    (
        "return np.sin(x, out=x)",
        UnsupportedSyntaxError,
        "argument 'out'",
        "np.sin(x, out=x)",
    ),
    (
        "return math.nosuch(x)",
        NameResolutionError,
        "no attribute 'nosuch'",
        "math.nosuch",
    ),
    ("return x.real", UnsupportedSyntaxError, "attribute access", "x.real"),
    (
        "y = x\n    del y\n    return x",
        UnsupportedSyntaxError,
        "`del` statement",
        "del y",
    ),
    (
        "math.sin(x)\n    return x",
        UnsupportedSyntaxError,
        "the value of this call is not used",
        "math.sin(x)",
    ),
    (
        "x\n    return x",
        UnsupportedSyntaxError,
        "an expression statement has no effect on the result",
        "x",
    ),
    ("return x in (1, 2)", UnsupportedSyntaxError, "`in` test", "x in (1, 2)"),
    (
        "y = y + x\n    return y",
        UnsupportedSyntaxError,
        "used before it is assigned",
        "y",
    ),
    (
        "a, b = x, x, x\n    return a",
        UnsupportedSyntaxError,
        "cannot unpack 3 values into 2",
        "a, b",
    ),
    (
        "x = x * 2",
        UnsupportedSyntaxError,
        "can reach its end without returning a value",
        "x = x * 2",
    ),
    ("return", UnsupportedSyntaxError, "`return` without a value", "return"),
    (
        "return x, 2 * x",
        DifferentiationError,
        "returns a tuple of 2 values",
        "return x, 2 * x",
    ),
]


@pytest.mark.parametrize(
    ("body", "kind", "message", "under"), CASES, ids=[c[2] for c in CASES]
)
def test_error_names_file_line_column_and_construct(body, kind, message, under):
    f = define(f"import math\nimport numpy as np\n\ndef f(x):\n    {body}\n")
    with pytest.raises(kind) as raised:
        srcgrad.grad(f)
    error = raised.value
    text = str(error)
    assert isinstance(error, SrcgradError)
    assert message in text
    location = re.match(r"(<test-source-\d+>):(\d+):(\d+): ", text)
    assert location, text
    line, column = int(location.group(2)), int(location.group(3))
    quoted, caret = text.splitlines()[1:3]
    assert quoted == "    " + error.location.text.rstrip("\n")
    source_line = error.location.text
    assert source_line[column - 1 :].startswith(under), (source_line, column)
    assert caret.strip() == "^" * len(under), text
    assert caret.index("^") - 4 == column - 1
    assert line == error.location.line


def test_error_location_is_in_the_users_file_with_indentation_and_unicode():
    # A method-level function: the source is dedented to parse it, and the
    # column must still be the column in the file. Non-ASCII text before the
    # construct must count as characters, not UTF-8 bytes.
    source = """
        import math

        class Model:
            @staticmethod
            def f(x):
                λ = 2.0 * x
                return λ << x
        """
    model = define(source, "Model")
    with pytest.raises(UnsupportedSyntaxError) as raised:
        srcgrad.grad(model.f)
    error = raised.value
    assert error.location.line == 7
    assert error.location.text.index("λ <<") + 1 == error.location.column
    assert "`<<` operator" in str(error)


def test_variadic_parameters_are_rejected_at_the_parameter():
    f = define("def f(x, *rest):\n    return x\n")
    with pytest.raises(
        UnsupportedSyntaxError, match=r":1:11: .*variadic parameter 'rest'"
    ):
        srcgrad.grad(f)


def test_builtin_functions_have_no_source():
    with pytest.raises(SourceUnavailableError):
        srcgrad.grad(len)  # type: ignore[arg-type]


def test_function_without_a_file_is_a_clear_error():
    namespace: dict = {}
    exec("def f(x):\n    return x * x\n", namespace)
    with pytest.raises(
        SourceUnavailableError, match="needs functions defined in a file"
    ):
        srcgrad.grad(namespace["f"])


@pytest.mark.parametrize(
    ("wrt", "message"),
    [
        (5, "out of range"),
        ("z", "not a parameter"),
        ((), "empty"),
        (("x", "x"), "twice"),
        (1.5, "index or name"),
    ],
)
def test_bad_wrt_is_a_clear_error(wrt, message):
    f = define("def f(x, y):\n    return x * y\n")
    with pytest.raises(DifferentiationError, match=message):
        srcgrad.grad(f, wrt=wrt)


def test_decorated_functions_and_gradients_are_clear_errors():
    f = define("import functools\n\ndef f(x):\n    return x * x\n")
    wrapped = functools.wraps(f)(lambda *args: f(*args))
    with pytest.raises(SourceUnavailableError, match="wrapped by a decorator"):
        srcgrad.grad(wrapped)
    # a gradient's own gradient is forward mode over its code
    assert srcgrad.grad(srcgrad.grad(f))(3.0) == 2.0


def test_a_module_without_rules_is_named_in_the_error():
    import os

    f = define("def f(x):\n    return os.path.getsize(x) * x\n", os=os)
    with pytest.raises(
        NameResolutionError, match="module 'os', which srcgrad has no rules"
    ):
        srcgrad.grad(f)


@pytest.mark.parametrize(
    ("target", "arguments", "message"),
    [
        ("a, *rest = x", (np.ones(3),), "x is an array: unpacking it with a starred"),
        ("a, *rest = x", (np.ones(3),), r"a, rest = x\[0\], x\[1:\]"),
        ("a, b = x", (np.ones(2),), r"x is an array: .*a, b = x\[0\], x\[1\]"),
        ("a, *rest = x", (2.0,), "cannot unpack x into several names: it is a num"),
        ("a, b = x * 2.0", (2.0,), "cannot unpack the value into several names"),
        ("a, b = d", (2.0, (1.0, 3.0)), "unpacking d into names is not supported"),
    ],
)
def test_unpacking_a_value_says_what_the_value_is(target, arguments, message):
    # Python unpacks what it iterates: an array's items (rest a list of
    # them), never a number. Which one a value is, the build for the
    # arguments' types knows: there the refusal says it, at the target.
    f = define(f"def f(x, d=None):\n    {target}\n    return a * x\n")
    gradient = srcgrad.grad(f)  # for numbers, it hands arrays on
    with pytest.raises(ValueTypeError, match=message) as raised:
        gradient(*arguments)
    assert ":2:5:" in str(raised.value)
