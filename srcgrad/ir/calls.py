"""Calls between the functions of a program, and the tuples saved values travel in.

A ``call`` op names its callee by symbol (attribute ``callee``), a function
of the same ``Program``. Its operands are the callee's parameters in order,
after the caller's arguments were bound to them as Python binds them
(defaults and keywords resolved, closure variables appended); its results
are the values the callee returns, one per item of a returned tuple::

    %half = call %x, %m {callee = 'power'}
    %a, %b = call %x {callee = 'split'}

Whether a call may be merged (CSE) or dropped when unused (DCE) is its
definition's purity: ``CALL`` is what a call is until proven otherwise;
``PURE_CALL`` is a call whose callee, and everything it calls, has no op
with effects (``passes.calls.mark_pure_calls`` proves it for a program).

``pack`` and ``unpack`` build and take apart one tuple: reverse mode hands
the values a callee's backward sweep needs from its forward sweep in one
such value (``saved``), so a recursive call's saved tuple is itself one
saved value of its caller.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from srcgrad.ir.core import EmitContext, Op
from srcgrad.ir.ops import StructuralOp


@dataclass(frozen=True, eq=False)
class CallDefinition:
    """A call to a function of the program, pure or not."""

    pure: bool
    name: str = "call"
    is_terminator: bool = False

    def emit(
        self,
        args: Sequence[ast.expr],
        attributes: Mapping[str, object],
        context: EmitContext,
    ) -> ast.expr:
        callee = context.function(str(attributes["callee"]))
        return ast.Call(callee, list(args), [])


#: A call not (yet) proven free of effects: never merged, never dropped.
CALL = CallDefinition(pure=False)
#: A call to a function proven free of effects.
PURE_CALL = CallDefinition(pure=True)
#: ``(a, b, c)``: one tuple of its operands.
PACK = StructuralOp("pack")
#: ``a, b, c = t``: the items of a tuple, one result each.
UNPACK = StructuralOp("unpack")


def is_call(op: Op) -> bool:
    """``op`` calls a function of the program."""
    return isinstance(op.definition, CallDefinition)


def callee_of(op: Op) -> str:
    """The symbol of the function the call ``op`` calls."""
    return str(op.attributes["callee"])
