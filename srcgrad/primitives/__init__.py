"""The primitive table: every op srcgrad can differentiate, with its rules.

Layers, bottom to top (each imports only those below it):
``primitive`` (what a primitive is, the ``RuleBuilder`` protocol rules are
written against), ``derive`` and ``constants``; ``arithmetic``,
``elementwise``, ``power`` (the primitives, referring to each other by
object); ``sympy_to_ir``; ``table`` (the finished ``PRIMITIVES``);
``emitter`` (the ``RuleEmitter`` that builds rules into IR).
"""

from srcgrad.primitives.emitter import RuleEmitter
from srcgrad.primitives.primitive import (
    CustomSpelling,
    Primitive,
    RuleBuilder,
    Spelling,
)
from srcgrad.primitives.table import (
    PRIMITIVES,
    SCALAR_PRIMITIVES,
    spellings_in,
    without_rule,
)

__all__ = [
    "PRIMITIVES",
    "SCALAR_PRIMITIVES",
    "CustomSpelling",
    "Primitive",
    "RuleBuilder",
    "RuleEmitter",
    "Spelling",
    "spellings_in",
    "without_rule",
]
