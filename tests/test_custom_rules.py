"""Rules of the user's: ``custom_jvp`` and ``custom_vjp``.

A function with a rule is never read: the code that calls it calls the
rule, in both modes, at the top level, in loops and in helpers, and the
mode the rule is not for is built from it.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from helpers import define

import srcgrad
from srcgrad.cli import main

SOFTPLUS = """
@srcgrad.custom_jvp
def softplus(x):
    return np.logaddexp(0.0, x)


@softplus.defjvp
def softplus_jvp(primals, tangents):
    (x,), (x_dot,) = primals, tangents
    return softplus(x), x_dot * np.exp(-np.logaddexp(0.0, -x))  # x_dot * sigmoid(x)
"""

# np.interp has no rule in srcgrad: a table lookup, given its slope.
INTERPOLATE = """
XS = np.array([0.0, 1.0, 2.0, 4.0])
YS = np.array([0.0, 3.0, 4.0, 2.0])


@srcgrad.custom_vjp
def table(x):
    return np.interp(x, XS, YS)


def table_fwd(x):
    k = np.clip(np.searchsorted(XS, x, side="right") - 1, 0, len(XS) - 2)
    slope = (YS[k + 1] - YS[k]) / (XS[k + 1] - XS[k])
    return table(x), slope


def table_bwd(slope, g):
    return (g * slope,)


table.defvjp(table_fwd, table_bwd)
"""


def _sigmoid(x):
    return 1.0 / (1.0 + math.exp(-x))


def _slope(x):
    return 3.0 if x < 1.0 else (1.0 if x < 2.0 else -1.0)


BODIES = {
    "top level": ("def f(x, w):\n    return softplus(w * x) + table(x)\n", 1),
    "in a loop": (
        "def f(x, w):\n    s = 0.0\n    for i in range(3):\n"
        "        s = s + softplus(w * x + i) * table(x)\n    return s\n",
        3,
    ),
    "in a helper": (
        "def helper(t, w):\n    return softplus(w * t) + table(t)\n\n\n"
        "def f(x, w):\n    return helper(x, w) * 2.0 + helper(x * x, w)\n",
        None,
    ),
}


def _exact(name, x, w):
    """d/dx of the body called ``name``, written out."""
    if name == "top level":
        return w * _sigmoid(w * x) + _slope(x)
    if name == "in a loop":
        y = np.interp(x, [0.0, 1.0, 2.0, 4.0], [0.0, 3.0, 4.0, 2.0])
        return sum(
            w * _sigmoid(w * x + i) * y + math.log1p(math.exp(w * x + i)) * _slope(x)
            for i in range(3)
        )
    one = w * _sigmoid(w * x) + _slope(x)
    two = (w * _sigmoid(w * x * x) + _slope(x * x)) * 2 * x
    return 2.0 * one + two


def _defined(body):
    return define(SOFTPLUS + INTERPOLATE + "\n\n" + body, name="f", srcgrad=srcgrad)


@pytest.mark.parametrize("name", sorted(BODIES))
def test_both_modes_call_the_rules_wherever_the_call_is(name, inlining):
    f = _defined(BODIES[name][0])
    for x in (0.3, 1.4, -0.7):
        expected = _exact(name, x, 2.0)
        assert srcgrad.grad(f)(x, 2.0) == pytest.approx(expected, rel=1e-12)
        assert srcgrad.derivative(f)(x, 2.0) == pytest.approx(expected, rel=1e-12)
        _, tangent = srcgrad.jvp(f, (x, 2.0), (0.5, None))
        assert tangent == pytest.approx(0.5 * expected, rel=1e-12)


def test_the_rule_is_what_is_differentiated_where_the_function_overflows():
    # softplus's own expression would give exp(1000) / (1 + exp(1000)).
    f = _defined("def f(x):\n    return softplus(x) * 3.0\n")
    assert srcgrad.grad(f)(1000.0) == 3.0
    assert srcgrad.derivative(f)(-1000.0) == 0.0
    x = np.array([-800.0, 0.0, 800.0])
    loss = _defined("def f(x):\n    return np.sum(softplus(x))\n")
    np.testing.assert_array_equal(srcgrad.grad(loss)(x), [0.0, 0.5, 1.0])


def test_arrays_through_both_rules_and_vjp():
    f = _defined("def f(x):\n    return softplus(x) * table(x)\n")
    x = np.array([0.2, 1.5, 3.0])
    y = np.interp(x, [0.0, 1.0, 2.0, 4.0], [0.0, 3.0, 4.0, 2.0])
    slopes = np.array([_slope(v) for v in x])
    exact = y / (1 + np.exp(-x)) + np.logaddexp(0.0, x) * slopes
    u = np.array([1.0, -2.0, 0.5])
    out, pull_back = srcgrad.vjp(f, x)
    (got,) = pull_back(u)
    np.testing.assert_allclose(got, u * exact, rtol=1e-12)
    _, tangent = srcgrad.jvp(f, (x,), (u,))
    np.testing.assert_allclose(tangent, u * exact, rtol=1e-12)


def test_a_rule_that_is_missing_or_wrong_is_a_clear_error():
    f = define(
        "@srcgrad.custom_jvp\ndef double(x):\n    return 2.0 * x\n\n\n"
        "def f(x):\n    return double(x)\n",
        name="f",
        srcgrad=srcgrad,
    )
    with pytest.raises(srcgrad.CallError, match=r"give it with double.defjvp"):
        srcgrad.grad(f)(1.0)
    g = define(
        "@srcgrad.custom_vjp\ndef double(x):\n    return 2.0 * x\n\n\n"
        "double.defvjp(lambda x: (double(x), None), lambda r, g: 2.0 * g)\n\n\n"
        "def f(x):\n    return double(x)\n",
        name="f",
        srcgrad=srcgrad,
    )
    with pytest.raises(srcgrad.CallError, match="returns a tuple of one cotangent"):
        srcgrad.grad(g)(1.0)


def test_keywords_and_second_derivatives_are_refused_where_they_are_written():
    f = _defined("def f(x):\n    return softplus(x=x)\n")
    with pytest.raises(srcgrad.CallError, match="takes its arguments by position"):
        srcgrad.grad(f)
    g = _defined("def f(x):\n    return softplus(x * x)\n")
    with pytest.raises(srcgrad.DifferentiationError, match="first derivatives only"):
        srcgrad.hessian(g)
    with pytest.raises(srcgrad.DifferentiationError, match="first derivatives only"):
        srcgrad.grad(srcgrad.grad(g))


def test_show_calls_the_rule_and_skips_the_rule_functions(tmp_path, capsys):
    path = tmp_path / "model.py"
    path.write_text(
        "import numpy as np\nimport srcgrad\n\n"
        + SOFTPLUS
        + "\n\ndef loss(w, x):\n    return softplus(w * x) * 2.0\n"
    )
    assert main(["show", str(path)]) == 0
    out = capsys.readouterr().out
    assert "w_bar = float(softplus.pullback(2.0, softplus.value(t), t)[0] * x)" in out
    assert "softplus_grad" not in out and "softplus_jvp_grad" not in out
    assert main(["show", f"{path}::loss", "--mode", "forward"]) == 0
    assert "softplus.tangent(1, t_1, t, x * w_dot)" in capsys.readouterr().out


def _reference_block(heading_word):
    """The ```python block of docs/reference.md that defines ``heading_word``."""
    import pathlib
    import re

    text = (pathlib.Path(__file__).parent.parent / "docs" / "reference.md").read_text()
    blocks = re.findall(r"```python\n(.*?)```", text, re.S)
    return next(block for block in blocks if f"def {heading_word}(" in block)


def test_the_softplus_of_the_reference_is_exact_where_the_naive_one_is_not():
    f = define(_reference_block("softplus"), name="loss")
    x = np.array([1.0, -1.0, 0.0])
    assert srcgrad.grad(f)(1000.0, x) == 1.0  # sum of x * sigmoid(x * w)
    np.testing.assert_array_equal(
        srcgrad.grad(f, wrt="x")(1000.0, x), [1000.0, 0.0, 500.0]
    )


def test_the_scipy_example_of_the_reference_gives_the_right_derivative(monkeypatch):
    # SciPy is not a dependency of srcgrad: the example runs against a
    # stand-in scipy.special.log_ndtr, computed with math.erfc.
    import sys
    import types

    special = types.ModuleType("scipy.special")
    special.log_ndtr = np.vectorize(lambda x: math.log(0.5 * math.erfc(-x / 2**0.5)))
    scipy = types.ModuleType("scipy")
    scipy.special = special
    monkeypatch.setitem(sys.modules, "scipy", scipy)
    monkeypatch.setitem(sys.modules, "scipy.special", special)
    block = _reference_block("log_ndtr")
    caller = "\n\ndef f(x):\n    return log_ndtr(x) * 2.0\n"
    f = define(block + caller, name="f", srcgrad=srcgrad)
    for x in (-3.0, 0.2, 2.5):
        step = 1e-6
        expected = (float(f(x + step)) - float(f(x - step))) / (2 * step)
        assert float(srcgrad.grad(f)(x)) == pytest.approx(expected, rel=1e-6)
        assert float(srcgrad.derivative(f)(x)) == pytest.approx(expected, rel=1e-6)


def test_a_rule_of_the_wrong_shape_or_structure_is_refused_not_broadcast():
    # A scalar tangent for an output of three items would broadcast into a
    # plausible wrong gradient: the rule is refused instead.
    f = define(
        "@srcgrad.custom_jvp\ndef double(x):\n    return x * 2.0\n\n\n"
        "@double.defjvp\ndef double_jvp(primals, tangents):\n"
        "    return primals[0] * 2.0, np.sum(tangents[0]) * 2.0\n\n\n"
        "def f(x):\n    return np.sum(double(x))\n",
        name="f",
        srcgrad=srcgrad,
    )
    x = np.array([0.5, 1.0, 2.0])
    with pytest.raises(srcgrad.CallError, match=r"of shape \(\), where it has shape"):
        srcgrad.grad(f)(x)
    with pytest.raises(srcgrad.CallError, match=r"of shape \(\), where it has shape"):
        srcgrad.jvp(f, (x,), (np.ones(3),))
    g = define(
        "@srcgrad.custom_vjp\ndef double(x):\n    return x * 2.0\n\n\n"
        "double.defvjp(\n"
        "    lambda x: (x * 2.0, None), lambda r, g: (np.sum(g) * 2.0,)\n)\n\n\n"
        "def f(x):\n    return np.sum(double(x) ** 2)\n",
        name="f",
        srcgrad=srcgrad,
    )
    with pytest.raises(srcgrad.CallError, match=r"cotangent 0 of shape \(\)"):
        srcgrad.grad(g)(x)
    h = define(
        "@srcgrad.custom_jvp\ndef double(x):\n    return x * 2.0\n\n\n"
        "double.defjvp(lambda p, t: 2.0 * t[0])\n\n\n"
        "def f(x):\n    return double(x)\n",
        name="f",
        srcgrad=srcgrad,
    )
    with pytest.raises(srcgrad.CallError, match=r"not the pair \(out, tangent\)"):
        srcgrad.grad(h)(0.5)


def test_a_rule_gets_the_defaults_of_the_arguments_a_call_leaves_out():
    f = define(
        "@srcgrad.custom_jvp\ndef scale(x, k=3.0):\n    return x * k\n\n\n"
        "@scale.defjvp\ndef scale_jvp(primals, tangents):\n"
        "    (x, k), (x_dot, k_dot) = primals, tangents\n"
        "    return x * k, x_dot * k + x * k_dot\n\n\n"
        "def f(x):\n    return scale(x) * x + scale(x, 2.0)\n",
        name="f",
        srcgrad=srcgrad,
    )
    assert srcgrad.grad(f)(0.5) == 6 * 0.5 + 2.0
    assert srcgrad.derivative(f)(0.5) == 6 * 0.5 + 2.0


def test_show_skips_rules_given_with_defvjp(tmp_path, capsys):
    path = tmp_path / "model.py"
    path.write_text(
        "import numpy as np\nimport srcgrad\n\n" + INTERPOLATE + "\n\n"
        "def loss(x):\n    return table(x) * x\n"
    )
    assert main(["show", str(path)]) == 0
    out = capsys.readouterr().out
    assert "def loss_grad(x):" in out
    assert "table_fwd" not in out and "table_bwd" not in out


def test_a_function_with_a_rule_is_differentiated_through_a_caller():
    f = _defined("def f(x):\n    return softplus(x)\n")
    scope = f.__globals__
    with pytest.raises(srcgrad.DifferentiationError, match="a function that calls it"):
        srcgrad.grad(scope["softplus"])
    assert srcgrad.grad(f)(0.0) == 0.5


def test_a_product_needing_the_rank_of_a_rules_value_says_how_to_get_it():
    f = define(
        "@srcgrad.custom_vjp\ndef cube(x):\n    return x ** 3\n\n\n"
        "cube.defvjp(lambda x: (x ** 3, x), lambda x, g: (3 * x * x * g,))\n\n\n"
        "def f(W):\n    return np.sum(cube(W) @ W.T)\n",
        name="f",
        srcgrad=srcgrad,
    )
    W = np.arange(4.0).reshape(2, 2) / 3
    with pytest.raises(srcgrad.DifferentiationError, match="number of axes of cube"):
        srcgrad.grad(f)(W)
    # forward mode needs no rank: the Jacobian it gives is the product's
    step = 1e-6
    gradient = srcgrad.jacobian(f, mode="forward")(W)
    for index in np.ndindex(2, 2):
        bump = np.zeros((2, 2))
        bump[index] = step
        expected = (f(W + bump) - f(W - bump)) / (2 * step)
        assert gradient[index] == pytest.approx(expected, rel=1e-6)


ARRAY_OF_NUMBERS = """
@srcgrad.custom_jvp
def spread(x):
    return np.array([x, 2.0 * x, 3.0 * x])


@spread.defjvp
def spread_jvp(primals, tangents):
    return spread(primals[0]), np.array([1.0, 2.0, 3.0]) * tangents[0]


@srcgrad.custom_jvp
def square(x):
    return x * x


@square.defjvp
def square_jvp(primals, tangents):
    (x,), (t,) = primals, tangents
    return np.full(3, x * x), np.full(3, 2.0 * x * t)  # not square's shape
"""


@pytest.mark.parametrize(
    "body",
    [
        "np.sum(spread(x) * x)",
        "np.max(spread(x))",
        "np.mean(spread(x))",
        "square(x) + x",
    ],
)
def test_a_rule_whose_shapes_are_not_the_functions_is_refused(body):
    # A function of a number that returns an array would be differentiated
    # as a number (np.max of it as itself), and a rule whose output is not
    # the function's would be summed over items it does not have.
    f = define(
        ARRAY_OF_NUMBERS + f"\n\ndef f(x):\n    return {body}\n",
        name="f",
        srcgrad=srcgrad,
    )
    with pytest.raises(srcgrad.CallError, match="for numbers|where it has shape"):
        srcgrad.grad(f)(0.5)
    with pytest.raises(srcgrad.CallError, match="for numbers|where it has shape"):
        srcgrad.derivative(f)(0.5)


def test_an_array_from_an_array_argument_is_differentiated():
    f = define(
        ARRAY_OF_NUMBERS + "\n\ndef f(x):\n    return np.max(spread(x) * x)\n",
        name="f",
        srcgrad=srcgrad,
    )
    x = np.asarray(0.5)
    assert srcgrad.grad(f)(x) == pytest.approx(6.0 * 0.5, rel=1e-15)
