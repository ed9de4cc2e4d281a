"""Where a function's source comes from: a live function, or a file.

Either way the result is a ``FunctionSource``: the parsed ``def`` plus what
it takes to turn an AST node back into a ``file:line:col`` location in the
user's own file (the line offset of the snippet, the indentation that was
removed to parse it).
"""

from __future__ import annotations

import ast
import inspect
import linecache
import textwrap
import types
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from srcgrad.errors import SourceUnavailableError
from srcgrad.ir import SourceLocation


@dataclass(frozen=True)
class FunctionSource:
    """A parsed function definition and the file it came from.

    Attributes:
        node: the ``def``; decorators are ignored.
        filename: the user's file, as tracebacks name it.
        file_lines: the whole file, to quote lines in errors and comments.
        line_offset: added to a node's line to get the file's line.
        column_offset: characters of indentation removed before parsing.
    """

    node: ast.FunctionDef
    filename: str
    file_lines: tuple[str, ...]
    line_offset: int = 0
    column_offset: int = 0

    @property
    def name(self) -> str:
        return self.node.name

    def location(self, node: ast.AST) -> SourceLocation:
        """The span of ``node`` in the user's file."""
        line = getattr(node, "lineno", self.node.lineno) + self.line_offset
        text = self.file_lines[line - 1] if 0 < line <= len(self.file_lines) else ""
        start = self._column(text, getattr(node, "col_offset", 0))
        if getattr(node, "end_lineno", None) == getattr(node, "lineno", None):
            end = self._column(text, node.end_col_offset)  # type: ignore[attr-defined]
        else:
            end = len(text.rstrip())
        return SourceLocation(
            self.filename, line, start + 1, max(end, start + 1) + 1, text
        )

    def _column(self, text: str, byte_offset: int) -> int:
        # ast columns are UTF-8 byte offsets into the dedented line.
        encoded = text.encode("utf-8")
        shifted = byte_offset + len(text[: self.column_offset].encode("utf-8"))
        return len(encoded[:shifted].decode("utf-8", errors="ignore"))


#: The name a lambda's gradient is given (``lambda_grad``).
LAMBDA_NAME = "lambda"


def source_of_function(function: Callable[..., Any]) -> FunctionSource:
    """Read and parse the source of a live function (a ``def`` or a lambda).

    Raises:
        SourceUnavailableError: no source (a builtin, a REPL definition,
            ``exec`` without a file), or a lambda srcgrad can't single out.
    """
    if not inspect.isfunction(function):
        raise SourceUnavailableError(f"{function!r} is not a Python function")
    code = function.__code__  # not inspect.unwrap: the code we will bind to
    filename, lines, first_line = _source_lines(function)
    snippet = "".join(lines)
    dedented = textwrap.dedent(snippet)
    indent = len(lines[0]) - len(lines[0].lstrip()) if dedented != snippet else 0
    file_lines = tuple(linecache.getlines(filename) or lines)
    if not linecache.getlines(filename):
        first_line = 1
    try:
        tree = ast.parse(dedented)
    except SyntaxError:
        raise SourceUnavailableError(
            f"cannot parse the source of {function.__qualname__} on its own; "
            "define it with `def`"
        ) from None
    definition: ast.stmt | None
    if function.__name__ == "<lambda>":
        definition = _lambda_definition(tree, code, first_line - 1)
    else:
        definition = tree.body[0] if tree.body else None
    if not isinstance(definition, ast.FunctionDef):
        raise SourceUnavailableError(
            f"{function.__qualname__} is not defined by a `def` statement "
            "(async functions are not supported)"
        )
    return FunctionSource(definition, filename, file_lines, first_line - 1, indent)


def _source_lines(function: types.FunctionType) -> tuple[str, list[str], int]:
    """The file, the lines of ``function``'s definition and its first line."""
    code = function.__code__
    try:
        lines, first_line = inspect.getsourcelines(code)
        filename = inspect.getsourcefile(code) or code.co_filename
    except (OSError, TypeError) as error:
        raise SourceUnavailableError(
            f"cannot read the source of {function.__qualname__}: {error}; "
            "srcgrad needs functions defined in a file"
        ) from None
    return filename, lines, first_line


def _lambda_definition(
    tree: ast.Module, code: types.CodeType, line_offset: int
) -> ast.FunctionDef:
    """The lambda ``code`` was compiled from, as a ``def`` returning its body."""
    parameters = list(code.co_varnames[: code.co_argcount + code.co_kwonlyargcount])
    candidates = [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Lambda)
        and node.lineno + line_offset == code.co_firstlineno
        and [arg.arg for arg in ast.walk(node.args) if isinstance(arg, ast.arg)]
        == parameters
    ]
    if len(candidates) > 1:
        # Several lambdas on one line: keep those that compile to this code.
        candidates = [node for node in candidates if _compiles_to(node, code)][:1]
    if len(candidates) != 1:
        raise SourceUnavailableError(
            f"line {code.co_firstlineno} has {len(candidates)} lambdas that could "
            "be this one; define the function with `def`"
        )
    lambda_node = candidates[0]
    body = ast.Return(lambda_node.body)
    ast.copy_location(body, lambda_node.body)
    definition = ast.FunctionDef(
        name=LAMBDA_NAME,
        args=lambda_node.args,
        body=[body],
        decorator_list=[],
        returns=None,
    )
    return ast.copy_location(definition, lambda_node)


def _compiles_to(node: ast.Lambda, code: types.CodeType) -> bool:
    expression = ast.Expression(node)
    compiled = compile(ast.fix_missing_locations(expression), "<lambda>", "eval")
    inner = [const for const in compiled.co_consts if isinstance(const, types.CodeType)]
    return bool(inner) and inner[0].co_code == code.co_code
