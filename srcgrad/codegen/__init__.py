"""Codegen: IR to formatted, readable Python source."""

from srcgrad.codegen.emit import FACTORY_NAME, GeneratedFunction, generate
from srcgrad.codegen.load import compile_generated, load

__all__ = ["FACTORY_NAME", "GeneratedFunction", "compile_generated", "generate", "load"]
