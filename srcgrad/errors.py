"""Errors srcgrad raises, and the source locations they point at.

Every error about the user's code names ``file:line:col``, shows the line
and puts a caret under the construct, the way a compiler does::

    model.py:7:12: unsupported construct: comparison
        if x < 0.0:
           ^^^^^^^
"""

from __future__ import annotations

from srcgrad.ir.location import SourceLocation

__all__ = [
    "CallError",
    "DifferentiationError",
    "NameResolutionError",
    "NotRealError",
    "SourceLocation",
    "SourceUnavailableError",
    "SrcgradError",
    "UnsupportedSyntaxError",
]


class SrcgradError(Exception):
    """Base of every error srcgrad raises about the user's code or call."""

    kind = "error"

    def __init__(self, message: str, location: SourceLocation | None = None):
        self.message = message
        self.location = location
        super().__init__(self._render())

    def _render(self) -> str:
        if self.location is None:
            return f"{self.kind}: {self.message}"
        return f"{self.location}: {self.kind}: {self.message}\n{self.location.caret()}"


class UnsupportedSyntaxError(SrcgradError):
    """A Python construct srcgrad does not lower (yet)."""

    kind = "unsupported construct"


class NameResolutionError(SrcgradError):
    """A name that is undefined, or bound to something srcgrad can't use."""

    kind = "unresolved name"


class CallError(SrcgradError):
    """A call to a known function with arguments it does not accept."""

    kind = "bad call"


class SourceUnavailableError(SrcgradError):
    """The function's source can't be read (a builtin, a REPL definition)."""

    kind = "no source"


class DifferentiationError(SrcgradError):
    """The function can't be differentiated as asked (output, ``wrt``)."""

    kind = "cannot differentiate"


class NotRealError(SrcgradError, TypeError):
    """A gradient was called with an input that is not a real number.

    Raised when the gradient runs, by ``srcgrad.runtime.check_real``; it is
    also a ``TypeError``, the error Python gives for a value of the wrong
    type.
    """

    kind = "not a real number"
