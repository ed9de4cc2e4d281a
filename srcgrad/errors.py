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
        #: The message before ``called_from`` told how it was reached.
        self.first_message = message
        #: The function the error is in, then each call that reached it.
        self.calls: tuple[str, ...] = ()
        super().__init__(self._render())

    def called_from(
        self, callee: str, caller: str, call: SourceLocation
    ) -> SrcgradError:
        """This error, found while reading ``callee`` for a call that
        ``caller`` makes at ``call``: the message tells the whole way from
        the function differentiated, each call with its file and line."""
        calls = self.calls or (f"in {callee}",)
        step = "called from" if len(calls) == 1 else "which is called from"
        calls = (*calls, f"{step} {caller} at {call}")
        error = type(self)(f"{self.first_message} ({', '.join(calls)})", self.location)
        error.first_message, error.calls = self.first_message, calls
        return error

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


class ValueTypeError(SrcgradError, TypeError):
    """An operation on a value it does not take: an array operation on a
    number (``x.T`` where ``x`` is a float), a number where a sequence is
    needed, or arrays whose ranks do not fit."""


class ArraySizeError(ValueTypeError, ValueError):
    """Arrays whose sizes do not fit, known when a gradient is built for
    them (``np.squeeze`` of an axis of 3 items, ``A @ x`` of an empty ``A``):
    a ``ValueError`` too, as NumPy raises in ``f``."""


class NotRealError(SrcgradError, TypeError):
    """A gradient was called with an input that is not a real number.

    Raised when the gradient runs, by ``srcgrad.runtime.check_real``; it is
    also a ``TypeError``, the error Python gives for a value of the wrong
    type.
    """

    kind = "not a real number"
