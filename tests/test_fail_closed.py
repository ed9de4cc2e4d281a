"""Reverse mode and activity analysis fail closed.

An op on the way from a ``wrt`` input to the output that reverse mode does
not understand is a ``DifferentiationError`` naming the op and where it
came from, never a silent zero; an op off that way needs no rule; a
primitive with no rules must say its derivative is zero.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from helpers import define

import srcgrad
from srcgrad.ad import reverse
from srcgrad.errors import DifferentiationError
from srcgrad.ir import (
    YIELD,
    Block,
    Builder,
    Function,
    Parameter,
    Region,
    SourceLocation,
    StructuralOp,
    Value,
)
from srcgrad.primitives import PRIMITIVES, SCALAR_PRIMITIVES

LOCATION = SourceLocation("model.py", 7, 12, 20, "    return mystery(x)\n")
SIN = PRIMITIVES["sin"]


def _function(build_op, wrt_feeds_it: bool = True) -> Function:
    """``f(x, y)`` returning ``x * op(...)``; the op reads x, or else y."""
    x, y = Value("x"), Value("y")
    block = Block([x, y])
    builder = Builder(block)
    with builder.at(LOCATION):
        special = build_op(builder, x if wrt_feeds_it else y)
    product = builder.create(PRIMITIVES["mul"], [x, special], {"namespace": "operator"})
    builder.ret([product.result])
    return Function("f", [Parameter("x"), Parameter("y")], Region([block]))


def _without_rule(builder, operand):
    # sin with its rules taken away: a primitive nobody gave a derivative.
    bare = dataclasses.replace(SIN, vjp=None, jvp=None)
    return builder.create(bare, [operand], {"namespace": "math"}).result


def _two_results(builder, operand):
    op = builder.create(SIN, [operand], {"namespace": "math"}, result_count=2)
    return op.results[0]


def _owning_a_region(builder, operand):
    inner = Block()
    Builder(inner).create(YIELD, [operand], result_count=0)
    op = builder.create(SIN, [operand], {"namespace": "math"})
    op.regions.append(Region([inner]))
    return op.result


def _not_a_primitive(builder, operand):
    return builder.create(StructuralOp("mystery"), [operand]).result


UNDERSTOOD_BY_NOBODY = {
    "no rule": (_without_rule, "no derivative rule"),
    "two results": (_two_results, "2 results"),
    "a region": (_owning_a_region, "owns regions"),
    "not a primitive": (_not_a_primitive, "not a primitive"),
}


@pytest.mark.parametrize("case", UNDERSTOOD_BY_NOBODY, ids=str)
def test_an_op_reverse_mode_does_not_understand_is_refused(case):
    build_op, reason = UNDERSTOOD_BY_NOBODY[case]
    with pytest.raises(DifferentiationError) as caught:
        reverse(_function(build_op), ["x"])
    message = str(caught.value)
    assert reason in message and "model.py:7:12" in message
    assert "^^^^^^^^" in message  # the caret under the op


@pytest.mark.parametrize("case", UNDERSTOOD_BY_NOBODY, ids=str)
def test_an_op_off_the_path_from_wrt_needs_no_rule(case):
    # The op reads y only: d/dx of x * op(y) is op(y), no rule of it needed.
    build_op, _ = UNDERSTOOD_BY_NOBODY[case]
    gradient = reverse(_function(build_op, wrt_feeds_it=False), ["x"])
    assert gradient.entry.terminator is not None


def test_every_primitive_without_rules_declares_a_zero_derivative():
    for primitive in SCALAR_PRIMITIVES.values():
        if primitive.vjp is None:
            assert primitive.zero_derivative, primitive.name
        else:
            assert not primitive.zero_derivative, primitive.name


def test_floor_division_and_sign_have_zero_derivative_by_declaration():
    f = define("""
        import numpy as np

        def f(x):
            return x // 2.0 + np.sign(x) * 3.0 + x
        """)
    gradient = srcgrad.grad(f)
    assert gradient(3.7) == 1.0 and gradient(np.float64(-1.3)) == 1.0
    assert PRIMITIVES["floordiv"].zero_derivative and PRIMITIVES["sign"].zero_derivative


def test_a_tuple_return_names_what_to_use_instead():
    f = define("""
        def f(x, y):
            return x * y, x + y
        """)
    with pytest.raises(DifferentiationError) as caught:
        srcgrad.grad(f)
    message = str(caught.value)
    assert "srcgrad.jacobian" in message and "srcgrad.vjp" in message
    assert math.isfinite(f(1.0, 2.0)[0])
    # and what it names does what grad would not
    (dxy_dx, dxy_dy), (ds_dx, ds_dy) = srcgrad.jacobian(f, wrt=(0, 1))(1.0, 2.0)
    assert (dxy_dx, dxy_dy, ds_dx, ds_dy) == (2.0, 1.0, 1.0, 1.0)
