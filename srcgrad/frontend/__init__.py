"""Frontend: Python source in, SSA IR out. The only stage that reads ``ast``."""

from __future__ import annotations

import types
from collections.abc import Callable
from typing import Any

from srcgrad.errors import SourceUnavailableError, SrcgradError
from srcgrad.frontend.file_resolver import FileResolver
from srcgrad.frontend.files import ParsedFile, parse_file
from srcgrad.frontend.loaders import file_entry, live_entry
from srcgrad.frontend.lower import lower_function, lower_program
from srcgrad.frontend.resolve import LiveResolver
from srcgrad.frontend.source import FunctionSource, source_of_function
from srcgrad.ir import Function, Program


def lower_live_program(function: Callable[..., Any]) -> Program:
    """The IR of a live function and of every function of the user's it
    calls, names resolved through each one's globals and closure."""
    if not isinstance(function, types.FunctionType):
        raise SourceUnavailableError(f"{function!r} is not a Python function")
    return lower_program(live_entry(function), function.__globals__)


def lower_live(function: Callable[..., Any]) -> Function:
    """The IR of a live function that calls no function of the user's."""
    program = lower_live_program(function)
    if len(program.functions) > 1:
        raise SrcgradError(
            f"{program.entry} calls other functions: use lower_live_program"
        )
    return program.entry_function


def lower_file_programs(path: str) -> list[Program]:
    """The programs of every top-level function in ``path``, without running it."""
    parsed = parse_file(path)
    resolver = FileResolver(parsed)
    return [lower_program(file_entry(source, resolver)) for source in parsed.functions]


def lower_file(path: str) -> list[Function]:
    """The IR of every top-level function in ``path``, without running it;
    for functions that call no other function of the file."""
    return [program.entry_function for program in lower_file_programs(path)]


__all__ = [
    "FileResolver",
    "FunctionSource",
    "LiveResolver",
    "ParsedFile",
    "file_entry",
    "lower_file",
    "lower_file_programs",
    "lower_function",
    "lower_live",
    "lower_live_program",
    "lower_program",
    "parse_file",
    "source_of_function",
]
