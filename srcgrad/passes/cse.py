"""Common subexpression elimination by value numbering.

Two pure ops with the same definition, attributes and operands compute the
same values, so the later one is dropped and its uses read the earlier one
(a call too, if its callee was proven pure: ``PURE_CALL``).
This is what lets the reverse sweep reuse what the forward sweep computed:
the ``sin(y)`` a cosine's rule asks for is the ``sin(y)`` already there.
Tables are scoped by region, so a value is only reused where it dominates.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping

from srcgrad.ir import Block, Function, Op, OpDefinition, Value


def cse(function: Function) -> bool:
    """Merge equal pure ops in ``function``; True if anything changed."""
    numbering = _Numbering()
    numbering.block(function.entry)
    return bool(numbering.replacements)


class _Numbering:
    """The value numbers of the ops in scope, and the merges made.

    One table for the whole function, scoped by undoing what a nested
    block added when it ends (a copy of the table per block would make a
    long function with many branches quadratic). ``order`` ranks values by
    definition, for sorting the operands of commutative ops.
    """

    def __init__(self) -> None:
        self.table: dict[Hashable, Op] = {}
        self.order: dict[Value, int] = {}
        self.replacements: dict[Value, Value] = {}
        #: Per definition: whether its ops may merge, and commute.
        self.kinds: dict[int, tuple[bool, bool]] = {}

    def block(self, block: Block) -> None:
        """Number ``block``'s ops, dropping those an earlier op computes."""
        table, order, replacements = self.table, self.order, self.replacements
        added: list[Hashable] = []
        numbered = list(block.arguments)
        for argument in block.arguments:
            order[argument] = len(order)
        kept: list[Op] = []
        for op in block.ops:
            op.operands = [
                replacements.get(operand, operand) for operand in op.operands
            ]
            for region in op.regions:
                for inner in region.blocks:
                    self.block(inner)
            key = self._key(op)
            if key is not None and key in table:
                kept_op = table[key]
                for existing, result in zip(kept_op.results, op.results, strict=True):
                    if existing.name_hint is None:
                        existing.name_hint = result.name_hint
                    replacements[result] = existing
                # The merged value is a value of f if either op computed one.
                kept_op.derivative = kept_op.derivative and op.derivative
                continue
            if key is not None:
                table[key] = op
                added.append(key)
            for result in op.results:
                order[result] = len(order)
            numbered += op.results
            kept.append(op)
        block.ops = kept
        for key in added:  # out of scope after the block
            del table[key]
        for value in numbered:
            del order[value]

    def _key(self, op: Op) -> Hashable | None:
        return operation_key(op, self.order, self.kinds)


def operation_key(
    op: Op,
    order: Mapping[Value, object],
    kinds: dict[int, tuple[bool, bool]] | None = None,
) -> Hashable | None:
    """What two ops that compute the same values have alike, or None for
    an op never merged: its definition, attributes and operands (those of
    a commutative op sorted by ``order``, which ranks values by where they
    are defined). ``kinds`` remembers per definition whether it may merge
    and whether it commutes."""
    definition = op.definition
    kind = None if kinds is None else kinds.get(id(definition))
    if kind is None:
        kind = (
            _mergeable(definition),
            bool(getattr(definition, "commutative", False)),
        )
        if kinds is not None:
            kinds[id(definition)] = kind
    mergeable, commutative = kind
    if not mergeable or op.regions or not op.results:
        return None
    try:
        attributes = tuple(
            sorted([(name, exact_key(value)) for name, value in op.attributes.items()])
        )
    except TypeError:
        return None  # an attribute with no exact key: never merged
    operands = tuple(op.operands)
    if commutative:
        operands = tuple(sorted(operands, key=order.__getitem__))  # type: ignore[arg-type]
    return (id(definition), attributes, operands)


def _mergeable(definition: OpDefinition) -> bool:
    """Pure, not an iterator a loop uses up, and not a new array or list a
    write may change (``a = []`` and ``b = []`` are two). (An op with
    regions never merges either.)"""
    return (
        definition.pure
        and not getattr(definition, "one_shot", False)
        and not getattr(definition, "allocates", False)
    )


def exact_key(value: object) -> Hashable:
    """A key equal for two attribute values only if they are the same constant.

    ``0.0 == -0.0``, ``1 == 1.0 == True`` and ``nan != nan`` in Python, but
    each is a different constant, so the key has the type and, for floats,
    every bit (``float.hex``; a NaN equals itself).

    Raises:
        TypeError: ``value`` is of a type with no exact key.
    """
    kind = type(value)
    if kind is str or kind is int or kind is bool:  # most attributes: at once
        return (kind.__name__, value)
    if isinstance(value, float):
        return (type(value).__name__, value.hex())
    if isinstance(value, complex):
        return (type(value).__name__, value.real.hex(), value.imag.hex())
    if value is None or isinstance(value, (bool, int, str)):
        return (type(value).__name__, value)
    if isinstance(value, tuple):
        return (type(value).__name__, tuple(exact_key(item) for item in value))
    raise TypeError(f"no exact key for {type(value).__name__}")
