"""Elementwise math functions from ``math`` and NumPy.

Each entry gives the primitive's SymPy form and its spellings. Most rules
come from the partial derivatives SymPy derives from that form
(``srcgrad.primitives.derive``). A few partials are written here instead,
because the textbook formula loses the precision the function exists to
keep; each says why. ``tests/test_accuracy.py`` holds every rule to a
high-precision reference across its domain, tails included.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Callable, Sequence
from typing import Any

from srcgrad.ir import EmitContext, Value
from srcgrad.ir.types import Kind
from srcgrad.primitives.derive import jvp_from_partials, vjp_from_partials
from srcgrad.primitives.logic import GE
from srcgrad.primitives.primitive import (
    CustomSpelling,
    PartialsRule,
    Primitive,
    RuleBuilder,
    Spelling,
)
from srcgrad.primitives.selection import WHERE

_REAL = (-2.0, 2.0)
_POSITIVE = (0.1, 4.0)
_UNIT = (-0.9, 0.9)
#: Where the function alone rejects operands outside its domain: math raises,
#: NumPy warns and returns nan, while the derivative (1/x) is a number.
_CHECKED = frozenset({"math", "numpy"})
#: Where each NumPy function that warns outside its domain gives no warning:
#: an open interval of its operand (``log(0)`` divides by zero, ``log(-1)``
#: is invalid; ``sqrt(0)`` is quiet, but an open interval only costs the
#: function's call there). A gradient keeps the function where ``f``
#: computes it and no derivative term does (``_CHECKED``, or inactive), and
#: computes it only where an item is not inside (``runtime.outside_domain``).
QUIET_INSIDE: dict[str, tuple[float, float]] = {
    "log": (0.0, math.inf),
    "log2": (0.0, math.inf),
    "log10": (0.0, math.inf),
    "log1p": (-1.0, math.inf),
    "acosh": (1.0, math.inf),
    "atanh": (-1.0, 1.0),
    "sqrt": (0.0, math.inf),
    "asin": (-1.0, 1.0),
    "acos": (-1.0, 1.0),
}
#: The derivative of NumPy's arcsin and arccos warns outside their domain
#: too, but in sqrt: f warns (or raises) in arcsin first.
_NUMPY_CHECKED = frozenset({"numpy"})


def _elementwise(
    name: str,
    form: Callable[..., Any],
    domain: tuple[float, float] | tuple[tuple[float, float], ...],
    *,
    math_name: str | None = None,
    numpy_name: str | Spelling | None = None,
    arity: int | None = 1,
    partials: PartialsRule | None = None,
    reuse_output: bool = True,
    needs_domain_check: frozenset[str] = frozenset(),
    result_kind: Kind | None = "real",
) -> Primitive:
    """A primitive whose rules come from its partial derivatives."""
    spellings: dict[str, str | Spelling] = {}
    if math_name is not None and hasattr(math, math_name):  # cbrt, exp2: 3.11+
        spellings["math"] = math_name
    if numpy_name is not None:
        spellings["numpy"] = numpy_name
    domains = domain if isinstance(domain[0], tuple) else (domain,)
    return Primitive(
        name,
        arity,
        spellings,
        vjp_from_partials,
        jvp_from_partials,
        domains,
        sympy_form=form,
        partials=partials,
        reuse_output=reuse_output,
        needs_domain_check=needs_domain_check,
        result_kind=result_kind,
    )


def _same(
    name: str, form: Callable[..., Any], domain: tuple[float, float], **options: Any
) -> Primitive:
    """A unary function spelled the same in ``math`` and NumPy."""
    return _elementwise(name, form, domain, math_name=name, numpy_name=name, **options)


def _inverse(
    name: str, form: Callable[..., Any], domain: Any, **options: Any
) -> Primitive:
    """An inverse function: ``math.asin`` is NumPy's ``arcsin`` (2.0: also ``asin``)."""
    numpy_name = Spelling("arc" + name[1:], also=(name,))
    return _elementwise(
        name, form, domain, math_name=name, numpy_name=numpy_name, **options
    )


def _one_minus_square(e: RuleBuilder, x: Value) -> Value:
    # (1 - x) * (1 + x), not 1 - x**2: near |x| = 1, 1 - x is exact and
    # 1 + x rounds once, where 1 - x**2 cancels the rounding error of x**2.
    one = e.const(1)
    return e.mul(e.sub(one, x), e.add(one, x))


def _asin_partials(e: RuleBuilder, args: tuple[Value, ...], out: Value) -> tuple[Value]:
    return (e.div(e.const(1), e.call(SQRT, _one_minus_square(e, args[0]))),)


def _acos_partials(e: RuleBuilder, args: tuple[Value, ...], out: Value) -> tuple[Value]:
    return (e.neg(_asin_partials(e, args, out)[0]),)


def _atanh_partials(
    e: RuleBuilder, args: tuple[Value, ...], out: Value
) -> tuple[Value]:
    return (e.div(e.const(1), _one_minus_square(e, args[0])),)


def _asinh_partials(
    e: RuleBuilder, args: tuple[Value, ...], out: Value
) -> tuple[Value]:
    # 1/hypot(1, x), not 1/sqrt(1 + x**2): x**2 overflows for |x| > 1e154,
    # where the derivative 1/|x| is still a normal number.
    return (e.div(e.const(1), e.call(HYPOT, e.const(1), args[0])),)


def _tanh_partials(e: RuleBuilder, args: tuple[Value, ...], out: Value) -> tuple[Value]:
    # sech(x)**2 = 4t / (1 + t)**2 with t = exp(-2|x|). The textbook
    # 1 - tanh(x)**2 cancels to 0.0 for |x| > 19 (the true value is ~1e-17)
    # and loses digits from |x| ~ 1; 1/cosh(x)**2 overflows in math.cosh.
    t = e.call(EXP, e.mul(e.const(-2), e.call(ABS, args[0])))
    square = e.pow(e.add(e.const(1), t), e.const(2))  # between 1 and 4
    return (e.div(e.mul(e.const(4), t), square),)


def _atan2_partials(
    e: RuleBuilder, args: tuple[Value, ...], out: Value
) -> tuple[Value, Value]:
    # d atan2(y, x) = (x dy - y dx) / (x**2 + y**2), with the denominator
    # as hypot(y, x)**2 divided out one factor at a time: x**2 + y**2
    # overflows above 1e154 and underflows to a division by zero below 1e-162.
    y, x = args
    radius = e.call(HYPOT, y, x)
    return e.div(e.div(x, radius), radius), e.neg(e.div(e.div(y, radius), radius))


def _logaddexp_partials(
    e: RuleBuilder, args: tuple[Value, ...], out: Value
) -> tuple[Value, Value]:
    # d/da log(exp(a) + exp(b)) = exp(a) / (exp(a) + exp(b)), a logistic
    # sigmoid of a - b. With t = exp(-|a - b|), never above 1, that is
    # 1 / (1 + t) where a >= b and t / (1 + t) where a < b: no overflow,
    # where exp(a) does past 709 and 1 / (1 + exp(b - a)) past b - a = 709,
    # and exact where exp(a - out) is not (a - out is a difference of two
    # large roundings when a and b are large).
    # -|a - b| is written as the selection a_wins makes (not with abs), so
    # that its own derivative at a tie is the side a_wins takes, and the
    # second derivative there is the smooth function's, not abs's 0.
    a, b = args
    a_wins = e.apply(GE, a, b, namespace="operator")
    difference = e.sub(a, b)
    t = e.call(EXP, e.call(WHERE, a_wins, e.neg(difference), difference))
    one, denominator = e.const(1.0), e.add(e.const(1), t)
    return (
        e.div(e.call(WHERE, a_wins, one, t), denominator),
        e.div(e.call(WHERE, a_wins, t, one), denominator),
    )


def _emit_math_sign(args: Sequence[ast.expr], context: EmitContext) -> ast.expr:
    # math has no sign(); copysign(1.0, x) is its nearest fast spelling.
    copysign = ast.Attribute(context.module("math"), "copysign", ast.Load())
    return ast.Call(copysign, [ast.Constant(1.0), *args], [])


EXP = _same("exp", lambda sp, x: sp.exp(x), _REAL)
SQRT = _same("sqrt", lambda sp, x: sp.sqrt(x), _POSITIVE)
HYPOT = _elementwise(
    "hypot",
    lambda sp, *xs: sp.sqrt(sum(x**2 for x in xs)),
    (_REAL, _REAL),
    math_name="hypot",
    numpy_name="hypot",
    arity=None,
)
ABS = Primitive(
    "abs",
    1,
    {
        "builtins": "abs",
        "math": "fabs",
        "numpy": Spelling("abs", also=("absolute", "fabs")),
    },
    vjp_from_partials,
    jvp_from_partials,
    (_REAL,),
    sympy_form=lambda sp, x: sp.Abs(x),
)
LOG = _same("log", lambda sp, x: sp.log(x), _POSITIVE, needs_domain_check=_CHECKED)
#: Piecewise constant; it appears in derivatives (d|x| = sign(x)).
SIGN = Primitive(
    "sign",
    1,
    {
        "numpy": "sign",
        "math": CustomSpelling(_emit_math_sign, lambda x: math.copysign(1.0, x)),
    },
    None,
    None,
    (_REAL,),
    sympy_form=lambda sp, x: sp.sign(x),
    zero_derivative=True,
)
#: ``np.logaddexp(a, b)``: ``log(exp(a) + exp(b))`` without overflow.
LOGADDEXP = _elementwise(
    "logaddexp",
    lambda sp, a, b: sp.log(sp.exp(a) + sp.exp(b)),
    (_REAL, _REAL),
    numpy_name="logaddexp",
    arity=2,
    partials=_logaddexp_partials,
)
#: ``np.reciprocal(x)``, ``1/x``: not lowered to ``1.0 / x``, because of
#: integers NumPy divides integers (``np.reciprocal(2)`` is 0), and its
#: kind is its operand's.
RECIPROCAL = _elementwise(
    "reciprocal",
    lambda sp, x: 1 / x,
    (0.5, 3.0),
    numpy_name="reciprocal",
    result_kind=None,
)

ELEMENTWISE = (
    _same("sin", lambda sp, x: sp.sin(x), _REAL),
    _same("cos", lambda sp, x: sp.cos(x), _REAL),
    _same("tan", lambda sp, x: sp.tan(x), (-1.2, 1.2)),
    _inverse(
        "asin",
        lambda sp, x: sp.asin(x),
        _UNIT,
        partials=_asin_partials,
        needs_domain_check=_NUMPY_CHECKED,
    ),
    _inverse(
        "acos",
        lambda sp, x: sp.acos(x),
        _UNIT,
        partials=_acos_partials,
        needs_domain_check=_NUMPY_CHECKED,
    ),
    _inverse("atan", lambda sp, x: sp.atan(x), _REAL),
    _inverse(
        "atan2",
        lambda sp, y, x: sp.atan2(y, x),
        (_REAL, _POSITIVE),
        arity=2,
        partials=_atan2_partials,
    ),
    _same("sinh", lambda sp, x: sp.sinh(x), _REAL),
    _same("cosh", lambda sp, x: sp.cosh(x), _REAL),
    _same("tanh", lambda sp, x: sp.tanh(x), _REAL, partials=_tanh_partials),
    _inverse("asinh", lambda sp, x: sp.asinh(x), _REAL, partials=_asinh_partials),
    _inverse(
        "acosh", lambda sp, x: sp.acosh(x), (1.1, 4.0), needs_domain_check=_CHECKED
    ),
    _inverse(
        "atanh",
        lambda sp, x: sp.atanh(x),
        _UNIT,
        partials=_atanh_partials,
        needs_domain_check=_CHECKED,
    ),
    EXP,
    # exp(x), not expm1(x) + 1: that is 0.0 for x < -37.
    _same("expm1", lambda sp, x: sp.exp(x) - 1, _REAL, reuse_output=False),
    _same("exp2", lambda sp, x: 2**x, _REAL),
    LOG,
    _same(
        "log1p", lambda sp, x: sp.log(1 + x), (-0.9, 4.0), needs_domain_check=_CHECKED
    ),
    _same("log2", lambda sp, x: sp.log(x, 2), _POSITIVE, needs_domain_check=_CHECKED),
    _same("log10", lambda sp, x: sp.log(x, 10), _POSITIVE, needs_domain_check=_CHECKED),
    SQRT,
    _same("cbrt", lambda sp, x: sp.cbrt(x), _POSITIVE),
    HYPOT,
    _elementwise("erf", lambda sp, x: sp.erf(x), _REAL, math_name="erf"),
    _elementwise("erfc", lambda sp, x: sp.erfc(x), _REAL, math_name="erfc"),
    ABS,
    SIGN,
    LOGADDEXP,
    RECIPROCAL,
)
