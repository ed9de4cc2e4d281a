"""Table-driven tests of every array primitive's rules, at drawn shapes.

As ``test_primitives.py`` does for numbers, after JAX's lax tests: each
array primitive (``srcgrad.primitives.arrays``), and each elementwise
primitive of numbers applied to arrays, has a Hypothesis strategy
(``array_cases``) drawing its shapes, axes and options; one test checks,
at each drawn case, its VJP against central differences and its JVP
against its VJP by the dot-product identity <J u, v> = <u, J^T v>. An
array-valued op ``f`` is checked through ``sum(sin(f(x)))``, so the
cotangent is not all ones (Zygote's trick). The rules run as generated
code, through the passes and codegen users get.

A primitive without a strategy fails ``test_every_array_primitive_is_covered``
unless it is exempt below, with its reason.
"""

from __future__ import annotations

import numpy as np
import pytest
from array_cases import elementwise
from array_index_cases import INDEXING
from array_layout_cases import SHAPES
from array_math_cases import REDUCTIONS, SELECTIONS
from array_product_cases import PRODUCTS
from array_rules import Fixed, primal_at, rules_at
from arrays import check_gradient, numeric_gradient
from helpers import define
from hypothesis import HealthCheck, given, settings

from srcgrad.ir.types import Array, Scalar, Size
from srcgrad.primitives import PRIMITIVES, SCALAR_PRIMITIVES
from srcgrad.primitives.arrays import ARRAYS
from srcgrad.runtime import type_of

#: Array primitives with a strategy, by name.
STRATEGIES = {**SHAPES, **REDUCTIONS, **SELECTIONS, **PRODUCTS, **INDEXING}

#: Array primitives with nothing to differentiate, and why.
EXEMPT = {
    "shape": "a shape query: integers",
    "ndim": "a shape query: an integer",
    "size": "a shape query: an integer",
    "dim": "a shape query: an integer",
    "one_number": "a check that a value is one number; it gives nothing",
    "outside_domain": "evaluated for its warnings; it gives nothing",
    "sign_of_det": "the sign of a determinant: piecewise constant",
    "argmax": "indices: integers",
    "argmin": "indices: integers",
    "argsort": "indices: integers",
    "zeros": "made of a shape: constants",
    "ones": "made of a shape: constants",
    "zeros_like": "made of a shape: constants",
    "empty": "made of a shape: items written before they are read",
    "empty_like": "made of a shape: items written before they are read",
    "ones_like": "made of a shape: constants",
    "arange": "made of integers srcgrad does not differentiate",
    "linspace": "made of numbers srcgrad does not differentiate",
    "eye": "made of a shape: constants",
}

#: Elementwise primitives of numbers that NumPy applies to arrays.
ELEMENTWISE = {
    primitive.name: elementwise(primitive)
    for primitive in SCALAR_PRIMITIVES.values()
    if primitive.differentiable
    and ("numpy" in primitive.spellings)
    and primitive.result_type is None
}

#: Eight examples each (under ten seconds in all); the stress profile
#: (HYPOTHESIS_PROFILE=stress) runs sixteen times as many.
EXAMPLES = settings(
    max_examples=settings.default.max_examples // 15,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


def test_every_array_primitive_is_covered():
    names = [primitive.name for primitive in ARRAYS]
    assert sorted(set(STRATEGIES) | set(EXEMPT)) == sorted(names)
    assert not set(STRATEGIES) & set(EXEMPT)


def test_exempt_primitives_have_no_rules():
    # An exemption cannot hide a derivative that is never tested.
    for name in EXEMPT:
        primitive = PRIMITIVES[name]
        assert primitive.vjp is None and primitive.jvp is None, name


def test_every_elementwise_primitive_of_numbers_is_covered():
    # erf and erfc are math's alone, which takes no arrays.
    numpy_spelled = {
        primitive.name
        for primitive in SCALAR_PRIMITIVES.values()
        if primitive.differentiable and primitive.result_type is None
    }
    assert numpy_spelled - set(ELEMENTWISE) == {"erf", "erfc"}


@pytest.mark.parametrize("name", sorted(STRATEGIES))
def test_array_rules_agree_with_differences_and_each_other(name):
    @EXAMPLES
    @given(case=STRATEGIES[name])
    def check(case):
        check_rules(case)

    check()


@pytest.mark.parametrize("name", sorted(ELEMENTWISE))
def test_elementwise_rules_on_arrays(name):
    @EXAMPLES
    @given(case=ELEMENTWISE[name])
    def check(case):
        check_rules(case)

    check()


def check_rules(case):
    """The VJP of ``sum(sin(f(x)))`` against central differences in each
    real input, and the JVP against the VJP by the dot product."""
    primitive = PRIMITIVES[case.name]
    attributes, operands = case.attributes, case.operands
    jvp, vjp = rules_at(primitive, case.namespace, attributes, operands)
    primal = primal_at(primitive, case.namespace, attributes, operands)
    inputs = case.inputs
    (out,) = primal(*inputs)
    _check_type(case, out)

    def loss(*changed):
        return np.sum(np.sin(primal(*changed)[0]))

    cotangents = vjp(*inputs, np.cos(out))
    real = [i for i, x in enumerate(inputs) if np.asarray(x).dtype == float]
    for i in real:
        expected = numeric_gradient(loss, inputs, i)
        got = _summed_to(cotangents[i], np.shape(inputs[i]))
        np.testing.assert_allclose(
            got, expected, rtol=1e-5, atol=1e-7, err_msg=f"operand {i}"
        )
    rng = np.random.default_rng(0)
    u = [
        rng.normal(size=np.shape(x)) if i in real else np.zeros(np.shape(x))
        for i, x in enumerate(inputs)
    ]
    v = rng.normal(size=np.shape(out))
    (tangent,) = jvp(*inputs, *u)
    forward = float(np.sum(np.broadcast_to(tangent, np.shape(out)) * v))
    cotangents = vjp(*inputs, v)
    backward = sum(
        float(np.sum(u[i] * _summed_to(cotangents[i], np.shape(u[i])))) for i in real
    )
    assert forward == pytest.approx(backward, rel=1e-10, abs=1e-12)


def _check_type(case, out):
    """The type rule accepts the case (else the strategy drew what srcgrad
    refuses) and gives the value's rank and the sizes it knows."""
    pending = iter(range(len(case.operands)))
    types = [
        type_of(value.value, "shape") if isinstance(value, Fixed) else None
        for value in case.operands
    ]
    types = [
        given or type_of(value, f"x{next(pending)}")
        for given, value in zip(types, case.operands, strict=True)
    ]
    (made,) = PRIMITIVES[case.name].result_types(types, case.attributes)
    shape = np.shape(out)
    if isinstance(made, Array):
        assert len(made.dims) == len(shape), f"{made} for a value of {shape}"
        for dim, side in zip(made.dims, shape, strict=True):
            if isinstance(dim, int):
                assert dim == side, f"{made} for a value of {shape}"
            if isinstance(dim, Size):
                assert side != 1, f"{made} for a value of {shape}"
    else:
        assert isinstance(made, Scalar) and shape == (), f"{made} for {shape}"


def _summed_to(cotangent, shape):
    """A cotangent given back its operand's shape: summed over the axes
    its operand was broadcast along (as the reverse sweep does), or
    stretched where it has size 1 (as a reduction's adjoint may)."""
    value = np.asarray(cotangent, dtype=float)
    if value.ndim < len(shape):
        value = value.reshape((1,) * (len(shape) - value.ndim) + value.shape)
    while value.ndim > len(shape):
        value = value.sum(axis=0)
    for axis, side in enumerate(shape):
        if side == 1 and value.shape[axis] != 1:
            value = value.sum(axis=axis, keepdims=True)
    return np.broadcast_to(value, shape)


#: Elementwise functions NumPy has by name (``np.hypot``), for users to call.
CALLABLE = {
    name: primitive.spellings["numpy"].written
    for name, primitive in ((name, SCALAR_PRIMITIVES[name]) for name in ELEMENTWISE)
    if isinstance(primitive.spellings["numpy"].written, str)
}


@pytest.mark.parametrize("name", sorted(CALLABLE))
def test_elementwise_functions_sum_adjoints_back_to_each_shape(name):
    # The rules above give adjoints of the result's shape; the reverse
    # sweep sums each back over the axes its operand was broadcast along.
    @settings(EXAMPLES, max_examples=max(1, EXAMPLES.max_examples // 2))
    @given(case=ELEMENTWISE[name])
    def check(case):
        names = ", ".join(f"x{i}" for i in range(len(case.operands)))
        call = f"np.{CALLABLE[name]}({names})"
        f = define(f"def f({names}):\n    return np.sum(np.sin({call}))\n")
        check_gradient(f, case.operands, tuple(range(len(case.operands))))

    check()
