"""Codegen: IR to formatted, readable Python source."""

from srcgrad.codegen.emit import FACTORY_NAME, GeneratedFunction, generate

__all__ = ["FACTORY_NAME", "GeneratedFunction", "generate"]
