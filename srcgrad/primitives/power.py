"""``x ** y`` and the two primitives its rules need at the domain's edge.

The textbook partials of ``x ** y`` fail where the derivative exists:

* ``d/dx = y * x**(y - 1)`` raises ``ZeroDivisionError`` at ``x = 0`` when
  ``y == 0``, though ``x ** 0`` is the constant 1 (derivative 0);
* ``d/dy = x**y * log(x)`` raises ``math domain error`` at ``x = 0``, where
  ``0 ** y`` is the constant 0 for ``y > 0`` (derivative 0).

``power_rule(x, y)`` is ``y * x**(y - 1)``, taken as 0 where ``y == 0``;
``log_or_zero(x)`` is ``log(x)``, taken as 0 where ``x == 0`` (JAX's
convention: its ``pow`` rule multiplies by ``log`` of ``x`` with zeros
replaced by ones). Both are ordinary primitives with rules of their own, so
a gradient that contains them can be differentiated again. Where the
exponent (or the base) is a literal, the rule decides the convention while
it is built and writes the plain formula.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Sequence
from typing import Any

from srcgrad.ir import EmitContext, Value
from srcgrad.primitives.elementwise import LOG, jvp_from_partials, vjp_from_partials
from srcgrad.primitives.primitive import (
    CustomSpelling,
    Primitive,
    RuleBuilder,
    Spelling,
)

_ANY = (-2.0, 2.0)


def _numpy_where(
    context: EmitContext, condition: ast.expr, then: ast.expr, otherwise: ast.expr
) -> ast.expr:
    where = ast.Attribute(context.module("numpy"), "where", ast.Load())
    return ast.Call(where, [condition, then, otherwise], [])


def _equals_zero(value: ast.expr, operator: ast.cmpop) -> ast.expr:
    return ast.Compare(value, [operator], [ast.Constant(0)])


def _power_rule_formula(x: ast.expr, y: ast.expr, exponent: ast.expr) -> ast.expr:
    return ast.BinOp(y, ast.Mult(), ast.BinOp(x, ast.Pow(), exponent))


def _y_minus_one(y: ast.expr) -> ast.expr:
    return ast.BinOp(y, ast.Sub(), ast.Constant(1))


def _emit_power_rule(args: Sequence[ast.expr], context: EmitContext) -> ast.expr:
    # y * x ** (y - 1) if y != 0 else 0.0
    x, y = args
    formula = _power_rule_formula(x, y, _y_minus_one(y))
    return ast.IfExp(_equals_zero(y, ast.NotEq()), formula, ast.Constant(0.0))


def _emit_numpy_power_rule(args: Sequence[ast.expr], context: EmitContext) -> ast.expr:
    # y * x ** np.where(y == 0, 1, y - 1): elementwise, and never evaluates
    # the 0.0 ** -1 that the convention discards.
    x, y = args
    exponent = _numpy_where(
        context, _equals_zero(y, ast.Eq()), ast.Constant(1), _y_minus_one(y)
    )
    return _power_rule_formula(x, y, exponent)


def _power_rule(x: Any, y: Any) -> Any:
    return y * x ** (y - 1) if y != 0 else 0.0


def _numpy_power_rule(x: Any, y: Any) -> Any:
    import numpy

    return y * x ** numpy.where(y == 0, 1, y - 1)


def _emit_log_or_zero(args: Sequence[ast.expr], context: EmitContext) -> ast.expr:
    # math.log(x) if x != 0 else 0.0
    (x,) = args
    log = ast.Call(ast.Attribute(context.module("math"), "log", ast.Load()), [x], [])
    return ast.IfExp(_equals_zero(x, ast.NotEq()), log, ast.Constant(0.0))


def _emit_numpy_log_or_zero(args: Sequence[ast.expr], context: EmitContext) -> ast.expr:
    # np.log(np.where(x == 0, 1, x)): log(1) is the 0 the convention wants.
    (x,) = args
    replaced = _numpy_where(context, _equals_zero(x, ast.Eq()), ast.Constant(1), x)
    log = ast.Attribute(context.module("numpy"), "log", ast.Load())
    return ast.Call(log, [replaced], [])


def _log_or_zero(x: float) -> float:
    return math.log(x) if x != 0 else 0.0


def _numpy_log_or_zero(x: Any) -> Any:
    import numpy

    return numpy.log(numpy.where(x == 0, 1, x))


def _power_rule_partials(
    e: RuleBuilder, args: tuple[Value, ...], out: Value
) -> tuple[Value, Value]:
    # d/dx y x**(y-1) = y * (y-1) x**(y-2) = y * power_rule(x, y - 1);
    # d/dy y x**(y-1) = x**(y-1) + y x**(y-1) log(x).
    x, y = args
    y_minus_one = e.sub(y, e.const(1))
    return (
        e.mul(y, e.call(POWER_RULE, x, y_minus_one)),
        e.add(e.pow(x, y_minus_one), e.mul(out, e.call(LOG_OR_ZERO, x))),
    )


def _log_or_zero_partials(
    e: RuleBuilder, args: tuple[Value, ...], out: Value
) -> tuple[Value]:
    return (e.div(e.const(1), args[0]),)


POWER_RULE = Primitive(
    "power_rule",
    2,
    {
        "operator": CustomSpelling(_emit_power_rule, _power_rule),
        "numpy": CustomSpelling(_emit_numpy_power_rule, _numpy_power_rule),
    },
    vjp_from_partials,
    jvp_from_partials,
    ((0.5, 2.0), _ANY),
    partials=_power_rule_partials,
)
LOG_OR_ZERO = Primitive(
    "log_or_zero",
    1,
    {
        "math": CustomSpelling(_emit_log_or_zero, _log_or_zero),
        "numpy": CustomSpelling(_emit_numpy_log_or_zero, _numpy_log_or_zero),
    },
    vjp_from_partials,
    jvp_from_partials,
    ((0.1, 4.0),),
    partials=_log_or_zero_partials,
    needs_domain_check=frozenset({"math"}),  # as log: its slope 1/x takes x < 0
)


def _base_partial(e: RuleBuilder, x: Value, y: Value) -> Value:
    """``d(x ** y)/dx``: ``y * x**(y - 1)``, 0 where ``y == 0``."""
    exponent = e.constant_of(y)
    if exponent is None:
        return e.call(POWER_RULE, x, y)
    if exponent == 0:
        return e.const(0)
    # In the namespace called: np.power(-4.0, 0.5) is nan as f's value is,
    # math.pow raises as f does; only ``**`` makes it complex (checked).
    return e.mul(y, e.call(POW, x, e.sub(y, e.const(1))))


def _exponent_partial(e: RuleBuilder, x: Value, out: Value) -> Value:
    """``d(x ** y)/dy``: ``x**y * log(x)``, 0 where ``x == 0``."""
    base = e.constant_of(x)
    if not isinstance(base, (int, float)) or isinstance(base, bool) or base == 0:
        return e.mul(out, e.call(LOG_OR_ZERO, x))
    if base > 0:  # 2 ** y: log(2) as a reader writes it, not 0.6931471805599453
        number = int(base) if isinstance(base, int) else float(base)  # np.float64
        return e.mul(out, e.symbolic_constant(f"log({number!r})", math.log(number)))
    return e.mul(out, e.call(LOG, x))  # no real derivative: raises, or nan


def _pow_partials(
    e: RuleBuilder, args: tuple[Value, ...], out: Value
) -> tuple[Value, Value]:
    # An inactive operand's partial is never used, and DCE removes it.
    x, y = args
    return _base_partial(e, x, y), _exponent_partial(e, x, out)


POW = Primitive(
    "pow",
    2,
    {
        "operator": Spelling("**", also=("pow",)),
        "math": "pow",
        "numpy": Spelling("power", also=("pow",)),
    },
    vjp_from_partials,
    jvp_from_partials,
    ((0.5, 2.0), _ANY),
    sympy_form=lambda sp, x, y: x**y,
    partials=_pow_partials,
    # math.pow(-8.0, 1/3) raises; y * x**(y - 1) returns a complex number.
    needs_domain_check=frozenset({"math"}),
)

POWER = (POW, POWER_RULE, LOG_OR_ZERO)
