"""Ways to write a rational function of arrays, and what each one costs.

``srcgrad.passes.rational`` computes a term as a rational function
(``srcgrad.passes.rational_functions``: cancelled as it is built) of one
variable per atom. ``forms`` lists ways to write it, each a numerator and a
denominator polynomial: as cancelled, and ``(Q + R * r) / rest`` for each
available value ``r = 1/d`` with ``d`` a factor of the denominator
(polynomial division of the numerator by ``d``; ``r`` is a variable of
its own). ``Emitter`` builds one as IR, reusing available values, and
``cost`` says what the ops it built cost to run.

Ops on arrays are what costs: a pass over the array each. Ops on numbers
cost next to nothing, but some raise in Python where an array's would not
(``1.0 / 0``, ``x ** 2`` overflowing), so the emitter never divides a
number by a number nor raises one to a power.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from srcgrad.ir import CONST, Builder, Op, Value
from srcgrad.ir.types import Array, kind_of
from srcgrad.passes.polynomials import Coefficient, Monomial, Polynomial
from srcgrad.passes.rational_functions import RationalFunction
from srcgrad.primitives import PRIMITIVES

#: What one op costs: a pass over an array; dividing takes about twice as
#: long as multiplying (NumPy, 2000 floats: 1.7 us against 0.8-1.3 us).
_ARRAY_OP_COST = 10
_ARRAY_COST_BY_NAME = {"div": 20}
_SCALAR_OP_COST = 1

#: The largest integer the emitter writes next to integer arrays: a Python
#: int beyond an int8's range raises OverflowError in NumPy 2 arithmetic.
_SMALL_INT = 127


class Unemittable(Exception):
    """This form would compute something the original did not risk."""


def op_cost(op: Op) -> int:
    """What running ``op`` costs, in tenths of an elementwise pass."""
    if op.definition is CONST:
        return 0
    if not isinstance(op.result.type, Array):
        return _SCALAR_OP_COST
    return _ARRAY_COST_BY_NAME.get(op.definition.name, _ARRAY_OP_COST)


def cost(ops: Sequence[Op]) -> int:
    """What running ``ops`` costs (see ``op_cost``)."""
    return sum(op_cost(op) for op in ops)


def forms(
    cancelled: RationalFunction, reciprocals: Sequence[tuple[Polynomial, Polynomial]]
) -> list[tuple[Polynomial, Polynomial]]:
    """Ways to write ``cancelled``, as (numerator, denominator) polynomials.

    Args:
        cancelled: the term.
        reciprocals: ``(r, d)`` for each available value ``r = 1/d``: ``r``
            a variable, ``d`` a polynomial of the atoms.
    """
    numerator, denominator = cancelled.numerator, cancelled.denominator
    found = [(numerator, denominator)]
    for symbol, divisor in reciprocals:
        rest, remainder = divmod(denominator, divisor)
        if remainder:
            continue
        # N / (d * rest) = (Q + R/d) / rest, and 1/d is computed already.
        quotient, left = divmod(numerator, divisor)
        found.append((quotient + left * symbol, rest))
    return found


@dataclass
class Emitter:
    """Builds a quotient of polynomials as IR through ``builder``.

    Attributes:
        builder: where the ops go.
        known: polynomials that are values already (each atom's variable,
            each available value that is a polynomial, each reciprocal's).
        reciprocals: polynomial ``d`` -> an available value that is ``1/d``.
        integer_atoms: some atom holds integers: integers beyond
            ``_SMALL_INT`` are refused.
    """

    builder: Builder
    known: Mapping[Polynomial, Value]
    reciprocals: Mapping[Polynomial, Value]
    integer_atoms: bool
    #: The variables, in order.
    variables: Sequence[Polynomial]
    #: How a sum's terms are ordered: positive ones first (``"signs"``), or
    #: by degree (``"degree"``: ``y - 1 + y*t``, whose ``y - 1`` is exact
    #: for labels 0 and 1, where ``y*t + y - 1`` loses a small ``t``).
    grouping: str = "signs"
    built: dict[Polynomial, Value] = field(default_factory=dict)

    def quotient(self, numerator: Polynomial, denominator: Polynomial) -> Value:
        """The value of ``numerator / denominator``."""
        if denominator == 1:
            return self.polynomial(numerator)
        top = self.polynomial(numerator)
        if (reciprocal := self.reciprocals.get(denominator)) is not None:
            return self._op("mul", top, reciprocal)
        below = self.polynomial(denominator)
        if not isinstance(top.type, Array) and not isinstance(below.type, Array):
            raise Unemittable("a number divided by a number may raise")
        return self._op("div", top, below)

    def polynomial(self, polynomial: Polynomial) -> Value:
        """The value of ``polynomial``; each one built once."""
        found = self.known.get(polynomial)
        if found is None:
            found = self.built.get(polynomial)
        if found is None:
            found = self._build(polynomial)
            self.built[polynomial] = found
        return found

    def _build(self, polynomial: Polynomial) -> Value:
        if polynomial.is_constant:
            return self._number(polynomial.leading_coefficient)
        if (positive := self.known.get(-polynomial)) is not None:
            return self._op("neg", positive)
        terms = polynomial.terms()
        common = tuple(
            min(exponents) for exponents in zip(*(m for m, _ in terms), strict=True)
        )
        if len(terms) == 1:
            return self._product(terms[0][1], common, None)
        # c * m * (sum): the common factor multiplies once.
        content = polynomial.content()
        if all(coefficient < 0 for _, coefficient in terms):
            content = -content
        inner = polynomial.exact_quotient(
            Polynomial.term(polynomial.size, common, content)
        )
        total = self._sum(inner)
        return self._product(content, common, total)

    def _sum(self, polynomial: Polynomial) -> Value:
        """Positive terms first, then each negative one as a subtraction."""
        size = polynomial.size
        terms = sorted(polynomial.terms(), key=lambda term: term[1] < 0)
        if self.grouping == "degree":
            terms.sort(key=lambda term: sum(term[0]))
            first = next(i for i, (_, c) in enumerate(terms) if c > 0)
            terms.insert(0, terms.pop(first))  # a positive term first
        total: Value | None = None
        for monomial, coefficient in terms:
            magnitude = Polynomial.term(
                size, monomial, -coefficient if coefficient < 0 else coefficient
            )
            if total is None:
                total = self.polynomial(Polynomial.term(size, monomial, coefficient))
            elif coefficient < 0:
                total = self._op("sub", total, self.polynomial(magnitude))
            else:
                total = self._op("add", total, self.polynomial(magnitude))
        assert total is not None
        return total

    def _product(
        self, coefficient: Coefficient, monomial: Monomial, rest: Value | None
    ) -> Value:
        """``coefficient`` times ``monomial`` times ``rest``: numbers first,
        then arrays; a power as repeated products (``x ** 2`` of a number
        may raise ``OverflowError``; ``x * x`` is inf)."""
        if coefficient < 0:
            return self._op("neg", self._product(-coefficient, monomial, rest))
        values = []
        for variable, exponent in zip(self.variables, monomial, strict=True):
            if not exponent:
                continue
            if variable not in self.known:
                raise Unemittable(f"{variable} stands for no value")
            values += [self.known[variable]] * exponent
        if rest is not None:
            values.append(rest)
        values.sort(key=lambda value: isinstance(value.type, Array))
        if coefficient != 1 or not values:
            values.insert(0, self._number(coefficient))
        total = values[0]
        for value in values[1:]:
            total = self._op("mul", total, value)
        return total

    def _number(self, number: Coefficient) -> Value:
        if number.denominator == 1:
            if self.integer_atoms and abs(number.numerator) > _SMALL_INT:
                raise Unemittable(f"{number} may not fit the integer arrays")
            return self.builder.const(int(number.numerator))
        return self.builder.const(number.numerator / number.denominator)

    def _op(self, name: str, *operands: Value) -> Value:
        attributes = {"namespace": "operator"}
        result = self.builder.create(PRIMITIVES[name], operands, attributes).result
        if kind_of(result.type) is None:
            raise Unemittable(f"the type of {name} is not known")
        return result
