"""Rational simplification of derivative terms on arrays.

The chain rule through ``p = 1/(1 + exp(-z))`` and ``log(p)``,
``log(1 - p)`` multiplies out to ``c * (y*(1 + t) - (1 - y)/(1 - p)) * p *
p * t``: eight passes over arrays, where a person writes ``c * (y - p)``.
Written over its atoms (``t = exp(-z)``, ``y``, ``c``), the term is a
rational function, which cancels (``rational_functions``):
``c * (y - 1 + y*t) * p``, whose
``y - 1`` is exact for labels 0 and 1 (``y - p`` would lose every digit
of a small ``t`` at ``y = 1``: ``rational_accuracy`` finds that).

A *cluster* is a derivative term on arrays (its root) with the arithmetic
ops (``+ - * /``, unary ``-``, small integer powers) on arrays that only it
uses, in its block: these go if the term is rewritten. Values on arrays
that are such arithmetic of other values and are used elsewhere too (the
primal's ``p = 1/(1 + t)``, ``1 - p``) stay, but are expanded into their
definitions, so that cancellation sees through them, and are *available*:
the rewrite may read them. Anything else is an atom: ``exp(-z)``, a
parameter, a number computed on numbers.

The cancelled function is written in the cheapest of a few forms
(``srcgrad.passes.rational_forms``); the rewrite is made only if it costs
strictly less than the cluster, keeps the term's shape and kind, and
reads every atom that gave the term a dimension (or one that has it). It
never changes a value of the user's code: only the root's value changes,
and ops of the user's that only the cluster read become dead. How its
result may round differently, or be finite where the original was NaN,
is said in ``srcgrad.passes.algebra``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from itertools import product

from srcgrad.ir import Block, Builder, Function, Op, Value, uses, walk
from srcgrad.ir.types import Array, kind_of, same_shape
from srcgrad.passes.algebra import constant_of
from srcgrad.passes.polynomials import Polynomial
from srcgrad.passes.rational_accuracy import AccuracyCheck
from srcgrad.passes.rational_forms import Emitter, Unemittable, cost, forms
from srcgrad.passes.rational_functions import RationalFunction, variables
from srcgrad.primitives import PRIMITIVES

#: The arithmetic a cluster is made of.
_ARITHMETIC = frozenset(PRIMITIVES[name] for name in ("add", "sub", "mul", "div"))
_NEG, _POW, _DIV = PRIMITIVES["neg"], PRIMITIVES["pow"], PRIMITIVES["div"]

#: Bounds that keep the algebra (and the build) small.
_MAX_REMOVABLE = 24
_MAX_EXPANDED = 24
_MAX_POWER = 8
_MAX_ATOMS = 10
_MAX_RECIPROCALS = 3


def cancel_rational_terms(function: Function) -> bool:
    """Rewrite clusters of derivative terms on arrays that cancel to
    something cheaper; True if any was. Leaves dead ops to DCE."""
    users = uses(function.entry)
    blocks = [function.entry] + [
        inner for op in walk(function.entry) for r in op.regions for inner in r.blocks
    ]
    changed = False
    for block in blocks:
        claimed: set[Op] = set()
        for op in reversed(list(block.ops)):
            if op in claimed or not _is_root(op):
                continue
            cluster = _Cluster.grow(op, block, users)
            if cluster is None:
                continue
            claimed.update(cluster.removable)
            changed |= _rewrite(cluster, block, users)
    return changed


def _is_root(op: Op) -> bool:
    return op.derivative and _arithmetic(op) and isinstance(op.result.type, Array)


def _arithmetic(op: Op) -> bool:
    """``op`` is ``+ - * /``, unary ``-`` or a small positive integer power."""
    if op.definition in _ARITHMETIC or op.definition is _NEG:
        return str(op.attributes.get("namespace")) in ("operator", "numpy")
    if op.definition is not _POW or op.attributes.get("namespace") == "math":
        return False
    return _exponent(op) is not None


def _exponent(op: Op) -> int | None:
    """The exponent of a power by a small positive integer (a float one, of
    a float base: ``t ** 2.0``), else None."""
    exponent = constant_of(op.operands[1])
    if type(exponent) is float and kind_of(op.operands[0].type) == "real":
        exponent = int(exponent) if exponent.is_integer() else None
    if type(exponent) is int and 1 <= exponent <= _MAX_POWER:
        return exponent
    return None


@dataclass
class _Cluster:
    """A term's removable ops, available values and atoms; each value then
    a rational function of variables, one per atom (and one per available
    reciprocal, ``_rewrite``)."""

    root: Op
    removable: list[Op] = field(default_factory=list)
    #: Values kept, expanded, then with their rational functions.
    available: list[tuple[Value, RationalFunction | None]] = field(default_factory=list)
    #: Each atom's index, the same as its variable's.
    atoms: dict[Value, int] = field(default_factory=dict)
    #: The arithmetic values, operands first.
    order: list[Value] = field(default_factory=list)
    functions: dict[Value, RationalFunction] = field(default_factory=dict)
    #: Each variable: the atoms', then reciprocals'.
    variables: tuple[RationalFunction, ...] = ()
    has_division: bool = False

    @classmethod
    def grow(
        cls, root: Op, block: Block, users: dict[Value, list[Op]]
    ) -> _Cluster | None:
        """The cluster of ``root``, or None if it cannot cancel or is too big."""
        if not _worth_trying(root):
            return None
        cluster = cls(root)
        try:
            cluster._collect(root.result, block, users, True, set())
            if not cluster.has_division:
                return None
            cluster._evaluate()
        except (_TooBig, ZeroDivisionError):
            return None  # ZeroDivisionError: a divisor that is 0, as 1 - 1
        return cluster

    @property
    def function(self) -> RationalFunction:
        """The root's value, over the atoms."""
        return self.functions[self.root.result]

    def _collect(
        self,
        value: Value,
        block: Block,
        users: dict[Value, list[Op]],
        removable: bool,
        seen: set[Value],
    ) -> None:
        if value in seen or value in self.atoms:
            return
        op = value.defining_op
        if _number(value) is not None:
            return
        arithmetic = op is not None and _arithmetic(op)
        if not arithmetic or not isinstance(value.type, Array):
            self._atom(value)
            return
        assert op is not None
        removable = removable and (
            op is self.root or (op.parent is block and len(users.get(value, ())) == 1)
        )
        if removable:
            self.removable.append(op)
            if len(self.removable) > _MAX_REMOVABLE:
                raise _TooBig
        elif len(self.available) >= _MAX_EXPANDED:
            self._atom(value)
            return
        else:
            self.available.append((value, None))
        seen.add(value)
        operands = op.operands[:1] if op.definition is _POW else op.operands
        for operand in operands:
            self._collect(operand, block, users, removable, seen)
        self.has_division |= op.definition is _DIV
        self.order.append(value)

    def _atom(self, value: Value) -> None:
        kind = kind_of(value.type)
        if kind not in ("int", "real") or (
            kind == "int" and isinstance(value.type, Array)
        ):
            # a bool's arithmetic is logic, an int array's wraps around (a
            # rewrite may multiply them first: y * y of uint8 data); unknown
            # types are unsafe
            raise _TooBig
        if value not in self.atoms:
            if len(self.atoms) >= _MAX_ATOMS:
                raise _TooBig
            self.atoms[value] = len(self.atoms)

    def _evaluate(self) -> None:
        """Each value's rational function, with just enough variables."""
        reciprocals = min(len(self.available), _MAX_RECIPROCALS)
        self.variables = variables(len(self.atoms) + reciprocals)
        for value in self.order:
            op = value.defining_op
            assert op is not None
            operands = [self._function(operand) for operand in op.operands]
            if op.definition is _POW:
                exponent = _exponent(op)
                assert exponent is not None
                self.functions[value] = operands[0] ** exponent
            else:
                self.functions[value] = _combine(op.definition.name, operands)
        self.available = [(v, self.functions[v]) for v, _ in self.available]

    def _function(self, value: Value) -> RationalFunction:
        if value in self.functions:
            return self.functions[value]
        if value in self.atoms:
            return self.variables[self.atoms[value]]
        number = _number(value)
        assert number is not None
        return RationalFunction.constant(len(self.variables), number)


class _TooBig(Exception):
    """The cluster is past the bounds, or has an atom it cannot reason about."""


def _worth_trying(root: Op) -> bool:
    """A cheap look before the algebra: a division in the arithmetic under the
    root (through shared values too: ``p = 1/(1 + t)``)."""
    frontier, seen = [root], 0
    while frontier and seen < _MAX_REMOVABLE + _MAX_EXPANDED:
        op = frontier.pop()
        seen += 1
        if op.definition is _DIV:
            return True
        for operand in op.operands:
            inner = operand.defining_op
            if inner is not None and _arithmetic(inner):
                frontier.append(inner)
    return False


def _number(value: Value) -> Fraction | None:
    """The exact rational a constant is, or None for any other value (one of
    several results of an op, too)."""
    constant = constant_of(value)
    if isinstance(constant, bool) or not isinstance(constant, (int, float)):
        return None
    if isinstance(constant, float) and not math.isfinite(constant):
        return None
    return Fraction(*constant.as_integer_ratio())


def _combine(name: str, operands: Sequence[RationalFunction]) -> RationalFunction:
    if name == "neg":
        return -operands[0]
    first, second = operands
    if name == "add":
        return first + second
    if name == "sub":
        return first - second
    if name == "mul":
        return first * second
    return first / second


def _rewrite(cluster: _Cluster, block: Block, users: dict[Value, list[Op]]) -> bool:
    """Put the cheapest form of ``cluster`` in place of its root, if it
    costs less, reads every atom the root read (so has its shape and its
    dtype) and is of the same kind."""
    polynomials = [variable.numerator for variable in cluster.variables]
    atoms = cluster.atoms
    known: dict[Polynomial, Value] = {
        polynomials[index]: value for value, index in atoms.items()
    }
    reciprocals: dict[Polynomial, Value] = {}
    divisors: list[tuple[Polynomial, Polynomial]] = []
    for value, function in cluster.available:
        assert function is not None
        if function.denominator == 1:
            known.setdefault(function.numerator, value)
        elif function.numerator == 1 and len(atoms) + len(divisors) < len(polynomials):
            # 1 / d is computed already (p = 1/(1 + t)): a variable of its own.
            symbol = polynomials[len(atoms) + len(divisors)]
            if function.denominator not in reciprocals:
                known[symbol] = reciprocals[function.denominator] = value
                divisors.append((symbol, function.denominator))
    candidates: list[tuple[int, Block, Value]] = []
    for (numerator, denominator), grouping in product(
        forms(cluster.function, divisors), ("signs", "degree")
    ):
        if not _reads_every_atom((numerator, denominator), cluster, dict(divisors)):
            continue
        scratch = Block()
        emitter = Emitter(
            Builder(scratch, cluster.root.loc, derivative=True),
            known,
            reciprocals,
            any(kind_of(atom.type) == "int" for atom in cluster.atoms),
            polynomials,
            grouping,
        )
        try:
            value = emitter.quotient(numerator, denominator)
        except (Unemittable, StopIteration):  # StopIteration: no positive term
            continue
        if value.defining_op in scratch.ops:
            candidates.append((cost(scratch.ops), scratch, value))
    budget = cost(cluster.removable)
    check: AccuracyCheck | None = None
    for price, scratch, value in sorted(candidates, key=lambda c: c[0]):
        if price >= budget:
            break
        check = check or AccuracyCheck(cluster.root.result, list(cluster.atoms))
        if check.keeps_accuracy(value):
            return _replace(cluster.root, scratch, value, block, users)
    return False


def _reads_every_atom(
    form: tuple[Polynomial, Polynomial],
    cluster: _Cluster,
    divisor_of: dict[Polynomial, Polynomial],
) -> bool:
    """``form`` reads each atom of the cluster, itself or through an
    available value: then it broadcasts to the root's shape, and NumPy
    gives it the root's dtype (dropping a float64 atom would turn the
    result of float32 arrays into float32)."""
    read: set[int] = set()
    for polynomial in form:
        for monomial in polynomial.monomials():
            read.update(index for index, exponent in enumerate(monomial) if exponent)
    polynomials = [variable.numerator for variable in cluster.variables]
    for symbol, divisor in divisor_of.items():
        index = polynomials.index(symbol)
        if index in read:
            read.discard(index)
            read |= {i for i in range(len(polynomials)) if divisor.degree(i) > 0}
    return read == set(cluster.atoms.values())


def _replace(
    root: Op, scratch: Block, value: Value, block: Block, users: dict[Value, list[Op]]
) -> bool:
    """Put ``scratch``'s ops before ``root`` and read ``value`` for its
    result, if ``value`` is of the root's kind and shape."""
    original = root.result.type
    if kind_of(value.type) != kind_of(original) or not same_shape(value.type, original):
        return False
    index = block.ops.index(root)
    for op in scratch.ops:
        op.parent = block
    block.ops[index:index] = scratch.ops
    value.name_hint = root.result.name_hint
    for user in users.get(root.result, []):
        user.operands = [value if o is root.result else o for o in user.operands]
    return True
