"""A helper given None: fine where it only tests or passes it, an error where
it computes with it.

``def h(t, k=None): return t * k`` called as ``h(x)`` raises TypeError in
Python, but its gradient with respect to ``t`` is ``k``: written out, the
gradient returned None (or a plausible number built from it). srcgrad now
follows each None a call passes (a default, or ``None`` written out) and
refuses its use as a number when the gradient is built, at the place of
that use; where the helper only tests it (``if k:``, ``k == 0``) or
passes it on, the gradient is what it was.
"""

from __future__ import annotations

import pytest
from helpers import central_difference, define

import srcgrad
from srcgrad import DifferentiationError


def _refused_at(source: str, line: int, column: int, origin: str):
    """Building the gradient of ``source``'s ``f`` fails at ``line:column``,
    saying where the None comes from; ``f`` is returned."""
    f = define(source, "f")
    with pytest.raises(DifferentiationError) as caught:
        srcgrad.grad(f)
    message = str(caught.value)
    assert message.startswith(f"{f.__code__.co_filename}:{line}:{column}: "), message
    assert origin in message, message
    return f


MULTIPLIED = "def h(t, k=None):\n    return t * k\n\n\n"


@pytest.mark.usefixtures("inlining")
@pytest.mark.parametrize("call", ["h(x)", "h(x, None)", "h(x, k=None)"])
def test_none_used_as_a_number_is_an_error_where_it_is_used(call):
    # The gradient returned None: d(t * k)/dt is k.
    f = _refused_at(
        MULTIPLIED + f"def f(x):\n    return {call}\n",
        2,
        12,
        "None is used as a number here, where f raises TypeError (h is called "
        "on line 6 with None for its parameter 'k')",
    )
    with pytest.raises(TypeError):
        f(0.5)  # where f itself fails


@pytest.mark.usefixtures("inlining")
def test_none_compared_with_a_number_is_an_error():
    _refused_at(
        "def h(t, k=None):\n    return max(t, k)\n\n\ndef f(x):\n    return h(x)\n",
        2,
        12,
        "h is called on line 6 with None for its parameter 'k'",
    )


@pytest.mark.usefixtures("inlining")
def test_none_a_helper_returns_is_an_error_where_the_caller_uses_it():
    source = """
        def give(t, k=None):
            return k

        def f(x):
            return give(x) * x
        """
    _refused_at(source, 5, 12, "give is called on line 5 with None")


def test_none_passed_on_to_a_helper_that_computes_with_it():
    source = """
        def inner(t, k):
            return t * k

        def outer(t, k=None):
            return inner(t, k) + t

        def f(x):
            return outer(x)
        """
    _refused_at(source, 2, 12, "outer is called on line 8 with None for its")


def test_a_nested_helpers_default_none():
    source = """
        def f(x):
            def scaled(t, k=None):
                return t * k

            return scaled(x)
        """
    _refused_at(source, 3, 16, "is called on line 5 with None for its parameter 'k'")


def test_f_returning_none_is_an_error():
    f = _refused_at(
        "def h(t, k=None):\n    return k\n\n\ndef f(x):\n    return h(x)\n",
        6,
        5,
        "f returns None here (h is called on line 6 with None",
    )
    assert f(0.5) is None


USES_THAT_WORK = """
def unused(t, k=None):
    return t * 3.0


def ignores(t, k):
    return t * t


def passes_on(t, k=None):
    return ignores(t, k) + t


def tested(t, k=None):
    if k:
        return t * k
    return t * 5.0


def compared(t, k=None):
    if k == 0:
        return t
    return t * 7.0


def negated(t, k=None):
    if not k:
        return t * 2.0
    return t * k


def defaulted(t, k=None):
    k = k or 2.0
    return t * k


def f(x):
    a = unused(x) + unused(x, None) + passes_on(x) + passes_on(x, None)
    b = tested(x) + tested(x, 3.0) + compared(x) + negated(x) + negated(x, 4.0)
    return a * b + tested(x, k=None) * x + defaulted(x) * defaulted(x, 3.0)
"""


@pytest.mark.usefixtures("inlining")
def test_none_a_helper_only_tests_or_passes_on_still_works():
    f = define(USES_THAT_WORK, "f")
    gradient = srcgrad.grad(f)
    for x in (0.5, -1.25, 2.0):
        expected = central_difference(f, [x], 0)
        assert gradient(x) == pytest.approx(expected, rel=1e-7)
