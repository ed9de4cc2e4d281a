"""What a file's ``def``, ``class`` and named ``lambda`` bind their names to.

``srcgrad show`` reads a file without running it. A plain ``def`` binds a
function whose source is in the file, so a call to it is lowered from that
source, with names resolved where the call runs. Every other definition is
bound to what a call would find, and refused as ``srcgrad.grad`` refuses
the object the name holds: an ``async def``; a ``def`` under
``@srcgrad.grad`` (the name holds a gradient); a ``def`` under any other
decorator (the name holds what the decorator returned, which show cannot
know); a class. Each ``def`` counts, not only the last of a name: a
decorator above a later ``def`` sees the earlier one. A ``lambda`` assigned
to a name is a function of the file as a ``def`` is.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, replace

from srcgrad.frontend.decorators import SrcgradNames, decorated_callee_error
from srcgrad.frontend.files import ParsedFile
from srcgrad.frontend.resolve import Binding, FunctionBinding, GlobalBinding, Resolver
from srcgrad.frontend.source import (
    LAMBDA_DISPLAY,
    FunctionSource,
    async_def_error,
    lambda_as_def,
    span_in_file,
)


@dataclass(frozen=True)
class FileFunction:
    """A function of the file, as the object a name holds: another name
    bound to it (``alias = helper``) holds the same function."""

    binding: FunctionBinding

    def named(self, name: str) -> FunctionBinding:
        """The binding of a name that holds this function."""
        return replace(self.binding, name=name)


class FileFunctions:
    """The functions a file defines, read once each.

    Args:
        parsed: the file.
        resolver: what the free names of its functions mean.
    """

    def __init__(self, parsed: ParsedFile, resolver: Resolver) -> None:
        self._parsed = parsed
        self._resolver = resolver
        self._names = SrcgradNames.of(parsed.module)
        self._sources = {id(source.node): source for source in parsed.functions}
        self._lambdas: dict[int, FileFunction] = {}

    def definition(self, statement: ast.stmt) -> FileFunction | Binding:
        """What a ``def``, ``async def`` or ``class`` binds its name to."""
        if isinstance(statement, ast.FunctionDef):
            custom = self._names.custom_rule(statement)
            if custom is not None:  # its calls call the rule, by name
                description = (
                    f"{statement.name} (a function with a custom {custom} rule)"
                )
                return GlobalBinding(
                    statement.name, description, is_value=False, custom=custom
                )
            source = self._source(statement)
            binding = FunctionBinding(
                statement.name,
                f"function {statement.name}",
                source=source,
                resolver=self._resolver,
                refused=decorated_callee_error(statement, self._names),
            )
            return FileFunction(binding)
        if isinstance(statement, ast.AsyncFunctionDef):
            where = span_in_file(statement, self._parsed.filename, self._parsed.lines)
            refused = async_def_error(statement.name, where)
            name = statement.name
            return FileFunction(
                FunctionBinding(name, f"function {name}", refused=refused)
            )
        name = getattr(statement, "name", "")
        return GlobalBinding(name, f"{name} (a class)", is_value=False)

    def lambda_function(self, node: ast.Lambda) -> FileFunction:
        """The function a ``lambda`` makes, as a name it is assigned to
        holds; grad names it by that name too (``sq = lambda t: t * t``)."""
        found = self._lambdas.get(id(node))
        if found is None:
            definition = lambda_as_def(node)
            source = FunctionSource(
                definition, self._parsed.filename, self._parsed.lines
            )
            binding = FunctionBinding(
                LAMBDA_DISPLAY,
                f"function {LAMBDA_DISPLAY}",
                source=source,
                resolver=self._resolver,
            )
            found = self._lambdas[id(node)] = FileFunction(binding)
        return found

    def _source(self, node: ast.FunctionDef) -> FunctionSource:
        """``node``'s source: the one ``parse_file`` read, if it is the last
        ``def`` of its name, else read now (once)."""
        found = self._sources.get(id(node))
        if found is None:
            found = FunctionSource(node, self._parsed.filename, self._parsed.lines)
            self._sources[id(node)] = found
        return found
