"""Codegen: IR to formatted, readable Python source.

In the order code is written: ``inline`` (which ops are written inline),
``layout`` (program points over nested regions, where values are live, and
the flows control flow makes), ``naming`` (values joined into variables,
and their names), ``scope`` (the globals the code reads by name, which
no name it binds may hide), ``plan`` (all of that for one function, and its values
as expressions), ``statements`` (the body as ``ast``: ``if``, ``for``,
``while``, copies, comments), ``checks`` (``check_real`` and kept calls),
``emit`` (the ``def`` and its imports; ``generated`` holds what it
writes), ``format`` (black), ``bindings``
(the modules and builtins the code calls), ``load`` (compiling the text).
``generate_program`` writes a program: the entry and the functions it calls,
in one module.

Importing the package imports only ``generated`` and ``load``, all that a
gradient found in a cache is bound with; ``generate`` and
``generate_program`` are read from ``emit`` when first asked for.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from srcgrad.codegen.generated import FACTORY_NAME, GeneratedFunction, module_source
from srcgrad.codegen.load import compile_generated, load

if TYPE_CHECKING:
    from srcgrad.codegen.emit import generate, generate_program

#: The names read from ``emit`` when first asked for.
_LAZY = {"generate", "generate_program"}

__all__ = [
    "FACTORY_NAME",
    "GeneratedFunction",
    "compile_generated",
    "generate",
    "generate_program",
    "module_source",
    "load",
]


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.emit"), name)
