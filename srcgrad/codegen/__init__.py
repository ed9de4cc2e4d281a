"""Codegen: IR to formatted, readable Python source.

In the order code is written: ``inline`` (which ops are written inline),
``layout`` (program points over nested regions, where values are live, and
the flows control flow makes), ``naming`` (values joined into variables,
and their names), ``scope`` (the globals the code reads by name, which
no name it binds may hide), ``plan`` (all of that for one function, and its values
as expressions), ``statements`` (the body as ``ast``: ``if``, ``for``,
``while``, copies, comments), ``checks`` (``check_real`` and kept calls),
``emit`` (the ``def`` and its imports), ``format`` (black), ``bindings``
(the modules and builtins the code calls), ``load`` (compiling the text).
``generate_program`` writes a program: the entry and the functions it calls,
in one module.
"""

from srcgrad.codegen.emit import (
    FACTORY_NAME,
    GeneratedFunction,
    generate,
    generate_program,
    module_source,
)
from srcgrad.codegen.load import compile_generated, load

__all__ = [
    "FACTORY_NAME",
    "GeneratedFunction",
    "compile_generated",
    "generate",
    "generate_program",
    "module_source",
    "load",
]
