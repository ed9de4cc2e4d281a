"""Polynomials in a few variables with rational coefficients, exactly.

``srcgrad.passes.rational`` writes a derivative term on arrays as a
rational function of its atoms (``srcgrad.passes.rational_functions``),
and ``rational_forms`` writes that function as IR. They need little: sums,
products, division with remainder, a greatest common divisor; SymPy has it
all but takes longer to import than a build takes. This is that little,
each operation giving what SymPy's sparse polynomials (``sympy.polys.rings``
over ``QQ``, lex order) give, term for term, so the code written from them
is the same (``tests/test_polynomials.py`` compares the two).

A polynomial is a map from monomials (a tuple of exponents, one per
variable) to nonzero coefficients (``int`` or ``fractions.Fraction``).
Terms are ordered by their monomials, lexicographically, largest first:
``x**2 + x*y**3 + 2*y``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from fractions import Fraction

Monomial = tuple[int, ...]
Coefficient = int | Fraction


class Polynomial:
    """A polynomial in ``size`` variables; immutable, hashable.

    Equal to a number where it is that constant (``p == 1``), as SymPy's are.
    """

    __slots__ = ("coefficients", "size", "_hash")

    def __init__(self, size: int, coefficients: Mapping[Monomial, Coefficient]) -> None:
        """``coefficients`` (no zeros among them) is taken, not copied."""
        self.size = size
        self.coefficients = coefficients
        self._hash: int | None = None

    @classmethod
    def constant(cls, size: int, value: Coefficient) -> Polynomial:
        return cls(size, {(0,) * size: value} if value else {})

    @classmethod
    def term(
        cls, size: int, monomial: Monomial, coefficient: Coefficient
    ) -> Polynomial:
        """``coefficient`` times ``monomial`` (zero if it is 0)."""
        return cls(size, {monomial: coefficient} if coefficient else {})

    @classmethod
    def variable(cls, size: int, index: int) -> Polynomial:
        """The ``index``-th variable."""
        return cls(size, {tuple(int(i == index) for i in range(size)): 1})

    def __bool__(self) -> bool:
        return bool(self.coefficients)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Polynomial):
            return self.size == other.size and self.coefficients == other.coefficients
        if isinstance(other, (int, Fraction)):
            if len(self.coefficients) > 1:
                return False
            return self.coefficients.get((0,) * self.size, 0) == other
        return NotImplemented

    def __hash__(self) -> int:
        if self._hash is None:
            self._hash = hash((self.size, frozenset(self.coefficients.items())))
        return self._hash

    def __repr__(self) -> str:
        return f"Polynomial({self.size}, {self.terms()!r})"

    def __neg__(self) -> Polynomial:
        return Polynomial(self.size, {m: -c for m, c in self.coefficients.items()})

    def __add__(self, other: Polynomial) -> Polynomial:
        return self._combined(other, 1)

    def __sub__(self, other: Polynomial) -> Polynomial:
        return self._combined(other, -1)

    def _combined(self, other: Polynomial, sign: int) -> Polynomial:
        total = dict(self.coefficients)
        for monomial, coefficient in other.coefficients.items():
            _accumulate(total, monomial, sign * coefficient)
        return Polynomial(self.size, total)

    def __mul__(self, other: Polynomial) -> Polynomial:
        total: dict[Monomial, Coefficient] = {}
        for left, a in self.coefficients.items():
            for right, b in other.coefficients.items():
                monomial = tuple(i + j for i, j in zip(left, right))  # noqa: B905
                _accumulate(total, monomial, a * b)
        return Polynomial(self.size, total)

    def __pow__(self, exponent: int) -> Polynomial:
        result = Polynomial.constant(self.size, 1)
        for _ in range(exponent):
            result = result * self
        return result

    def terms(self) -> list[tuple[Monomial, Coefficient]]:
        """Its terms, largest monomial first (lex)."""
        return sorted(self.coefficients.items(), reverse=True)

    def monomials(self) -> list[Monomial]:
        """Its monomials, largest first (lex)."""
        return sorted(self.coefficients, reverse=True)

    @property
    def is_constant(self) -> bool:
        """It is a number (0 too)."""
        return not self.coefficients or (
            len(self.coefficients) == 1 and (0,) * self.size in self.coefficients
        )

    @property
    def leading_coefficient(self) -> Coefficient:
        """The coefficient of the largest monomial (0 for 0)."""
        if not self.coefficients:
            return 0
        return self.coefficients[max(self.coefficients)]

    def degree(self, index: int) -> int:
        """The highest power of the ``index``-th variable (-1 for 0)."""
        return max((m[index] for m in self.coefficients), default=-1)

    def content(self) -> Coefficient:
        """The gcd of the numerators over the lcm of the denominators of its
        coefficients (positive; 0 for 0), as SymPy's over ``QQ``."""
        numerators = [abs(c.numerator) for c in self.coefficients.values()]
        denominators = [c.denominator for c in self.coefficients.values()]
        return _rational(math.gcd(*numerators), math.lcm(*denominators))

    def __divmod__(self, divisor: Polynomial) -> tuple[Polynomial, Polynomial]:
        """Quotient and remainder by the division algorithm: while terms are
        left, the largest is divided by the divisor's largest if it can be,
        else moved to the remainder (SymPy's ``div``)."""
        if not divisor:
            raise ZeroDivisionError("polynomial division")
        lead = max(divisor.coefficients)
        lead_coefficient = divisor.coefficients[lead]
        left = dict(self.coefficients)
        quotient: dict[Monomial, Coefficient] = {}
        remainder: dict[Monomial, Coefficient] = {}
        while left:
            largest = max(left)
            factor = _divide_monomial(largest, lead)
            if factor is None:
                remainder[largest] = left.pop(largest)
                continue
            coefficient = _rational_quotient(left[largest], lead_coefficient)
            _accumulate(quotient, factor, coefficient)
            for monomial, each in divisor.coefficients.items():
                shifted = tuple(i + j for i, j in zip(monomial, factor))  # noqa: B905
                _accumulate(left, shifted, -coefficient * each)
        return Polynomial(self.size, quotient), Polynomial(self.size, remainder)

    def exact_quotient(self, divisor: Polynomial) -> Polynomial:
        """``self / divisor``, which must have no remainder."""
        quotient, remainder = divmod(self, divisor)
        if remainder:
            raise ArithmeticError(f"{divisor!r} does not divide {self!r}")
        return quotient


def _accumulate(
    total: dict[Monomial, Coefficient], monomial: Monomial, coefficient: Coefficient
) -> None:
    """Add a term to ``total`` in place, dropping a sum that is 0."""
    coefficient += total.get(monomial, 0)
    if coefficient:
        total[monomial] = coefficient
    else:
        total.pop(monomial, None)


def _divide_monomial(monomial: Monomial, divisor: Monomial) -> Monomial | None:
    """``monomial / divisor`` if it is a monomial, else None."""
    quotient = tuple(i - j for i, j in zip(monomial, divisor))  # noqa: B905
    return None if min(quotient, default=0) < 0 else quotient


def _rational(numerator: int, denominator: int) -> Coefficient:
    return numerator if denominator == 1 else Fraction(numerator, denominator)


def _rational_quotient(a: Coefficient, b: Coefficient) -> Coefficient:
    """``a / b`` exactly: an ``int`` where it is one."""
    if type(a) is int and type(b) is int:
        whole, left = divmod(a, b)
        if not left:
            return whole
    quotient = Fraction(a) / b
    return quotient.numerator if quotient.denominator == 1 else quotient
