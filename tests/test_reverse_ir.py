"""Reverse mode through control flow, on IR built by hand.

The frontend has its own tests; here the transform alone is checked: the
gradient IR, run by the reference interpreter, against central finite
differences of the primal IR, and the tapes it builds against what the
reverse sweep reads.
"""

from __future__ import annotations

import math

import pytest
from interpret import interpret

from srcgrad.ad import reverse
from srcgrad.ir import (
    APPEND,
    CONDITION,
    FOR,
    IF,
    NEW_LIST,
    WHILE,
    YIELD,
    Block,
    Builder,
    Function,
    Op,
    Parameter,
    Program,
    Region,
    Value,
    print_function,
    verify,
    walk,
)
from srcgrad.passes import optimize
from srcgrad.passes.types import infer_types
from srcgrad.primitives import PRIMITIVES
from srcgrad.primitives.iteration import RANGE


def _op(builder, name, *operands, namespace="operator", hint=None):
    attributes = {"namespace": namespace}
    return builder.create(PRIMITIVES[name], operands, attributes, hint=hint).result


def _block_with(arguments, build):
    block = Block(arguments)
    builder = Builder(block)
    builder.create(YIELD, list(build(builder)), result_count=0)
    return block


def _function(name, parameters, build):
    arguments = [Value(parameter) for parameter in parameters]
    entry = Block(arguments)
    builder = Builder(entry)
    builder.ret([build(builder, *arguments)])
    function = Function(name, [Parameter(p) for p in parameters], Region([entry]))
    infer_types(Program.of(function))  # as the pipeline does before reverse mode
    return verify(function)


def _for(builder, iterable, inits, body, hints):
    """``for`` over ``iterable`` with one target; ``body(b, target, *carried)``."""
    target = Value("i")
    carried = [Value(hint) for hint in hints]
    block = _block_with([target, *carried], lambda b: body(b, target, *carried))
    op = Op(
        FOR,
        [iterable, *inits],
        [Value(h) for h in hints],
        {"targets": 1},
        [Region([block])],
    )
    builder.block.append(op)
    return op.results


def pendulum(builder, theta, damping, steps):
    """Explicit Euler: theta' = omega, omega' = -g sin(theta) - c omega."""
    steps_range = builder.create(RANGE, [steps], {"namespace": "builtins"}).result

    def step(b, _, theta, omega):
        dt = b.const(0.01)
        acceleration = _op(
            b,
            "sub",
            _op(b, "mul", b.const(-9.81), _op(b, "sin", theta, namespace="math")),
            _op(b, "mul", damping, omega),
        )
        return (
            _op(b, "add", theta, _op(b, "mul", dt, omega), hint="theta"),
            _op(b, "add", omega, _op(b, "mul", dt, acceleration), hint="omega"),
        )

    omega = builder.const(0.0)
    return _for(builder, steps_range, [theta, omega], step, ["theta", "omega"])[0]


def branch_in_loop(builder, x, c, n):
    """for i in range(n): x = x*0.5 + sin(x*c) if x > 1 else x*c"""
    steps = builder.create(RANGE, [n], {"namespace": "builtins"}).result

    def step(b, i, x):
        condition = _op(b, "gt", x, b.const(1.0))
        then = _block_with(
            [],
            lambda t: [
                _op(
                    t,
                    "add",
                    _op(t, "mul", x, t.const(0.5)),
                    _op(t, "sin", _op(t, "mul", x, c, hint="t"), namespace="math"),
                )
            ],
        )
        otherwise = _block_with([], lambda o: [_op(o, "mul", x, c)])
        op = Op(
            IF, [condition], [Value("x")], {}, [Region([then]), Region([otherwise])]
        )
        b.block.append(op)
        return [op.result]

    return _for(builder, steps, [x], step, ["x"])[0]


def nested(builder, x, c, n):
    """for i in range(n): for j in range(i): x = sin(x) * c + j"""
    outer = builder.create(RANGE, [n], {"namespace": "builtins"}).result

    def outer_step(b, i, x):
        inner = b.create(RANGE, [i], {"namespace": "builtins"}).result

        def inner_step(b2, j, x):
            product = _op(b2, "mul", _op(b2, "sin", x, namespace="math"), c)
            return [_op(b2, "add", product, j, hint="x")]

        return _for(b, inner, [x], inner_step, ["x"])

    return _for(builder, outer, [x], outer_step, ["x"])[0]


def halving(builder, x, c, _):
    """while x > c: x = x * 0.5 + c * 0.1"""
    argument, body_argument = Value("x"), Value("x")
    condition = Block([argument])
    Builder(condition).create(
        CONDITION, [_op(Builder(condition), "gt", argument, c)], result_count=0
    )
    body = _block_with(
        [body_argument],
        lambda b: [
            _op(
                b,
                "add",
                _op(b, "mul", body_argument, b.const(0.5)),
                _op(b, "mul", c, b.const(0.1)),
                hint="x",
            )
        ],
    )
    op = Op(WHILE, [x], [Value("x")], {}, [Region([condition]), Region([body])])
    builder.block.append(op)
    return op.result


CASES = [
    (pendulum, ["theta", "c", "n"], (0.3, 0.1, 60), ["theta", "c"]),
    (branch_in_loop, ["x", "c", "n"], (1.7, 0.9, 6), ["x", "c"]),
    (branch_in_loop, ["x", "c", "n"], (0.4, 1.3, 5), ["x", "c"]),
    (nested, ["x", "c", "n"], (0.6, 0.7, 5), ["x", "c"]),
    (halving, ["x", "c", "unused"], (40.0, 1.5, 0), ["x", "c"]),
    (pendulum, ["theta", "c", "n"], (0.3, 0.1, 0), ["theta", "c"]),
]


@pytest.mark.parametrize("case", CASES, ids=lambda case: case[0].__name__)
def test_gradient_through_control_flow_matches_finite_differences(case):
    build, parameters, point, wrt = case
    primal = _function("f", parameters, build)
    gradient = verify(reverse(primal, wrt, as_tuple=True))
    optimize(gradient, after_each=verify)
    got = interpret(gradient, *point)
    for index, name in enumerate(wrt):
        position = parameters.index(name)
        step = 1e-6
        up, down = list(point), list(point)
        up[position] += step
        down[position] -= step
        expected = (interpret(primal, *up) - interpret(primal, *down)) / (2 * step)
        assert got[index] == pytest.approx(expected, rel=1e-6, abs=1e-8), name


def test_the_pendulum_tapes_exactly_the_state_it_reads_back():
    primal = _function("f", ["theta", "c", "n"], pendulum)
    gradient = optimize(reverse(primal, ["theta", "c"]))
    tapes = [
        op.result.name_hint for op in walk(gradient.entry) if op.definition is NEW_LIST
    ]
    pushed = [
        op.operands[1].name_hint
        for op in walk(gradient.entry)
        if op.definition is APPEND
    ]
    # theta for cos(theta), omega for d(c * omega)/dc: nothing else, no constant.
    assert tapes == ["theta_tape", "omega_tape"]
    assert pushed == ["theta", "omega"]


def test_a_branch_in_a_loop_records_the_branch_taken():
    primal = _function("f", ["x", "c", "n"], branch_in_loop)
    gradient = optimize(reverse(primal, ["x", "c"]))
    text = print_function(gradient)
    assert "%branch_tape = new_list" in text
    assert text.count("= if ") == 2  # forward and mirrored


def test_a_loop_whose_reverse_reads_nothing_counts_its_trips():
    def scale(builder, x, n):
        steps = builder.create(RANGE, [n], {"namespace": "builtins"}).result
        return _for(
            builder, steps, [x], lambda b, i, x: [_op(b, "mul", x, b.const(3.0))], ["x"]
        )[0]

    primal = _function("f", ["x", "n"], scale)
    gradient = verify(optimize(reverse(primal, ["x"])))
    assert not any(op.definition is NEW_LIST for op in walk(gradient.entry))
    assert interpret(gradient, 2.0, 4) == 3.0**4
    assert interpret(gradient, 2.0, 0) == 1.0
    assert math.isclose(interpret(gradient, 2.0, 1), 3.0)
