"""The primitive table: every op srcgrad can differentiate, with its rules."""

from srcgrad.primitives.emitter import RuleEmitter
from srcgrad.primitives.registry import PRIMITIVES, spellings_in
from srcgrad.primitives.table import CustomSpelling, Primitive

__all__ = ["PRIMITIVES", "CustomSpelling", "Primitive", "RuleEmitter", "spellings_in"]
