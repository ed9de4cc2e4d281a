"""Spread: ``np.var`` and ``np.std`` (``x.var()``, ``x.std()``) over all
axes or some (``axis``, ``keepdims``), with ``ddof``.

With ``c = x - mean(x)`` over the reduced axes and ``d = n - ddof`` (``n``
items per result):

* ``var = sum(c**2) / d``, so ``d var / d x[i] = 2 c[i] / d`` (the mean's
  own derivative drops out: the ``c`` sum to 0);
* ``std = sqrt(var)``, so ``d std / d x[i] = c[i] / (d * std)``. Where
  ``std`` is 0 (every item equals the mean, as the one item of an axis of
  size 1 does) every ``c[i]`` is 0 and that is 0 / 0; srcgrad takes 0
  there, as ``np.sign`` takes ``d abs(x) = 0`` at 0: ``std`` is then
  either constant (one item) or at a kink, whose smallest subgradient is
  0. (JAX gives NaN.)

Of a number (nothing to spread), each is the constant 0, derivative 0.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from srcgrad.ir import Value
from srcgrad.ir.types import Type, TypeRuleError, kind_of
from srcgrad.primitives.primitive import (
    Cotangents,
    JvpRule,
    Primitive,
    RuleBuilder,
    Tangents,
    VjpRule,
)
from srcgrad.primitives.reductions import (
    REDUCE_MEAN,
    REDUCE_SUM,
    count,
    expand_reduced,
    is_number,
    kept_options,
    per_item,
    reduce_options,
    reduced,
)
from srcgrad.primitives.selection import zero_as_one
from srcgrad.primitives.shapes import ANY


def _spread_type(
    types: Sequence[Type | None], attributes: Mapping[str, object]
) -> Type | None:
    ddof = attributes.get("ddof", 0)
    if isinstance(ddof, bool) or not isinstance(ddof, (int, float)):
        raise TypeRuleError(f"ddof must be a number, not {ddof!r}")
    operand = types[0]
    if operand is None:
        return None
    if kind_of(operand) is None:
        raise TypeRuleError("the spread of something that is not a number")
    return reduced(operand, attributes, "real")


def _ddof(e: RuleBuilder) -> int:
    ddof = e.attributes.get("ddof")
    return ddof if isinstance(ddof, int) else 0


def _centered(e: RuleBuilder, x: Value) -> tuple[Value, Value]:
    """``x`` minus its mean over the op's axes, and the degrees of freedom
    ``n - ddof`` each result divides by."""
    mean = e.call(REDUCE_MEAN, x, **kept_options(e))
    freedom = count(e, x)
    ddof = e.attributes.get("ddof")
    if ddof:
        freedom = e.sub(freedom, e.const(ddof))  # type: ignore[arg-type]
    return e.sub(x, mean), freedom


def _var_vjp(
    e: RuleBuilder, g: Value, args: tuple[Value, ...], out: Value
) -> Cotangents:
    x = args[0]
    if is_number(x):
        return (None,)
    centered, freedom = _centered(e, x)
    doubled = e.mul(e.const(2), expand_reduced(e, g, x))
    scale = per_item(e, doubled, freedom, x, _ddof(e))
    return (e.mul(scale, centered),)


def _var_jvp(
    e: RuleBuilder, t: Tangents, args: tuple[Value, ...], out: Value
) -> Value | None:
    x = args[0]
    if t[0] is None or is_number(x):
        return None
    centered, freedom = _centered(e, x)
    moved = e.call(REDUCE_SUM, e.mul(centered, t[0]), **reduce_options(e))
    return e.div(e.mul(e.const(2), moved), freedom)


def _std_vjp(
    e: RuleBuilder, g: Value, args: tuple[Value, ...], out: Value
) -> Cotangents:
    x = args[0]
    if is_number(x):
        return (None,)
    centered, freedom = _centered(e, x)
    spread = e.mul(freedom, expand_reduced(e, zero_as_one(e, out), x))
    return (e.mul(e.div(expand_reduced(e, g, x), spread), centered),)


def _std_jvp(
    e: RuleBuilder, t: Tangents, args: tuple[Value, ...], out: Value
) -> Value | None:
    x = args[0]
    if t[0] is None or is_number(x):
        return None
    centered, freedom = _centered(e, x)
    moved = e.call(REDUCE_SUM, e.mul(centered, t[0]), **reduce_options(e))
    return e.div(moved, e.mul(freedom, zero_as_one(e, out)))


def _spread(name: str, vjp: VjpRule, jvp: JvpRule) -> Primitive:
    """``np.<name>(x, axis, ddof=..., keepdims=...)`` and ``x.<name>(...)``."""
    return Primitive(
        f"reduce_{name}",
        1,
        {"numpy": name, "method": name},
        vjp,
        jvp,
        (ANY,),
        result_type=_spread_type,
        options=("axis", "ddof", "keepdims"),
        positional=("axis", "dtype", "out", "ddof", "keepdims"),
    )


#: ``np.var(x, axis, ddof=..., keepdims=...)``, ``x.var(...)``.
REDUCE_VAR = _spread("var", _var_vjp, _var_jvp)
#: ``np.std(x, axis, ddof=..., keepdims=...)``, ``x.std(...)``.
REDUCE_STD = _spread("std", _std_vjp, _std_jvp)

STATISTICS = (REDUCE_VAR, REDUCE_STD)
