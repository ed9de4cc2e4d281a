"""srcgrad.testing: ``check_grads`` passes where srcgrad's derivatives are
right, fails with a message that says where and by how much where they
are not, and the strategies draw what they promise.

srcgrad's derivatives of these functions are right, so a wrong one is
made by wrapping the srcgrad function ``check_grads`` calls (``grad``,
``jvp``, ``hessian``, ``hvp``, looked up on the ``srcgrad`` module as a
user's code would) to return a perturbed value. The examples of
docs/testing.md run here too, its failure message included.
"""

from __future__ import annotations

import math
import os
import re
import runpy
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from helpers import define
from hypothesis import Phase, find, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import srcgrad
from srcgrad.testing import check_grads
from srcgrad.testing.strategies import away_from, broadcastable_arrays, inside

ROOT = Path(__file__).resolve().parent.parent
FEW = settings(max_examples=15, deadline=None)


def _find(strategy, condition):
    """An example of ``strategy`` that meets ``condition``, as drawn (not
    shrunk: shrinking arrays takes seconds, and any example will do)."""
    quick = settings(phases=[Phase.generate], database=None, deadline=None)
    return find(strategy, condition, settings=quick)


def product_sine(x, y):
    return math.sin(x * y) + x**3


def pendulum(theta, damping, steps):
    omega = 0.0
    for _ in range(steps):
        omega = omega - 0.1 * (math.sin(theta) + damping * omega)
        theta = theta + 0.1 * omega
    return theta


def tanh_layer(x, w):
    return np.sum(np.tanh(x * w) ** 2)


def exp_weighted(x, w):
    return np.sum(np.exp(x) * w * w)


def polar(r, theta):
    return r * np.cos(theta), r * np.sin(theta)


def distance(x, y):
    return abs(x - y)


def kinks(x, y):
    return abs(x) + abs(y * y - 1.0)


def log_acos(x, y):
    return math.log(x) * math.acos(y)


ROW = np.array([0.1, 0.2, 0.3])
COLUMN = np.array([[1.0], [2.0]])


# --- check_grads passes on right derivatives ---------------------------------


@pytest.mark.parametrize(
    ("f", "args", "order"),
    [
        pytest.param(product_sine, (0.5, 0.7), 2, id="numbers"),
        pytest.param(pendulum, (0.3, 0.2, 20), 2, id="a loop, with an int count"),
        pytest.param(tanh_layer, (ROW, COLUMN), 1, id="arrays that broadcast"),
        pytest.param(exp_weighted, (ROW, ROW[::-1].copy()), 2, id="arrays"),
        pytest.param(polar, (ROW, ROW + 1.0), 1, id="a tuple of arrays"),
    ],
)
def test_right_derivatives_pass(f, args, order):
    check_grads(f, args, order=order)


def test_every_float_argument_is_differentiated_by_default(monkeypatch):
    asked = []
    real = srcgrad.grad

    def recording(f, wrt=0):
        asked.append(wrt)
        return real(f, wrt=wrt)

    monkeypatch.setattr(srcgrad, "grad", recording)
    check_grads(pendulum, (0.3, 0.2, 20))  # steps is an int: left alone
    check_grads(pendulum, (0.3, 0.2, 20), wrt="damping")
    check_grads(pendulum, (0.3, 0.2, 20), wrt=-3)
    assert asked == [(0, 1), (1,), (0,)]


@pytest.mark.parametrize(
    ("f", "args", "modes"),
    [
        pytest.param(product_sine, (0.5, 0.7), ("forward",), id="forward mode only"),
        pytest.param(polar, (ROW, ROW), ("forward", "reverse"), id="a tuple output"),
    ],
)
def test_reverse_mode_is_left_alone_where_it_is_not_asked_for_or_has_no_meaning(
    f, args, modes, monkeypatch
):
    def refusing(f, wrt=0):
        raise AssertionError("srcgrad.grad was called")

    monkeypatch.setattr(srcgrad, "grad", refusing)
    check_grads(f, args, modes=modes)


def test_a_large_value_next_to_a_small_slope_is_not_a_failure():
    # f's rounding at 1e9 moves a difference quotient by ~0.04: that much
    # is allowed, so a right derivative of 1 passes.
    check_grads(lambda x: x + 1e9, (0.5,))


# --- ... and fails, readably, on wrong ones -----------------------------------


def _fields(message):
    """The ``key: value`` lines of a failure message, as a dict."""
    return dict(re.findall(r"^  ([a-z ]+):\s+(.*)$", message, re.M))


def _wrong(monkeypatch, name, change):
    """Make ``srcgrad.<name>`` give ``change(its value, its arguments)``."""
    real = getattr(srcgrad, name)
    if name in ("grad", "hessian"):

        def patched(f, wrt=0):
            made = real(f, wrt=wrt)
            return lambda *args: change(made(*args), args)

    else:

        def patched(f, primals, tangents):
            return change(real(f, primals, tangents), tangents)

    monkeypatch.setattr(srcgrad, name, patched)


def test_a_wrong_gradient_item_is_named_with_both_values(monkeypatch):
    def one_item_off(gradients, args):
        x_bar, w_bar = gradients
        w_bar = w_bar.copy()
        w_bar[1, 0] += 1e-3
        return x_bar, w_bar

    _wrong(monkeypatch, "grad", one_item_off)
    with pytest.raises(AssertionError) as raised:
        check_grads(tanh_layer, (ROW, COLUMN))
    message = str(raised.value)
    assert message.startswith(
        "check_grads(tanh_layer): reverse mode (srcgrad.grad) disagrees with "
        "central finite differences\n"
    )
    fields = _fields(message)
    assert fields["input"] == "w[1, 0] (argument 1) = 2.0"
    got = float(fields["srcgrad"].split()[0])
    reference = float(fields["reference"].split()[0])
    assert abs(got - reference - 1e-3) < 1e-8
    assert fields["abs error"] == f"{abs(got - reference):.3g}"
    assert fields["rel error"] == f"{abs(got - reference) / abs(reference):.3g}"
    tolerance = float(fields["tolerance"].split()[0])
    assert tolerance == pytest.approx(1e-8 + 1e-5 * abs(reference), rel=1e-2)
    assert "= atol 1e-08 + rtol 1e-05 * |reference| + " in fields["tolerance"]
    assert message.endswith("1 of 5 values disagree; shown: the worst")


def test_the_gradient_of_each_input_is_checked(monkeypatch):
    _wrong(monkeypatch, "grad", lambda made, args: (made[0], made[1] * 1.001))
    with pytest.raises(AssertionError, match=r"input:     y \(argument 1\) = 0\.7"):
        check_grads(product_sine, (0.5, 0.7), modes=("reverse",))


def test_rtol_loosens_the_check_against_differences(monkeypatch):
    _wrong(monkeypatch, "grad", lambda made, args: (made[0] * 1.001, made[1]))
    check_grads(product_sine, (0.5, 0.7), modes=("reverse",), rtol=1e-2)
    with pytest.raises(AssertionError, match="rtol 0.0001"):
        check_grads(product_sine, (0.5, 0.7), modes=("reverse",), rtol=1e-4)


def test_eps_is_the_step_of_the_differences():
    check_grads(lambda x: math.exp(x), (3.0,))
    # A step of 3% (of max(1, |x|)) has a truncation error of h**2 / 6 =
    # 1.5e-4 of exp's slope: more than rtol.
    with pytest.raises(AssertionError, match="central finite differences"):
        check_grads(lambda x: math.exp(x), (3.0,), eps=1e-2)


def _jvp_times(factor, only_all=False, position=None):
    """A change to jvp's value: the tangent times ``factor`` where the
    tangent of ``position`` is given (or all tangents are)."""

    def change(made, tangents):
        out, tangent = made
        given = [t is not None for t in tangents]
        if (only_all and all(given)) or (position is not None and given[position]):
            return out, tangent * factor
        return made

    return change


def test_forward_mode_is_held_to_reverse_mode_and_the_input_named(monkeypatch):
    _wrong(monkeypatch, "jvp", _jvp_times(1.001, position=1))
    with pytest.raises(AssertionError) as raised:
        check_grads(product_sine, (0.5, 0.7))
    message = str(raised.value)
    assert message.splitlines()[0] == (
        "check_grads(product_sine): forward mode (srcgrad.jvp) disagrees with "
        "reverse mode (srcgrad.grad)"
    )
    fields = _fields(message)
    assert fields["along"] == (
        "random tangents u of y (argument 1) alone, the other tangents None"
    )
    got = float(fields["srcgrad"].split()[0])
    reference = float(fields["reference"].split()[0])
    assert got / reference == pytest.approx(1.001, rel=1e-12)
    assert "sum over inputs of <grad_i, u_i>" in fields["reference"]


def test_a_jvp_wrong_only_along_every_input_at_once_names_them_all(monkeypatch):
    _wrong(monkeypatch, "jvp", _jvp_times(1.001, only_all=True))
    with pytest.raises(AssertionError) as raised:
        check_grads(product_sine, (0.5, 0.7))
    along = _fields(str(raised.value))["along"]
    assert along == "random tangents u of x (argument 0), y (argument 1)"


def test_forward_against_reverse_is_tighter_than_differences(monkeypatch):
    # Off in the sixth digit: within rtol of differences, but forward and
    # reverse mode must agree to rounding.
    _wrong(monkeypatch, "jvp", _jvp_times(1 + 1e-6, position=0))
    check_grads(product_sine, (0.5, 0.7), modes=("forward",))
    with pytest.raises(AssertionError, match="rtol 1e-09"):
        check_grads(product_sine, (0.5, 0.7))


def test_an_output_item_of_a_tuple_of_arrays_is_named(monkeypatch):
    def second_output_off(made, tangents):
        out, (dx, dy) = made
        dy = dy.copy()
        dy[2] += 1e-3
        return out, (dx, dy)

    _wrong(monkeypatch, "jvp", second_output_off)
    with pytest.raises(AssertionError) as raised:
        check_grads(polar, (ROW, ROW + 1.0))
    message = str(raised.value)
    assert "disagrees with central finite differences\n" in message
    fields = _fields(message)
    assert fields["output"] == "f(*args)[1][2]"
    assert "r (argument 0)" in fields["along"]
    assert "central differences of f along u" in fields["reference"]


def test_a_wrong_hessian_entry_is_named_by_its_two_inputs(monkeypatch):
    def entry_off(rows, args):
        (xx, xy), (yx, yy) = rows
        return (xx, xy + 1e-3), (yx, yy)

    right = srcgrad.hessian(product_sine, wrt=(0, 1))(0.5, 0.7)[0][1]
    _wrong(monkeypatch, "hessian", entry_off)
    with pytest.raises(AssertionError) as raised:
        check_grads(product_sine, (0.5, 0.7), order=2)
    fields = _fields(str(raised.value))
    assert fields["entry"] == "d/dy of df/dx"
    assert fields["at"] == "x (argument 0) = 0.5; y (argument 1) = 0.7"
    assert float(fields["srcgrad"].split()[0]) == right + 1e-3


def test_a_wrong_hessian_vector_product_is_caught(monkeypatch):
    _wrong(monkeypatch, "hvp", lambda made, tangents: (made[0], made[1] + 1e-6))
    with pytest.raises(AssertionError) as raised:
        check_grads(product_sine, (0.5, 0.7), order=2)
    message = str(raised.value)
    assert "srcgrad.hvp(f, args, v) disagrees with srcgrad.hessian times v" in message
    assert _fields(message)["item"] == "y of hvp"


@pytest.mark.parametrize(
    "options",
    [{}, {"modes": ("forward",), "order": 2}],
    ids=["reverse mode", "the Hessian's differences of the gradient"],
)
def test_a_value_of_the_wrong_shape_is_a_failure(options, monkeypatch):
    _wrong(monkeypatch, "grad", lambda made, args: (made[0], made[1].sum()))
    with pytest.raises(AssertionError) as raised:
        check_grads(exp_weighted, (ROW, 2.0 * ROW), **options)
    assert str(raised.value).splitlines()[1] == (
        "  srcgrad.grad returned a value of shape () for w (argument 1), which "
        "should be of shape (3,)"
    )


def test_nan_where_the_reference_is_finite_is_a_failure(monkeypatch):
    _wrong(monkeypatch, "grad", lambda made, args: (made[0], math.nan))
    with pytest.raises(AssertionError) as raised:
        check_grads(product_sine, (0.5, 0.7))
    assert _fields(str(raised.value))["srcgrad"] == "nan  (srcgrad.grad)"


def test_a_kink_fails_without_any_patching():
    # srcgrad's slope of abs at 0 is copysign(1, 0.0); differences average
    # the two sides to 0.
    with pytest.raises(AssertionError) as raised:
        check_grads(distance, (2.0, 2.0))
    fields = _fields(str(raised.value))
    assert fields["input"] == "x (argument 0) = 2.0"
    assert fields["srcgrad"] == "1.0  (srcgrad.grad)"
    assert abs(float(fields["reference"].split()[0])) < 1e-10


def test_f_raising_where_a_difference_evaluates_it_says_so():
    def log_of(x):
        return math.log(x)

    with pytest.raises(ValueError, match="math domain error at x - h"):
        check_grads(log_of, (1e-7,))  # the step is 6e-6


@pytest.mark.parametrize(
    ("f", "args", "options", "error"),
    [
        (product_sine, (0.5, 0.7), {"order": 3}, "order 1 or 2"),
        (product_sine, (0.5, 0.7), {"modes": ("sideways",)}, "modes among"),
        (product_sine, (0.5, 0.7), {"modes": ()}, "modes among"),
        (polar, (ROW, ROW), {"order": 2}, "does not return one number"),
        (polar, (ROW, ROW), {"modes": ("reverse",)}, "does not return one number"),
        (pendulum, (0.3, 0.2, 20), {"wrt": 2}, r"argument 2 \(steps\) is int"),
        (pendulum, (0.3, 0.2, 20), {"wrt": "mass"}, "names no argument"),
        (pendulum, (0.3, 0.2, 20), {"wrt": 3}, "not a position"),
        (pendulum, (1, 2, 20), {}, "no argument is a float"),
    ],
)
def test_options_that_do_not_fit_are_refused(f, args, options, error):
    with pytest.raises(ValueError, match=error):
        check_grads(f, args, **options)


# --- the strategies ----------------------------------------------------------


@FEW
@given(st.data())
def test_away_from_keeps_the_margin_from_every_point(data):
    points = data.draw(st.lists(st.floats(-50, 50), max_size=3))
    margin = data.draw(st.floats(0.0, 0.5))
    x = data.draw(away_from(*points, margin=margin))
    assert -100.0 <= x <= 100.0
    assert all(abs(x - p) >= margin * max(1.0, abs(p)) for p in points)


#: Around 10.0, a margin of 0.02 is 0.2: only [9.75, 9.8] and [10.2, 10.25]
#: are left of [9.75, 10.25].
NEAR_TEN = away_from(10.0, margin=0.02, min_value=9.75, max_value=10.25)


@FEW
@given(NEAR_TEN)
def test_away_from_keeps_the_margin_and_no_more(x):
    assert 0.2 <= abs(x - 10.0) <= 0.25


@pytest.mark.parametrize("side", [-1.0, 1.0])
def test_away_from_draws_on_either_side_of_a_point(side):
    assert side * (_find(NEAR_TEN, lambda x: side * (x - 10.0) > 0) - 10.0) >= 0.2


@FEW
@given(inside(-1.0, 1.0, margin=0.1), inside(0.0, math.inf))
def test_inside_keeps_a_margin_inside_each_finite_end(y, x):
    assert -0.9 <= y <= 0.9
    assert 0.01 <= x <= 100.0  # the infinite end is bounded by max_value


def test_inside_reaches_both_ends():
    assert _find(inside(0.0, math.inf), lambda x: x < 0.011) >= 0.01
    assert _find(inside(0.0, math.inf), lambda x: x > 99.0) <= 100.0


@pytest.mark.parametrize(
    "make",
    [
        lambda: away_from(0.0, margin=200.0),
        lambda: away_from(math.nan),
        lambda: away_from(min_value=1.0, max_value=0.0),
        lambda: away_from(0.0, margin=-1.0),
        lambda: inside(1.0, 0.0),
        lambda: inside(0.0, 1.0, margin=0.5),
    ],
)
def test_strategies_that_cannot_draw_are_refused(make):
    with pytest.raises(ValueError):
        make()


@FEW
@given(broadcastable_arrays(3, elements=inside(0.0, math.inf), max_dims=3))
def test_broadcastable_arrays_broadcast(arrays):
    assert len(arrays) == 3
    np.broadcast_shapes(*(a.shape for a in arrays))  # raises if they do not
    for a in arrays:
        assert a.dtype == np.float64 and a.ndim <= 3
        assert np.all(a >= 0.01) and np.all(a <= 100.0)


def test_broadcastable_arrays_differ_in_shape():
    found = _find(broadcastable_arrays(2), lambda a: a[0].ndim != a[1].ndim)
    assert found[0].shape != found[1].shape


# --- property tests of gradients, at the points the strategies draw ----------


@FEW
@given(away_from(0.0), away_from(-1.0, 1.0))
def test_gradients_away_from_kinks(x, y):
    check_grads(kinks, (x, y))


def test_without_the_margin_the_check_finds_a_kink():
    # The strategies are needed: over plain floats, Hypothesis finds a
    # point where the check fails (a kink).
    def fails(point):
        try:
            check_grads(kinks, point)
        except AssertionError:
            return True
        return False

    x, y = _find(st.tuples(st.floats(-2, 2), st.floats(-2, 2)), fails)
    assert abs(x) < 1e-5 or abs(abs(y) - 1.0) < 1e-5  # within a step of a kink


@FEW
@given(inside(0.0, math.inf), inside(-1.0, 1.0))
def test_second_derivatives_inside_domains(x, y):
    check_grads(log_acos, (x, y), order=2)


@FEW
@given(broadcastable_arrays(2))
def test_gradients_of_arrays_that_broadcast(arrays):
    check_grads(tanh_layer, arrays)


@FEW
@given(
    hnp.array_shapes(max_dims=2, max_side=3).flatmap(
        lambda shape: st.tuples(
            *[
                hnp.arrays(
                    np.float64, shape, elements=away_from(min_value=-3.0, max_value=3.0)
                )
            ]
            * 2
        )
    )
)
def test_second_derivatives_of_arrays(arrays):
    check_grads(exp_weighted, arrays, order=2)


# --- docs/testing.md ---------------------------------------------------------

DOCUMENT = ROOT / "docs" / "testing.md"


def _python_blocks():
    """Each ```python block, and what it prints: the ```text block after
    "prints" that follows it, if one does (else nothing)."""
    pattern = r"```python\n(.*?)```(?:\s*\n(?:prints\n)?\s*```text\n(.*?)```)?"
    return re.findall(pattern, DOCUMENT.read_text(), re.S)


def _is_test_file(code):
    return re.search(r"^def test_", code, re.M) is not None


SCRIPTS = [
    (code, printed) for code, printed in _python_blocks() if not _is_test_file(code)
]
TEST_FILES = [code for code, printed in _python_blocks() if _is_test_file(code)]


@pytest.mark.parametrize(
    ("code", "printed"),
    SCRIPTS,
    ids=[f"{DOCUMENT.name}: example {k}" for k in range(len(SCRIPTS))],
)
def test_docs_examples_run_and_print_what_the_docs_say(code, printed, tmp_path, capsys):
    path = tmp_path / "example.py"  # srcgrad reads the functions' source
    path.write_text(code)
    runpy.run_path(str(path), run_name="docs_example")
    assert capsys.readouterr().out == printed


def test_docs_test_files_pass_under_pytest(tmp_path):
    assert len(TEST_FILES) >= 2
    for k, code in enumerate(TEST_FILES):
        (tmp_path / f"test_docs_example_{k}.py").write_text(code)
    ran = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "."],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=_this_srcgrad(),
    )
    assert ran.returncode == 0, ran.stdout + ran.stderr
    tests = sum(len(re.findall(r"^def test_", code, re.M)) for code in TEST_FILES)
    passed = re.search(r"(\d+) passed", ran.stdout)
    assert passed and int(passed.group(1)) >= tests, ran.stdout


def test_importing_srcgrad_testing_does_not_import_hypothesis():
    code = "import sys, srcgrad, srcgrad.testing; print('hypothesis' in sys.modules)"
    ran = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env=_this_srcgrad(),
    )
    assert ran.stdout == "False\n"


def _this_srcgrad():
    """The environment, with this tree's srcgrad first on the path."""
    paths = [str(ROOT), os.environ.get("PYTHONPATH", "")]
    return {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in paths if p)}


def test_check_grads_catches_a_wrong_gradient_beside_a_large_offset():
    # f's own rounding near 1e8 widens the tolerance against differences;
    # it must not widen it past a gradient off by half.
    from srcgrad.testing import check_grads

    f = define(
        "@srcgrad.custom_vjp\ndef sq(x):\n    return x * x\n\n\n"
        "sq.defvjp(lambda x: (x * x, x), lambda x, g: (3.0 * x * g,))\n\n\n"
        "def loss(x):\n    return 1e8 + sq(x)\n",
        name="loss",
        srcgrad=srcgrad,
    )
    with pytest.raises(AssertionError, match="srcgrad"):
        check_grads(f, (0.05,), modes=("reverse",))


def test_check_grads_refuses_a_point_where_f_is_not_finite():
    from srcgrad.testing import check_grads

    f = define("def f(x):\n    return np.sqrt(x) * 2.0\n")
    with (
        np.errstate(invalid="ignore"),
        pytest.raises(AssertionError, match="not finite at this point"),
    ):
        check_grads(f, (-1.0,), order=2)


def test_inputs_of_very_different_scales_pass_against_differences():
    # One difference step for x of 0.3 and y of 1e4 together is too coarse
    # for x; each input alone agrees, and a jvp is linear in its tangents.
    def pair(x, y):
        return (np.sin(10 * x) + y, 2 * y)

    check_grads(pair, (0.3, 1e4))
