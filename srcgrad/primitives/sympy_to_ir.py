"""Turns a SymPy expression into IR ops, written the way a person would.

``1/sqrt(1 - x**2)`` becomes ``1 / sqrt(1 - x ** 2)``, not
``pow(add(1, mul(-1, pow(x, 2))), -0.5)``: negative terms become
subtraction, negative powers a division, a square root a ``sqrt`` call,
and every symbol-free subexpression (``log(2)``, ``2/sqrt(pi)``) one float.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import sympy

from srcgrad.ir import Value
from srcgrad.primitives.registry import PRIMITIVES

if TYPE_CHECKING:
    from srcgrad.primitives.emitter import RuleEmitter

_HALF = sympy.Rational(1, 2)


def _function_names() -> dict[type, str]:
    """SymPy function classes -> primitive names, read off the table."""
    probe = sympy.Symbol("probe", real=True)
    names: dict[type, str] = {}
    for primitive in PRIMITIVES.values():
        if primitive.sympy_form is None or primitive.arity is None:
            continue
        expression = primitive.sympy_form(sympy, *([probe] * primitive.arity))
        if isinstance(expression, sympy.Function) and expression.args == (probe,) * len(
            expression.args
        ):
            names.setdefault(type(expression), primitive.name)
    return names


_FUNCTION_NAMES = _function_names()


def translate(
    e: RuleEmitter, expression: sympy.Expr, symbols: dict[str, Value]
) -> Value:
    """IR for ``expression``; ``symbols`` maps SymPy symbol names to values."""
    if not expression.free_symbols:
        return _number(e, expression)
    if isinstance(expression, sympy.Symbol):
        return symbols[expression.name]
    if isinstance(expression, sympy.Add):
        return _sum(e, expression, symbols)
    if isinstance(expression, sympy.Mul):
        return _product(e, expression, symbols)
    if isinstance(expression, sympy.Pow):
        return _power(e, expression, symbols)
    if isinstance(expression, sympy.Function) and type(expression) in _FUNCTION_NAMES:
        args = [translate(e, arg, symbols) for arg in expression.args]
        return e.call(_FUNCTION_NAMES[type(expression)], *args)
    raise NotImplementedError(f"no IR for SymPy expression {expression}")


def _number(e: RuleEmitter, expression: sympy.Expr) -> Value:
    if isinstance(expression, sympy.Integer):
        return e.const(int(expression))
    return e.const(float(expression))


def _sum(e: RuleEmitter, expression: sympy.Add, symbols: dict[str, Value]) -> Value:
    # Positive terms first, then each negative term as a subtraction.
    terms = sorted(expression.args, key=_is_negative)
    if _is_negative(terms[0]):
        total = e.neg(translate(e, -terms[0], symbols))
    else:
        total = translate(e, terms[0], symbols)
    for term in terms[1:]:
        if _is_negative(term):
            total = e.sub(total, translate(e, -term, symbols))
        else:
            total = e.add(total, translate(e, term, symbols))
    return total


def _is_negative(term: sympy.Expr) -> bool:
    coefficient, _ = term.as_coeff_Mul()
    return bool(coefficient.is_negative)


def _product(e: RuleEmitter, expression: sympy.Mul, symbols: dict[str, Value]) -> Value:
    coefficient, rest = expression.as_coeff_Mul()
    if coefficient.is_negative:
        return e.neg(translate(e, -expression, symbols))
    numerator: list[sympy.Expr] = []
    denominator: list[sympy.Expr] = []
    constant = sympy.Integer(1)
    for factor in sympy.Mul.make_args(expression):
        if not factor.free_symbols:
            constant *= factor
        elif isinstance(factor, sympy.Pow) and factor.exp.is_negative:
            denominator.append(factor.base ** (-factor.exp))
        else:
            numerator.append(factor)
    if isinstance(constant, sympy.Rational) and not isinstance(constant, sympy.Integer):
        numerator_constant, denominator_constant = constant.p, constant.q
        if denominator_constant != 1:
            denominator.insert(0, sympy.Integer(denominator_constant))
        if numerator_constant != 1:
            numerator.insert(0, sympy.Integer(numerator_constant))
    elif constant != 1:
        numerator.insert(0, constant)
    top = _chain(e, numerator, symbols)
    if not denominator:
        return top
    return e.div(top, _chain(e, denominator, symbols))


def _chain(
    e: RuleEmitter, factors: list[sympy.Expr], symbols: dict[str, Value]
) -> Value:
    if not factors:
        return e.const(1)
    total = translate(e, factors[0], symbols)
    for factor in factors[1:]:
        total = e.mul(total, translate(e, factor, symbols))
    return total


def _power(e: RuleEmitter, expression: sympy.Pow, symbols: dict[str, Value]) -> Value:
    base, exponent = expression.args
    if exponent.is_negative:
        return e.div(e.const(1), translate(e, base ** (-exponent), symbols))
    if exponent == _HALF:
        return e.call("sqrt", translate(e, base, symbols))
    if not base.free_symbols:  # 2**x
        return e.pow(_number(e, base), translate(e, exponent, symbols))
    return e.pow(translate(e, base, symbols), translate(e, exponent, symbols))
