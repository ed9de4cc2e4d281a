"""Rational functions in lowest terms, and the gcd that keeps them there.

A rational function is kept as a numerator and a denominator with integer
coefficients, with no common factor (no polynomial, no integer but 1) and
the denominator's leading coefficient (lex) positive. Every rational
function has exactly one such form (integer polynomials factor uniquely,
and only -1 and 1 divide 1), so it is the form SymPy's fields
(``sympy.polys.fields`` over ``QQ``) keep too, however each finds it: the
polynomials ``srcgrad.passes.rational_forms`` writes as IR are the same.

Each sum, product and quotient is cancelled as it is made (by the gcd of
``srcgrad.passes.polynomial_gcd``), as SymPy's are.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from fractions import Fraction

from srcgrad.passes.polynomial_gcd import Terms, cofactors
from srcgrad.passes.polynomials import Coefficient, Monomial, Polynomial


class RationalFunction:
    """``numerator / denominator`` in lowest terms (see the module)."""

    __slots__ = ("numerator", "denominator")

    def __init__(self, numerator: Polynomial, denominator: Polynomial) -> None:
        """Already in lowest terms: use ``cancelled`` otherwise."""
        self.numerator = numerator
        self.denominator = denominator

    @classmethod
    def cancelled(
        cls, numerator: Polynomial, denominator: Polynomial
    ) -> RationalFunction:
        """``numerator / denominator`` (integer coefficients) in lowest terms."""
        if not denominator:
            raise ZeroDivisionError("rational function with denominator 0")
        if not numerator:
            return cls(numerator, Polynomial.constant(numerator.size, 1))
        if denominator != 1:
            _, top, bottom = cofactors(
                _integers(numerator.coefficients), _integers(denominator.coefficients)
            )
            numerator = Polynomial(numerator.size, top)
            denominator = Polynomial(denominator.size, bottom)
        if denominator.leading_coefficient < 0:
            numerator, denominator = -numerator, -denominator
        return cls(numerator, denominator)

    @classmethod
    def constant(cls, size: int, value: Coefficient) -> RationalFunction:
        """The number ``value`` (an exact rational)."""
        value = Fraction(value)
        return cls(
            Polynomial.constant(size, value.numerator),
            Polynomial.constant(size, value.denominator),
        )

    def __bool__(self) -> bool:
        return bool(self.numerator)

    def __repr__(self) -> str:
        return f"RationalFunction({self.numerator!r}, {self.denominator!r})"

    def __neg__(self) -> RationalFunction:
        return RationalFunction(-self.numerator, self.denominator)

    def __add__(self, other: RationalFunction) -> RationalFunction:
        return self._sum(other, Polynomial.__add__)

    def __sub__(self, other: RationalFunction) -> RationalFunction:
        return self._sum(other, Polynomial.__sub__)

    def _sum(self, other: RationalFunction, combine: object) -> RationalFunction:
        assert callable(combine)
        if self.denominator == other.denominator:
            return self.cancelled(
                combine(self.numerator, other.numerator), self.denominator
            )
        return self.cancelled(
            combine(
                self.numerator * other.denominator, other.numerator * self.denominator
            ),
            self.denominator * other.denominator,
        )

    def __mul__(self, other: RationalFunction) -> RationalFunction:
        return self.cancelled(
            self.numerator * other.numerator, self.denominator * other.denominator
        )

    def __truediv__(self, other: RationalFunction) -> RationalFunction:
        if not other:
            raise ZeroDivisionError("division by the rational function 0")
        return self.cancelled(
            self.numerator * other.denominator, self.denominator * other.numerator
        )

    def __pow__(self, exponent: int) -> RationalFunction:
        """To a power ``>= 0``: powers of coprime polynomials stay coprime."""
        return RationalFunction(self.numerator**exponent, self.denominator**exponent)


@functools.cache
def variables(size: int) -> tuple[RationalFunction, ...]:
    """Each of ``size`` variables as a rational function."""
    one = Polynomial.constant(size, 1)
    return tuple(
        RationalFunction(Polynomial.variable(size, index), one) for index in range(size)
    )


def _integers(coefficients: Mapping[Monomial, Coefficient]) -> Terms:
    """Integer coefficients as ``int``s (a ``Fraction`` of denominator 1 too)."""
    assert all(c.denominator == 1 for c in coefficients.values()), "integers only"
    return {monomial: int(c) for monomial, c in coefficients.items()}
