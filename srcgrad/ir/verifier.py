"""Checks the SSA invariants; tests run it after every pass.

A failure here is a bug in srcgrad, never in the user's code, so it raises
``IRVerificationError`` rather than a ``SrcgradError``.
"""

from __future__ import annotations

from srcgrad.ir.core import Block, Function, Value


class IRVerificationError(AssertionError):
    """The IR breaks an invariant: a srcgrad bug."""


def verify(function: Function) -> Function:
    """Check ``function``; return it unchanged so calls can be chained.

    Raises:
        IRVerificationError: a value is used before (or without) being
            defined, defined twice, a block lacks its terminator, an op has
            the wrong number of operands, or parent links are broken.
    """
    if len(function.arguments) != len(function.parameters):
        raise IRVerificationError("entry block arguments do not match parameters")
    _verify_block(function.entry, visible=set(), defined=set())
    return function


def _verify_block(block: Block, visible: set[Value], defined: set[Value]) -> None:
    scope = set(visible)
    for argument in block.arguments:
        _define(argument, block, scope, defined)
    if block.terminator is None:
        raise IRVerificationError("block does not end in a terminator")
    for position, op in enumerate(block.ops):
        if op.parent is not block:
            raise IRVerificationError(f"op {op.name} has a wrong parent link")
        if op.definition.is_terminator and position != len(block.ops) - 1:
            raise IRVerificationError(f"terminator {op.name} in the middle of a block")
        arity = getattr(op.definition, "arity", None)
        if arity is not None and len(op.operands) != arity:
            raise IRVerificationError(
                f"op {op.name} has {len(op.operands)} operands, expects {arity}"
            )
        for operand in op.operands:
            if operand not in scope:
                raise IRVerificationError(
                    f"op {op.name} uses value {_describe(operand)} "
                    "that is not defined before it"
                )
        for region in op.regions:
            if region.parent is not op:
                raise IRVerificationError(f"region of {op.name} has a wrong parent")
            for inner in region.blocks:
                if inner.parent is not region:
                    raise IRVerificationError("block has a wrong parent link")
                _verify_block(inner, scope, defined)
        for result in op.results:
            _define(result, op, scope, defined)


def _define(
    value: Value, owner: object, scope: set[Value], defined: set[Value]
) -> None:
    if value in defined:
        raise IRVerificationError(f"value {_describe(value)} is defined twice")
    if value.owner is not owner:
        raise IRVerificationError(f"value {_describe(value)} has a wrong owner link")
    defined.add(value)
    scope.add(value)


def _describe(value: Value) -> str:
    return repr(value.name_hint) if value.name_hint else "(unnamed)"
