"""The SSA IR every stage of srcgrad reads and writes.

Importing the package imports none of its modules: each name below is
read from its module when first asked for, so that what needs only
``ir.types`` or ``ir.location`` (a gradient found in a cache) does not
load the rest.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from srcgrad.ir.builder import (
        Builder,
    )
    from srcgrad.ir.calls import (
        CALL,
        PACK,
        PURE_CALL,
        UNPACK,
        CallDefinition,
        callee_of,
        is_call,
    )
    from srcgrad.ir.control import (
        APPEND,
        CONDITION,
        FOR,
        IF,
        NEW_LIST,
        UNDEF,
        WHILE,
        LoopParts,
        Pattern,
        bind_pattern,
        branch_yields,
        has_effects,
        is_control_flow,
        loop_of_argument,
        loop_parts,
        target_pattern,
    )
    from srcgrad.ir.core import (
        Block,
        EmitContext,
        Function,
        Op,
        OpDefinition,
        Parameter,
        Region,
        Value,
        use_counts,
        uses,
        walk,
    )
    from srcgrad.ir.location import (
        SourceLocation,
    )
    from srcgrad.ir.ops import (
        CHECK_REAL,
        CHECK_SHAPES,
        CONST,
        EVALUATE,
        FOR_ARRAYS,
        GLOBAL,
        RETURN,
        YIELD,
        StructuralOp,
        constant_expression,
    )
    from srcgrad.ir.printer import (
        print_function,
        print_program,
    )
    from srcgrad.ir.program import (
        Program,
    )
    from srcgrad.ir.verifier import (
        IRVerificationError,
        verify,
    )

#: Each name the package exports, and the module it is defined in.
_MODULES = {
    "Builder": "srcgrad.ir.builder",
    "CALL": "srcgrad.ir.calls",
    "CallDefinition": "srcgrad.ir.calls",
    "PACK": "srcgrad.ir.calls",
    "PURE_CALL": "srcgrad.ir.calls",
    "UNPACK": "srcgrad.ir.calls",
    "callee_of": "srcgrad.ir.calls",
    "is_call": "srcgrad.ir.calls",
    "APPEND": "srcgrad.ir.control",
    "CONDITION": "srcgrad.ir.control",
    "FOR": "srcgrad.ir.control",
    "IF": "srcgrad.ir.control",
    "LoopParts": "srcgrad.ir.control",
    "NEW_LIST": "srcgrad.ir.control",
    "Pattern": "srcgrad.ir.control",
    "UNDEF": "srcgrad.ir.control",
    "WHILE": "srcgrad.ir.control",
    "bind_pattern": "srcgrad.ir.control",
    "branch_yields": "srcgrad.ir.control",
    "has_effects": "srcgrad.ir.control",
    "is_control_flow": "srcgrad.ir.control",
    "loop_of_argument": "srcgrad.ir.control",
    "loop_parts": "srcgrad.ir.control",
    "target_pattern": "srcgrad.ir.control",
    "Block": "srcgrad.ir.core",
    "EmitContext": "srcgrad.ir.core",
    "Function": "srcgrad.ir.core",
    "Op": "srcgrad.ir.core",
    "OpDefinition": "srcgrad.ir.core",
    "Parameter": "srcgrad.ir.core",
    "Region": "srcgrad.ir.core",
    "Value": "srcgrad.ir.core",
    "use_counts": "srcgrad.ir.core",
    "uses": "srcgrad.ir.core",
    "walk": "srcgrad.ir.core",
    "SourceLocation": "srcgrad.ir.location",
    "CHECK_REAL": "srcgrad.ir.ops",
    "CHECK_SHAPES": "srcgrad.ir.ops",
    "CONST": "srcgrad.ir.ops",
    "EVALUATE": "srcgrad.ir.ops",
    "FOR_ARRAYS": "srcgrad.ir.ops",
    "GLOBAL": "srcgrad.ir.ops",
    "RETURN": "srcgrad.ir.ops",
    "StructuralOp": "srcgrad.ir.ops",
    "YIELD": "srcgrad.ir.ops",
    "constant_expression": "srcgrad.ir.ops",
    "print_function": "srcgrad.ir.printer",
    "print_program": "srcgrad.ir.printer",
    "Program": "srcgrad.ir.program",
    "IRVerificationError": "srcgrad.ir.verifier",
    "verify": "srcgrad.ir.verifier",
}

__all__ = [
    "APPEND",
    "Block",
    "Builder",
    "CALL",
    "CHECK_REAL",
    "CHECK_SHAPES",
    "CONDITION",
    "CONST",
    "CallDefinition",
    "EVALUATE",
    "EmitContext",
    "FOR",
    "FOR_ARRAYS",
    "Function",
    "GLOBAL",
    "IF",
    "IRVerificationError",
    "LoopParts",
    "NEW_LIST",
    "Op",
    "OpDefinition",
    "PACK",
    "PURE_CALL",
    "Parameter",
    "Pattern",
    "Program",
    "RETURN",
    "Region",
    "SourceLocation",
    "StructuralOp",
    "UNDEF",
    "UNPACK",
    "Value",
    "WHILE",
    "YIELD",
    "bind_pattern",
    "branch_yields",
    "callee_of",
    "constant_expression",
    "has_effects",
    "is_call",
    "is_control_flow",
    "loop_of_argument",
    "loop_parts",
    "print_function",
    "print_program",
    "target_pattern",
    "use_counts",
    "uses",
    "verify",
    "walk",
]


def __getattr__(name: str) -> Any:
    module = _MODULES.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # read once
    return value
