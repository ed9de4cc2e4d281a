"""Reading a Python file as Python reads it, without running it.

``srcgrad show`` parses a file instead of importing it. To see the same text
the import would, the file is decoded the way Python's tokenizer decodes it:
a UTF-8 byte-order mark or a PEP 263 ``# -*- coding: ... -*-`` line picks the
encoding (``tokenize.detect_encoding``), and lines are split only at the
newlines Python counts (so line numbers agree with tracebacks and with
``linecache``, which is what a live function's source comes from).
"""

from __future__ import annotations

import ast
import io
import tokenize
from dataclasses import dataclass

from srcgrad.errors import UnsupportedSyntaxError
from srcgrad.frontend.source import FunctionSource, span_in_file
from srcgrad.ir import SourceLocation


@dataclass(frozen=True)
class ParsedFile:
    """A file's parsed module and its top-level functions.

    Attributes:
        filename: the path, as given.
        lines: the decoded lines, newlines normalised to ``\\n``.
        module: the parsed module.
        functions: each top-level ``def``, in file order; of a name
            defined twice, only the last definition (what the module holds).
    """

    filename: str
    lines: tuple[str, ...]
    module: ast.Module
    functions: tuple[FunctionSource, ...]

    @property
    def async_functions(self) -> tuple[ast.AsyncFunctionDef, ...]:
        """Top-level ``async def`` functions, which srcgrad cannot lower."""
        return tuple(
            node for node in self.module.body if isinstance(node, ast.AsyncFunctionDef)
        )

    def location(self, node: ast.AST) -> SourceLocation:
        """The span of ``node``, as an error points at it."""
        return span_in_file(node, self.filename, self.lines)


def parse_file(path: str) -> ParsedFile:
    """Parse a file without running it: its module and top-level functions.

    Args:
        path: the file to read.

    Returns:
        The parsed file.

    Raises:
        UnsupportedSyntaxError: the file is not valid Python, or its bytes
            are not valid in the encoding it declares.
        OSError: the file cannot be read.
    """
    with open(path, "rb") as handle:
        data = handle.read()
    lines = _decoded_lines(path, data)
    try:
        tree = ast.parse("".join(lines), filename=path)
    except (SyntaxError, ValueError) as error:
        raise _invalid(path, lines, error) from None
    except RecursionError:  # Python cannot compile it either
        raise _invalid(
            path, lines, ValueError("nested too deeply for Python's parser")
        ) from None
    definitions = [node for node in tree.body if isinstance(node, ast.FunctionDef)]
    # A name defined twice is, once the file has run, its last definition.
    last = {node.name: node for node in definitions}
    functions = tuple(
        FunctionSource(node, path, lines)
        for node in definitions
        if last[node.name] is node
    )
    return ParsedFile(path, lines, tree, functions)


def _decoded_lines(path: str, data: bytes) -> tuple[str, ...]:
    """``data`` decoded as Python decodes a source file, split into lines."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as error:  # an unknown or contradictory coding line
        raise _invalid(path, (), error) from None
    try:
        text = data.decode(encoding)  # "utf-8-sig" drops a byte-order mark
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        quoted = data.splitlines()[line - 1].decode(encoding, errors="replace")
        column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
        raise UnsupportedSyntaxError(
            f"the file is not valid {encoding}: {error.reason}",
            SourceLocation(path, line, column, column + 1, quoted),
        ) from None
    # Universal newlines, as tokenize.open and linecache read the file.
    return tuple(io.StringIO(text, newline=None).readlines())


def _invalid(
    path: str, lines: tuple[str, ...], error: SyntaxError | ValueError
) -> UnsupportedSyntaxError:
    """The error for a file Python would not compile either."""
    line = getattr(error, "lineno", None) or 1
    column = getattr(error, "offset", None) or 1
    quoted = lines[line - 1] if 0 < line <= len(lines) else ""
    message = getattr(error, "msg", None) or str(error)
    location = SourceLocation(path, line, column, column + 1, quoted)
    return UnsupportedSyntaxError(f"invalid Python: {message}", location)
