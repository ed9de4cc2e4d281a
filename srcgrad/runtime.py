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

import math
import numbers
import sys
from collections.abc import Iterable, Mapping
from typing import Any, NoReturn

from srcgrad.errors import NotRealError
from srcgrad.ir.types import BOOL, INT, OTHER, REAL, Array, Dim, Kind, Size, Type

__all__ = [
    "as_float",
    "check_real",
    "has_arrays",
    "is_array",
    "is_real_sequence",
    "one_number",
    "outside_domain",
    "shaped_like",
    "shapes_differ",
    "sum_to_shape",
    "type_of",
]

#: An array's kind of number, by NumPy's ``dtype.kind``; others are refused.
_ARRAY_KINDS: dict[str, Kind] = {"b": "bool", "i": "int", "u": "int", "f": "real"}


def is_array(value: object) -> bool:
    """Whether ``value`` is a NumPy array or an array that implements NumPy's
    dispatch protocol (Dask, CuPy): what a gradient takes as an array."""
    return hasattr(value, "__array_function__") and hasattr(value, "shape")


def sum_to_shape(g: Any, like: Any) -> Any:
    """``g`` summed over the axes along which ``like`` was broadcast to
    ``g``'s shape: an elementwise op's adjoint, back to one operand's shape
    (or one that broadcasts to it), where that shape was not known when the
    gradient was built."""
    import numpy

    shape = numpy.shape(like)
    have = numpy.shape(g)
    if have == shape:
        return g
    lead = len(have) - len(shape)
    if lead < 0:
        return g  # it broadcasts to the shape: adjoints may
    if lead:
        g = g.sum(axis=tuple(range(lead)))
    kept = tuple(
        axis for axis, size in enumerate(shape) if size == 1 and have[lead + axis] != 1
    )
    if kept:
        g = g.sum(axis=kept, keepdims=True)
    return g


def outside_domain(value: Any, low: float = -math.inf, high: float = math.inf) -> bool:
    """False only where ``value`` is a NumPy array of float64 numbers whose
    items all lie in ``(low, high)``: where the NumPy functions a gradient
    computes only for their warnings (or what they raise under
    ``np.errstate``), as ``f`` computes them, give none. It reads the
    smallest item and the largest by ``argmin`` and ``argmax``, which cost
    half what ``np.minimum.reduce`` does on a small array. A nan item is
    where they stop, and fails the test, so the functions see it as ``f``
    does. Only float64: the bounds of ``np.log(1 - k)`` are moved onto
    ``k`` (``passes/evaluations.py``), exact for float64 items, where
    NumPy rounds ``0.1`` to float32 for a float32 array and lets an
    integer one wrap (``3 + k`` is 0 for a uint8 ``k`` of 253)."""
    numpy = sys.modules.get("numpy")
    return not (
        numpy is not None
        and value.__class__ is numpy.ndarray
        and value.size
        and value.dtype.char == "d"
        and (low == -math.inf or value.item(value.argmin()) > low)
        and (high == math.inf or value.item(value.argmax()) < high)
    )


def as_float(value: Any) -> Any:
    """``float(value)`` for a number, a NumPy number or a 0-d NumPy array:
    a gradient's partial derivative for an input that is a number. An array
    of another library (Dask's, computed when asked) is handed back as it
    is, as NumPy's functions hand it back."""
    if value.__class__ is float:
        return value
    if is_array(value) and type(value).__module__.split(".")[0] != "numpy":
        return value
    return float(value)


def one_number(value: Any) -> None:
    """Raise unless ``value``, the function's, is one number: a gradient is
    of a function that returns one."""
    shape = getattr(value, "shape", ())
    if shape:
        raise NotRealError(
            f"the function returns an array of shape {tuple(shape)}, not one "
            "number: grad needs a function that returns one number (take its "
            "sum, or one item)"
        )


def shapes_differ(gradient: str, described: str) -> NoReturn:
    """Raise what NumPy raises where the function's arrays do not fit."""
    raise ValueError(
        f"{gradient}: the arrays' shapes do not fit, as in the function: "
        f"{described}"
    )


def shaped_like(g: Any, like: Any) -> Any:
    """``g``, an adjoint that broadcasts to ``like``'s shape, as a new array
    of exactly that shape and of ``like``'s dtype (summed over axes it has
    beyond them): what a gradient returns for the array input ``like``."""
    import numpy

    if not hasattr(like, "dtype"):  # a number (math of a 0-d array is one)
        return float(g)
    if isinstance(like, numpy.generic):  # a NumPy number: one of its kind
        return like.dtype.type(g)
    g = sum_to_shape(g, like)
    if numpy.shape(g) != numpy.shape(like):
        g = numpy.broadcast_to(g, numpy.shape(like))
    # A new array of the input's dtype: never the caller's own, nor a view;
    # a NumPy array for a NumPy array (a 0-d one's adjoint may be a number).
    if isinstance(like, numpy.ndarray) and not isinstance(g, numpy.ndarray):
        return numpy.array(g, like.dtype)
    return (
        g.astype(like.dtype) if hasattr(g, "astype") else numpy.asarray(g, like.dtype)
    )


def _is_matrix(value: object) -> bool:
    numpy = sys.modules.get("numpy")
    return numpy is not None and isinstance(value, numpy.matrix)


def type_of(value: object, name: str) -> Type:
    """The type a build is specialised on for an input ``value`` named ``name``.

    A number is its kind; an array is its kind and one ``Dim`` per axis: 1
    where the axis has size 1 (it broadcasts), 0 where it is empty (a slice
    ``[:1]`` of it is empty too), else ``Size("name.shape[i]")``, or None
    where the size is not known yet (a Dask array's chunks).
    Anything else (a list, None, a string) is ``OTHER``.
    """
    cls = value.__class__
    if cls is float:
        return REAL
    if cls is bool:
        return BOOL
    if cls is int:
        return INT
    if is_array(value):
        kind = _ARRAY_KINDS.get(getattr(value.dtype, "kind", ""))  # type: ignore[attr-defined]
        if kind is None or _is_matrix(value):
            return OTHER
        return Array(kind, dims_of_shape(value.shape, name))  # type: ignore[attr-defined]
    numpy = sys.modules.get("numpy")
    if numpy is not None and isinstance(value, numpy.generic):
        kind = _ARRAY_KINDS.get(value.dtype.kind)
        return OTHER if kind is None else {"bool": BOOL, "int": INT, "real": REAL}[kind]
    if isinstance(value, numbers.Real):
        return REAL
    return OTHER


def dims_of_shape(shape: Iterable[Any], name: str) -> tuple[Dim, ...]:
    """The ``Dim`` of each axis of an array ``name`` of ``shape``: 0 or 1
    as it is, ``Size("name.shape[i]")`` for any other size, None for one
    not known yet (nan: a Dask array's chunks)."""
    dims: list[Dim] = []
    for axis, size in enumerate(shape):
        if size != size or size is None:  # nan: not known until computed
            dims.append(None)
        else:
            dims.append(int(size) if size in (0, 1) else Size(f"{name}.shape[{axis}]"))
    return tuple(dims)


def has_arrays(
    gradient: str,
    *,
    wrt: Mapping[str, object] | None = None,
    parameters: Mapping[str, object] | None = None,
    globals: Mapping[str, object] | None = None,  # noqa: A002 (what it holds)
    closure: Mapping[str, object] | None = None,
    sequences: Mapping[str, object] | None = None,
) -> bool:
    """Whether a gradient built for numbers must hand its inputs on to one
    built for arrays; else check them as ``check_real`` does.

    Args: as ``check_real``'s.

    Returns:
        True if an input is an array (``for_arrays`` checks what it holds
        when it first meets such inputs), False if every input is a real
        number, or sequence, as ``check_real`` takes them.

    Raises:
        NotRealError: no input is an array and one is not what
            ``check_real`` takes.
    """
    for group in (wrt, parameters, globals, closure, sequences):
        if group:
            for value in group.values():
                if is_array(value):
                    return True  # ``for_arrays`` checks them, once per kind of input
    check_real(
        gradient,
        wrt=wrt,
        parameters=parameters,
        globals=globals,
        closure=closure,
        sequences=sequences,
    )
    return False


def check_array(gradient: str, what: str, value: object, *, wrt: bool) -> None:
    """Refuse an array of complex numbers or objects, and, as a ``wrt``
    input, one that does not hold floating-point numbers. ``what`` names the
    input (``parameter 'x'``)."""
    kind = getattr(getattr(value, "dtype", None), "kind", "")
    if _is_matrix(value):
        raise NotRealError(
            f"{gradient}: {what} is an np.matrix, whose * is a matrix product: "
            "pass an array (np.asarray(m)) and write @ for products"
        )
    if wrt and kind != "f":
        dtype = getattr(value, "dtype", "unknown")
        raise NotRealError(
            f"{gradient}: {what} is an array of {dtype}, not of "
            "floating-point numbers: pass x.astype(float) to differentiate with "
            "respect to it"
        )
    if kind not in _ARRAY_KINDS:
        dtype = getattr(value, "dtype", "unknown")
        raise NotRealError(
            f"{gradient}: {what} is an array of {dtype}: srcgrad differentiates "
            "real functions of arrays of real numbers"
        )


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
    elif isinstance(value, (list, tuple)):
        hint = "; to use it as an array, pass np.asarray(...) of it"
    raise NotRealError(
        f"{gradient}: {what} is {type(value).__name__} {shown}, not {expected}: "
        f"srcgrad differentiates real functions of real numbers{hint}"
    )
