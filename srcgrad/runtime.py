"""What generated gradients call when they run: the input check.

A gradient is the derivative of a real function of real numbers. Given a
complex number, an array, ``None`` or a string, the arithmetic it is made
of would often still run and return a plausible number that is not a
gradient of anything (``x * a`` with an array ``a`` returns an array;
``x + W`` returns 1.0 whatever ``W`` holds). Each generated gradient
therefore starts with a check whose fast path costs an attribute read and
a comparison per input when each ``wrt`` input is a ``float`` and each
other one a ``float`` or an ``int``::

    if x.__class__ is not float or GRAVITY.__class__ not in (float, int):
        check_real("energy_grad", wrt={"x": x}, globals={"GRAVITY": GRAVITY})

and calls ``check_real`` only otherwise, which accepts what is a real
number (NumPy's scalars, ``Fraction``...) and raises ``NotRealError`` for
the rest.
"""

from __future__ import annotations

import numbers
import sys
from collections.abc import Mapping
from typing import NoReturn

from srcgrad.errors import NotRealError

__all__ = ["check_real", "is_real_sequence"]


def check_real(
    gradient: str,
    *,
    wrt: Mapping[str, object] | None = None,
    parameters: Mapping[str, object] | None = None,
    globals: Mapping[str, object] | None = None,  # noqa: A002 (what it holds)
    closure: Mapping[str, object] | None = None,
    values: Mapping[str, object] | None = None,
    sequences: Mapping[str, object] | None = None,
) -> None:
    """Check a gradient's inputs: floats for ``wrt``, real numbers elsewhere.

    Args:
        gradient: the gradient's name, for the message.
        wrt: the parameters it differentiates with respect to, by name. Each
            must be a real floating-point number (``float``, ``np.float64``,
            ``np.float32``): like JAX, an ``int`` or ``bool`` is refused, so
            the gradient of an integer input is not silently taken.
        parameters: the other parameters whose values reach the output.
            Each must be a real number (``int``, ``float``, NumPy's floating
            scalars); NumPy's integers are refused, as they wrap around in
            the derivative's arithmetic (``-n`` of an unsigned ``n``).
        globals: the global variables, by name, whose values reach the
            output; real numbers, as ``parameters``.
        closure: the same for variables of enclosing functions.
        values: values ``f`` computes that Python may make complex (a
            negative number to a fractional power), by their source text.
        sequences: the parameters, globals and closure variables ``f``
            iterates over (or passes to ``len``, ``zip``...), by name. Each
            must be a list, tuple or range of real numbers (or of such
            sequences, for ``for a, b in pairs``).

    Raises:
        NotRealError: an input is not what it must be (complex, a string,
            ``None``, a list, a NumPy array of any shape...).
    """
    for name, value in (wrt or {}).items():
        if not _is_real_float(value):
            _refuse(gradient, f"parameter {name!r}", value, "a real float")
    others = (
        ("parameter", parameters),
        ("global", globals),
        ("closure variable", closure),
    )
    numpy = sys.modules.get("numpy")
    for kind, inputs in others:
        for name, value in (inputs or {}).items():
            if numpy is not None and isinstance(value, numpy.integer):
                _refuse(gradient, f"{kind} {name!r}", value, _NOT_WRAPPING)
            if value.__class__ not in _REAL_TYPES and not isinstance(
                value, numbers.Real
            ):
                _refuse(gradient, f"{kind} {name!r}", value, "a real number")
    for name, value in (sequences or {}).items():
        _check_sequence(gradient, name, value)
    for text, value in (values or {}).items():
        if isinstance(value, complex):
            raise NotRealError(
                f"{gradient}: {text} is complex ({value!r}) here, so the "
                "function's value is not a real number and has no gradient "
                "(in Python a negative number to a fractional power is complex)"
            )


def _check_sequence(gradient: str, name: str, value: object) -> None:
    """Refuse ``value`` unless it is a sequence of real numbers, naming the
    first item that is not one (by index and type) if it is a sequence."""
    if not isinstance(value, (list, tuple, range)):
        _refuse(gradient, f"sequence {name!r}", value, _REAL_SEQUENCE)
    bad = _bad_item(value)
    if bad is not None:
        index, item = bad
        expected = _NOT_WRAPPING if _wraps(item) else "a real number"
        _refuse(gradient, f"item {name}{index} of sequence {name!r}", item, expected)


def is_real_sequence(value: object) -> bool:
    """Whether ``value`` is a list, tuple or range of ints and floats (or of
    such sequences): the fast test a gradient makes before iterating."""
    if value.__class__ is range:
        return True
    if value.__class__ not in (list, tuple):
        return False
    if set(map(type, value)) <= _REAL_TYPES:
        return True
    return _holds_real_numbers(value)


def _holds_real_numbers(value: object) -> bool:
    if not isinstance(value, (list, tuple, range)):
        return False
    return _bad_item(value) is None


def _bad_item(
    value: list[object] | tuple[object, ...] | range,
) -> tuple[str, object] | None:
    """The first item of ``value`` that is not a real number (or a list or
    tuple of them), with its index (``[1]``, ``[0][2]`` inside a pair)."""
    if isinstance(value, range):
        return None
    for index, item in enumerate(value):
        if isinstance(item, (list, tuple)):
            inner = _bad_item(item)
            if inner is not None:
                return f"[{index}]{inner[0]}", inner[1]
            continue
        if _wraps(item) or not isinstance(item, numbers.Real):
            return f"[{index}]", item
    return None


def _wraps(item: object) -> bool:
    numpy = sys.modules.get("numpy")
    return numpy is not None and isinstance(item, numpy.integer)


_REAL_SEQUENCE = "a list, tuple or range of real numbers"

#: NumPy's integers wrap around (np.int8(100) * 2 is -56); derivative terms
#: compute with them what f never does (``-n``, ``n * n``, ``n - 1``).
_NOT_WRAPPING = "a real number that does not wrap around (pass int(n) or float(n))"

#: The common real types, tested before the (slower) abstract ``numbers.Real``.
_REAL_TYPES = frozenset({float, int})


def _is_real_float(value: object) -> bool:
    # A float or NumPy floating scalar (np.float32); not an int or bool, not
    # an array (0-d included), not a Fraction or Decimal (their arithmetic
    # is not floating point, and NumPy functions refuse them).
    if isinstance(value, float):  # np.float64 too
        return True
    numpy = sys.modules.get("numpy")  # a NumPy scalar implies NumPy is loaded
    return numpy is not None and isinstance(value, numpy.floating)


def _refuse(gradient: str, what: str, value: object, expected: str) -> NoReturn:
    shown = repr(value)
    if len(shown) > 60:
        shown = shown[:57] + "..."
    hint = ""
    if expected == "a real float" and isinstance(value, numbers.Integral):
        hint = "; pass a float (2.0, not 2) to differentiate with respect to it"
    elif expected == _REAL_SEQUENCE and getattr(value, "ndim", 0) > 0:
        hint = "; NumPy arrays are not supported yet: pass a list (arr.tolist())"
    elif isinstance(value, (list, tuple)) or getattr(value, "ndim", 0) > 0:
        hint = "; arrays and sequences are not supported yet"
    raise NotRealError(
        f"{gradient}: {what} is {type(value).__name__} {shown}, not {expected}: "
        f"srcgrad differentiates real functions of real numbers{hint}"
    )
