"""Arithmetic primitives: ``+ - * / //`` and unary minus (``**`` is in power.py).

Their rules are the textbook ones, written next to each other as JAX writes
them. ``g`` is the cotangent of the result, ``out`` the result itself (reused
where it saves work: the cotangent of a divisor is ``-(g / y) * out``).
"""

from __future__ import annotations

from srcgrad.ir import Value
from srcgrad.primitives.primitive import (
    Cotangents,
    Primitive,
    RuleBuilder,
    Spelling,
    Tangents,
)

_ANY = (-2.0, 2.0)
_AWAY_FROM_ZERO = (0.5, 3.0)


def _add_vjp(
    e: RuleBuilder, g: Value, args: tuple[Value, ...], out: Value
) -> Cotangents:
    return g, g


def _add_jvp(
    e: RuleBuilder, t: Tangents, args: tuple[Value, ...], out: Value
) -> Value | None:
    return e.add_tangents(t[0], t[1])


def _sub_vjp(
    e: RuleBuilder, g: Value, args: tuple[Value, ...], out: Value
) -> Cotangents:
    return g, e.neg(g)


def _sub_jvp(
    e: RuleBuilder, t: Tangents, args: tuple[Value, ...], out: Value
) -> Value | None:
    return e.add_tangents(t[0], None if t[1] is None else e.neg(t[1]))


def _mul_vjp(
    e: RuleBuilder, g: Value, args: tuple[Value, ...], out: Value
) -> Cotangents:
    x, y = args
    if x is y:
        # d(x*x)/dx = 2*x: one cotangent, not two equal ones summed.
        return e.mul(e.mul(e.const(2.0), g), x), None
    return e.mul(g, y), e.mul(g, x)


def _mul_jvp(
    e: RuleBuilder, t: Tangents, args: tuple[Value, ...], out: Value
) -> Value | None:
    x, y = args
    return e.add_tangents(e.scale(t[0], y), e.scale(t[1], x))


def _div_vjp(
    e: RuleBuilder, g: Value, args: tuple[Value, ...], out: Value
) -> Cotangents:
    # d(x/y)/dy = -x/y**2 = -(x/y)/y: reuse the quotient instead of squaring y.
    if e.constant_of(args[0]) == 1:
        # d(1/y)/dy = -out*out: two products where a division is dearer
        # (1/(1 + np.exp(-z))); x is a constant, with no cotangent.
        return None, e.neg(e.mul(e.mul(g, out), out))
    g_over_y = e.div(g, args[1])
    return g_over_y, e.neg(e.mul(g_over_y, out))


def _div_jvp(
    e: RuleBuilder, t: Tangents, args: tuple[Value, ...], out: Value
) -> Value | None:
    numerator = e.add_tangents(t[0], None if t[1] is None else e.neg(e.mul(out, t[1])))
    return None if numerator is None else e.div(numerator, args[1])


def _neg_vjp(
    e: RuleBuilder, g: Value, args: tuple[Value, ...], out: Value
) -> Cotangents:
    return (e.neg(g),)


def _neg_jvp(
    e: RuleBuilder, t: Tangents, args: tuple[Value, ...], out: Value
) -> Value | None:
    return None if t[0] is None else e.neg(t[0])


def _mod_vjp(
    e: RuleBuilder, g: Value, args: tuple[Value, ...], out: Value
) -> Cotangents:
    # x % y = x - y * (x // y), and x // y is piecewise constant.
    x, y = args
    return g, e.neg(e.mul(g, e.call(FLOORDIV, x, y)))


def _mod_jvp(
    e: RuleBuilder, t: Tangents, args: tuple[Value, ...], out: Value
) -> Value | None:
    x, y = args
    quotient = None if t[1] is None else e.call(FLOORDIV, x, y)
    return e.add_tangents(
        t[0], e.scale(t[1], None if quotient is None else e.neg(quotient))
    )


ADD = Primitive(
    "add",
    2,
    {"operator": "+", "numpy": "add"},
    _add_vjp,
    _add_jvp,
    (_ANY, _ANY),
    sympy_form=lambda sp, x, y: x + y,
    commutative=True,
    result_kind=None,
)
SUB = Primitive(
    "sub",
    2,
    {"operator": "-", "numpy": "subtract"},
    _sub_vjp,
    _sub_jvp,
    (_ANY, _ANY),
    sympy_form=lambda sp, x, y: x - y,
    result_kind=None,
)
MUL = Primitive(
    "mul",
    2,
    {"operator": "*", "numpy": "multiply"},
    _mul_vjp,
    _mul_jvp,
    (_ANY, _ANY),
    sympy_form=lambda sp, x, y: x * y,
    commutative=True,
    result_kind=None,
)
DIV = Primitive(
    "div",
    2,
    {"operator": "/", "numpy": Spelling("divide", also=("true_divide",))},
    _div_vjp,
    _div_jvp,
    (_ANY, _AWAY_FROM_ZERO),
    sympy_form=lambda sp, x, y: x / y,
)
NEG = Primitive(
    "neg",
    1,
    {"operator": "-", "numpy": "negative"},
    _neg_vjp,
    _neg_jvp,
    (_ANY,),
    sympy_form=lambda sp, x: -x,
    result_kind=None,
)
# Piecewise constant: its derivative is zero wherever it exists.
FLOORDIV = Primitive(
    "floordiv",
    2,
    {"operator": "//", "numpy": "floor_divide"},
    None,
    None,
    ((-3.0, 3.0), _AWAY_FROM_ZERO),
    zero_derivative=True,
    result_kind=None,
)

# x % y: a sawtooth in x (slope 1), steps of -(x // y) in y, between jumps.
MOD = Primitive(
    "mod",
    2,
    {"operator": "%", "numpy": Spelling("mod", also=("remainder",))},
    _mod_vjp,
    _mod_jvp,
    ((2.3, 2.7), (1.0, 1.1)),
    # x % 0 raises; its derivative with respect to x alone (g) would not.
    needs_domain_check=frozenset({"operator"}),
    result_kind=None,
)

ARITHMETIC = (ADD, SUB, MUL, DIV, NEG, FLOORDIV, MOD)
