"""What reverse mode refuses between ``wrt`` and the output (see
``passes.activity``): an op on a path from ``wrt`` to the output must be a
primitive with one result and either a VJP rule or a derivative declared
zero, or one of the control-flow ops reverse mode knows; a value that
depends on ``wrt`` must not be used where Python needs an integer or a
sequence. The error names the op and its source location.
"""

from __future__ import annotations

from srcgrad.errors import DifferentiationError, ValueTypeError
from srcgrad.ir import (
    FOR,
    IF,
    PACK,
    UNPACK,
    WHILE,
    Block,
    Function,
    Op,
    Value,
    is_call,
    loop_parts,
)
from srcgrad.ir.types import Array, ListOf, Scalar
from srcgrad.passes.tape_activity import is_tape
from srcgrad.primitives import Primitive


def check_activity(function: Function, varied: set[Value], useful: set[Value]) -> None:
    """Refuse what reverse mode cannot do between ``varied`` and ``useful``.

    Raises:
        DifferentiationError: see ``active_values``.
    """
    _check_block(function.entry, varied, useful)


def has_zero_derivative(op: Op) -> bool:
    """``op`` is a primitive whose derivative is zero by declaration (``//``)."""
    return isinstance(op.definition, Primitive) and op.definition.zero_derivative


def check_differentiable(op: Op) -> Primitive:
    """``op``'s primitive, if reverse mode can apply its VJP rule.

    Raises:
        DifferentiationError: ``op`` has several results, owns regions, has
            no VJP rule, or is not a primitive at all.
    """
    definition = op.definition
    if op.attributes.get("namespace") == "custom" and op.name != "custom_call":
        raise custom_rule_error(op)
    if op.regions:
        reason = "owns regions that reverse mode does not know"
    elif len(op.results) != 1:
        reason = f"has {len(op.results)} results; reverse mode handles one"
    elif not isinstance(definition, Primitive):
        reason = "is not a primitive, so it has no derivative rule"
    elif definition.opaque:
        raise DifferentiationError(
            f"no derivative rule for {op.attributes.get('display', definition.name)};"
            " it lies between wrt and "
            "the output, and srcgrad differentiates the math and NumPy "
            "functions it has rules for (listed in the reference)",
            op.loc,
        )
    elif definition.vjp is None:
        reason = "has no derivative rule (VJP) and no declared zero derivative"
    else:
        return definition
    raise DifferentiationError(
        f"op {op.name!r} lies between wrt and the output but {reason}", op.loc
    )


def custom_rule_error(op: Op) -> DifferentiationError:
    """The error for differentiating a custom rule's own result (a second
    derivative through a function with a rule of the user's)."""
    shown = str(op.attributes.get("display", "a custom rule"))
    return DifferentiationError(
        f"{shown} gives first derivatives only: a second derivative through "
        "it (hessian, grad of grad) is not available; differentiate the "
        "function itself instead of giving it a rule",
        op.loc,
    )


# -- the checks ------------------------------------------------------------
def _check_block(block: Block, varied: set[Value], useful: set[Value]) -> None:
    for op in block.ops:
        if op.definition.is_terminator:
            continue
        if op.definition in (FOR, WHILE, IF):
            _check_control(op, varied, useful)
            for region in op.regions:
                _check_block(region.block, varied, useful)
            continue
        if is_call(op):
            continue  # reverse mode differentiates the callee itself
        if not op.results or op.definition in (PACK, UNPACK):
            # a check, a push on a tape: nothing to differentiate; a tuple
            # of a callee's saved values: forward mode carries its
            # tangents (reverse mode's own, never differentiated by it)
            continue
        reads_varied = any(operand in varied for operand in op.operands)
        feeds_output = not op.definition.pure or any(r in useful for r in op.results)
        if not (reads_varied and feeds_output):
            continue
        primitive = op.definition
        if isinstance(primitive, Primitive) and primitive.integer_operands:
            exempt = primitive.differentiable_operands
            refused = [
                operand
                for index, operand in enumerate(op.operands)
                if operand in varied
                and index not in exempt
                and not _length_of_array(op, operand)
            ]
            if refused:
                _refuse_integer_use(op, refused)
        if not has_zero_derivative(op):
            check_differentiable(op)


def _length_of_array(op: Op, operand: Value) -> bool:
    """``len(x)`` of an array is its first size, of a list its count of
    items: no derivative to lose. A gradient's tape is walked, reversed
    and counted as the sequence it is (``tape_activity``)."""
    if is_tape(operand):
        return True
    return op.name == "len" and isinstance(operand.type, (Array, ListOf))


def _check_control(op: Op, varied: set[Value], useful: set[Value]) -> None:
    if op.definition is not FOR:
        return
    parts = loop_parts(op)
    if parts.iterable in varied and any(t in useful for t in parts.targets):
        _refuse_iterating_a_number(op, [parts.iterable])
        raise DifferentiationError(
            "this loop iterates over values that depend on wrt; srcgrad "
            "differentiates loops over range(), enumerate, zip and data "
            "sequences, over an array or a list the function makes (`for v "
            "in xs`), and unrolls literal tuples such as (x, y, z); loop over "
            "range(len(xs)) and read xs[i] instead",
            op.loc,
        )


def _refuse_iterating_a_number(op: Op, iterated: list[Value]) -> None:
    """Python cannot iterate over a number: ``for v in x`` of a real ``x``
    only runs where ``x`` is an array (a build for numbers hands such a
    function on to the one for its arguments' types, on this error)."""
    if any(isinstance(value.type, Scalar) for value in iterated):
        raise ValueTypeError(
            "this iterates over a number, which Python cannot do (TypeError: "
            "'float' object is not iterable); iterate over an array, a list "
            "or a tuple",
            op.loc,
        )


def _refuse_integer_use(op: Op, refused: list[Value]) -> None:
    if op.definition.name in ("zip", "enumerate", "reversed", "sum"):
        _refuse_iterating_a_number(op, refused)
    if op.definition.name == "len" and any(
        isinstance(value.type, Scalar) for value in refused
    ):
        # A build for numbers hands the function on to arrays, on this error.
        raise ValueTypeError(
            "len() of a number, which Python refuses (TypeError: object of "
            "type 'float' has no len()); it is an array's first size",
            op.loc,
        )
    what = {
        "range": "a range() bound",
        "len": "the argument of len()",
        "zip": "an argument of zip()",
        "enumerate": "an argument of enumerate()",
        "reversed": "the argument of reversed()",
    }.get(op.definition.name, f"an argument of {op.definition.name}()")
    raise DifferentiationError(
        f"a value that depends on wrt is used as {what}, where Python needs an "
        "integer or a sequence; srcgrad cannot differentiate with respect to "
        "it. Differentiate with respect to real-valued parameters only",
        op.loc,
    )
