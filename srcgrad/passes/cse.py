"""Common subexpression elimination by value numbering.

Two pure ops with the same definition, attributes and operands compute the
same values, so the later one is dropped and its uses read the earlier one
(a call too, if its callee was proven pure: ``PURE_CALL``).
This is what lets the reverse sweep reuse what the forward sweep computed:
the ``sin(y)`` a cosine's rule asks for is the ``sin(y)`` already there.
Tables are scoped by region, so a value is only reused where it dominates.
"""

from __future__ import annotations

from collections.abc import Hashable

from srcgrad.ir import Block, Function, Op, Value


def cse(function: Function) -> bool:
    """Merge equal pure ops in ``function``; True if anything changed."""
    replacements: dict[Value, Value] = {}
    _number_block(function.entry, {}, {}, replacements)
    return bool(replacements)


def _number_block(
    block: Block,
    outer: dict[Hashable, Op],
    outer_order: dict[Value, int],
    replacements: dict[Value, Value],
) -> None:
    """Number ``block``'s ops; ``order`` ranks values by definition, for sorting."""
    table = dict(outer)
    order = dict(outer_order)
    kept: list[Op] = []
    for argument in block.arguments:
        order[argument] = len(order)
    for op in block.ops:
        op.operands = [replacements.get(operand, operand) for operand in op.operands]
        for region in op.regions:
            for inner in region.blocks:
                _number_block(inner, table, order, replacements)
        key = _key(op, order) if _mergeable(op) else None
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
        for result in op.results:
            order[result] = len(order)
        kept.append(op)
    block.ops = kept


def _mergeable(op: Op) -> bool:
    """Pure, without regions, not an iterator a loop uses up, and not a new
    array or list a write may change (``a = []`` and ``b = []`` are two)."""
    definition = op.definition
    return (
        definition.pure
        and not op.regions
        and not getattr(definition, "one_shot", False)
        and not getattr(definition, "allocates", False)
    )


def _key(op: Op, order: dict[Value, int]) -> Hashable | None:
    if not op.results:
        return None
    try:
        attributes = tuple(
            sorted((name, exact_key(value)) for name, value in op.attributes.items())
        )
    except TypeError:
        return None  # an attribute with no exact key: never merged
    operands = tuple(op.operands)
    if getattr(op.definition, "commutative", False):
        operands = tuple(sorted(operands, key=order.__getitem__))
    return (id(op.definition), attributes, operands)


def exact_key(value: object) -> Hashable:
    """A key equal for two attribute values only if they are the same constant.

    ``0.0 == -0.0``, ``1 == 1.0 == True`` and ``nan != nan`` in Python, but
    each is a different constant, so the key has the type and, for floats,
    every bit (``float.hex``; a NaN equals itself).

    Raises:
        TypeError: ``value`` is of a type with no exact key.
    """
    if isinstance(value, float):
        return (type(value).__name__, value.hex())
    if isinstance(value, complex):
        return (type(value).__name__, value.real.hex(), value.imag.hex())
    if value is None or isinstance(value, (bool, int, str)):
        return (type(value).__name__, value)
    if isinstance(value, tuple):
        return (type(value).__name__, tuple(exact_key(item) for item in value))
    raise TypeError(f"no exact key for {type(value).__name__}")
