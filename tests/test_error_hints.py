"""Errors that say what to do: each names the problem, and where it is."""

from __future__ import annotations

import re

import pytest
from helpers import define

import srcgrad
from srcgrad.errors import (
    DifferentiationError,
    SourceUnavailableError,
    UnsupportedSyntaxError,
)


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
