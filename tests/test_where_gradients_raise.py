"""A gradient raises where its function raises, on values that reach the output.

``math.log(-1.0)`` raises; the derivative ``1/x`` would not. Reverse mode
keeps such ops (``Primitive.needs_domain_check``) in the gradient, so
``grad(log)(-1.0)`` raises ValueError as ``log`` does instead of returning
-1.0. Dead code, a value ``f`` computes and never uses, is not evaluated.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from helpers import code_without_comments, define

import srcgrad

OUTSIDE_THE_DOMAIN = [
    ("math.log(x)", -1.0),
    ("math.log(x)", 0.0),
    ("math.log1p(x)", -2.0),
    ("math.log2(x)", -1.0),
    ("math.log10(x)", -1.0),
    ("math.log(x, 2.0)", -1.0),
    ("math.acosh(x)", 0.5),
    ("math.atanh(x)", 2.0),
    ("3.0 * math.log(x * x - 1.0) + x", 0.5),
]


@pytest.mark.parametrize(("expression", "point"), OUTSIDE_THE_DOMAIN)
def test_gradient_raises_where_f_raises(expression, point):
    f = define(f"def f(x):\n    return {expression}\n")
    with pytest.raises(ValueError):
        f(point)
    with pytest.raises(ValueError):
        srcgrad.grad(f)(point)


TRANSFORMS = {
    "derivative": lambda f: srcgrad.derivative(f),
    "jvp": lambda f: lambda x: srcgrad.jvp(f, (x,), (1.0,)),
    "hessian": lambda f: srcgrad.hessian(f),
    "grad of grad": lambda f: srcgrad.grad(srcgrad.grad(f)),
    "hvp": lambda f: lambda x: srcgrad.hvp(f, (x,), (1.0,)),
    "value_and_grad": lambda f: srcgrad.value_and_grad(f),
}


@pytest.mark.parametrize("transform", TRANSFORMS)
@pytest.mark.parametrize(
    "body",
    [
        "    return math.log(x)\n",
        "    return math.log(x) + x * x * x\n",
        "    t = 0.0\n    for k in range(3):\n"
        "        t = t + math.log(x) * k + x * x\n    return t\n",
        "    if x < 3.0:\n        return math.acosh(x) + x\n    return x\n",
    ],
)
def test_every_transform_raises_where_f_raises(transform, body):
    # Forward mode returns f's value after the tangents, to shape them, and
    # drops it after: the log its value read was taken as computed anyway,
    # and derivative(log)(-1.0) was -1.0 (hessian, grad of grad and hvp
    # build on it).
    f = define(f"def f(x):\n{body}")
    point = 0.5 if "acosh" in body else -1.0
    with pytest.raises(ValueError):
        f(point)
    with pytest.raises(ValueError):
        TRANSFORMS[transform](f)(point)
    inside = 2.0
    step = 1e-6
    slope = (f(inside + step) - f(inside - step)) / (2 * step)
    if transform in ("derivative", "value_and_grad"):
        made = TRANSFORMS[transform](f)(inside)
        got = made[1] if transform == "value_and_grad" else made
        assert got == pytest.approx(slope, rel=1e-6)


def test_a_hessian_in_two_inputs_raises_where_f_raises():
    f = define("def f(x, y):\n    return math.log(x) + x * y\n")
    with pytest.raises(ValueError):
        srcgrad.hessian(f, wrt=(0, 1))(-1.0, 2.0)
    rows = srcgrad.hessian(f, wrt=(0, 1))(2.0, 3.0)
    assert [list(row) for row in rows] == [[-0.25, 1.0], [1.0, 0.0]]


def test_inside_the_domain_the_kept_op_costs_one_readable_statement():
    f = define("def f(x):\n    return math.log(x)\n")
    gradient = srcgrad.grad(f)
    assert gradient(4.0) == 0.25
    lines = code_without_comments(srcgrad.source(gradient)).splitlines()
    kept = [line.strip() for line in lines if line.strip().startswith("math.log")]
    assert kept == ["math.log(x)  # kept: raises outside its domain, as f does"]


def test_a_value_the_derivative_uses_is_not_computed_twice():
    f = define("def f(x):\n    return math.exp(math.log(x))\n")
    source = srcgrad.source(srcgrad.grad(f))
    assert code_without_comments(source).count("math.log(x)") == 1
    assert "kept" not in source


def test_dead_code_is_not_evaluated():
    # f raises (1/0, log of a negative number), but on values that never
    # reach its output; the gradient does not compute them (documented).
    f = define("""
        def f(x):
            y = 1 / 0
            z = math.log(-x)
            return x * 2.0
        """)
    with pytest.raises(ZeroDivisionError):
        f(1.0)
    assert srcgrad.grad(f)(1.0) == 2.0
    assert math.isfinite(srcgrad.grad(f)(3.0))


#: Values that do not depend on ``x`` get no derivative code, but ``f``
#: still fails on them; so does the gradient with respect to ``x``.
INACTIVE_BUT_FAILING = [
    ("x + math.sqrt(y)", -1.0, ValueError),
    ("x * 2.0 + math.acos(y)", 2.0, ValueError),
    ("x + 1.0 / y", 0.0, ZeroDivisionError),
    ("x + 1.0 // y", 0.0, ZeroDivisionError),
    ("x - 0.0 ** y", -1.0, ZeroDivisionError),
    ("x * math.cos(x) + math.sin(y)", math.inf, ValueError),
]


@pytest.mark.parametrize(("expression", "y", "error"), INACTIVE_BUT_FAILING)
def test_gradient_raises_where_f_fails_on_a_value_not_in_wrt(expression, y, error):
    f = define(f"def f(x, y):\n    return {expression}\n")
    with pytest.raises(error):
        f(0.5, y)
    with pytest.raises(error):
        srcgrad.grad(f, wrt="x")(0.5, y)
    # Where f is fine, so is the gradient: one more statement, no other cost.
    fine = 0.25
    assert srcgrad.grad(f, wrt="x")(0.5, fine) == pytest.approx(
        (f(0.5 + 1e-6, fine) - f(0.5 - 1e-6, fine)) / 2e-6, rel=1e-6
    )


def test_a_value_that_feeds_the_derivative_is_not_kept_twice():
    # y's square root is needed as a factor: computing it is enough.
    f = define("def f(x, y):\n    return x * math.sqrt(y)\n")
    text = code_without_comments(srcgrad.source(srcgrad.grad(f, wrt="x")))
    assert text.count("math.sqrt(y)") == 1


def test_numpy_warns_where_f_warns():
    # np.log(-1.0) is nan with a RuntimeWarning; its derivative 1/x is -1.0.
    # The gradient computes np.log(x) too, so the warning is not lost, and
    # under np.errstate(invalid="raise") it raises as f does.
    f = define("def f(x):\n    return np.log(x) + np.arctanh(x / 4.0)\n")
    g = srcgrad.grad(f)
    assert "warns (nan) outside its domain" in srcgrad.source(g)
    with np.errstate(invalid="raise"):
        with pytest.raises(FloatingPointError):
            f(-1.0)
        with pytest.raises(FloatingPointError):
            g(-1.0)
    assert g(2.0) == pytest.approx(0.5 + 0.25 / (1 - 0.25), rel=1e-15)


@pytest.mark.parametrize("expression", ["int(x) + x", "round(x) * 0.0 + x"])
@pytest.mark.parametrize("point", [math.nan, math.inf, -math.inf])
def test_int_and_round_of_nan_or_infinity_raise_in_the_gradient_too(expression, point):
    # The derivative of int(x) is zero, so no derivative term computes it;
    # the gradient still evaluates it, so it raises as f does.
    f = define(f"def f(x):\n    return {expression}\n")
    with pytest.raises((ValueError, OverflowError)) as expected:
        f(point)
    with pytest.raises(type(expected.value)):
        srcgrad.grad(f)(point)
    assert srcgrad.grad(f)(2.5) == 1.0


@pytest.mark.parametrize("factor", ["x ** 0", "(x * 0.0)"])
def test_a_value_a_loop_saved_for_a_term_folded_away_is_still_checked(factor):
    # The loop's log was pushed on a tape for the reverse loop, which
    # counted as computing it; folding then dropped the term that read the
    # tape, the tape went, and with it the log: grad(f)(-0.5) was 1.67.
    f = define(
        "def f(x):\n    s = 0.0\n    for i in range(3):\n"
        f"        s = s + math.log(x + i) * {factor}\n    return s + x\n"
    )
    with pytest.raises(ValueError):
        f(-0.5)
    with pytest.raises(ValueError):
        srcgrad.grad(f)(-0.5)
    step = 1e-6
    slope = (f(2.0 + step) - f(2.0 - step)) / (2 * step)
    assert srcgrad.grad(f)(2.0) == pytest.approx(slope, rel=1e-6)


def test_a_range_of_step_zero_raises_when_the_gradient_runs_as_f_does():
    # It raised ValueError from inside srcgrad while building.
    f = define(
        "def f(x):\n    s = x\n    for i in range(0, 3, 0):\n"
        "        s = s + x\n    return s\n"
    )
    gradient = srcgrad.grad(f)
    with pytest.raises(ValueError, match="must not be zero"):
        f(1.0)
    with pytest.raises(ValueError, match="must not be zero"):
        gradient(1.0)


ONLY_COMPARED = [
    ("    return x + (1 / (x - 1) > 0)\n", 1.0, ZeroDivisionError),
    ("    return x + (math.sqrt(x) > 1)\n", -1.0, ValueError),
    ("    return x + (math.asin(x) > 0)\n", 2.0, ValueError),
    ("    return x * (math.sqrt(x) > 1)\n", -1.0, ValueError),
    (
        "    if 1 / (x - 1) > 0:\n        return x\n    return 2 * x\n",
        1.0,
        ZeroDivisionError,
    ),
    (
        "    i = 0\n    while math.log(x) > i and i < 3:\n"
        "        x = x * 1.5\n        i = i + 1\n    return x\n",
        -1.0,
        ValueError,
    ),
    (
        "    s = x\n    for k in range(3):\n        if math.log(x + k) > 0.5:\n"
        "            s = s * 2.0\n    return s\n",
        -0.5,
        ValueError,
    ),
]


@pytest.mark.parametrize("transform", [*TRANSFORMS, "grad"])
@pytest.mark.parametrize(("body", "point", "error"), ONLY_COMPARED)
def test_a_value_only_compared_is_computed_as_f_computes_it(
    transform, body, point, error
):
    # A value that reaches the output only through a comparison, a branch's
    # condition or a loop's has no derivative: it was taken as active, so
    # as computed by a derivative term, and none did. grad of
    # x + (1 / (x - 1) > 0) returned 1.0 at x = 1, and the second
    # derivatives of the branch and the loop 0.0 where f raises.
    f = define(f"def f(x):\n{body}")
    build = TRANSFORMS.get(transform, srcgrad.grad)
    with pytest.raises(error):
        f(point)
    with pytest.raises(error):
        build(f)(point)
    inside = 0.5 if "asin" in body else 2.5
    step = 1e-6
    if transform in ("grad", "derivative", "value_and_grad"):
        slope = (f(inside + step) - f(inside - step)) / (2 * step)
        made = build(f)(inside)
        got = made[1] if transform == "value_and_grad" else made
        assert got == pytest.approx(slope, rel=1e-6)
    elif transform in ("hessian", "grad of grad"):
        assert build(f)(inside) == 0.0  # every path is linear in x


def test_a_value_only_compared_costs_no_derivative_term():
    # Inactive, it gets no adjoint nor tangent: the derivative computes it
    # once, to raise where f does, and nothing of its derivative.
    f = define("def f(x):\n    return x + (math.sqrt(x) > 1)\n")
    text = code_without_comments(srcgrad.source(srcgrad.derivative(f)))
    assert text.count("math.sqrt(") == 1 and "x_dot /" not in text
