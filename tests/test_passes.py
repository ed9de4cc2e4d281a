"""Each pass on its own, as text: input program, printed IR after the pass."""

from __future__ import annotations

import math
import textwrap

import numpy as np
from helpers import define

from srcgrad.frontend import lower_live
from srcgrad.ir import (
    Block,
    Builder,
    Function,
    Parameter,
    Program,
    Region,
    Value,
    print_function,
    verify,
    walk,
)
from srcgrad.passes import PIPELINE, active_values, cse, dce, fold, optimize
from srcgrad.passes.cse import exact_key
from srcgrad.passes.types import Signature, infer_types
from srcgrad.primitives import PRIMITIVES
from srcgrad.runtime import type_of


def ir_of(source):
    """The typed IR of ``source``, as the pipeline hands it to the passes."""
    function = lower_live(define(source))
    infer_types(Program.of(function))
    return verify(function)


def as_derivative_terms(function):
    """``function`` with every op marked as a derivative term, as AD builds them."""
    for op in walk(function.entry):
        op.derivative = True
    return function


def array_ir_of(source, **shapes):
    """``ir_of`` for a build whose parameters are float arrays of ``shapes``."""
    function = lower_live(define(source))
    parameters = tuple(
        (name, type_of(np.ones(shape), name)) for name, shape in shapes.items()
    )
    infer_types(Program.of(function), Signature(parameters))
    return verify(function)


def expect(function, text):
    verify(function)
    assert print_function(function) == textwrap.dedent(text).lstrip("\n")


def test_cse_merges_equal_ops_including_commuted_operands():
    f = ir_of("""
        import math

        def f(x, y):
            a = math.sin(x * y)
            b = math.sin(y * x)
            c = x - y
            d = y - x
            return a + b + c + d
        """)
    assert cse(f)
    expect(
        f,
        """
        func f(%x, %y) {
          %0 = mul %x, %y
          %a = math.sin %0
          %c = sub %x, %y
          %d = sub %y, %x
          %1 = add %a, %a
          %2 = add %1, %c
          %3 = add %2, %d
          return %3
        }
        """,
    )
    assert not cse(f)


def test_cse_keeps_different_namespaces_and_constants_apart():
    f = ir_of("""
        import math
        import numpy as np

        def f(x):
            return math.sin(x) + np.sin(x) + x * 1 + x * 1.0
        """)
    assert not cse(f)


def test_fold_evaluates_constants_and_applies_identities_to_derivative_terms():
    f = as_derivative_terms(ir_of("""
        import math

        def f(x, y):
            a = x * 1.0 + 0 * y
            b = (a ** 1) / 1 - 0
            c = b + -y
            d = -(-c)
            return d * math.cos(0.0) * (2 ** 3)
        """))
    assert fold(f)
    dce(f)
    expect(
        f,
        """
        func f(%x, %y) {
          %c = sub %x, %y
          %0 = const 8
          %1 = mul %c, %0
          return %1
        }
        """,
    )


def test_fold_leaves_errors_to_run_time():
    # math.log(-1.0) raises; folding must not raise nor invent a value.
    f = ir_of("import math\n\ndef f(x):\n    return x + math.log(-1.0) + 1 / 0\n")
    fold(f)
    text = print_function(f)
    assert "math.log" in text and "div" in text


def test_dce_removes_unused_pure_ops_only():
    f = ir_of("""
        import math

        def f(x):
            unused = math.exp(x) * 3.0
            return x * 2.0
        """)
    assert dce(f)
    expect(
        f,
        """
        func f(%x) {
          %0 = const 2.0
          %1 = mul %x, %0
          return %1
        }
        """,
    )
    assert not dce(f)


def test_activity_covers_values_between_wrt_and_output():
    f = ir_of("""
        import math

        def f(x, y):
            a = x * 2.0
            b = math.sin(y)
            c = a // 3.0
            unused = x + 1.0
            return a * b + c
        """)
    optimize(f)
    active = active_values(f, [f.argument("x")])
    names = sorted(value.name_hint or "?" for value in active)
    # a depends on x and reaches the output; b does not depend on x; c is
    # piecewise constant (zero derivative); unused never reaches the output.
    assert "a" in names and "x" in names
    assert "b" not in names and "c" not in names and "unused" not in names


def test_pipeline_order_is_explicit():
    # CSE first, so folding sees how often each (merged) value is used.
    assert [run.__name__ for run in PIPELINE] == ["cse", "fold", "dce"]


def test_fold_merges_scalings_only_when_exact():
    # 0.5 * (2 * t) is t exactly; 3 * (5 * t) rounds differently from 15 * t.
    f = as_derivative_terms(
        ir_of("def f(x):\n    return 0.5 * (2.0 * x) + 3.0 * (5.0 * x)\n")
    )
    optimize(f)
    expect(
        f,
        """
        func f(%x) {
          %0 = const 3.0
          %1 = const 5.0
          %2 = mul %1, %x
          %3 = mul %0, %2
          %4 = add %x, %3
          return %4
        }
        """,
    )


def test_a_sign_inside_a_product_is_absorbed_by_the_sum_around_it():
    # s + (-y) * z * 2 is s - 2 * y * z: one op fewer, the coefficient first.
    f = as_derivative_terms(ir_of("def f(x, y, z):\n    return x + (-y) * z * 2.0\n"))
    optimize(f)
    expect(
        f,
        """
        func f(%x, %y, %z) {
          %0 = const 2.0
          %1 = mul %0, %y
          %2 = mul %1, %z
          %3 = sub %x, %2
          return %3
        }
        """,
    )


def test_a_sign_is_absorbed_only_where_that_adds_no_op():
    # n = -y is also a factor of the result, so it stays; the sum still
    # absorbs it from n * x, which costs nothing (one product for another).
    f = as_derivative_terms(
        ir_of("def f(x, y):\n    n = -y\n    return (x + n * x) * n\n")
    )
    optimize(f)
    expect(
        f,
        """
        func f(%x, %y) {
          %n = neg %y
          %0 = mul %y, %x
          %1 = sub %x, %0
          %2 = mul %1, %n
          return %2
        }
        """,
    )


def test_cse_keys_are_exact_constants_not_their_text():
    # 0.0 == -0.0 and 1 == 1.0 == True, yet each is a different constant;
    # an int of 5000 digits has no repr at all (Python refuses to print it).
    keys = [exact_key(value) for value in (0.0, -0.0, 1, 1.0, True, 10**5000)]
    assert len(set(keys)) == len(keys)
    assert exact_key(math.nan) == exact_key(math.nan)
    assert exact_key(10**5000) != exact_key(10**5000 + 1)


def test_cse_never_merges_a_signed_zero_with_zero():
    f = ir_of("def f(x):\n    return x * 0.0 + x * -0.0\n")
    optimize(f)
    text = print_function(f)
    assert "const 0.0" in text and "const -0.0" in text
    assert text.count("mul %x") == 2


def test_a_sign_moves_out_of_a_product_of_a_thousand_factors():
    # s + (-y) * z * z * ... * z: found and moved without deep recursion.
    block = Block([Value("s"), Value("y"), Value("z")])
    s, y, z = block.arguments
    builder = Builder(block, derivative=True)
    operator = {"namespace": "operator"}
    product = builder.create(PRIMITIVES["neg"], [y], operator).result
    for _ in range(1000):
        product = builder.create(PRIMITIVES["mul"], [product, z], operator).result
    builder.ret([builder.create(PRIMITIVES["add"], [s, product], operator).result])
    f = Function("f", [Parameter("s"), Parameter("y"), Parameter("z")], Region([block]))
    optimize(f, after_each=verify)
    names = [op.name for op in f.entry.ops]
    assert "neg" not in names and names.count("mul") == 1000
    assert names[-2:] == ["sub", "return"]


def test_a_scaling_by_a_power_of_two_merges_with_any_constant_outside_it():
    # 100.0 * (2 * d) rounds once, as 200.0 * d does: 2 * d is exact.
    f = as_derivative_terms(ir_of("""
        def f(d):
            return 100.0 * (2 * d)
        """))
    optimize(f)
    assert "const 200.0" in print_function(f)
    assert f.entry.ops[-2].name == "mul"


def test_an_array_s_reciprocal_computed_anyway_is_multiplied_by():
    # r = 1/b stays (its own term uses it): a * r stays a product, which
    # NumPy computes faster than a / b; c / r is c * b. A reciprocal used
    # once goes: a * (1/c) is a / c, one op instead of two.
    f = as_derivative_terms(
        array_ir_of(
            """
        def f(a, b, c):
            r = 1.0 / b
            return a * r + c / r + r + a * (1.0 / c)
        """,
            a=3,
            b=3,
            c=3,
        )
    )
    optimize(f)
    expect(
        f,
        """
        func f(%a, %b, %c) {
          %0 = const 1.0
          %r = div %0, %b
          %1 = mul %a, %r
          %2 = mul %c, %b
          %3 = add %1, %2
          %4 = add %3, %r
          %5 = div %a, %c
          %6 = add %4, %5
          return %6
        }
        """,
    )


def test_a_number_s_reciprocal_is_still_divided_by():
    # For numbers a division costs what a product does and rounds once;
    # and c / (1/b) stays, as 1/b raises at b = 0 where c * b would not.
    f = as_derivative_terms(
        ir_of("def f(a, b, c):\n    r = 1.0 / b\n    return a * r + c / r + r\n")
    )
    optimize(f)
    text = print_function(f)
    assert "div %a, %b" in text and "div %c, %r" in text


def test_a_factor_common_to_two_terms_multiplies_once():
    # g * a + g * b / c is g * (a + b / c): the chain rule multiplies each
    # term by the same cotangent, a person writes it once.
    f = as_derivative_terms(ir_of("def f(g, a, b, c):\n    return g * a - g * b / c\n"))
    optimize(f)
    expect(
        f,
        """
        func f(%g, %a, %b, %c) {
          %0 = div %b, %c
          %1 = sub %a, %0
          %2 = mul %g, %1
          return %2
        }
        """,
    )


def test_a_common_factor_is_taken_out_only_where_that_saves_an_op():
    # g * a is used twice, so taking g out of the sum would add a product;
    # a user's value (not a derivative term) keeps the bits Python computes.
    f = as_derivative_terms(
        ir_of("def f(g, a, b):\n    t = g * a\n    return (t + g * b) * t\n")
    )
    optimize(f)
    assert "add %t, %0" in print_function(f)
    f = ir_of("def f(g, a, b):\n    return g * a + g * b\n")
    optimize(f)
    assert print_function(f).count("mul %g") == 2


def test_a_common_factor_stays_in_terms_that_broadcast_to_a_larger_sum():
    # s * a + s * b of a column and a row: two small products, where
    # s * (a + b) would multiply the whole matrix.
    f = as_derivative_terms(
        array_ir_of(
            "def f(s, a, b):\n    return s * a + s * b\n", s=(), a=(3, 1), b=(1, 4)
        )
    )
    optimize(f)
    assert print_function(f).count("mul %s") == 2
    g = as_derivative_terms(
        array_ir_of(
            "def g(s, a, b):\n    return s * a + s * b\n", s=(), a=(3, 4), b=(3, 4)
        )
    )
    optimize(g)
    assert print_function(g).count("mul %s") == 1


def test_a_negated_scaling_is_a_scaling_by_the_negated_constant():
    # -(2 * t) is -2 * t bit for bit (negation is exact, rounding symmetric,
    # signed zeros alike): one op fewer, for an array one pass fewer.
    f = as_derivative_terms(ir_of("def f(x, y):\n    return -(2 * (1 - x)) - y\n"))
    optimize(f)
    expect(
        f,
        """
        func f(%x, %y) {
          %0 = const 1
          %1 = sub %0, %x
          %2 = const -2
          %3 = mul %2, %1
          %4 = sub %3, %y
          return %4
        }
        """,
    )
    for x in (0.0, -0.0, 1.0, math.inf, 3):
        assert math.copysign(1, -(2 * x)) == math.copysign(1, -2 * x)
