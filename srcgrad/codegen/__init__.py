"""Codegen: IR to formatted, readable Python source."""

from srcgrad.codegen.emit import (
    FACTORY_NAME,
    GeneratedFunction,
    generate,
    module_source,
)
from srcgrad.codegen.load import compile_generated, load

__all__ = [
    "FACTORY_NAME",
    "GeneratedFunction",
    "compile_generated",
    "generate",
    "module_source",
    "load",
]
