"""Frontend: Python source in, SSA IR out. The only stage that reads ``ast``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from srcgrad.frontend.file_resolver import FileResolver
from srcgrad.frontend.files import ParsedFile, parse_file
from srcgrad.frontend.lower import lower_function
from srcgrad.frontend.resolve import LiveResolver
from srcgrad.frontend.source import FunctionSource, source_of_function
from srcgrad.ir import Function


def lower_live(function: Callable[..., Any]) -> Function:
    """The IR of a live function, names resolved through its globals."""
    return lower_function(source_of_function(function), LiveResolver(function))


def lower_file(path: str) -> list[Function]:
    """The IR of every top-level function in ``path``, without running it."""
    parsed = parse_file(path)
    resolver = FileResolver(parsed.module)
    return [lower_function(source, resolver) for source in parsed.functions]


__all__ = [
    "FileResolver",
    "FunctionSource",
    "LiveResolver",
    "ParsedFile",
    "lower_file",
    "lower_function",
    "lower_live",
    "parse_file",
    "source_of_function",
]
