"""The accuracy check of rational rewrites (``srcgrad.passes.rational_accuracy``)
decides as a plain evaluation does.

It runs every op at every sampled point at once, exactly as pairs of
integers never reduced; this test keeps the simplest way to say the same
thing (each value evaluated from its definition at each point, exactly in
``fractions.Fraction``) and asks both about random pairs of expressions:
they must agree on every one, whether it is kept or not, and on why not
(a division by zero, an overflow, a form that loses digits).
"""

from __future__ import annotations

import math
import random
from fractions import Fraction

import pytest

from srcgrad.ir import CONST, Block, Builder, Value
from srcgrad.passes.algebra import constant_of
from srcgrad.passes.rational_accuracy import _SLACK, AccuracyCheck, _points
from srcgrad.primitives import PRIMITIVES


def _reference(original: Value, rewritten: Value, atoms: list[Value]) -> bool:
    """The check as first written: a recursive walk per point and value."""
    for values in _points(len(atoms)):
        point = dict(zip(atoms, values, strict=True))
        errors = [_error(value, point) for value in (original, rewritten)]
        if errors[0] is None:
            continue
        if errors[1] is None or errors[1] > _SLACK * max(errors[0], 2.0**-52):
            return False
    return True


def _error(value: Value, point: dict) -> float | None:
    try:
        exact = _evaluate(value, point, Fraction, {})
        approximate = _evaluate(value, point, float, {})
    except (ZeroDivisionError, OverflowError):
        return None
    if not exact:
        return None
    return float(abs(Fraction(approximate) - exact) / abs(exact))


def _evaluate(value: Value, point: dict, number, memo: dict) -> object:
    if value in memo:
        return memo[value]
    if value in point:
        result = number(point[value])
    else:
        op = value.defining_op
        if op.definition is CONST:
            result = number(constant_of(value))
        else:
            a, *rest = [_evaluate(v, point, number, memo) for v in op.operands]
            name = op.definition.name
            if name == "neg":
                result = -a
            elif name == "pow":
                result = a ** int(constant_of(op.operands[1]))
            else:
                b = rest[0]
                result = {"add": a + b, "sub": a - b, "mul": a * b}.get(name)
                if name == "div":
                    result = a / b
    if isinstance(result, float) and not math.isfinite(result):
        raise OverflowError
    memo[value] = result
    return result


def _random_value(draw: random.Random, builder: Builder, pool: list[Value]) -> Value:
    """Random arithmetic over ``pool`` (which grows), as the rules write it."""
    for _ in range(draw.randint(1, 9)):
        name = draw.choice(["add", "sub", "mul", "div", "div", "neg", "pow", "const"])
        if name == "const":
            number = draw.choice([1.0, 2.0, 0.5, -1.0, 3, 1e-300, 1e300, 0.1])
            pool.append(builder.const(number))
            continue
        operands = [draw.choice(pool[-6:] if draw.random() < 0.7 else pool)]
        if name == "pow":
            operands.append(builder.const(draw.choice([2, 3, 2.0, 8])))
        elif name != "neg":
            operands.append(draw.choice(pool))
        op = builder.create(PRIMITIVES[name], operands, {"namespace": "operator"})
        pool.append(op.result)
    return pool[-1]


@pytest.mark.parametrize("seed", range(300))
def test_the_check_decides_as_a_plain_evaluation_does(seed):
    draw = random.Random(seed)
    atoms = [Value(f"a{i}") for i in range(draw.randint(1, 4))]
    builder = Builder(Block(atoms))
    pool = list(atoms)
    original = _random_value(draw, builder, pool)
    check = AccuracyCheck(original, atoms)
    for _ in range(3):  # one check, several rewrites: the original's work is kept
        rewritten = _random_value(draw, builder, list(atoms) + [original])
        assert check.keeps_accuracy(rewritten) == _reference(original, rewritten, atoms)


def test_a_form_that_loses_digits_is_refused_and_an_exact_one_kept():
    # y * p * t with p = 1/(1 + t): y * (1 - p) loses a small t's digits
    t, y = Value("t"), Value("y")
    builder = Builder(Block([t, y]))

    def op(name, *operands):
        return builder.create(PRIMITIVES[name], operands, {}).result

    p = op("div", builder.const(1.0), op("add", builder.const(1.0), t))
    original = op("mul", op("mul", y, p), t)
    check = AccuracyCheck(original, [t, y])
    assert not check.keeps_accuracy(op("mul", y, op("sub", builder.const(1.0), p)))
    assert check.keeps_accuracy(op("mul", op("mul", y, t), p))
