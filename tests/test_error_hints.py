"""Errors that say what to do: each names the problem, and where it is."""

from __future__ import annotations

import ast
import importlib
import re

import numpy as np
import pytest
from helpers import define

import srcgrad
from srcgrad.cli import main
from srcgrad.errors import (
    CallError,
    DifferentiationError,
    SourceUnavailableError,
    UnsupportedSyntaxError,
    ValueTypeError,
)
from srcgrad.frontend.constructs import describe


def _location(error: srcgrad.SrcgradError) -> tuple[int, str]:
    """The error's line, and the text its caret is under."""
    assert error.location is not None, str(error)
    text = error.location.text
    return (
        error.location.line,
        text[error.location.column - 1 : error.location.end_column - 1],
    )


@pytest.mark.parametrize(
    ("source", "kind", "message", "line", "under"),
    [
        (
            "def f(x):\n    y = yield x\n    z = yield y\n    return z\n",
            UnsupportedSyntaxError,
            "f is a generator (it uses `yield`)",
            2,
            "yield x",
        ),
        (
            "def f(x, **options):\n    return x\n",
            UnsupportedSyntaxError,
            "variadic parameter 'options' (`**options`) is not supported; write out",
            1,
            "options",
        ),
        (
            "async def f(x):\n    return x\n",
            UnsupportedSyntaxError,
            "f is an `async def`",
            1,
            "async def f(x):",
        ),
        (
            "import math\n\ndef f(x):\n    return math.gamma(x) * x\n",
            DifferentiationError,
            "no derivative rule for math.gamma;",
            4,
            "math.gamma",
        ),
        (
            "import numpy as np\n\ndef f(x):\n    return np.floor(x)\n",
            DifferentiationError,
            "no derivative rule for np.floor;",
            4,
            "np.floor",
        ),
        (
            "from math import gamma as g\n\ndef f(x):\n    return g(x) * x\n",
            DifferentiationError,
            "no derivative rule for math.gamma (called as g);",
            4,
            "g",
        ),
    ],
    ids=["yield", "kwargs", "async", "gamma", "floor", "imported gamma"],
)
def test_unsupported_functions_are_named_at_their_place(
    source, kind, message, line, under
):
    with pytest.raises(kind) as raised:
        srcgrad.grad(define(source, "f"))
    assert message in str(raised.value)
    assert _location(raised.value) == (line, under)


def test_a_call_without_a_rule_does_not_contradict_itself():
    f = define("import math\n\ndef f(x):\n    return math.floor(x)\n")
    with pytest.raises(DifferentiationError) as raised:
        srcgrad.grad(f)
    assert "differentiates calls to math" not in str(raised.value)


MODEL = """
class Model:
    def __init__(self, k):
        self.k = k

    def energy(self, x):
        return x * x

    def __call__(self, x):
        return x * x

    @classmethod
    def build(cls, x):
        return x * x
"""


def test_a_bound_method_says_to_pass_the_function():
    model = define(MODEL, "Model")(2.0)
    with pytest.raises(SourceUnavailableError) as raised:
        srcgrad.grad(model.energy)
    message = str(raised.value)
    assert "bound method Model.energy" in message
    assert "Model.energy" in message and "obj.energy.__func__" in message
    assert srcgrad.grad(type(model).energy, wrt="x")(model, 3.0) == 6.0


def test_a_callable_object_says_to_pass_its_method():
    model = define(MODEL, "Model")(2.0)
    with pytest.raises(
        SourceUnavailableError,
        match=r"callable Model object; pass its method \(Model.__call__\)",
    ):
        srcgrad.grad(model)


@pytest.mark.parametrize(
    ("wrt", "receiver"), [(0, "self"), ("self", "self"), (("x", "self"), "self")]
)
def test_wrt_selecting_self_is_refused_when_the_gradient_is_built(wrt, receiver):
    model = define(MODEL, "Model")
    with pytest.raises(
        DifferentiationError, match=f"wrt selects '{receiver}', the instance"
    ):
        srcgrad.grad(model.energy, wrt=wrt)


def test_wrt_selecting_cls_is_refused():
    model = define(MODEL, "Model")
    with pytest.raises(DifferentiationError, match="wrt selects 'cls', the class"):
        srcgrad.grad(model.build.__func__, wrt="cls")


def test_a_comma_separated_wrt_suggests_a_tuple():
    f = define("def f(S, K):\n    return S * K\n")
    with pytest.raises(DifferentiationError, match=re.escape("wrt=('S', 'K')")):
        srcgrad.grad(f, wrt="S,K")
    with pytest.raises(DifferentiationError, match=re.escape("wrt=('S', 'K')")):
        srcgrad.grad(f, wrt="S, K")


def _place(error: srcgrad.SrcgradError) -> tuple[str, str]:
    """``file:line:col`` of the error, and the text its caret is under."""
    location = error.location
    assert location is not None, str(error)
    under = location.text[location.column - 1 : location.end_column - 1]
    return str(location), under


def test_appending_to_a_list_passed_in_is_refused_where_it_is_written():
    f = define("def f(x, lst):\n    lst.append(x)\n    return x\n")
    with pytest.raises(ValueTypeError) as raised:
        srcgrad.grad(f)(1.0, [])
    message = raised.value.message
    assert message.startswith("append is supported on a list the function makes")
    assert "caller's list" in message
    assert _place(raised.value) == (f"{f.__code__.co_filename}:2:5", "lst.append(x)")


def test_calling_a_nested_function_that_writes_nonlocal_says_why():
    source = """
        def f(x):
            y = x

            def inner():
                nonlocal y
                y = y * 2.0

            inner()
            return y
        """
    f = define(source, "f")
    with pytest.raises(UnsupportedSyntaxError) as raised:
        srcgrad.grad(f)
    assert raised.value.message == (
        "inner() assigns `y` of the code around it (`nonlocal` on line 5): "
        "writes to an enclosing function's or the module's variables are not "
        "supported; make inner return the new value and assign it here: "
        "`y = inner(...)`"
    )
    assert _place(raised.value) == (f"{f.__code__.co_filename}:8:5", "inner()")


@pytest.mark.parametrize(
    ("body", "under", "message"),
    [
        (
            "range = 3\n    s = 0.0\n    for i in range(2):\n        s = s + x\n"
            "    return s",
            "range",
            "`range` here is a local variable of f (assigned on line 2), not "
            "Python's builtin range; rename that variable, so that `range(...)` "
            "is the builtin",
        ),
        (
            "s = 0.0\n    for i in zip(x):\n        s = s + x\n    return s",
            "zip",
            "`zip` here is the global 'zip', not Python's builtin zip; rename "
            "that variable",
        ),
    ],
    ids=["local range", "global zip"],
)
def test_a_loop_over_a_shadowed_builtin_names_what_shadows_it(body, under, message):
    f = define(f"def f(x):\n    {body}\n", "f", zip=3.0)
    with pytest.raises(UnsupportedSyntaxError) as raised:
        srcgrad.grad(f)
    assert raised.value.message.startswith(message)
    assert "is not supported; iterate over range(...)" not in raised.value.message
    line = 4 if under == "range" else 3
    assert _place(raised.value) == (f"{f.__code__.co_filename}:{line}:14", under)


def test_the_caret_is_under_the_construct_on_a_line_indented_with_tabs():
    f = define("def f(x):\n\ty = x.foo\n\treturn y\n")
    with pytest.raises(UnsupportedSyntaxError) as raised:
        srcgrad.grad(f)
    assert str(raised.value.location).endswith(":2:6")
    source_line, caret_line = raised.value.location.caret().splitlines()
    assert "\t" not in source_line
    start = caret_line.index("^")
    assert source_line[start : start + len("x.foo")] == "x.foo"
    assert caret_line.strip() == "^" * len("x.foo")


@pytest.mark.parametrize(
    ("body", "message", "under"),
    [
        (
            "x.y = 1.0\n    return x",
            "assigning to an attribute (`obj.x = ...`) is not supported: srcgrad "
            "follows numbers, not changes to objects",
            "x.y",
        ),
        (
            "x.y += 1.0\n    return x",
            "assigning to an attribute (`obj.x = ...`) is not supported",
            "x.y",
        ),
        (
            "t = (x, x)\n    t[0] = 1.0\n    return x",
            "a tuple's items cannot be assigned (tuples are immutable)",
            "t[0]",
        ),
        (
            "return max(v for v in (x, x))",
            "generator expression is not supported; write a list comprehension",
            "(v for v in (x, x))",
        ),
        (
            "return {x: 1.0}",
            "dict is not supported; pass the numbers as arguments of their own",
            "{x: 1.0}",
        ),
        (
            "return x << 1",
            "`<<` operator is not supported; bitwise operators work on integers",
            "x << 1",
        ),
        (
            "return math.sin(x)(x)",
            "calling the result of a call is not supported; call a function by "
            "its name",
            "math.sin(x)",
        ),
        (
            "x\n    return x",
            "an expression statement has no effect on the result; assign its "
            "value to a name",
            "x",
        ),
    ],
    ids=[
        "attribute",
        "augmented attribute",
        "item",
        "comprehension",
        "dict",
        "shift",
        "call of a call",
        "expression",
    ],
)
def test_unsupported_constructs_have_readable_names_and_hints(body, message, under):
    f = define(f"import math\n\ndef f(x):\n    {body}\n", "f")
    with pytest.raises(UnsupportedSyntaxError) as raised:
        srcgrad.grad(f)
    assert raised.value.message.startswith(message)
    assert not re.search(r"`[A-Z][A-Za-z]+`", raised.value.message)  # no ast class
    assert _place(raised.value)[1] == under
    line = 4 + next(i for i, text in enumerate(body.split("\n")) if under in text)
    assert _place(raised.value)[0].startswith(f"{f.__code__.co_filename}:{line}:")


def test_no_construct_is_named_by_its_ast_class():
    kinds = (ast.stmt, ast.expr, ast.operator, ast.unaryop, ast.cmpop, ast.boolop)
    for kind in kinds:
        for node_class in kind.__subclasses__():
            name = describe(node_class())
            assert node_class.__name__ not in name, name


def test_a_bad_item_of_a_sequence_is_named_by_index_and_type():
    f = define(
        "def f(xs, x):\n    s = 0.0\n    for v in xs:\n        s = s + v * x\n"
        "    return s\n"
    )
    g = srcgrad.grad(f, wrt="x")
    with pytest.raises(srcgrad.NotRealError) as raised:
        g([1.0, "a"], 2.0)
    message = str(raised.value)
    assert "f_grad: item xs[1] of sequence 'xs' is str 'a', not a real number" in (
        message
    )
    assert "NumPy" not in message
    with pytest.raises(srcgrad.NotRealError, match=r"item xs\[2\] of .* complex"):
        g([1.0, 2.0, 1j], 2.0)
    assert g(np.array([1.0, 2.0]), 2.0) == 3.0  # an array's items are iterated


def test_a_function_bound_once_conditionally_is_named_on_its_one_line(tmp_path, capsys):
    path = tmp_path / "model.py"
    path.write_text(
        "FAST = True\nif FAST:\n\n    def helper(x):\n        return x * x\n\n\n"
        "def f(x):\n    return helper(x)\n"
    )
    assert main(["show", str(path)]) == 1
    err = capsys.readouterr().err
    assert f"{path}:9:12: " in err
    assert "(it is bound conditionally, on line 4; srcgrad show cannot tell" in err
    assert "on lines" not in err
    assert "bind the function once, unconditionally, at the top level" in err


def test_float_of_text_python_cannot_read_is_an_error_at_the_call():
    f = define('def f(x):\n    return x * float("one")\n')
    with pytest.raises(CallError, match=r"float\('one'\) raises ValueError"):
        srcgrad.grad(f)


def test_a_function_of_a_submodule_says_to_import_the_submodule(tmp_path, monkeypatch):
    package = tmp_path / "hintpkg"
    (package / "sub").mkdir(parents=True)
    (package / "__init__.py").write_text("from . import sub\n")
    (package / "sub" / "__init__.py").write_text("def helper(x):\n    return x * x\n")
    (tmp_path / "hintmodel.py").write_text(
        "import hintpkg\n"
        "from hintpkg import sub\n\n\n"
        "def chained(x):\n    return hintpkg.sub.helper(x) + x\n\n\n"
        "def direct(x):\n    return sub.helper(x) + x\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    module = importlib.import_module("hintmodel")
    with pytest.raises(srcgrad.NameResolutionError) as raised:
        srcgrad.grad(module.chained)
    assert "`from hintpkg import sub`" in str(raised.value)
    assert _location(raised.value) == (6, "hintpkg.sub")
    # As the hint says, a module named directly is followed to its functions.
    assert srcgrad.grad(module.direct)(0.5) == pytest.approx(2.0)


def test_a_function_computed_by_indexing_says_to_call_it_by_name():
    f = define("def f(x):\n    return globals()['g'](x)\n")
    with pytest.raises(UnsupportedSyntaxError) as raised:
        srcgrad.grad(f)
    assert "call the function by its name" in str(raised.value)
    assert _location(raised.value) == (2, "globals()['g']")


def test_a_tuple_sliced_says_what_was_not_a_literal_index():
    f = define("def f(x):\n    t = (x, x * 2.0)\n    return t[1:][0]\n")
    with pytest.raises(UnsupportedSyntaxError) as raised:
        srcgrad.grad(f)
    assert "`1:` is not one" in str(raised.value)
    assert "np.array(t)" in str(raised.value)
    assert _location(raised.value) == (3, "1:")
