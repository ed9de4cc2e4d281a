"""Gradients through NumPy's shape functions, over shapes Hypothesis draws.

Each test differentiates ``np.sum(np.sin(op(...)) * w)``, so the cotangent
reaching the op is not all ones, with respect to every array operand and
``w``, and compares with central differences (``check_gradient``: each
adjoint of its input's shape, the IR verified after every pass, the inputs
unchanged). The JVP rules, which no user-facing mode runs yet, are checked
against the VJPs by the dot-product identity. Writes into a view of an
input made by a reshape are refused, as writes into a slice are.
"""

from __future__ import annotations

import math
import re

import hypothesis.extra.numpy as hnp
import numpy as np
import pytest
from array_rules import Fixed, rules_at
from arrays import check_gradient
from helpers import define
from hypothesis import given, settings
from hypothesis import strategies as st

import srcgrad
from srcgrad import ValueTypeError
from srcgrad.primitives import PRIMITIVES

SHAPES = hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4)
SEEDS = st.integers(0, 2**16)


def _values(shape, seed):
    return np.random.default_rng(seed).uniform(-1.0, 1.0, size=shape)


def _check(expression, arrays, seed):
    """``np.sum(np.sin(expression) * w)`` differentiated with respect to
    each of ``arrays`` (named ``a``, ``b``, ...) and ``w``."""
    names = "abcde"[: len(arrays)]
    result = eval(expression, {"np": np}, dict(zip(names, arrays, strict=True)))
    f = define(
        f"def f({', '.join(names)}, w):\n"
        f"    return np.sum(np.sin({expression}) * w)\n"
    )
    w = _values(np.shape(result), seed + 1)
    check_gradient(f, (*arrays, w), tuple(range(len(arrays) + 1)))


@settings(max_examples=25, deadline=None)
@given(shape=SHAPES, data=st.data(), seed=SEEDS)
def test_reshape_to_any_shape_of_as_many_items(shape, data, seed):
    total = math.prod(shape)
    first = data.draw(
        st.sampled_from([d for d in range(1, total + 1) if total % d == 0])
    )
    target = [first, total // first]
    if data.draw(st.booleans(), label="-1"):
        target[data.draw(st.integers(0, 1))] = -1
    spelled = data.draw(
        st.sampled_from(["np.reshape(a, {t})", "a.reshape({t})", "a.reshape({a}, {b})"])
    )
    written = spelled.format(t=tuple(target), a=target[0], b=target[1])
    _check(written, [_values(shape, seed)], seed)


@settings(max_examples=15, deadline=None)
@given(
    shape=SHAPES,
    seed=SEEDS,
    spelled=st.sampled_from(["np.ravel(a)", "a.ravel()", "a.flatten()"]),
)
def test_ravel_and_flatten(shape, seed, spelled):
    _check(spelled, [_values(shape, seed)], seed)


@settings(max_examples=25, deadline=None)
@given(shape=SHAPES, data=st.data(), seed=SEEDS)
def test_concatenate_along_any_axis(shape, data, seed):
    axis = data.draw(st.integers(-len(shape), len(shape) - 1), label="axis")
    sizes = data.draw(st.lists(st.integers(1, 3), min_size=1, max_size=3))
    arrays = []
    for i, size in enumerate(sizes):
        each = list(shape)
        each[axis] = size
        arrays.append(_values(tuple(each), seed + 2 + i))
    names = ", ".join("abcde"[: len(arrays)])
    brackets = data.draw(st.sampled_from(["[{}]", "({},)"]))
    _check(f"np.concatenate({brackets.format(names)}, axis={axis})", arrays, seed)


@settings(max_examples=25, deadline=None)
@given(
    shape=hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=4),
    data=st.data(),
    seed=SEEDS,
)
def test_stack_along_any_axis(shape, data, seed):
    axis = data.draw(st.integers(-len(shape) - 1, len(shape)), label="axis")
    count = data.draw(st.integers(1, 3), label="count")
    arrays = [_values(shape, seed + 2 + i) if shape else 0.3 + i for i in range(count)]
    names = ", ".join("abcde"[:count])
    _check(f"np.stack([{names}], {axis})", arrays, seed)


@settings(max_examples=25, deadline=None)
@given(
    rank=st.integers(0, 3),
    data=st.data(),
    seed=SEEDS,
    function=st.sampled_from(["hstack", "vstack"]),
)
def test_hstack_and_vstack_of_numbers_vectors_and_matrices(rank, data, seed, function):
    # The joined axis (1 for hstack of matrices, else 0) may differ in size;
    # numbers and vectors are promoted as np.atleast_1d/np.atleast_2d do.
    rest = data.draw(st.lists(st.integers(1, 3), min_size=rank, max_size=rank))
    axis = 1 if function == "hstack" and rank >= 2 else 0
    count = data.draw(st.integers(1, 3), label="count")
    arrays = []
    for i in range(count):
        shape = list(rest)
        if rank and (function == "hstack" or rank >= 2):
            shape[axis] = data.draw(st.integers(1, 3), label="size")
        arrays.append(_values(tuple(shape), seed + 2 + i) if shape else 0.2 * i - 0.1)
    names = ", ".join("abcde"[:count])
    _check(f"np.{function}([{names}])", arrays, seed)


@settings(max_examples=25, deadline=None)
@given(target=SHAPES, data=st.data(), seed=SEEDS)
def test_broadcast_to_a_shape_written_out(target, data, seed):
    kept = data.draw(st.integers(0, len(target)), label="kept axes")
    shape = tuple(
        data.draw(st.sampled_from([1, size])) for size in target[len(target) - kept :]
    )
    a = _values(shape, seed) if shape else 0.4
    _check(f"np.broadcast_to(a, {target})", [a], seed)


@settings(max_examples=25, deadline=None)
@given(shape=SHAPES, data=st.data(), seed=SEEDS)
def test_flip_and_roll_along_any_axes(shape, data, seed):
    rank = len(shape)
    axis = data.draw(
        st.none()
        | st.integers(-rank, rank - 1)
        | hnp.valid_tuple_axes(rank, min_size=1),
        label="axis",
    )
    shift = data.draw(st.integers(-5, 5), label="shift")
    a = _values(shape, seed)
    _check(f"np.flip(a, {axis})", [a], seed)
    if not isinstance(axis, tuple):
        _check(f"np.roll(a, {shift}, axis={axis})", [a], seed)


@settings(max_examples=25, deadline=None)
@given(shape=SHAPES, data=st.data(), seed=SEEDS)
def test_transpose_and_swapaxes(shape, data, seed):
    rank = len(shape)
    axes = tuple(data.draw(st.permutations(range(rank)), label="axes"))
    first, second = (data.draw(st.integers(-rank, rank - 1)) for _ in range(2))
    spelled = data.draw(
        st.sampled_from(
            [
                f"np.transpose(a, {axes})",
                f"a.transpose{axes if rank > 1 else f'({axes})'}",
                f"np.swapaxes(a, {first}, {second})",
                f"a.swapaxes({first}, {second})",
                "np.transpose(a)",
                "a.transpose()",
            ]
        )
    )
    _check(spelled, [_values(shape, seed)], seed)


@pytest.mark.parametrize(
    "expression",
    ["a.squeeze()", "np.squeeze(a, 0)", "np.squeeze(a, axis=(0, 2))", "a.squeeze(2)"],
)
def test_squeeze_from_user_code(expression):
    _check(expression, [_values((1, 3, 1), 5)], 5)


def test_squeeze_to_one_number_gives_a_number_back_its_shape():
    # d/da of np.squeeze(a) * 2.0 is the float 2.0, which has no reshape.
    f = define("def f(a):\n    return np.squeeze(a) * 2.0 + np.sum(a.squeeze(0))\n")
    check_gradient(f, (np.full((1, 1), 0.3),), (0,))


def test_expand_dims_from_user_code():
    _check("np.expand_dims(a, (0, 2)) * np.expand_dims(a, -1)", [_values((3,), 6)], 6)


@pytest.mark.parametrize(
    "expression",
    [
        "np.reshape(a, (1, 1))",
        "np.ravel(a)",
        "np.broadcast_to(a, (2, 3))",
        "np.stack([a, b, a * b])",
        "np.hstack([a, b])",
        "np.vstack([a, b])",
        "np.transpose(a)",
        "np.flip(a)",
        "np.roll(a, 1)",
    ],
)
def test_numbers_as_numpy_takes_them(expression):
    _check(expression, [0.3, 0.7], 8)


# -- containers ----------------------------------------------------------------
def test_lists_and_tuples_of_arrays_and_numbers():
    f = define("""
        def f(a, b, s):
            parts = (a, b * s)
            first, second = parts
            joined = np.concatenate(parts) + np.hstack([second, first])
            rows = np.stack([a, b, np.sin(a)]) * sum([a, b, s * a])
            return np.sum(np.sin(joined)) + np.sum(np.cos(rows)) + sum((s, s * s))
        """)
    check_gradient(f, (_values(4, 1), _values(4, 2), 0.7), (0, 1, 2))


def test_the_gradient_of_a_join_reads_slices_as_a_person_would():
    f = define("""
        def f(a, b):
            return np.sum(np.sin(np.concatenate([a, b], axis=1)))
        """)
    a, b = _values((2, 3), 1), _values((2, 4), 2)
    text = srcgrad.source(srcgrad.grad(f, wrt=(0, 1)), a, b)
    assert "= a.shape[1]" in text
    assert "[:, :" in text and "sum_to_shape" not in text
    assert "shaped_like" not in text and "broadcast_to" not in text
    check_gradient(f, (a, b), (0, 1))


def test_a_shape_written_out_is_written_inline():
    f = define(
        "def f(v):\n    return np.sum(np.broadcast_to(v, (4, 3)) * np.ones((4, 3)))\n"
    )
    text = srcgrad.source(srcgrad.grad(f), _values(3, 1))
    assert "(4, 3)" in text and "= (4, 3)" not in text


# -- writes into views -----------------------------------------------------------
VIEWS = [
    "x.reshape(2, 3)",
    "np.reshape(x, -1)",
    "x.ravel()",
    "np.ravel(x)",
    "np.transpose(x, (1, 0))",
    "x.swapaxes(0, 1)",
    "np.flip(x, 0)",
    "np.broadcast_to(x, (2, 2, 3))",
]


@pytest.mark.parametrize("view", VIEWS)
def test_writes_into_a_view_of_an_input_are_refused(view):
    f = define(f"def f(x):\n    y = {view}\n    y[0] = 1.0\n    return np.sum(y)\n")
    with pytest.raises(ValueTypeError, match="y is an input array, or a view"):
        srcgrad.grad(f)(_values((2, 3), 3))


def test_a_view_read_after_a_write_into_its_array_is_refused():
    f = define("""
        def f(x):
            y = x.copy()
            v = y.reshape(3, 2)
            y[0] = 1.0
            return np.sum(v * x.reshape(3, 2))
        """)
    with pytest.raises(ValueTypeError, match="v shares its items with y"):
        srcgrad.grad(f)(_values((2, 3), 3))


@pytest.mark.parametrize(
    "copy", ["x.flatten()", "np.concatenate([x, x])", "np.stack([x])", "np.roll(x, 1)"]
)
def test_writes_into_a_new_array_are_differentiated(copy):
    f = define(f"""
        def f(x):
            y = {copy}
            y[0] = 2.0 * y[0]
            return np.sum(y * y)
        """)
    check_gradient(f, (_values((2, 3), 4),), (0,))


# -- errors --------------------------------------------------------------------
@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("np.reshape(x, (4, 4))", "cannot reshape an array of 6 items"),
        ("x.reshape(-1, -1)", "only one unknown size"),
        ("np.concatenate([x, x], axis=None)", "ravel the arrays first"),
        ("np.concatenate([x, x[0]])", "same number of axes"),
        ("np.stack([x, np.ones((1, 3))])", "same size along every axis"),
        ("np.roll(x, (1, 2), axis=(0, 1))", "roll one axis at a time"),
        ("np.transpose(x, (0, 0))", "name an axis twice"),
        ("np.broadcast_to(x, (3, 3))", "cannot broadcast an axis of size 2"),
        ("np.concatenate(x)", "list of arrays written out"),
        ("np.stack([x, x], axis=None)", "axis must be one int"),
        ("np.swapaxes(x, 0, 2)", "axis 2 is out of bounds"),
    ],
)
def test_shapes_numpy_refuses_are_refused_where_written(expression, message):
    # x is made here, so its sizes are known when the gradient is built.
    f = define(
        f"def f(a):\n    x = np.ones((2, 3)) * a\n    return np.sum({expression})\n"
    )
    with pytest.raises(srcgrad.SrcgradError, match=message) as caught:
        srcgrad.grad(f)(np.ones(3))
    assert ":3:" in str(caught.value)


@pytest.mark.parametrize(
    "expression",
    ["np.reshape(x, (4, 4))", "np.stack([x, x.T])", "np.broadcast_to(x, (3, 3))"],
)
def test_sizes_known_only_when_it_runs_raise_as_numpy_does(expression):
    # An input's sizes are known only when the gradient runs: it raises
    # NumPy's error where f does.
    f = define(f"def f(x):\n    return np.sum({expression})\n")
    with pytest.raises(ValueError) as expected:
        f(np.ones((2, 3)))
    with pytest.raises(ValueError, match=re.escape(str(expected.value))):
        srcgrad.grad(f)(np.ones((2, 3)))


# -- forward mode's rules ---------------------------------------------------------
A, B = _values((2, 3), 7), _values((2, 4), 8)
JVP_CASES = {
    "reshape": ("reshape", "numpy", {"dims": (3, -1)}, [A, Fixed((3, -1))]),
    "reshape method": ("reshape", "method", {}, [A, Fixed((6,))]),
    "ravel": ("ravel", "numpy", {}, [A]),
    "flatten": ("flatten", "method", {}, [A]),
    "transpose": ("transpose", "numpy", {"axes": (1, 0)}, [A]),
    "transpose 3": ("transpose", "method", {"axes": (2, 0, 1)}, [A.reshape(1, 2, 3)]),
    "swapaxes": ("swapaxes", "numpy", {"axis1": 0, "axis2": -1}, [A]),
    "flip": ("flip", "numpy", {"axis": 1}, [A]),
    "roll": ("roll", "numpy", {"axis": 1}, [A, Fixed(2)]),
    "broadcast_to": (
        "broadcast_to",
        "numpy",
        {"dims": (4, 2, 3)},
        [A, Fixed((4, 2, 3))],
    ),
    "concatenate": ("concatenate", "numpy", {"axis": 1}, [A, B, A]),
    "stack": ("stack", "numpy", {"axis": 2}, [A, A * 2]),
    "hstack": ("hstack", "numpy", {}, [A, B]),
    "vstack": ("vstack", "numpy", {}, [A[0], A, 0.5 * A[1]]),
    # Rules that pass the op's attributes on, namespace and all.
    "full": ("full", "numpy", {"dims": (2, 3)}, [Fixed((2, 3)), 0.5]),
    "index_add": (
        "index_add",
        "subscript",
        {"index": (("slice", 0, 1, None),)},
        [A, B[:1, :3]],
    ),
}


@pytest.mark.parametrize("case", JVP_CASES)
def test_jvp_and_vjp_agree_by_dot_product(case):
    name, namespace, attributes, operands = JVP_CASES[case]
    jvp, vjp = rules_at(PRIMITIVES[name], namespace, attributes, operands)
    inputs = [value for value in operands if not isinstance(value, Fixed)]
    rng = np.random.default_rng(9)
    u = [rng.normal(size=np.shape(value)) for value in inputs]
    (tangent,) = jvp(*inputs, *u)
    v = rng.normal(size=np.shape(tangent))
    cotangents = vjp(*inputs, v)
    forward = np.sum(tangent * v)
    backward = sum(np.sum(ui * ci) for ui, ci in zip(u, cotangents, strict=True))
    assert forward == pytest.approx(backward, rel=1e-12)
    assert all(
        np.shape(c) == np.shape(x) for c, x in zip(cotangents, inputs, strict=True)
    )


def test_the_shape_of_a_number_is_empty_as_numpy_says():
    # np.shape(2.0) is (), np.ndim(2.0) 0, np.size(2.0) 1; a recursion's
    # result is a number on one path and an array on another, so its
    # gradient asks for np.shape of what may be a number.
    f = define(
        """
        def power(z, n):
            if n == 0:
                return 1.0
            return z * power(z, n - 1)

        def f(x, s):
            return np.sum(power(x, 3)) + np.ndim(s) * s + np.size(s) * s
        """,
        "f",
    )
    check_gradient(f, (_values(3, 1), 0.7), (0, 1))
