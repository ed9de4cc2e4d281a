"""Where in the user's source an IR value or op came from."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SourceLocation:
    """A span of the user's source: 1-based line, 1-based character columns.

    ``end_column`` is exclusive; ``text`` is the whole source line, kept so
    errors and generated comments can quote it without reading files again.
    """

    filename: str
    line: int
    column: int
    end_column: int
    text: str

    def __str__(self) -> str:
        return f"{self.filename}:{self.line}:{self.column}"

    def caret(self) -> str:
        """The source line and a caret line under this span.

        Tabs are expanded (to multiples of 8, as terminals show them) in
        both lines, so the caret is under the span however the line is
        indented.
        """
        line = self.text.rstrip("\n")
        start = len(line[: self.column - 1].expandtabs())
        end = len(line[: self.end_column - 1].expandtabs())
        width = max(1, end - start)
        return f"    {line.expandtabs()}\n    {' ' * start}{'^' * width}"
