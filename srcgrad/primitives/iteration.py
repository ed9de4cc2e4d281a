"""Builtins that count and iterate: ``range``, ``len``, ``zip``, ``enumerate``,
``reversed``, ``sum`` of a sequence and ``round(x, ndigits)``.

They compute integers and sequences, not real numbers. None is in the
numeric table ``PRIMITIVES``; the frontend lowers their calls (mostly in a
``for`` header) and reverse mode's tapes use ``zip`` and ``reversed``.
Their operands are integers or sequences: one that depends on ``wrt`` (a
``range`` bound computed from ``x``) is an error, never a silent zero.
"""

from __future__ import annotations

from types import MappingProxyType

from srcgrad.primitives.primitive import Primitive


def _builtin(name: str, arity: int | None) -> Primitive:
    return Primitive(
        name,
        arity,
        {"builtins": name},
        None,
        None,
        (),
        zero_derivative=True,
        integer_operands=True,
    )


RANGE = _builtin("range", None)
LEN = _builtin("len", 1)
ZIP = _builtin("zip", None)
ENUMERATE = _builtin("enumerate", None)
REVERSED = _builtin("reversed", 1)
#: ``sum(sequence[, start])`` of a sequence of numbers passed in (inactive data).
SUM = _builtin("sum", None)
#: ``round(x, ndigits)``: a float, piecewise constant in ``x``.
ROUND_DIGITS = Primitive(
    "round_digits",
    2,
    {"builtins": "round"},
    None,
    None,
    (),
    zero_derivative=True,
)

ITERATION = MappingProxyType(
    {
        primitive.name: primitive
        for primitive in (RANGE, LEN, ZIP, ENUMERATE, REVERSED, SUM)
    }
)
