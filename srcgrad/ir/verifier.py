"""Checks the SSA invariants; tests run it after every pass.

A failure here is a bug in srcgrad, never in the user's code, so it raises
``IRVerificationError`` rather than a ``SrcgradError``.
"""

from __future__ import annotations

from typing import overload

from srcgrad.ir.calls import callee_of, is_call
from srcgrad.ir.control import CONDITION, FOR, IF, WHILE
from srcgrad.ir.core import Block, Function, Op, Value
from srcgrad.ir.ops import RETURN, YIELD
from srcgrad.ir.program import Program


class IRVerificationError(AssertionError):
    """The IR breaks an invariant: a srcgrad bug."""


@overload
def verify(checked: Function) -> Function: ...
@overload
def verify(checked: Program) -> Program: ...


def verify(checked: Function | Program) -> Function | Program:
    """Check a function or every function of a program; return it unchanged.

    In a program each call must name one of its functions and match its
    parameters and returned values in number.
    """
    if isinstance(checked, Program):
        return verify_program(checked)
    return verify_function(checked)


def verify_program(program: Program) -> Program:
    """Check each function of ``program`` and the calls between them."""
    if program.entry not in program.functions:
        raise IRVerificationError(f"the entry {program.entry} is not a function")
    for symbol, function in program.functions.items():
        verify_function(function)
        for op in program.calls(symbol):
            callee = program.functions.get(callee_of(op))
            if callee is None:
                raise IRVerificationError(f"call to unknown function {callee_of(op)}")
            returned = callee.entry.terminator
            assert returned is not None
            _expect(len(op.operands) == len(callee.parameters), op, "binds each")
            _expect(len(op.results) == len(returned.operands), op, "unpacks results")
    return program


def verify_function(function: Function) -> Function:
    """Check ``function``; return it unchanged so calls can be chained.

    Raises:
        IRVerificationError: a value is used before (or without) being
            defined, defined twice, a block lacks its terminator, an op has
            the wrong number of operands, or parent links are broken.
    """
    if len(function.arguments) != len(function.parameters):
        raise IRVerificationError("entry block arguments do not match parameters")
    _verify_block(function.entry, visible=set(), defined=set())
    terminator = function.entry.terminator
    if terminator is None or terminator.definition is not RETURN:
        raise IRVerificationError("the function body does not end in a return")
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
        if op.regions:
            _verify_structure(op)
        if is_call(op) and not isinstance(op.attributes.get("callee"), str):
            raise IRVerificationError("a call does not name its callee")
        for region in op.regions:
            if region.parent is not op:
                raise IRVerificationError(f"region of {op.name} has a wrong parent")
            for inner in region.blocks:
                if inner.parent is not region:
                    raise IRVerificationError("block has a wrong parent link")
                _verify_block(inner, scope, defined)
        for result in op.results:
            _define(result, op, scope, defined)


def _verify_structure(op: Op) -> None:
    """The regions of a control-flow op have the shape its kind requires."""
    exits = 1 if op.attributes.get("exit") else 0
    if op.definition is IF:
        _expect(len(op.operands) == 1, op, "takes one condition")
        _expect(len(op.regions) == 2, op, "has two regions")
        for region in op.regions:
            _expect_region(op, region.blocks, 0, YIELD, len(op.results))
    elif op.definition is FOR:
        _expect(len(op.regions) == 1, op, "has one region")
        targets = op.attributes.get("targets", 1)
        carried = len(op.operands) - 1
        _expect(isinstance(targets, int) and targets >= 0, op, "counts its targets")
        assert isinstance(targets, int)  # _expect raised otherwise
        _expect(len(op.results) == carried + exits, op, "has a result per value")
        _expect_region(
            op, op.regions[0].blocks, targets + carried, YIELD, carried + exits
        )
    elif op.definition is WHILE:
        carried = len(op.operands)
        _expect(len(op.regions) == 2, op, "has a condition and a body")
        _expect(len(op.results) == carried + exits, op, "has a result per value")
        _expect_region(op, op.regions[0].blocks, carried, CONDITION, 1)
        _expect_region(op, op.regions[1].blocks, carried, YIELD, carried + exits)
    else:
        raise IRVerificationError(f"op {op.name} owns regions but is not control flow")


def _expect_region(
    op: Op, blocks: list[Block], arguments: int, terminator: object, operands: int
) -> None:
    _expect(len(blocks) == 1, op, "has single-block regions")
    block = blocks[0]
    _expect(len(block.arguments) == arguments, op, f"gives {arguments} arguments")
    end = block.terminator
    _expect(
        end is not None and end.definition is terminator,
        op,
        f"ends its regions in {getattr(terminator, 'name', terminator)}",
    )
    assert end is not None
    _expect(len(end.operands) == operands, op, f"yields {operands} values")


def _expect(condition: bool, op: Op, what: str) -> None:
    if not condition:
        raise IRVerificationError(f"op {op.name} {what}")


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
