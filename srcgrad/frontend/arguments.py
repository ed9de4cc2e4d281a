"""Matching a call's arguments to a primitive's operands, as Python would.

``np.power(x, 2)``, ``pow(base=x, exp=2)`` and ``math.hypot(x, y, z)`` all
come down to a list of operands; an argument srcgrad has no operand for
(``out=``, ``pow``'s ``mod``) is an error, never silently dropped.
"""

from __future__ import annotations

import functools
import inspect
from typing import Any

from srcgrad.errors import CallError, UnsupportedSyntaxError
from srcgrad.frontend.resolve import PrimitiveBinding
from srcgrad.ir import Value


def bind_arguments(
    callee: PrimitiveBinding, args: list[Value], keywords: dict[str, Value]
) -> list[Value]:
    """The operands of a call to ``callee``, in the primitive's order.

    Raises:
        CallError: the arguments don't fit the function's signature.
        UnsupportedSyntaxError: an argument srcgrad has no operand for.
        (Both without a location: the caller knows where the call is.)
    """
    signature = _signature(callee.function)
    if signature is None:
        if keywords:
            first = next(iter(keywords))
            raise UnsupportedSyntaxError(
                f"keyword argument {first!r} of {callee.display} is not supported"
            )
        operands = args
        limit = _operand_limit(callee)
        if limit is not None and len(operands) > limit:
            raise CallError(
                f"{callee.display} takes {limit} argument{'s' * (limit != 1)}, "
                f"got {len(operands)}"
            )
    else:
        try:
            bound = signature.bind(*args, **keywords)
        except TypeError as error:
            raise CallError(f"{callee.display}: {error}") from None
        operands = _operands(callee, signature, bound)
    arity = callee.primitive.arity
    if arity is not None and len(operands) != arity:
        raise CallError(
            f"{callee.display} takes {arity} argument{'s' * (arity != 1)}, "
            f"got {len(operands)}"
        )
    return operands


@functools.cache
def _signature(function: object) -> inspect.Signature | None:
    """``function``'s signature, or None where it has none (math functions;
    ufuncs on older NumPy). Read once per primitive function: parsing a
    builtin's text signature costs more than lowering the call."""
    try:
        return inspect.signature(function)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


def _operands(
    callee: PrimitiveBinding,
    signature: inspect.Signature,
    bound: inspect.BoundArguments,
) -> list[Value]:
    operands: list[Value] = []
    limit = _operand_limit(callee)
    for name, parameter in signature.parameters.items():
        if name not in bound.arguments:
            continue
        given: Any = bound.arguments[name]
        items = list(given) if parameter.kind is parameter.VAR_POSITIONAL else [given]
        if limit is not None and len(operands) + len(items) > limit:
            raise UnsupportedSyntaxError(
                f"argument {name!r} of {callee.display} is not supported"
            )
        operands.extend(items)
    return operands


def _operand_limit(callee: PrimitiveBinding) -> int | None:
    """How many operands the call may have: the primitive's arity, or for a
    variadic primitive called as a NumPy ufunc (``np.hypot``), its inputs;
    a ufunc's next positional argument is ``out``, never an operand."""
    if callee.primitive.arity is not None:
        return callee.primitive.arity
    inputs = getattr(callee.function, "nin", None)
    return inputs if isinstance(inputs, int) else None


def refuse_option_keywords(callee: PrimitiveBinding, names: list[str]) -> None:
    """Refuse, before their values are read, keywords that are no operand.

    ``np.arctan2(y, x, out=None)``: ``out`` (like ``where``, ``dtype``,
    ``casting``) is an option srcgrad has no operand for; saying so beats
    complaining that ``None`` is not a number.

    Raises:
        UnsupportedSyntaxError: a keyword names no operand (no location).
    """
    signature = _signature(callee.function)
    if signature is None:
        return  # no signature: bind_arguments refuses every keyword anyway
    parameters = list(signature.parameters.values())
    limit = _operand_limit(callee)
    operands = parameters if limit is None else parameters[:limit]
    names_of_operands = {parameter.name for parameter in operands}
    for name in names:
        if name not in names_of_operands and name in {p.name for p in parameters}:
            raise UnsupportedSyntaxError(
                f"argument {name!r} of {callee.display} is not supported"
            )
