"""Gradients of linear algebra: stacked ``@``, ``np.inner``, ``np.trace``,
``np.einsum``, and ``np.linalg``'s ``solve``, ``inv`` and ``det``.

Each gradient is checked against central differences through
``sum(sin(op(...)) * w)``, so the cotangent reaching the op is not all ones.
Matrices that are inverted are well conditioned (``Q + n * I``). The JVP of
each primitive is checked against its VJP by the dot-product identity
``<J u, v> = <u, J^T v>``, run as generated code.
"""

from __future__ import annotations

import hypothesis.extra.numpy as hnp
import numpy as np
import pytest
from arrays import check_gradient
from helpers import code_without_comments, define
from hypothesis import given, settings
from hypothesis import strategies as st
from rule_functions import rule_function

import srcgrad
from srcgrad.primitives import PRIMITIVES
from srcgrad.runtime import type_of

RNG = np.random.default_rng(0)


def _values(*shape):
    return RNG.normal(size=shape)


def _matrices(*shape):
    """Well-conditioned square matrices (the last two axes): Q + n * I."""
    n = shape[-1]
    return RNG.normal(size=shape) + n * np.eye(n)


def check_through_sin(call, params, args, wrt=None):
    """Check the gradient of ``sum(sin(call) * w)`` at ``args`` (with respect
    to all of them by default); returns the function."""
    primal = define(f"def value({params}):\n    return {call}\n")
    shape = np.shape(primal(*args))
    w = _values(*shape) if shape else 0.7
    f = define(f"def f({params}, w):\n    return np.sum(np.sin({call}) * w)\n")
    check_gradient(f, (*args, w), tuple(range(len(args))) if wrt is None else wrt)
    return f, (*args, w)


def gradient_text(f, args, wrt):
    return code_without_comments(srcgrad.source(srcgrad.grad(f, wrt=wrt), *args))


# -- @ of stacks of matrices --------------------------------------------------
@settings(max_examples=20, deadline=None)
@given(
    batch=hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=2),
    vectors=st.sampled_from(["", "a", "b"]),
    sizes=st.tuples(*[st.integers(1, 3)] * 3),
)
def test_matmul_of_stacks_broadcasts_and_sums_back(batch, vectors, sizes):
    m, n, k = sizes
    a_batch, b_batch = batch.input_shapes
    a_shape = (n,) if vectors == "a" else (*a_batch, m, n)
    b_shape = (n,) if vectors == "b" else (*b_batch, n, k)
    check_through_sin("a @ b", "a, b", (_values(*a_shape), _values(*b_shape)))


@pytest.mark.parametrize(
    ("a_shape", "b_shape"),
    [((3,), (2, 3, 4)), ((2, 3, 4), (4,)), ((2, 3, 4), (4, 5)), ((3, 4), (2, 4, 5))],
)
def test_np_matmul_of_stacks_and_vectors(a_shape, b_shape):
    check_through_sin("np.matmul(a, b)", "a, b", (_values(*a_shape), _values(*b_shape)))


def test_stacked_matmul_reads_like_hand_written_code():
    f, args = check_through_sin(
        "a @ b", "a, b", (_values(2, 1, 3, 4), _values(5, 4, 2))
    )
    text = gradient_text(f, args, (0, 1))
    assert "a_bar = (t @ np.swapaxes(b, -1, -2)).sum(axis=1, keepdims=True)" in text
    assert "b_bar = (np.swapaxes(a, -1, -2) @ t).sum(axis=0)" in text


def test_np_dot_beyond_matrices_is_refused_with_the_reason():
    f = define("def f(a, b):\n    return np.sum(np.dot(a, b))\n")
    with pytest.raises(srcgrad.ValueTypeError, match=r"NumPy's dot rules.*use @"):
        srcgrad.grad(f)(_values(2, 3, 4), _values(4, 5))
    with pytest.raises(srcgrad.ValueTypeError, match="use \\* for numbers"):
        srcgrad.grad(f)(_values(3), 2.0)


def test_matmul_of_sizes_that_cannot_match_is_refused():
    f = define("def f(a):\n    return np.sum(a @ np.ones((3, 2)))\n")
    with pytest.raises(srcgrad.ValueTypeError, match="must match"):
        srcgrad.grad(f)(_values(2, 1))


def test_swapaxes():
    check_through_sin(
        "np.swapaxes(a, 0, 2) * b", "a, b", (_values(2, 3, 4), _values(4, 3, 2))
    )
    check_through_sin("a.swapaxes(-1, 1)", "a", (_values(2, 3, 4),))


# -- inner and trace ----------------------------------------------------------
@pytest.mark.parametrize(
    ("a_shape", "b_shape"),
    [
        ((3,), (3,)),
        ((2, 3), (3,)),
        ((3,), (4, 3)),
        ((2, 3), (4, 3)),
        ((2, 5, 3), (4, 3)),
    ],
)
def test_inner(a_shape, b_shape):
    check_through_sin("np.inner(a, b)", "a, b", (_values(*a_shape), _values(*b_shape)))


@pytest.mark.parametrize(
    ("call", "shape"),
    [
        ("np.trace(x)", (3, 3)),
        ("np.trace(x)", (2, 3)),
        ("x.trace()", (3, 3)),
        ("np.trace(x, 1)", (3, 4)),
        ("np.trace(x, offset=-1)", (3, 3)),
        ("np.trace(x)", (3, 3, 2)),
        ("np.trace(x, axis1=1, axis2=2)", (2, 3, 3)),
        ("np.trace(x, 0, 2, 0)", (3, 2, 4)),
    ],
)
def test_trace(call, shape):
    check_through_sin(call, "x", (_values(*shape),))


def test_trace_gradient_is_an_identity_matrix():
    f, args = check_through_sin("np.trace(x)", "x", (_values(3, 3),))
    assert "x_bar = w * np.cos(np.trace(x)) * np.eye(x.shape[0], x.shape[1])" in (
        gradient_text(f, args, (0,))
    )


# -- einsum -------------------------------------------------------------------
EINSUMS = [
    ("ij,jk->ik", [(2, 3), (3, 4)]),
    ("ij,ij->", [(2, 3), (2, 3)]),
    ("i,i->", [(3,), (3,)]),
    ("bij,bjk->bik", [(2, 3, 4), (2, 4, 5)]),
    ("ij->ji", [(2, 3)]),
    ("ii->", [(3, 3)]),
    ("ii->i", [(3, 3)]),
    ("ij->", [(2, 3)]),
    ("ij->i", [(2, 3)]),
    ("ij,jk", [(2, 3), (3, 4)]),
    ("ba", [(2, 3)]),
    ("iij,jk->ik", [(3, 3, 2), (2, 4)]),
    ("ij,kl->ijkl", [(2, 3), (4, 2)]),
    ("ij,ij->ij", [(1, 3), (2, 3)]),
    ("ij,jk,kl->il", [(2, 3), (3, 4), (4, 2)]),
    ("iii->", [(3, 3, 3)]),
]


@pytest.mark.parametrize(("subscripts", "shapes"), EINSUMS)
def test_einsum(subscripts, shapes):
    params = ", ".join("abc"[: len(shapes)])
    args = tuple(_values(*shape) for shape in shapes)
    check_through_sin(f"np.einsum({subscripts!r}, {params})", params, args)


@pytest.mark.parametrize(
    ("subscripts", "shapes", "expected"),
    [
        ("ij,jk->ik", [(2, 3), (3, 4)], 'a_bar = np.einsum("ik,jk->ij", t, b)'),
        ("ij,ij->", [(2, 3), (2, 3)], "a_bar = b * t"),
        ("ij->ji", [(2, 3)], "a_bar = (w * np.cos(np.einsum"),
        ("ii->", [(3, 3)], "a_bar = np.eye(a.shape[1]) * (w * np.cos("),
    ],
)
def test_einsum_adjoints_are_einsums_or_simpler(subscripts, shapes, expected):
    params = ", ".join("abc"[: len(shapes)])
    args = tuple(_values(*shape) for shape in shapes)
    f, all_args = check_through_sin(
        f"np.einsum({subscripts!r}, {params})", params, args
    )
    assert expected in gradient_text(f, all_args, tuple(range(len(shapes))))


@pytest.mark.parametrize(
    ("call", "message"),
    [
        ('np.einsum("...i,...i->...", a, b)', "name every axis"),
        ('np.einsum("ij,jk->ik", a)', "name 2 operand"),
        ('np.einsum("ijk,jk->ik", a, b)', "has 2 axes"),
        ('np.einsum("ij,jk->ii", a, b)', "repeat an output letter"),
        ('np.einsum("ij,jk->iz", a, b)', "no operand has"),
        ("np.einsum(s, a, b)", "literal string"),
        ('np.einsum("ij,jk->ik", a, b, optimize=True)', "'optimize'"),
    ],
)
def test_einsum_refusals_say_why(call, message):
    f = define(f"def f(a, b, s='ij,jk->ik'):\n    return np.sum({call})\n")
    with pytest.raises(srcgrad.SrcgradError, match=message):
        srcgrad.grad(f)(_values(2, 3), _values(3, 4))


# -- np.linalg ----------------------------------------------------------------
@pytest.mark.parametrize(
    ("a_shape", "b_shape"),
    [
        ((3, 3), (3,)),
        ((3, 3), (3, 2)),
        ((2, 3, 3), (2, 3, 4)),
        ((3, 3), (2, 3, 4)),
        ((2, 1, 3, 3), (1, 5, 3, 1)),
        ((1, 3, 3), (2, 3, 2)),
    ],
)
def test_solve(a_shape, b_shape):
    args = (_matrices(*a_shape), _values(*b_shape))
    check_through_sin("np.linalg.solve(A, b)", "A, b", args)


@pytest.mark.parametrize("call", ["np.linalg.inv(A)", "np.linalg.det(A)"])
@pytest.mark.parametrize("shape", [(3, 3), (2, 3, 3), (1, 1), (2, 1, 2, 2)])
def test_inv_and_det(call, shape):
    check_through_sin(call, "A", (_matrices(*shape),))


@pytest.mark.parametrize("shape", [(3, 3), (2, 3, 3)])
def test_slogdet(shape):
    A = _matrices(*shape)
    A[..., 0, :] *= -1  # a negative determinant: log|det|
    check_through_sin("np.linalg.slogdet(A)[1]", "A", (A,))
    f = define("""
        def f(A, w):
            sign, logdet = np.linalg.slogdet(A)
            return np.sum(sign * np.exp(logdet) * w)
        """)
    check_gradient(f, (A, _values(*shape[:-2])), (0,))


def test_slogdet_is_a_pair_and_its_gradient_needs_neither_item():
    f = define("def f(A):\n    _, logdet = np.linalg.slogdet(A)\n    return logdet\n")
    A = _matrices(3, 3)
    text = gradient_text(f, (A,), (0,))
    assert "slogdet" not in text and "A_bar = np.linalg.inv(A).T" in text
    g = define("def g(A):\n    return np.sum(np.linalg.slogdet(A) * 2.0)\n")
    with pytest.raises(srcgrad.SrcgradError, match="cannot be used as a number"):
        srcgrad.grad(g)(A)


def test_solve_of_a_stack_and_a_vector_is_refused():
    # NumPy 1 reads b as a stack of vectors, NumPy 2 as a matrix.
    f = define("def f(A, b):\n    return np.sum(np.linalg.solve(A, b))\n")
    with pytest.raises(srcgrad.ValueTypeError, match="NumPy 1"):
        srcgrad.grad(f)(_matrices(2, 3, 3), _values(2, 3))


def test_linalg_gradients_read_like_hand_written_code():
    f = define("""
        def f(A, b, w):
            x = np.linalg.solve(A, b)
            return np.sum(np.sin(x) * w) + np.linalg.det(A) + np.sum(np.linalg.inv(A))
        """)
    args = (_matrices(3, 3), _values(3), _values(3))
    check_gradient(f, args, (0, 1))
    text = gradient_text(f, args, (0, 1))
    assert "b_bar = np.linalg.solve(A.T, x_bar)" in text
    assert "A_bar = A_bar - np.outer(b_bar, x)" in text
    # det's rule reuses the inverse the function computes.
    assert text.count("np.linalg.inv(A)") == 1
    assert "import numpy as np\n" in text and "import numpy.linalg" not in text


def test_det_at_a_singular_matrix_raises_where_its_value_is_zero():
    # The derivative (the cofactor matrix) exists, but det * inv(A).T cannot
    # reach it: np.linalg.inv raises, as documented.
    f = define("def f(A):\n    return np.linalg.det(A)\n")
    singular = np.array([[1.0, 2.0], [2.0, 4.0]])
    assert f(singular) == 0.0
    with pytest.raises(np.linalg.LinAlgError):
        srcgrad.grad(f)(singular)


@pytest.mark.parametrize("call", ["np.linalg.solve(A, b)", "np.linalg.inv(A) @ b"])
def test_solve_and_inv_at_a_singular_matrix_raise_as_the_function_does(call):
    f = define(f"def f(A, b):\n    return np.sum({call})\n")
    singular = np.array([[1.0, 2.0], [2.0, 4.0]])
    for function in (f, srcgrad.grad(f, wrt=(0, 1))):
        with pytest.raises(np.linalg.LinAlgError):
            function(singular, np.ones(2))


def test_products_of_values_of_unknown_rank_are_refused_not_guessed():
    # np.cumprod has no rule: nothing says how many axes its value has.
    f = define("def f(X, w):\n    return np.sum(np.cumprod(X) @ w)\n")
    with pytest.raises(srcgrad.DifferentiationError, match="number of axes"):
        srcgrad.grad(f, wrt=1)(_values(2, 2), _values(4))


# -- numpy.linalg as a namespace ------------------------------------------------
def test_numpy_linalg_resolves_under_any_import_style():
    import numpy.linalg as la
    from numpy.linalg import solve

    A, b = _matrices(3, 3), _values(3)
    expected = srcgrad.grad(
        define("def f(A, b):\n    return np.sum(np.linalg.solve(A, b))\n"), wrt=(0, 1)
    )(A, b)
    for call in ("la.solve(A, b)", "solve(A, b)"):
        f = define(f"def f(A, b):\n    return np.sum({call})\n", la=la, solve=solve)
        gradient = srcgrad.grad(f, wrt=(0, 1))
        for got, want in zip(gradient(A, b), expected, strict=True):
            np.testing.assert_allclose(got, want)
        assert "np.linalg.solve(A.T" in srcgrad.source(gradient, A, b)


def test_a_file_read_without_running_it_resolves_numpy_linalg(tmp_path):
    # What `srcgrad show` reads: imports of numpy.linalg, as names bind them.
    from srcgrad.frontend.file_resolver import FileResolver
    from srcgrad.frontend.files import parse_file
    from srcgrad.frontend.resolve import ModuleBinding, PrimitiveBinding

    path = tmp_path / "fit.py"
    path.write_text(
        "import numpy.linalg as la\n"
        "from numpy.linalg import inv\n\n\n"
        "def f(A):\n"
        "    return la.det(inv(A))\n"
    )
    resolver = FileResolver(parse_file(str(path)))
    inv = resolver.resolve("inv")
    assert isinstance(inv, PrimitiveBinding)
    assert (inv.primitive.name, inv.namespace) == ("inv", "numpy.linalg")
    assert resolver.resolve("la") == ModuleBinding("numpy.linalg", np.linalg)


# -- JVP against VJP ------------------------------------------------------------
INVERTED = ("solve", "inv", "det")
RULES = [
    ("matmul", "operator", [(2, 3, 4), (4, 5)], {}),
    ("matmul", "numpy", [(3,), (2, 3, 4)], {}),
    ("matmul", "operator", [(2, 1, 3, 4), (5, 4, 2)], {}),
    ("dot", "method", [(2, 3), (3,)], {}),
    ("outer", "numpy", [(2,), (3,)], {}),
    ("swapaxes", "numpy", [(2, 3, 4)], {"axis1": 0, "axis2": 2}),
    ("inner", "numpy", [(2, 3), (4, 3)], {}),
    ("inner", "numpy", [(2, 5, 3), (3,)], {}),
    ("trace", "numpy", [(3, 4)], {"offset": 1}),
    ("trace", "method", [(3, 2, 3)], {"axis1": 2, "axis2": 0}),
    ("einsum", "numpy", [(2, 3), (3, 4)], {"subscripts": "ij,jk->ik"}),
    ("einsum", "numpy", [(3, 3, 2)], {"subscripts": "iij->j"}),
    ("einsum", "numpy", [(1, 3), (2, 3)], {"subscripts": "ij,ij->i"}),
    ("solve", "numpy.linalg", [(3, 3), (3,)], {}),
    ("solve", "numpy.linalg", [(2, 3, 3), (1, 3, 2)], {}),
    ("inv", "numpy.linalg", [(3, 3)], {}),
    ("inv", "numpy.linalg", [(2, 3, 3)], {}),
    ("det", "numpy.linalg", [(3, 3)], {}),
    ("det", "numpy.linalg", [(2, 3, 3)], {}),
]


@pytest.mark.parametrize(
    ("name", "namespace", "shapes", "attributes"),
    RULES,
    ids=[f"{rule[0]}-{rule[2]}" for rule in RULES],
)
def test_jvp_and_vjp_agree_by_dot_product(name, namespace, shapes, attributes):
    primitive = PRIMITIVES[name]
    point = [
        _matrices(*shape) if name in INVERTED and i == 0 else _values(*shape)
        for i, shape in enumerate(shapes)
    ]
    types = [type_of(x, f"x{i}") for i, x in enumerate(point)]
    options = {"types": types, "attributes": attributes}
    jvp = rule_function(primitive, namespace, len(shapes), "jvp", **options)
    vjp = rule_function(primitive, namespace, len(shapes), "vjp", **options)
    u = [_values(*shape) for shape in shapes]
    (tangent,) = jvp(*point, *u)
    v = _values(*np.shape(tangent))
    cotangents = vjp(*point, v)
    # A cotangent may only broadcast to its operand's shape: <u, c> sums
    # over u's shape either way.
    by_vjp = sum(np.sum(ui * ci) for ui, ci in zip(u, cotangents, strict=True))
    assert np.sum(tangent * v) == pytest.approx(by_vjp, rel=1e-10)
