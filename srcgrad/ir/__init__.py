"""The SSA IR every stage of srcgrad reads and writes."""

from srcgrad.ir.builder import Builder
from srcgrad.ir.core import (
    Block,
    EmitContext,
    Function,
    Op,
    OpDefinition,
    Parameter,
    Region,
    Value,
    uses,
    walk,
)
from srcgrad.ir.location import SourceLocation
from srcgrad.ir.ops import (
    CHECK_REAL,
    CONST,
    EVALUATE,
    GLOBAL,
    RETURN,
    YIELD,
    StructuralOp,
    constant_expression,
)
from srcgrad.ir.printer import print_function
from srcgrad.ir.verifier import IRVerificationError, verify

__all__ = [
    "CHECK_REAL",
    "CONST",
    "EVALUATE",
    "GLOBAL",
    "RETURN",
    "YIELD",
    "Block",
    "Builder",
    "EmitContext",
    "Function",
    "IRVerificationError",
    "Op",
    "OpDefinition",
    "Parameter",
    "Region",
    "SourceLocation",
    "StructuralOp",
    "Value",
    "constant_expression",
    "print_function",
    "uses",
    "verify",
    "walk",
]
