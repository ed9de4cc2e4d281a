"""Table-driven tests of every primitive's rules, in every namespace it has.

Like JAX's lax tests: each primitive declares a domain, and one
parametrised test per property checks, at random points of that domain,
the VJP against central finite differences and the JVP against the VJP by
the dot-product identity <J u, v> = <u, J^T v>. The rules run as generated
code, through the same passes and codegen users get.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from helpers import central_difference, define
from rule_functions import rule_function

import srcgrad
from srcgrad.ir.types import BOOL, INT, REAL, Array, TypeRuleError
from srcgrad.primitives import (
    PRIMITIVES,
    SCALAR_PRIMITIVES,
    CustomSpelling,
    spellings_in,
)
from srcgrad.primitives.elementwise import QUIET_INSIDE
from srcgrad.runtime import type_of


def _arities(primitive, namespace):
    if primitive.arity is not None:
        return [primitive.arity]
    return [2] if namespace == "numpy" else [1, 2, 3]


#: Operators of booleans alone (``mask & other``, ``~mask``): of the real
#: numbers the other cases draw, Python raises (``test_logical_operators``).
OF_BOOLEANS = {"and": "&", "or": "|", "xor": "^", "invert": "~"}
CASES = [
    (primitive, namespace, arity)
    for primitive in SCALAR_PRIMITIVES.values()
    for namespace in primitive.spellings
    for arity in _arities(primitive, namespace)
    if not (namespace == "operator" and primitive.name in OF_BOOLEANS)
]
DIFFERENTIABLE = [case for case in CASES if case[0].differentiable]


def _case_id(case):
    primitive, namespace, arity = case
    return f"{primitive.name}-{namespace}-{arity}"


def _points(primitive, arity, count=4, seed=0):
    rng = np.random.default_rng(seed)
    domains = [
        primitive.domain[min(i, len(primitive.domain) - 1)] for i in range(arity)
    ]
    return [
        [float(rng.uniform(low, high)) for low, high in domains] for _ in range(count)
    ]


@pytest.mark.parametrize("case", DIFFERENTIABLE, ids=_case_id)
def test_vjp_matches_finite_differences(case):
    primitive, namespace, arity = case
    vjp = rule_function(primitive, namespace, arity, "vjp")

    def f(*x):
        return primitive.evaluate(namespace, x)

    for point in _points(primitive, arity):
        cotangents = vjp(*point, 1.0)
        for index in range(arity):
            expected = central_difference(f, point, index)
            assert float(cotangents[index]) == pytest.approx(
                expected, rel=1e-6, abs=1e-7
            )


@pytest.mark.parametrize("case", DIFFERENTIABLE, ids=_case_id)
def test_jvp_and_vjp_agree_by_dot_product(case):
    primitive, namespace, arity = case
    vjp = rule_function(primitive, namespace, arity, "vjp")
    jvp = rule_function(primitive, namespace, arity, "jvp")
    rng = np.random.default_rng(1)
    for point in _points(primitive, arity, seed=2):
        u = [float(value) for value in rng.normal(size=arity)]
        v = float(rng.normal())
        (tangent,) = jvp(*point, *u)
        cotangents = vjp(*point, v)
        assert float(tangent) * v == pytest.approx(
            sum(ui * float(ci) for ui, ci in zip(u, cotangents, strict=True)),
            rel=1e-12,
            abs=1e-14,
        )


@pytest.mark.parametrize(
    "case", [case for case in CASES if not case[0].differentiable], ids=_case_id
)
def test_piecewise_constant_primitives_have_zero_derivative(case):
    # floordiv, sign, comparisons, int() declare no rules: their derivative
    # is zero wherever it exists. Check that claim away from the jumps.
    primitive, namespace, arity = case

    def f(*x):
        return float(primitive.evaluate(namespace, x))

    for point in _points(primitive, arity):
        for index in range(arity):
            assert central_difference(f, point, index, step=1e-9) == 0.0


@pytest.mark.parametrize("name", sorted(OF_BOOLEANS))
def test_logical_operators_of_masks_compute_what_numpy_does(name):
    # a & b, a | b, a ^ b of booleans (numbers or arrays), ~ of arrays of
    # them: what evaluate (folding) and the written operator compute alike.
    primitive = SCALAR_PRIMITIVES[name]
    arity = primitive.arity
    rng = np.random.default_rng(4)
    masks = [rng.integers(0, 2, size=5).astype(bool) for _ in range(arity)]
    numbers = [bool(mask[0]) for mask in masks]
    primal = rule_function(primitive, "operator", arity, "primal")
    for point in [masks] if arity == 1 else [masks, numbers]:
        (value,) = primal(*point)
        expected = primitive.evaluate("operator", point)
        np.testing.assert_array_equal(value, expected)
        logical = getattr(np, f"logical_{'not' if arity == 1 else name}")
        np.testing.assert_array_equal(value, logical(*point))


@pytest.mark.parametrize(
    ("types", "refused"),
    [
        ([REAL, BOOL], "of real numbers is not supported"),
        ([BOOL, INT], "of integers is not supported"),
    ],
)
def test_logical_operators_refuse_numbers_that_are_not_booleans(types, refused):
    # Of integers `&` works on bits, of floats NumPy raises: masks only.
    with pytest.raises(TypeRuleError, match=refused):
        SCALAR_PRIMITIVES["and"].result_types(types, {"namespace": "operator"})
    # np.logical_and takes anything, reading each number's truth.
    (made,) = SCALAR_PRIMITIVES["and"].result_types(types, {"namespace": "numpy"})
    assert made == BOOL


def test_invert_takes_arrays_of_booleans_only():
    # ~True is -2 in Python: inverting a bool's bits, not its truth.
    invert = SCALAR_PRIMITIVES["invert"]
    mask = Array("bool", (3,))
    assert invert.result_types([mask], {"namespace": "operator"}) == [mask]
    with pytest.raises(TypeRuleError, match="write `not b`"):
        invert.result_types([BOOL], {"namespace": "operator"})


def test_every_primitive_has_a_test_domain():
    for primitive in SCALAR_PRIMITIVES.values():
        expected = primitive.arity if primitive.arity is not None else 2
        assert len(primitive.domain) == expected, primitive.name
        for low, high in primitive.domain:
            assert low < high, primitive.name


def test_every_primitive_has_a_spelling_users_can_call():
    import builtins
    import math

    callable_names = {
        primitive.name
        for module in (math, np, builtins)
        for _, primitive, _ in spellings_in(module)
    }
    # Rules create the others (power_rule: y * x**(y-1), 0 where y == 0);
    # every spelling they have is custom, none is a name users could call.
    rule_only = {
        primitive.name
        for primitive in SCALAR_PRIMITIVES.values()
        if all(
            isinstance(spelling.written, CustomSpelling) and not spelling.also
            for spelling in primitive.spellings.values()
        )
    }
    assert rule_only == {"power_rule", "log_or_zero"}
    # ~ of masks is written as the operator only: NumPy's invert of
    # integers inverts bits, a function srcgrad computes without a rule.
    operator_only = {"invert"}
    scalar_names = callable_names & set(SCALAR_PRIMITIVES)
    assert scalar_names == set(SCALAR_PRIMITIVES) - rule_only - operator_only


@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_emitted_python_computes_what_evaluate_computes(case):
    # The spelling codegen writes (operator, call, or custom like
    # math.copysign for sign) must agree with the function folding uses.
    primitive, namespace, arity = case
    primal = rule_function(primitive, namespace, arity, "primal")
    for point in _points(primitive, arity, seed=3):
        (value,) = primal(*point)
        assert float(value) == pytest.approx(
            float(primitive.evaluate(namespace, point)), rel=1e-15
        )


#: Where math functions raise: outside domains, at poles, at infinities.
_PROBES = (-math.inf, -3.0, -1.5, -1.0, -0.5, 0.0, 0.5, 1.0, 1.5, 3.0, math.inf)


def _rejects(function, point) -> bool:
    try:
        function(*point)
    except (ValueError, ArithmeticError):
        return True
    return False


@pytest.mark.parametrize(
    "primitive",
    [
        p
        for p in SCALAR_PRIMITIVES.values()
        if p.differentiable and "math" in p.spellings
    ],
    ids=lambda p: p.name,
)
def test_needs_domain_check_is_set_where_only_the_function_rejects(primitive):
    # Reverse mode keeps such an op in the gradient, so that the gradient
    # raises where f does: math.log(-1.0) raises, but its derivative 1/x
    # happily returns -1.0.
    arity = primitive.arity or 2
    cotangents = [
        rule_function(primitive, "math", arity, "vjp", only=index)
        for index in range(arity)
    ]
    rejected, only_by_function = [], []
    for point in itertools.product(_PROBES, repeat=arity):
        if _rejects(lambda *x: primitive.evaluate("math", x), point):
            rejected.append(point)
            if not all(_rejects(vjp, (*point, 1.0)) for vjp in cotangents):
                only_by_function.append(point)
    if only_by_function:
        assert "math" in primitive.needs_domain_check, only_by_function
    if primitive.needs_domain_check:
        # math raises there; NumPy warns and returns nan, so it is kept too.
        assert primitive.needs_domain_check <= {"math", "numpy"}
        assert rejected, f"{primitive.name} rejects nothing"


@pytest.mark.parametrize(
    "primitive",
    [p for p in PRIMITIVES.values() if "numpy" in p.needs_domain_check],
    ids=lambda p: p.name,
)
def test_numpy_functions_kept_for_their_warnings_give_none_inside_their_interval(
    primitive,
):
    # A gradient skips the function of an array whose items all lie inside
    # QUIET_INSIDE's interval (runtime.outside_domain): there it must give
    # no warning at all, up to its ends and at infinity (underflow aside:
    # NumPy ignores it by default, and some builds of arcsin and log1p
    # underflow at 5e-324).
    low, high = QUIET_INSIDE[primitive.name]
    function = getattr(np, primitive.written("numpy"))
    probes = (*_PROBES, 5e-324, 1e-300, 1e300, -1e300, -5e-324)
    ends = (np.nextafter(low, high), np.nextafter(high, low))
    inside = [v for v in (*probes, *ends) if low < v < high]
    with np.errstate(all="raise", under="ignore"):
        function(np.array(inside))


def test_a_rule_loaded_on_its_own_calls_with_keywords():
    # load() without globals: Python 3.11 needs __builtins__ for x.sum(axis=0).
    rule = rule_function(
        PRIMITIVES["reduce_sum"],
        "method",
        1,
        "vjp",
        types=[type_of(np.ones((2, 3)), "x0")],
        attributes={"axis": 0},
    )
    (cotangent,) = rule(np.ones((2, 3)), np.arange(3.0))
    np.testing.assert_array_equal(np.broadcast_to(cotangent, (2, 3))[1], [0, 1, 2])


@pytest.mark.parametrize("module", [math, np, np.linalg], ids=lambda m: m.__name__)
def test_each_function_users_call_is_one_primitive(module):
    # Two primitives spelled alike in one module would make a call mean
    # whichever the table met last: np.zeros_like in user code once became
    # the adjoint of an indexed read (which takes three operands).
    found: dict[object, list[str]] = {}
    for function, primitive, _ in spellings_in(module):
        found.setdefault(function, []).append(primitive.name)
    shared = {str(f): names for f, names in found.items() if len(set(names)) > 1}
    assert not shared


def test_np_zeros_like_in_user_code_is_zeros_of_that_shape():
    f = define(
        "def f(x):\n    z = np.zeros_like(x)\n    z[x > 0] = x[x > 0]\n"
        "    return np.sum(z ** 2)\n"
    )
    x = np.linspace(-1.0, 1.0, 5)
    np.testing.assert_allclose(srcgrad.grad(f)(x), np.where(x > 0, 2 * x, 0.0))
