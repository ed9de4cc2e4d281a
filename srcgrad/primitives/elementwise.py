"""Elementwise math functions from ``math`` and NumPy.

Each entry gives the primitive's SymPy form and its spellings; both rules
come from the partial derivatives SymPy derives from that form
(``srcgrad.primitives.derive``), so no derivative is typed here.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from srcgrad.ir import EmitContext, Value
from srcgrad.primitives.table import Cotangents, CustomSpelling, Primitive

if TYPE_CHECKING:
    from srcgrad.primitives.emitter import RuleEmitter

_REAL = (-2.0, 2.0)
_POSITIVE = (0.1, 4.0)
_UNIT = (-0.9, 0.9)


def _vjp(e: RuleEmitter, g: Value, args: tuple[Value, ...], out: Value) -> Cotangents:
    return tuple(e.mul(g, partial) for partial in e.partials(args, out))


def _jvp(
    e: RuleEmitter, t: tuple[Value | None, ...], args: tuple[Value, ...], out: Value
) -> Value | None:
    total = None
    for tangent, partial in zip(t, e.partials(args, out), strict=True):
        total = e.add_tangents(total, e.scale(tangent, partial))
    return total


def _elementwise(
    name: str,
    form: Callable[..., Any],
    domain: tuple[float, float] | tuple[tuple[float, float], ...],
    *,
    math_name: str | None = None,
    numpy_name: str | None = None,
    arity: int | None = 1,
    raises_in: frozenset[str] = frozenset(),
) -> Primitive:
    """A primitive whose rules come from SymPy's derivative of ``form``."""
    spellings: dict[str, str | CustomSpelling] = {}
    if math_name is not None and hasattr(math, math_name):  # cbrt, exp2: 3.11+
        spellings["math"] = math_name
    if numpy_name is not None:
        spellings["numpy"] = numpy_name
    domains = domain if isinstance(domain[0], tuple) else (domain,)
    return Primitive(
        name,
        arity,
        spellings,
        _vjp,
        _jvp,
        domains,
        sympy_form=form,
        needs_domain_check=raises_in,
    )


def _same(
    name: str,
    form: Callable[..., Any],
    domain: tuple[float, float],
    raises_in: frozenset[str] = frozenset(),
) -> Primitive:
    """A unary function spelled the same in ``math`` and NumPy."""
    return _elementwise(
        name, form, domain, math_name=name, numpy_name=name, raises_in=raises_in
    )


#: ``math`` raises ValueError outside the domain, where the derivative
#: formula (``1/x`` for ``log``) would still give a number.
_MATH_RAISES = frozenset({"math"})


def _emit_math_sign(args: Sequence[ast.expr], context: EmitContext) -> ast.expr:
    # math has no sign(); copysign(1.0, x) is its nearest fast spelling.
    copysign = ast.Attribute(context.module("math"), "copysign", ast.Load())
    return ast.Call(copysign, [ast.Constant(1.0), *args], [])


ELEMENTWISE = (
    _same("sin", lambda sp, x: sp.sin(x), _REAL),
    _same("cos", lambda sp, x: sp.cos(x), _REAL),
    _same("tan", lambda sp, x: sp.tan(x), (-1.2, 1.2)),
    _elementwise(
        "asin", lambda sp, x: sp.asin(x), _UNIT, math_name="asin", numpy_name="arcsin"
    ),
    _elementwise(
        "acos", lambda sp, x: sp.acos(x), _UNIT, math_name="acos", numpy_name="arccos"
    ),
    _elementwise(
        "atan", lambda sp, x: sp.atan(x), _REAL, math_name="atan", numpy_name="arctan"
    ),
    _elementwise(
        "atan2",
        lambda sp, y, x: sp.atan2(y, x),
        (_REAL, _POSITIVE),
        math_name="atan2",
        numpy_name="arctan2",
        arity=2,
    ),
    _same("sinh", lambda sp, x: sp.sinh(x), _REAL),
    _same("cosh", lambda sp, x: sp.cosh(x), _REAL),
    _same("tanh", lambda sp, x: sp.tanh(x), _REAL),
    _elementwise(
        "asinh",
        lambda sp, x: sp.asinh(x),
        _REAL,
        math_name="asinh",
        numpy_name="arcsinh",
    ),
    _elementwise(
        "acosh",
        lambda sp, x: sp.acosh(x),
        (1.1, 4.0),
        math_name="acosh",
        numpy_name="arccosh",
        raises_in=_MATH_RAISES,
    ),
    _elementwise(
        "atanh",
        lambda sp, x: sp.atanh(x),
        _UNIT,
        math_name="atanh",
        numpy_name="arctanh",
        raises_in=_MATH_RAISES,
    ),
    _same("exp", lambda sp, x: sp.exp(x), _REAL),
    _same("expm1", lambda sp, x: sp.exp(x) - 1, _REAL),
    _same("exp2", lambda sp, x: 2**x, _REAL),
    _same("log", lambda sp, x: sp.log(x), _POSITIVE, _MATH_RAISES),
    _same("log1p", lambda sp, x: sp.log(1 + x), (-0.9, 4.0), _MATH_RAISES),
    _same("log2", lambda sp, x: sp.log(x, 2), _POSITIVE, _MATH_RAISES),
    _same("log10", lambda sp, x: sp.log(x, 10), _POSITIVE, _MATH_RAISES),
    _same("sqrt", lambda sp, x: sp.sqrt(x), _POSITIVE),
    _same("cbrt", lambda sp, x: sp.cbrt(x), _POSITIVE),
    _elementwise(
        "hypot",
        lambda sp, *xs: sp.sqrt(sum(x**2 for x in xs)),
        (_REAL, _REAL),
        math_name="hypot",
        numpy_name="hypot",
        arity=None,
    ),
    _elementwise("erf", lambda sp, x: sp.erf(x), _REAL, math_name="erf"),
    _elementwise("erfc", lambda sp, x: sp.erfc(x), _REAL, math_name="erfc"),
    Primitive(
        "abs",
        1,
        {"builtins": "abs", "math": "fabs", "numpy": "abs"},
        _vjp,
        _jvp,
        (_REAL,),
        sympy_form=lambda sp, x: sp.Abs(x),
    ),
    # Piecewise constant; it appears in derivatives (d|x| = sign(x)).
    Primitive(
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
    ),
)
