"""Frontend: Python source in, SSA IR out. The only stage that reads ``ast``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from srcgrad.frontend.lower import lower_function
from srcgrad.frontend.resolve import FileResolver, LiveResolver
from srcgrad.frontend.source import FunctionSource, parse_file, source_of_function
from srcgrad.ir import Function


def lower_live(function: Callable[..., Any]) -> Function:
    """The IR of a live function, names resolved through its globals."""
    return lower_function(source_of_function(function), LiveResolver(function))


def lower_file(path: str) -> list[Function]:
    """The IR of every top-level function in ``path``, without running it."""
    module, sources = parse_file(path)
    resolver = FileResolver(module)
    return [lower_function(source, resolver) for source in sources]


__all__ = [
    "FileResolver",
    "FunctionSource",
    "LiveResolver",
    "lower_file",
    "lower_function",
    "lower_live",
    "parse_file",
    "source_of_function",
]
