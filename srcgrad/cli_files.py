"""What the commands of ``srcgrad`` read: a file, and a function in it.

``FILE::NAME`` names a top-level ``def`` of FILE, or a name bound to a
lambda or to another function; the file is parsed, never run.
"""

from __future__ import annotations

import os

from srcgrad.errors import SrcgradError
from srcgrad.frontend import FileResolver, FunctionSource, ParsedFile
from srcgrad.frontend.decorators import is_custom_rule
from srcgrad.frontend.resolve import FunctionBinding
from srcgrad.frontend.source import LAMBDA_DISPLAY, LAMBDA_NAME, async_def_error


def split_target(target: str) -> tuple[str, str]:
    """``FILE::NAME`` as (FILE, NAME), NAME empty for ``FILE`` alone.

    The name is after the last ``::``: a path may hold ``::``, a name never.
    A target that is a file is a path, whatever it holds.

    Raises:
        SrcgradError: ``FILE::`` names no function.
    """
    if "::" not in target or os.path.isfile(target):
        return target, ""
    path, _, name = target.rpartition("::")
    if not name:
        raise SrcgradError(
            f"{target!r} names no function after '::'; write {path}::NAME to "
            f"show one function, or {path} alone to show every function"
        )
    return path, name


def selected(
    parsed: ParsedFile, resolver: FileResolver, name: str
) -> tuple[list[FunctionSource], list[SrcgradError]]:
    """The functions to show (every ``def``, or ``name``), and those srcgrad
    can't read.

    Raises:
        SrcgradError: there is no such function.
    """
    sources = [source for source in parsed.functions if name in ("", source.name)]
    if not name:  # a function with a rule of its own, and the rule: not shown
        sources = [s for s in sources if not is_custom_rule(s.node, parsed.module)]
    errors: list[SrcgradError] = [
        async_def_error(node.name, parsed.location(node))
        for node in parsed.async_functions
        if name in ("", node.name)
    ]
    if name and not sources and not errors:
        return [_bound_function(parsed, resolver, name)], []
    if not sources and not errors:
        raise SrcgradError(f"{parsed.filename} has no top-level functions")
    return sources, errors


def _bound_function(
    parsed: ParsedFile, resolver: FileResolver, name: str
) -> FunctionSource:
    """The function ``name`` holds once the file has run, where no ``def``
    has that name: a lambda (``sq = lambda t: t * t``), or another name for
    a function (``alias = helper``).

    Raises:
        SrcgradError: ``name`` holds no function show can read.
    """
    binding = resolver.before(len(parsed.module.body)).resolve(name)
    if isinstance(binding, FunctionBinding):
        refused = binding.refused
        if isinstance(refused, SrcgradError):
            raise type(refused)(refused.message, refused.location)
        if isinstance(binding.source, FunctionSource):
            return binding.source
    message = f"{parsed.filename} has no top-level function named {name!r}"
    description = getattr(binding, "description", None)
    if description is not None:
        message += f" (what it holds: {description})"
    raise SrcgradError(message)


def display_name(source: FunctionSource) -> str:
    """The function's name as Python gives it (``<lambda>`` for a lambda)."""
    return LAMBDA_DISPLAY if source.name == LAMBDA_NAME else source.name


def located(error: SrcgradError, source: FunctionSource) -> SrcgradError:
    """``error``, pointing at the function's ``def`` if it points nowhere."""
    if error.location is not None:
        return error
    location = source.location(source.node)
    try:
        return type(error)(error.message, location)
    except TypeError:  # a subclass with a signature of its own
        return SrcgradError(str(error), location)
