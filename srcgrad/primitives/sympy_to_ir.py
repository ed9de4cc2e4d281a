"""Turns a SymPy expression into IR ops, written the way a person would.

``1/sqrt(1 - x**2)`` becomes ``1 / sqrt(1 - x * x)``, not
``pow(add(1, mul(-1, pow(x, 2))), -0.5)``: negative terms become
subtraction, negative powers a division, a square root a ``sqrt`` call, a
square a product (``x ** 2`` raises ``OverflowError`` above 1e154 where
``x * x`` is inf), and a symbol-free subexpression a constant a reader
recognises (``2 / math.sqrt(math.pi)``, see ``constants.py``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import sympy

from srcgrad.ir import Value
from srcgrad.primitives.constants import readable_text
from srcgrad.primitives.primitive import Primitive, RuleBuilder

_HALF = sympy.Rational(1, 2)


@dataclass(frozen=True)
class Vocabulary:
    """The primitives SymPy's functions translate to.

    Attributes:
        functions: SymPy function class (``sympy.sin``) -> primitive.
        sqrt: the primitive for ``x ** (1/2)``, which SymPy writes as a power.
    """

    functions: Mapping[type, Primitive]
    sqrt: Primitive


def translate(
    e: RuleBuilder,
    expression: sympy.Expr,
    symbols: dict[str, Value],
    vocabulary: Vocabulary,
) -> Value:
    """Build IR for ``expression`` through ``e``.

    Args:
        e: where the ops go.
        expression: the SymPy expression.
        symbols: SymPy symbol names -> the values they stand for.
        vocabulary: which primitive each SymPy function is.

    Returns:
        The value of ``expression``.

    Raises:
        NotImplementedError: for a SymPy function no primitive stands for.
    """
    return _Translator(e, symbols, vocabulary).value(expression)


@dataclass
class _Translator:
    e: RuleBuilder
    symbols: dict[str, Value]
    vocabulary: Vocabulary

    def value(self, expression: sympy.Expr) -> Value:
        if not expression.free_symbols:
            return self.number(expression)
        if isinstance(expression, sympy.Symbol):
            return self.symbols[expression.name]
        if isinstance(expression, sympy.Add):
            return self.sum(expression)
        if isinstance(expression, sympy.Mul):
            return self.product(expression)
        if isinstance(expression, sympy.Pow):
            return self.power(expression)
        primitive = self.vocabulary.functions.get(type(expression))
        if isinstance(expression, sympy.Function) and primitive is not None:
            return self.e.call(primitive, *map(self.value, expression.args))
        raise NotImplementedError(f"no IR for SymPy expression {expression}")

    def number(self, expression: sympy.Expr) -> Value:
        if isinstance(expression, sympy.Integer):
            return self.e.const(int(expression))
        if isinstance(expression, sympy.Rational) and _is_power_of_two(expression.q):
            return self.e.const(float(expression))  # 0.5: exact in binary
        text = readable_text(expression)
        if text is None:
            return self.e.const(float(expression))
        return self.e.symbolic_constant(text, float(expression))

    def sum(self, expression: sympy.Add) -> Value:
        # Positive terms first, then each negative term as a subtraction.
        terms = sorted(expression.args, key=_is_negative)
        if _is_negative(terms[0]):
            total = self.e.neg(self.value(-terms[0]))
        else:
            total = self.value(terms[0])
        for term in terms[1:]:
            if _is_negative(term):
                total = self.e.sub(total, self.value(-term))
            else:
                total = self.e.add(total, self.value(term))
        return total

    def product(self, expression: sympy.Mul) -> Value:
        coefficient, _ = expression.as_coeff_Mul()
        if coefficient.is_negative:
            return self.e.neg(self.value(-expression))
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
        above, below = constant.as_numer_denom()
        if above != 1 and not below.is_Integer:
            numerator.insert(0, constant)  # 2/sqrt(pi) * ..., the constant whole
        else:  # x / 2, x / (y * log(2))
            if below != 1:
                position = 0 if below.is_Integer else len(denominator)
                denominator.insert(position, below)
            if above != 1:
                numerator.insert(0, above)
        top = self.chain(numerator)
        if not denominator:
            return top
        return self.e.div(top, self.chain(denominator))

    def chain(self, factors: list[sympy.Expr]) -> Value:
        if not factors:
            return self.e.const(1)
        total = self.value(factors[0])
        for factor in factors[1:]:
            total = self.e.mul(total, self.value(factor))
        return total

    def power(self, expression: sympy.Pow) -> Value:
        base, exponent = expression.args
        if exponent.is_negative:
            return self.e.div(self.e.const(1), self.value(base ** (-exponent)))
        if exponent == _HALF:
            return self.e.call(self.vocabulary.sqrt, self.value(base))
        if exponent == 2:
            factor = self.value(base)
            return self.e.mul(factor, factor)
        return self.e.pow(self.value(base), self.value(exponent))


def _is_negative(term: sympy.Expr) -> bool:
    coefficient, _ = term.as_coeff_Mul()
    return bool(coefficient.is_negative)


def _is_power_of_two(number: int) -> bool:
    return number & (number - 1) == 0
