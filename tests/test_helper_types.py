"""A helper called with arguments of different types, each call typed alike.

``sigmoid(z)`` on an array and on one item, ``act(h)`` in two layers: the
helper is the same code, but whether ``z.shape`` exists and which axes an
adjoint is summed over differ between the calls. srcgrad types each call's
callee for what it passes (``passes/specialise.py``): calls that pass
numbers, or arrays of one rank with size 1 along the same axes, share one
copy. Each case runs with small helpers written out at their calls and
with every call kept (a forward/backward pair per copy), against central
differences.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest
from arrays import check_gradient, distinct
from helpers import define

import srcgrad
from srcgrad.errors import CallError
from srcgrad.frontend import lower_live_program
from srcgrad.ir import callee_of
from srcgrad.passes.specialise import key_of, type_per_call
from srcgrad.passes.types import Signature
from srcgrad.runtime import type_of

#: A helper of more than 16 operations: a call to it stays a call.
BIG = """
def big(z):
    a = z * z
    b = np.sin(a) + z
    c = b * np.cos(z) - a
    d = c * c + b * a
    e = np.tanh(d) * z + c
    f = e * e - d * b
    g = np.exp(-f * f) + e
    h = g * a + b * c
    i = h * 0.5 + g * 0.25
    return i * i + h
"""


@dataclass(frozen=True)
class Case:
    """A function ``f`` calling a helper with arguments of several types."""

    name: str
    source: str
    args: tuple[Any, ...]
    wrt: tuple[int, ...] = (0,)


VECTOR = distinct((3,), seed=1)
MATRIX = distinct((3, 4), seed=2) * 0.5

CASES = [
    Case(
        "an_array_and_one_item",  # the tester's: no .shape in the user's code
        """
        def sq(z):
            return z * z

        def f(x):
            return np.sum(sq(x)) + sq(x[0])
        """,
        (VECTOR,),
    ),
    Case(
        "a_matrix_and_its_row",
        """
        def sq(z):
            return z * z

        def f(X):
            return np.sum(sq(X)) + np.sum(np.sin(sq(X[0])))
        """,
        (MATRIX,),
    ),
    Case(
        "an_array_and_a_constant",
        """
        def sq(z):
            return z * z

        def f(x):
            return np.sum(sq(x)) * sq(2.0)
        """,
        (VECTOR,),
    ),
    Case(
        "an_array_and_a_number_input",
        """
        def sq(z):
            return z * np.tanh(z)

        def f(x, s):
            return np.sum(sq(x)) * sq(s)
        """,
        (VECTOR, 0.7),
        (0, 1),
    ),
    *[
        Case(
            f"size_1_along_other_axes_{first}_{second}",  # act(X) * act(b)
            """
            def act(z):
                return z * np.tanh(z)

            def f(X, b):
                return np.sum(act(X) * act(b))
            """,
            (distinct(first, seed=3), distinct(second, seed=4)),
            (0, 1),
        )
        for first, second in [((3, 4), (1, 4)), ((3, 1), (1, 4)), ((3, 4), (3, 1))]
    ],
    Case(
        "other_ranks",
        """
        def act(z):
            return z * np.tanh(z)

        def f(X, v):
            return np.sum(act(X) * act(v))
        """,
        (MATRIX, distinct((4,), seed=5)),
        (0, 1),
    ),
    Case(
        "an_array_bias_and_a_float_bias",
        """
        def lin(h, W, b):
            return h @ W + b

        def f(h, W, b):
            return np.sum(np.tanh(lin(h, W, b))) + np.sum(lin(h, W, 0.5) ** 2)
        """,
        (distinct((2, 3), seed=6), distinct((3, 4), seed=7), distinct((4,), seed=8)),
        (0, 1, 2),
    ),
    Case(
        "two_layers",
        """
        def act(z):
            return np.tanh(z) * z

        def f(X, W, w):
            h = act(X @ W)
            return np.sum(act(h @ w))
        """,
        (MATRIX, distinct((4, 5), seed=9), distinct((5,), seed=10)),
        (1, 2),
    ),
    Case(
        "a_helper_calling_a_helper",
        """
        def inner(z):
            return np.sin(z) * z

        def outer(z):
            return inner(z) + inner(z * 2.0)

        def f(x, s):
            return np.sum(outer(x)) + outer(s) + np.sum(outer(x[:, None] * x))
        """,
        (VECTOR, 0.4),
        (0, 1),
    ),
    Case(
        "defaults_and_a_returned_tuple",
        """
        def pair(z, k=2.0):
            return k * z * z, np.sin(z)

        def f(x):
            a, b = pair(x)
            c, d = pair(x[0], k=x[1])
            return np.sum(a * b) + c * d
        """,
        (VECTOR,),
    ),
    Case(
        "in_a_loop_with_two_shapes",
        """
        def act(z):
            return z * np.tanh(z)

        def f(X, b):
            total = 0.0
            for i in range(3):
                total = total + np.sum(act(X * (i + 1))) + np.sum(act(b * i))
            return total
        """,
        (distinct((3, 4), seed=11), distinct((1, 4), seed=12)),
        (0, 1),
    ),
    Case(
        "in_a_loop_that_shortens_the_array",  # (n,) then (?,) at one call
        """
        def act(z):
            return z * np.tanh(z)

        def f(x):
            h = x
            total = 0.0
            for i in range(2):
                h = act(h[1:]) + act(h[0])
                total = total + np.sum(h)
            return total
        """,
        (distinct((4,), seed=14),),
    ),
    *[
        Case(
            f"in_branches_{taken}",
            """
            def act(z):
                return z * np.tanh(z)

            def f(x, s):
                if s > 0:
                    y = np.sum(act(x))
                else:
                    y = act(s)
                return y + act(x[1])
            """,
            (VECTOR, sign * 0.4),
            (0, 1),
        )
        for taken, sign in [("array", 1.0), ("number", -1.0)]
    ],
    Case(
        "an_int_a_float_and_an_array",  # kinds join, ranks never
        """
        def act(z):
            return z * np.tanh(z)

        def f(x, n):
            return np.sum(act(x)) * act(n) + act(np.arange(3) * x)[0] + act(x[0])
        """,
        (VECTOR, 2),
    ),
    Case(
        "recursion_on_an_array_and_an_item",
        """
        def power(z, n):
            if n == 0:
                return 1.0
            return z * power(z, n - 1)

        def f(x):
            return np.sum(power(x, 3)) + power(x[0], 2)
        """,
        (VECTOR,),
    ),
    Case(
        "a_recursion_that_shortens_its_array",
        """
        def f(x):
            if len(x) == 1:
                return x[0] * x[0]
            return x[0] * np.sin(x[1]) + f(x[1:])
        """,
        (VECTOR,),
    ),
    Case(
        "a_large_helper",
        BIG
        + "\ndef f(x, X):\n"
        + "    return np.sum(big(x)) + big(x[0]) + big(2.0)"
        + " + np.sum(big(X) * big(x))\n",
        (VECTOR * 0.5, distinct((2, 3), seed=13) * 0.5),
        (0, 1),
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_gradient_matches_finite_differences(case, inlining):
    f = define(case.source, "f")
    check_gradient(f, case.args, case.wrt)


def _typed(f, *args):
    """``f``'s program, each call pointed at the copy typed for it."""
    program = lower_live_program(f)
    names = [parameter.name for parameter in program.entry_function.parameters]
    types = tuple(
        (name, type_of(arg, name)) for name, arg in zip(names, args, strict=True)
    )
    type_per_call(program, Signature(types))
    return program


def test_calls_that_pass_alike_share_one_copy_with_the_helpers_name():
    f = define(BIG + "\ndef f(x, y):\n    return np.sum(big(x) + big(y * 2.0))\n", "f")
    program = _typed(f, VECTOR, VECTOR)
    assert list(program.functions) == ["f", "big"]
    source = srcgrad.source(srcgrad.grad(f, wrt=(0, 1)), VECTOR, VECTOR)
    assert source.count("def big_forward(") == 1


def test_each_call_runs_the_copy_for_what_it_passes():
    f = define(
        BIG + "\ndef f(x):\n    return np.sum(big(x)) + big(x[0]) + big(x[1])\n", "f"
    )
    program = _typed(f, VECTOR)
    assert list(program.functions) == ["f", "big", "big_1"]
    for symbol in program.functions:
        for call in program.calls(symbol):
            callee = program.functions[callee_of(call)]
            passed = [key_of(operand.type) for operand in call.operands]
            assert passed == [key_of(value.type) for value in callee.arguments]
    source = srcgrad.source(srcgrad.grad(f), VECTOR)
    assert "def big_forward(" in source and "def big_1_forward(" in source


def test_a_recursion_that_adds_an_axis_at_each_step_is_refused_at_its_call():
    f = define(
        """
        def grow(z, n):
            if n == 0:
                return np.sum(z)
            return grow(z[None], n - 1)

        def f(x):
            return grow(x, 3)
        """,
        "f",
    )
    with pytest.raises(CallError, match="more than 8 kinds") as caught:
        srcgrad.grad(f)(np.array([0.3, 0.7]))
    assert caught.value.location is not None
    assert (caught.value.location.line, caught.value.location.column) == (4, 12)
