"""Codegen for ``if``, ``for`` and ``while``: the code runs as the IR means.

Each shape is IR built by hand (as the frontend would lower the source at
each made-up line), written by ``generate``, loaded, and run against the
reference interpreter on several inputs, zero-trip loops included. A few
are pinned as text, so how the code reads is reviewed as a diff.
"""

from __future__ import annotations

import textwrap

import pytest
from control_flow_ir import (
    append,
    apply,
    at,
    for_,
    function,
    if_,
    new_list,
    undef,
    while_,
)
from interpret import interpret

from srcgrad.codegen import generate, load
from srcgrad.ir import Function

# -- shapes -----------------------------------------------------------------


def absolute():
    def build(b, x):
        with b.at(at(2, "if x < 0:")):
            negative = apply(b, "lt", x, b.const(0))

            def then(inner):
                with inner.at(at(3, "x = -x")):
                    return [apply(inner, "neg", x, hint="x")]

            (x_out,) = if_(b, negative, then, lambda inner: [x], ["x"])
        return [x_out]

    return function("absolute", ["x"], build)


def sign_and_scale():
    def build(b, x):
        with b.at(at(2, "if x > 0:")):
            positive = apply(b, "gt", x, b.const(0.0))

            def then(inner):
                with inner.at(at(3, "y, s = x * 2, 1.0")):
                    return [
                        apply(inner, "mul", x, inner.const(2), hint="y"),
                        inner.const(1.0),
                    ]

            def otherwise(inner):
                with inner.at(at(5, "y, s = -x, -1.0")):
                    return [apply(inner, "neg", x, hint="y"), inner.const(-1.0)]

            y, s = if_(b, positive, then, otherwise, ["y", "s"])
        with b.at(at(6, "return y * s + y")):
            return [apply(b, "add", apply(b, "mul", y, s), y)]

    return function("sign_and_scale", ["x"], build)


def clamp():
    # if x > hi: y = hi / elif x < lo: y = lo / else: y = x
    def build(b, x, lo, hi):
        with b.at(at(2, "if x > hi:")):
            above = apply(b, "gt", x, hi)

            def otherwise(inner):
                with inner.at(at(4, "elif x < lo:")):
                    below = apply(inner, "lt", x, lo)
                    return if_(inner, below, lambda i: [lo], lambda i: [x], ["y"])

            (y,) = if_(b, above, lambda inner: [hi], otherwise, ["y"])
        with b.at(at(8, "return y * 2")):
            return [apply(b, "mul", y, b.const(2))]

    return function("clamp", ["x", "lo", "hi"], build)


def ternary():
    # return (x if x > 0 else -x) * 3
    def build(b, x):
        with b.at(at(2, "return (x if x > 0 else -x) * 3")):
            positive = apply(b, "gt", x, b.const(0))
            (magnitude,) = if_(
                b,
                positive,
                lambda inner: [x],
                lambda inner: [apply(inner, "neg", x)],
                [None],
                expression="ternary",
            )
            return [apply(b, "mul", magnitude, b.const(3))]

    return function("ternary", ["x"], build)


def and_or():
    # return (x > 0 and y < 1) or z, with z a number
    def build(b, x, y, z):
        with b.at(at(2, "return (x > 0 and y < 1) or z")):
            first = apply(b, "gt", x, b.const(0))
            (both,) = if_(
                b,
                first,
                lambda inner: [apply(inner, "lt", y, inner.const(1))],
                lambda inner: [first],
                [None],
                expression="and",
            )
            (either,) = if_(
                b,
                both,
                lambda inner: [both],
                lambda inner: [z],
                [None],
                expression="or",
            )
            return [either]

    return function("and_or", ["x", "y", "z"], build)


def chained_and():
    # return x > 0 and y > 0 and x < y
    def build(b, x, y):
        with b.at(at(2, "return x > 0 and y > 0 and x < y")):
            first = apply(b, "gt", x, b.const(0))

            def rest(inner):
                second = apply(inner, "gt", y, inner.const(0))
                (last,) = if_(
                    inner,
                    second,
                    lambda i: [apply(i, "lt", x, y)],
                    lambda i: [second],
                    [None],
                    expression="and",
                )
                return [last]

            (value,) = if_(
                b, first, rest, lambda inner: [first], [None], expression="and"
            )
            return [value]

    return function("chained_and", ["x", "y"], build)


def larger_squared():
    # m = max(x, y); return m * m
    def build(b, x, y):
        with b.at(at(2, "m = max(x, y)")):
            greater = apply(b, "ge", x, y)
            (m,) = if_(
                b, greater, lambda i: [x], lambda i: [y], ["m"], expression="max"
            )
        with b.at(at(3, "return m * m")):
            return [apply(b, "mul", m, m)]

    return function("larger_squared", ["x", "y"], build)


def power_sum():
    # s = 0.0; for i in range(n): s = s + x ** i
    def build(b, x, n):
        with b.at(at(2, "s = 0.0")):
            s0 = b.const(0.0, hint="s")
        with b.at(at(3, "for i in range(n):")):

            def body(inner, i, s):
                with inner.at(at(4, "s = s + x ** i")):
                    return [apply(inner, "add", s, apply(inner, "pow", x, i), hint="s")]

            (s,) = for_(b, apply(b, "range", n), [s0], body)
        return [s]

    return function("power_sum", ["x", "n"], build)


def fibonacci():
    # a, b = 0, 1; for _ in range(n): a, b = b, a + b; return a
    def build(builder, n):
        with builder.at(at(2, "a, b = 0, 1")):
            a0, b0 = builder.const(0, hint="a"), builder.const(1, hint="b")
        with builder.at(at(3, "for _ in range(n):")):

            def body(inner, _, a, b):
                with inner.at(at(4, "a, b = b, a + b")):
                    return [b, apply(inner, "add", a, b, hint="b")]

            a, _ = for_(builder, apply(builder, "range", n), [a0, b0], body, ["_"])
        return [a]

    return function("fibonacci", ["n"], build)


def triangle():
    # s = x; for i in range(n): for j in range(i): s = s + i * j * x
    def build(b, x, n):
        with b.at(at(3, "for i in range(n):")):

            def outer(inner, i, s):
                with inner.at(at(4, "for j in range(i):")):

                    def body(innermost, j, s):
                        with innermost.at(at(5, "s = s + i * j * x")):
                            product = apply(
                                innermost, "mul", apply(innermost, "mul", i, j), x
                            )
                            return [apply(innermost, "add", s, product, hint="s")]

                    return for_(inner, apply(inner, "range", i), [s], body, ["j"])

            (s,) = for_(b, apply(b, "range", n), [x], outer, hints=["s"])
        return [s]

    return function("triangle", ["x", "n"], build)


def first_over():
    # s = 0.0; for v in values: s = s + v; if s > limit: break; return s, broke
    def build(b, values, limit):
        with b.at(at(2, "s = 0.0")):
            s0 = b.const(0.0, hint="s")
        with b.at(at(3, "for v in values:")):

            def body(inner, v, s):
                with inner.at(at(4, "s = s + v")):
                    s1 = apply(inner, "add", s, v, hint="s")
                with inner.at(at(5, "if s > limit:")):
                    return [s1, apply(inner, "gt", s1, limit)]

            s, broke = for_(b, values, [s0], body, ["v"], exit=True)
        return [s, broke]

    return function("first_over", ["values", "limit"], build)


def doubling_while():
    # while x < limit: x = x * 2; return x
    def build(b, x, limit):
        with b.at(at(2, "while x < limit:")):

            def body(inner, x):
                with inner.at(at(3, "x = x * 2")):
                    return [apply(inner, "mul", x, inner.const(2), hint="x")]

            (x,) = while_(b, [x], lambda inner, x: apply(inner, "lt", x, limit), body)
        return [x]

    return function("doubling_while", ["x", "limit"], build)


def square_below():
    # while (y := x * x) < limit and y != 4: x = x + 1; return x
    def build(b, x, limit):
        with b.at(at(2, "while (y := x * x) < limit and y != 4:")):

            def condition(inner, x):
                y = apply(inner, "mul", x, x, hint="y")
                below = apply(inner, "lt", y, limit)
                (flag,) = if_(
                    inner,
                    below,
                    lambda i: [apply(i, "ne", y, i.const(4))],
                    lambda i: [below],
                    [None],
                    expression="and",
                )
                return flag

            def body(inner, x):
                with inner.at(at(3, "x = x + 1")):
                    return [apply(inner, "add", x, inner.const(1), hint="x")]

            (x,) = while_(b, [x], condition, body)
        return [x]

    return function("square_below", ["x", "limit"], build)


def invariant():
    # w = x * 2 + 1; for i in range(n): s = s * w + i
    def build(b, x, n):
        with b.at(at(2, "w = x * 2 + 1")):
            w = apply(b, "add", apply(b, "mul", x, b.const(2)), b.const(1))
        with b.at(at(3, "s = 1.0")):
            s0 = b.const(1.0, hint="s")
        with b.at(at(4, "for i in range(n):")):

            def body(inner, i, s):
                with inner.at(at(5, "s = s * w + i")):
                    return [apply(inner, "add", apply(inner, "mul", s, w), i, hint="s")]

            (s,) = for_(b, apply(b, "range", n), [s0], body)
        return [s]

    return function("invariant", ["x", "n"], build)


def tapes():
    # a forward loop recording on tapes, a backward loop reading them reversed
    def build(b, x, n):
        with b.at(at(2, "s = x")):
            xs, ss = new_list(b, "xs_tape"), new_list(b, "s_tape")
        with b.at(at(3, "for i in range(n):")):

            def forward(inner, i, s):
                with inner.at(at(4, "s = s * x + i")):
                    append(inner, xs, x)
                    append(inner, ss, s)
                    return [apply(inner, "add", apply(inner, "mul", s, x), i, hint="s")]

            (s,) = for_(b, apply(b, "range", n), [x], forward, hints=["s"])
        with b.at(at(4, "s = s * x + i")):
            pairs = apply(b, "zip", apply(b, "reversed", xs), apply(b, "reversed", ss))

            def backward(inner, x_, s_, s_bar, x_bar):
                x_bar = apply(
                    inner, "add", x_bar, apply(inner, "mul", s_bar, s_), hint="x_bar"
                )
                return [apply(inner, "mul", s_bar, x_, hint="s_bar"), x_bar]

            s_bar, x_bar = for_(
                b,
                pairs,
                [b.const(1.0, hint="s_bar"), b.const(0.0, hint="x_bar")],
                backward,
                ["x", "s"],
            )
        return [s, apply(b, "add", x_bar, s_bar)]

    return function("tapes", ["x", "n"], build)


def undefined_on_a_path():
    # if c: y = x * 3 (else: y never read); return y if c else x
    def build(b, x, c):
        with b.at(at(2, "y = x + 1")):
            y0 = apply(b, "add", x, b.const(1), hint="y")
        with b.at(at(3, "z = y * y")):
            z = apply(b, "mul", y0, y0, hint="z")
        with b.at(at(4, "if c:")):

            def then(inner):
                with inner.at(at(5, "y = x * 3")):
                    return [apply(inner, "mul", x, inner.const(3), hint="y")]

            (y,) = if_(b, c, then, lambda inner: [undef(inner)], ["y"])
        with b.at(at(6, "return y if c else z")):
            (result,) = if_(
                b, c, lambda i: [y], lambda i: [z], [None], expression="ternary"
            )
        return [result]

    return function("undefined_on_a_path", ["x", "c"], build)


def defined_in_loop():
    # for v in values: last = v * 2; return last (no init before the loop)
    def build(b, values):
        with b.at(at(2, "for v in values:")):

            def body(inner, v, last):
                with inner.at(at(3, "last = v * 2")):
                    return [apply(inner, "mul", v, inner.const(2), hint="last")]

            (last,) = for_(b, values, [undef(b)], body, ["v"], hints=["last"])
        with b.at(at(4, "return last if values else 0")):
            (result,) = if_(
                b,
                values,
                lambda i: [last],
                lambda i: [i.const(0)],
                [None],
                expression="ternary",
            )
        return [result]

    return function("defined_in_loop", ["values"], build)


def swap_in_branch():
    # if a > b: a, b = b, a; return a - b * 10
    def build(builder, a, b):
        with builder.at(at(2, "if a > b:")):
            greater = apply(builder, "gt", a, b)
            a, b = if_(builder, greater, lambda i: [b, a], lambda i: [a, b], ["a", "b"])
        with builder.at(at(4, "return a - b * 10")):
            return [
                apply(builder, "sub", a, apply(builder, "mul", b, builder.const(10)))
            ]

    return function("swap_in_branch", ["a", "b"], build)


def indexed_pairs():
    # for i, (x, _) ... over enumerate(zip(xs, ys)); y unused
    def build(b, xs, ys):
        with b.at(at(2, "t = 0.0")):
            t0 = b.const(0.0, hint="t")
        with b.at(at(3, "for i, (x, y) in enumerate(zip(xs, ys)):")):
            items = apply(b, "enumerate", apply(b, "zip", xs, ys))

            def body(inner, i, x, y, t):
                with inner.at(at(4, "t = t + i * x")):
                    return [apply(inner, "add", t, apply(inner, "mul", i, x), hint="t")]

            (t,) = for_(b, items, [t0], body, ["i", "x", "y"], pattern=(0, (1, 2)))
        return [t]

    return function("indexed_pairs", ["xs", "ys"], build)


def stop_on_carried():
    # done = False; while x < 100: stop = done; done = x > 10; x = x * 3;
    # if stop: break -- the stop flag is a carried value, tested after the
    # copies that end the body have replaced it
    def build(b, x):
        with b.at(at(2, "done = False")):
            done0 = b.const(False, hint="done")
        with b.at(at(3, "while x < 100:")):

            def body(inner, x, done):
                with inner.at(at(5, "done = x > 10")):
                    done1 = apply(inner, "gt", x, inner.const(10), hint="done")
                with inner.at(at(6, "x = x * 3")):
                    x1 = apply(inner, "mul", x, inner.const(3), hint="x")
                return [x1, done1, done]

            x, _, broke = while_(
                b,
                [x, done0],
                lambda inner, x, done: apply(inner, "lt", x, inner.const(100)),
                body,
                exit=True,
            )
        return [x, broke]

    return function("stop_on_carried", ["x"], build)


def underscore_parameter():
    # def f(_, n): for i in range(n): _ = _ * 2 (i unread); return _
    def build(b, underscore, n):
        with b.at(at(2, "for i in range(n):")):

            def body(inner, i, value):
                with inner.at(at(3, "_ = _ * 2")):
                    return [apply(inner, "mul", value, inner.const(2), hint="_")]

            (value,) = for_(b, apply(b, "range", n), [underscore], body)
        return [apply(b, "add", value, underscore)]

    return function("underscore_parameter", ["_", "n"], build)


def reversed_before_appends():
    # r = reversed(tape) while the tape is empty, then appends, then a loop
    # over r: it yields nothing, however many items were appended since.
    def build(b, x, n):
        with b.at(at(2, "tape = []; r = reversed(tape)")):
            tape = new_list(b, "tape")
            early = apply(b, "reversed", tape)
        with b.at(at(3, "for i in range(n): tape.append(x * i)")):

            def forward(inner, i):
                append(inner, tape, apply(inner, "mul", x, i))
                return []

            for_(b, apply(b, "range", n), [], forward)
        with b.at(at(4, "for v in r: s = s + v")):

            def backward(inner, v, s):
                return [apply(inner, "add", s, v, hint="s")]

            (s,) = for_(b, early, [b.const(0.0, hint="s")], backward, ["v"])
        return [s, apply(b, "len", tape)]

    return function("reversed_before_appends", ["x", "n"], build)


def countdown_with_break():
    # while n > 0: n = n - 1; total = total + n; if total > limit: break
    def build(b, n, limit):
        with b.at(at(2, "total = 0")):
            total0 = b.const(0, hint="total")
        with b.at(at(3, "while n > 0:")):

            def body(inner, n, total):
                with inner.at(at(4, "n = n - 1")):
                    n1 = apply(inner, "sub", n, inner.const(1), hint="n")
                with inner.at(at(5, "total = total + n")):
                    total1 = apply(inner, "add", total, n1, hint="total")
                with inner.at(at(6, "if total > limit:")):
                    return [n1, total1, apply(inner, "gt", total1, limit)]

            def condition(inner, n, total):
                return apply(inner, "gt", n, inner.const(0))

            n, total, broke = while_(b, [n, total0], condition, body, exit=True)
        return [total, broke]

    return function("countdown_with_break", ["n", "limit"], build)


SHAPES = {
    shape.__name__: shape
    for shape in (
        absolute,
        sign_and_scale,
        clamp,
        ternary,
        and_or,
        chained_and,
        larger_squared,
        power_sum,
        fibonacci,
        triangle,
        first_over,
        doubling_while,
        square_below,
        invariant,
        tapes,
        undefined_on_a_path,
        defined_in_loop,
        swap_in_branch,
        indexed_pairs,
        stop_on_carried,
        underscore_parameter,
        reversed_before_appends,
        countdown_with_break,
    )
}

#: Inputs per shape: zero-trip loops first, where there are loops.
INPUTS = {
    "absolute": [(-2.0,), (3.0,), (0.0,), (-0.0,)],
    "sign_and_scale": [(2.0,), (-1.5,), (0.0,)],
    "clamp": [(5, 0, 3), (-1, 0, 3), (1.5, 0, 3), (0, 0, 0)],
    "ternary": [(2.0,), (-3.0,), (0,)],
    "and_or": [(1, 0, 7), (1, 2, 7), (-1, 0, 0), (-1, 0, 5.5), (2, 0.5, 0)],
    "chained_and": [(1, 2), (2, 1), (-1, 2), (1, -2), (0, 0)],
    "larger_squared": [(1.0, 2.0), (3.0, -4.0), (2.0, 2.0)],
    "power_sum": [(2.0, 0), (2.0, 1), (1.5, 5)],
    "fibonacci": [(0,), (1,), (2,), (10,)],
    "triangle": [(1.0, 0), (1.0, 1), (2.0, 2), (0.5, 5)],
    "first_over": [([], 1.0), ([0.5, 0.6, 0.7], 1.0), ([0.1, 0.2], 5.0), ([9], 1)],
    "doubling_while": [(200.0, 100.0), (3.0, 3.0), (1.0, 100.0), (0.5, 5.0)],
    "square_below": [(5, 10), (0, 10), (2, 100), (1, 100), (-3, 50)],
    "invariant": [(1.0, 0), (0.5, 3), (-2.0, 4)],
    "tapes": [(1.5, 0), (1.5, 1), (0.7, 4)],
    "undefined_on_a_path": [(2.0, True), (2.0, False), (-1.0, 1), (-1.0, 0)],
    "defined_in_loop": [([],), ([1.0],), ([1.0, 2.0, 3.0],)],
    "swap_in_branch": [(1, 2), (2, 1), (3, 3)],
    "indexed_pairs": [
        ([], []),
        ([1.0, 2.0, 3.0], [4.0, 5.0, 6.0]),
        ([1.0, 2.0], [3.0]),
    ],
    "stop_on_carried": [(200.0,), (1.0,), (50.0,), (11.0,), (4.0,)],
    "underscore_parameter": [(1.5, 0), (1.5, 3)],
    "reversed_before_appends": [(2.0, 0), (2.0, 3)],
    "countdown_with_break": [(0, 5), (4, 100), (10, 20), (-1, 0)],
}


def _typed(value):
    """``value`` with the types of its parts: ``1 == 1.0 == True`` is not enough."""
    if isinstance(value, tuple):
        return tuple(_typed(item) for item in value)
    return (type(value), value)


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_generated_code_computes_what_the_ir_means(name):
    ir = SHAPES[name]()
    compiled = load(generate(ir))
    for args in INPUTS[name]:
        assert _typed(compiled(*args)) == _typed(interpret(ir, *args)), args


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_generated_code_is_deterministic(name):
    assert generate(SHAPES[name]()).formatted == generate(SHAPES[name]()).formatted


def _pinned(ir: Function, expected: str) -> None:
    assert generate(ir).formatted == textwrap.dedent(expected).lstrip("\n")


def test_a_variable_reassigned_in_one_branch_keeps_its_name():
    _pinned(
        absolute(),
        """
        def absolute(x):
            # line 2: if x < 0:
            if x < 0:
                # line 3: x = -x
                x = -x
            return x
        """,
    )


def test_branches_assign_the_results_and_elif_reads_as_elif():
    _pinned(
        clamp(),
        """
        def clamp(x, lo, hi):
            # line 2: if x > hi:
            if x > hi:
                y = hi
            elif x < lo:
                y = lo
            else:
                y = x
            return y * 2
        """,
    )


def test_expression_ifs_are_written_inline():
    assert "return (x if x > 0 else -x) * 3\n" in generate(ternary()).formatted
    assert "return x > 0 and y < 1 or z\n" in generate(and_or()).formatted
    assert "return x > 0 and y > 0 and x < y\n" in generate(chained_and()).formatted
    # Used twice, a max is assigned once.
    assert (
        "    m = x if x >= y else y\n    return m * m\n"
        in generate(larger_squared()).formatted
    )


def test_a_carried_value_is_one_name_without_copies():
    _pinned(
        power_sum(),
        """
        def power_sum(x, n):
            # line 2: s = 0.0
            s = 0.0
            # line 3: for i in range(n):
            for i in range(n):
                # line 4: s = s + x ** i
                s = s + x**i
            return s
        """,
    )


def test_swapped_carried_values_are_one_tuple_assignment():
    _pinned(
        fibonacci(),
        """
        def fibonacci(n):
            # line 2: a, b = 0, 1
            a, b = 0, 1
            # line 3: for _ in range(n):
            for _ in range(n):
                # line 4: a, b = b, a + b
                a, b = b, a + b
            return a
        """,
    )


def test_swap_in_a_branch_reads_before_it_assigns():
    assert (
        "    if a > b:\n        a, b = b, a\n" in generate(swap_in_branch()).formatted
    )


def test_nested_loops_carry_one_variable():
    _pinned(
        triangle(),
        """
        def triangle(x, n):
            # line 3: for i in range(n):
            s = x
            for i in range(n):
                # line 4: for j in range(i):
                for j in range(i):
                    # line 5: s = s + i * j * x
                    s = s + i * j * x
            return s
        """,
    )


def test_a_loop_that_breaks_says_whether_it_did():
    _pinned(
        first_over(),
        """
        def first_over(values, limit):
            # line 2: s = 0.0
            s = 0.0
            # line 3: for v in values:
            broke = False
            for v in values:
                # line 4: s = s + v
                s = s + v
                # line 5: if s > limit:
                if s > limit:
                    broke = True
                    break
            return s, broke
        """,
    )


def test_while_conditions_inline_or_as_statements():
    assert "    while x < limit:\n" in generate(doubling_while()).formatted
    _pinned(
        square_below(),
        """
        def square_below(x, limit):
            # line 2: while (y := x * x) < limit and y != 4:
            while True:
                y = x * x
                if not (y < limit and y != 4):
                    break
                # line 3: x = x + 1
                x = x + 1
            return x
        """,
    )


def test_a_value_from_outside_a_loop_is_computed_once_before_it():
    source = generate(invariant()).formatted
    assert "    t = x * 2 + 1\n" in source and "s = s * t + i" in source


def test_tapes_are_recorded_then_read_in_reverse():
    _pinned(
        tapes(),
        """
        def tapes(x, n):
            # line 2: s = x
            xs_tape = []
            s_tape = []
            # line 3: for i in range(n):
            s = x
            for i in range(n):
                # line 4: s = s * x + i
                xs_tape.append(x)
                s_tape.append(s)
                s = s * x + i
            # line 4: s = s * x + i
            s_bar, x_bar = 1.0, 0.0
            for x_1, s_1 in zip(reversed(xs_tape), reversed(s_tape)):
                x_bar = x_bar + s_bar * s_1
                s_bar = s_bar * x_1
            return s, x_bar + s_bar
        """,
    )


def test_a_value_assigned_on_one_path_has_a_name_of_its_own():
    # y's first value is dead by the if, but the if's y is not assigned on
    # every path: named y, the other path would leave the old y in it.
    source = generate(undefined_on_a_path()).formatted
    assert "        y_1 = x * 3\n" in source
    assert source.count("y_1 =") == 1
    assert "return y_1 if c else z\n" in source


def test_unread_targets_are_underscores():
    source = generate(indexed_pairs()).formatted
    assert "    for i, (x, _) in enumerate(zip(xs, ys)):\n" in source


def test_a_stop_flag_that_is_carried_is_read_before_the_copies():
    source = generate(stop_on_carried()).formatted
    assert "stop = done\n" in source
    assert source.index("stop = done") < source.index("x, done = x * 3, x > 10")


def test_a_target_is_not_called_underscore_where_that_is_a_variable():
    source = generate(underscore_parameter()).formatted
    assert "for i in range(n):" in source


def test_nothing_is_moved_past_an_append_to_what_it_reads():
    source = generate(reversed_before_appends()).formatted
    assert "    t = reversed(tape)\n" in source
    assert source.index("t = reversed(tape)") < source.index("tape.append(")


def test_a_while_that_breaks_says_whether_it_did():
    _pinned(
        countdown_with_break(),
        """
        def countdown_with_break(n, limit):
            # line 2: total = 0
            total = 0
            # line 3: while n > 0:
            broke = False
            while n > 0:
                # line 4: n = n - 1
                n = n - 1
                # line 5: total = total + n
                total = total + n
                # line 6: if total > limit:
                if total > limit:
                    broke = True
                    break
            return total, broke
        """,
    )
