"""Selections: ``np.where(c, a, b)``, ``np.maximum``, ``np.minimum`` and
``np.clip(x, lo, hi)`` (``x.clip(lo, hi)``), elementwise over operands
that broadcast together.

Each result item is one of its operands' items, so its partial derivative
in each operand is 1 where that operand was chosen and 0 elsewhere. At a
tie, where both choices give the same value and the function has a kink,
srcgrad decides (``docs/reference.md``, "Ties and kinks"):

    op               at                       partials
    ---------------  -----------------------  --------------------------------
    where(c, a, b)   (no ties: c decides)     a: 1 where c; b: 1 where not c;
                                              c: none (it is a boolean)
    maximum(a, b)    a == b                   1/2 each (JAX's convention)
    minimum(a, b)    a == b                   1/2 each (JAX's convention)
    clip(x, lo, hi)  x == lo, x == hi         x: 1 on lo <= x <= hi, the bound
                                              0 (PyTorch's; JAX composes
                                              maximum and minimum: 1/2 each)

Away from ties these are the derivatives. At a tie each is a one-sided
derivative or the mean of two, and the partials still add up to 1, the
derivative along ``a = b``.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping, Sequence

from srcgrad.ir import EmitContext, Value
from srcgrad.ir.types import (
    Kind,
    Other,
    Type,
    TypeRuleError,
    broadcast,
    kind_of,
    wider,
)
from srcgrad.primitives.derive import jvp_from_partials, vjp_from_partials
from srcgrad.primitives.logic import AND, EQ, GE, GT, LE, LT, OR
from srcgrad.primitives.primitive import (
    Cotangents,
    Primitive,
    RuleBuilder,
    Tangents,
)

_ANY = (-2.0, 2.0)


def _compare(e: RuleBuilder, primitive: Primitive, x: Value, y: Value) -> Value:
    """``x < y`` and the like, written as operators whatever the namespace."""
    return e.apply(primitive, x, y, namespace="operator")


def _chosen_type(
    types: Sequence[Type | None], attributes: Mapping[str, object]
) -> Type | None:
    """The type of an op whose items are items of its operands."""
    return _selected(types, types)


def _where_type(
    types: Sequence[Type | None], attributes: Mapping[str, object]
) -> Type | None:
    """The type of ``np.where(c, a, b)``: ``c`` only broadcasts with them."""
    return _selected(types[1:], types)


def _selected(
    chosen: Sequence[Type | None], types: Sequence[Type | None]
) -> Type | None:
    """Items of ``chosen``, of their widest kind, in the shape all ``types``
    broadcast to."""
    kinds: list[Kind | None] = []
    for type_ in chosen:
        if isinstance(type_, Other):
            raise TypeRuleError("a selection among values that are not numbers")
        kinds.append(kind_of(type_))
    if any(kind is None for kind in kinds):
        return None
    kind: Kind = "bool"
    for each in kinds:
        kind = wider(kind, each)  # type: ignore[arg-type]
    return broadcast(kind, types)


def zero_as_one(e: RuleBuilder, value: Value) -> Value:
    """``value`` with its zeros made ones: the divisor of a ratio whose
    numerator is 0 wherever ``value`` is (``x / norm(x)``), which is then
    0, not 0 / 0."""
    zero = _compare(e, EQ, value, e.const(0))
    return e.call(WHERE, zero, e.const(1.0), value)


# -- where ----------------------------------------------------------------
def _where_vjp(
    e: RuleBuilder, g: Value, args: tuple[Value, ...], out: Value
) -> Cotangents:
    condition = args[0]
    zero = e.const(0.0)
    return None, e.call(WHERE, condition, g, zero), e.call(WHERE, condition, zero, g)


def _where_jvp(
    e: RuleBuilder, t: Tangents, args: tuple[Value, ...], out: Value
) -> Value | None:
    if t[1] is None and t[2] is None:
        return None
    chosen = [e.const(0.0) if tangent is None else tangent for tangent in t[1:]]
    return e.call(WHERE, args[0], *chosen)


#: ``np.where(c, a, b)``: ``a`` where ``c`` holds, ``b`` elsewhere.
WHERE = Primitive(
    "where",
    3,
    {"numpy": "where"},
    _where_vjp,
    _where_jvp,
    (_ANY, _ANY, _ANY),
    result_type=_where_type,
    elementwise=True,
)


# -- maximum, minimum -----------------------------------------------------
def _shares(
    e: RuleBuilder, args: tuple[Value, ...], wins: Primitive
) -> tuple[Value, Value]:
    # The share of each operand: 1 where it wins (a > b for maximum), 0
    # where it loses, 1/2 at a tie. np.where(a == b, 0.5, a > b).
    a, b = args
    tie = _compare(e, EQ, a, b)
    half = e.const(0.5)
    return (
        e.call(WHERE, tie, half, _compare(e, wins, a, b)),
        e.call(WHERE, tie, half, _compare(e, wins, b, a)),
    )


def _extreme(name: str, wins: Primitive) -> Primitive:
    return Primitive(
        name,
        2,
        {"numpy": name},
        vjp_from_partials,
        jvp_from_partials,
        (_ANY, _ANY),
        partials=lambda e, args, out: _shares(e, args, wins),
        result_type=_chosen_type,
        elementwise=True,
    )


#: ``np.maximum(a, b)``: the larger item of each pair.
MAXIMUM = _extreme("maximum", GT)
#: ``np.minimum(a, b)``: the smaller item of each pair.
MINIMUM = _extreme("minimum", LT)


# -- clip -------------------------------------------------------------------
def clip_bounds(
    attributes: Mapping[str, object], args: Sequence[Value]
) -> tuple[Value | None, Value | None]:
    """A clip's ``lo`` and ``hi`` operands, None for a bound written None."""
    bounds: dict[str, Value] = {}
    operands = iter(args[1:])
    for _, role in attributes.get("written", ()):  # type: ignore[attr-defined]
        if role != "none":
            bounds[role] = next(operands)
    return bounds.get("lo"), bounds.get("hi")


def _clip_choices(e: RuleBuilder, args: tuple[Value, ...]) -> list[Value | None]:
    """Where each operand of a clip is its result, as a boolean of each
    item; None where it always is (``x``, with no bounds)."""
    # out = minimum(maximum(x, lo), hi), with each tie going to x: x is
    # chosen on lo <= x <= hi, lo where x is below it, hi where x (or lo, if
    # x is below it) is above hi. lo > hi makes every item hi, as in NumPy.
    x = args[0]
    low, high = clip_bounds(e.attributes, args)
    if low is None and high is None:
        return [None]
    if low is None:
        assert high is not None
        return [_compare(e, LE, x, high), _compare(e, GT, x, high)]
    if high is None:
        return [_compare(e, GE, x, low), _compare(e, LT, x, low)]
    return [
        e.call(AND, _compare(e, LE, low, x), _compare(e, LE, x, high)),
        e.call(AND, _compare(e, LT, x, low), _compare(e, LE, low, high)),
        e.call(OR, _compare(e, GT, x, high), _compare(e, GT, low, high)),
    ]


def _chosen(e: RuleBuilder, chosen: Value | None, value: Value) -> Value:
    """``value`` where ``chosen``, else 0: ``np.where(chosen, value, 0.0)``.
    (Not ``value * chosen``: where ``value`` is the seed 1.0 that would be
    a boolean, and booleans add as ``or``.)"""
    return value if chosen is None else e.call(WHERE, chosen, value, e.const(0.0))


def _clip_vjp(
    e: RuleBuilder, g: Value, args: tuple[Value, ...], out: Value
) -> Cotangents:
    return tuple(_chosen(e, chosen, g) for chosen in _clip_choices(e, args))


def _clip_jvp(
    e: RuleBuilder, t: Tangents, args: tuple[Value, ...], out: Value
) -> Value | None:
    total = None
    for tangent, chosen in zip(t, _clip_choices(e, args), strict=True):
        if tangent is not None:
            total = e.add_tangents(total, _chosen(e, chosen, tangent))
    return total


def _clip_type(
    types: Sequence[Type | None], attributes: Mapping[str, object]
) -> Type | None:
    if any(isinstance(type_, Other) for type_ in types[1:]):
        raise TypeRuleError(
            "the bounds of a clip are numbers or arrays; for no bound, write "
            "None itself (np.clip(x, None, hi))"
        )
    return _chosen_type(types, attributes)


def _write_clip(
    args: Sequence[ast.expr], attributes: Mapping[str, object], context: EmitContext
) -> ast.expr:
    """``np.clip(x, lo, hi)`` or ``x.clip(lo, hi)``, arguments as written:
    each bound by position or keyword, a None as None."""
    values = iter(args)
    receiver = next(values)
    positional: list[ast.expr] = []
    keywords: list[ast.keyword] = []
    for keyword, role in attributes.get("written", ()):  # type: ignore[attr-defined]
        value = ast.Constant(None) if role == "none" else next(values)
        if keyword is None:
            positional.append(value)
        else:
            keywords.append(ast.keyword(keyword, value))
    if attributes["namespace"] == "method":
        function: ast.expr = ast.Attribute(receiver, "clip", ast.Load())
    else:
        function = ast.Attribute(context.module("numpy"), "clip", ast.Load())
        positional.insert(0, receiver)
    return ast.Call(function, positional, keywords)


#: ``np.clip(x, lo, hi)``, ``x.clip(lo, hi)``: operands ``x`` and the
#: bounds not written None. Attribute ``written``: each argument after
#: ``x`` as ``(keyword or None, "lo" | "hi" | "none")``.
CLIP = Primitive(
    "clip",
    None,
    {"numpy": "clip", "method": "clip"},
    _clip_vjp,
    _clip_jvp,
    (_ANY, _ANY, _ANY),
    result_type=_clip_type,
    writer=_write_clip,
    elementwise=True,
)

SELECTION = (WHERE, MAXIMUM, MINIMUM, CLIP)
