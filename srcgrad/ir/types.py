"""What a value is: a number, an array of numbers, or something else.

A gradient is built for the *types* of its inputs (see ``docs/design.md``,
"Arrays"). Each SSA value carries one:

* ``Scalar(kind)``: a Python or NumPy number; ``kind`` is ``bool``,
  ``int`` or ``real``.
* ``Array(kind, dims)``: an n-dimensional array of such numbers. Each
  dimension is a ``Dim``: an ``int`` when its size is known when the
  gradient is built (``1`` in particular, the size that broadcasts, and
  ``0``, an empty axis), a ``Size`` when it is the size of an input's axis,
  known only to be 2 or more, a ``Length`` computed from one (a slice's,
  which may be 1), or ``None`` when nothing is known (``np.zeros(n)``).
* ``OTHER``: a tuple, list, range, iterator, None or string: not a number.

Which sizes are 1 is all broadcasting depends on: an adjoint is summed over
exactly the axes along which its operand was stretched. So a gradient is
specialised on each array input's rank and on which of its axes have size
1, and one build serves every batch size. It is specialised on which axes
are empty too: then a slice's length is known where it is the same for
every other size (``x[:1]`` and ``x[-1:]`` have one item).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

#: The kinds of number, narrowest first; arithmetic gives the widest.
Kind = Literal["bool", "int", "real"]
_KINDS: tuple[Kind, ...] = ("bool", "int", "real")
#: Each kind's place in ``_KINDS``.
_KIND_RANK: dict[str, int] = {kind: rank for rank, kind in enumerate(_KINDS)}


@dataclass(frozen=True)
class Size:
    """The size of an input's axis, known when the code runs, 2 or more
    (an axis of size 0 or 1 is that ``int``).

    ``name`` says whose (``"x.shape[0]"``); two dimensions with the same
    ``Size`` are equal, so arrays of those sizes never broadcast each other.
    """

    name: str

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True)
class Length:
    """A size computed from an input's size, which may be 1: the length of
    a slice of it (``x[1:]`` has ``x.shape[0] - 1`` items, as ``x[:-1]``).

    ``name`` is the formula, one per length (equal formulas, equal sizes):
    arrays of two equal ``Length`` never broadcast each other; against any
    other size it is as unknown as None.
    """

    name: str

    def __str__(self) -> str:
        return self.name


#: A dimension: a known size, an input's size (not 1), a size computed from
#: one (which may be 1), or unknown (None).
Dim = int | Size | Length | None


@dataclass(frozen=True)
class Scalar:
    """A number: ``float``, ``int``, ``bool`` or a NumPy scalar."""

    kind: Kind = "real"

    def __str__(self) -> str:
        return self.kind


@dataclass(frozen=True)
class Array:
    """An array of ``kind`` numbers with one ``Dim`` per axis."""

    kind: Kind
    dims: tuple[Dim, ...]

    @property
    def rank(self) -> int:
        return len(self.dims)

    def __str__(self) -> str:
        shown = ", ".join("?" if dim is None else str(dim) for dim in self.dims)
        return f"{self.kind}[{shown}]"


@dataclass(frozen=True)
class Other:
    """Not a number: a tuple, list, range, iterator, string or None."""

    def __str__(self) -> str:
        return "other"


@dataclass(frozen=True)
class Shape(Other):
    """A tuple of integers that is an array's shape (``x.shape``, ``(n, 3)``):
    what ``np.zeros`` makes an array of ``dims`` from."""

    dims: tuple[Dim, ...]

    def __str__(self) -> str:
        return (
            "shape(" + ", ".join("?" if d is None else str(d) for d in self.dims) + ")"
        )


@dataclass(frozen=True)
class ListOf(Other):
    """A Python list the function makes (``[a, b]``, ``xs.append(v)``):
    ``item`` is the join of its items' types; ``empty`` marks ``[]``, whose
    items are none yet (it joins with any list as that list)."""

    item: Type | None = None
    empty: bool = False

    def __str__(self) -> str:
        return "list[]" if self.empty else f"list[{self.item or '?'}]"


OTHER = Other()
REAL = Scalar("real")
INT = Scalar("int")
BOOL = Scalar("bool")
#: The number of each kind; types are immutable, so ops share them.
_SCALARS: dict[str, Scalar] = {"real": REAL, "int": INT, "bool": BOOL}

#: The type of a value; None where it is not known (it may be anything).
Type = Scalar | Array | Other


class TypeRuleError(Exception):
    """Raised by a primitive's type rule for operands it does not take; type
    inference reports it at the op's location (``ValueTypeError``)."""


class SizeRuleError(TypeRuleError):
    """Raised by a type rule for arrays whose sizes do not fit, where NumPy
    raises ``ValueError`` (reported as ``ArraySizeError``, one)."""


def is_array(type_: Type | None) -> bool:
    return isinstance(type_, Array)


def is_scalar(type_: Type | None) -> bool:
    return isinstance(type_, Scalar)


def same_shape(first: Type | None, second: Type | None) -> bool:
    """Whether two values that broadcast together have the same shape: both
    numbers, or arrays of one rank whose axes are equal or both not 1 (two
    such sizes broadcast only if they are equal), or both unknown."""
    if isinstance(first, Scalar) and isinstance(second, Scalar):
        return True
    if isinstance(first, Array) and isinstance(second, Array):
        return first.rank == second.rank and all(
            a == b
            or (
                a is not None
                and b is not None
                and not may_be_one(a)
                and not may_be_one(b)
            )
            for a, b in zip(first.dims, second.dims, strict=True)
        )
    return first == second


def wider(first: Kind, second: Kind) -> Kind:
    """The kind arithmetic on ``first`` and ``second`` gives (``int + real``)."""
    return first if _KIND_RANK[first] >= _KIND_RANK[second] else second


def may_be_one(dim: Dim) -> bool:
    """Whether an axis of size ``dim`` may have size 1 (and so broadcast)."""
    return (
        not isinstance(dim, Size)
        and dim != 0
        and (dim is None or dim == 1 or isinstance(dim, Length))
    )


def dims_of(type_: Type | None) -> tuple[Dim, ...]:
    """The dimensions of a number (none) or an array."""
    return type_.dims if isinstance(type_, Array) else ()


def broadcast_dims(first: Sequence[Dim], second: Sequence[Dim]) -> tuple[Dim, ...]:
    """The dimensions NumPy broadcasting gives ``first`` with ``second``.

    Aligned from the right; a missing axis or one of size 1 takes the other
    one's size. Two input sizes that differ are assumed equal (NumPy raises
    otherwise, as the function itself does).
    """
    rank = max(len(first), len(second))
    result: list[Dim] = []
    for axis in range(rank):
        a = _axis(first, axis, rank)
        b = _axis(second, axis, rank)
        result.append(_broadcast_dim(a, b))
    return tuple(result)


def _axis(dims: Sequence[Dim], axis: int, rank: int) -> Dim:
    """Axis ``axis`` of ``dims`` aligned right in ``rank`` axes (1 if missing)."""
    offset = axis - (rank - len(dims))
    return 1 if offset < 0 else dims[offset]


def _broadcast_dim(a: Dim, b: Dim) -> Dim:
    if a == b:
        return a
    if a == 1:
        return b
    if b == 1:
        return a
    if not may_be_one(a):
        return a  # b is a or 1; if 1 it stretches to a
    if not may_be_one(b):
        return b
    return None


def sliced_dim(dim: Dim, parts: Sequence[object]) -> Dim:
    """The length of a slice ``[start:stop:step]`` (``parts``, each an int,
    None, or anything else where it is not known) of an axis of size
    ``dim``, if known.

    Raises:
        TypeRuleError: a step of 0, which Python refuses.
    """
    start, stop, step = parts
    if step == 0:
        raise TypeRuleError("slice step cannot be zero (Python raises ValueError)")
    if start is None and stop is None and step in (None, 1):
        return dim
    literal = all(part is None or isinstance(part, int) for part in parts)
    if isinstance(dim, int) and literal:
        return len(range(dim)[slice(start, stop, step)])  # type: ignore[arg-type]
    if isinstance(dim, Size) and literal:
        known = _length_of_any_size(dim, slice(start, stop, step))
        if known is not None:
            return known
        if step in (None, 1):
            return _slice_length(dim, start, stop)  # type: ignore[arg-type]
    return None


def _length_of_any_size(dim: Size, bounds: slice) -> Dim:
    """The length of ``x[bounds]`` where it is one for every size ``dim``
    may have (2 or more): a number (``x[:1]``, ``x[-1:]``, ``x[1:3]``), or
    ``dim`` itself (``x[::-1]``); else None.

    Past its bounds and a step, the length of a slice is constant, or grows
    with the axis, so sizes up to there tell.
    """
    step = bounds.step or 1
    reach = max(abs(bounds.start or 0), abs(bounds.stop or 0)) + abs(step) + 2
    lengths = [len(range(n)[bounds]) for n in range(2, reach + 1)]
    if len(set(lengths)) == 1:
        return lengths[0]
    if lengths == list(range(2, reach + 1)):
        return dim
    return None


def _slice_length(dim: Size, start: int | None, stop: int | None) -> Dim:
    """The length of ``x[start:stop]`` for an axis of ``x`` of size ``dim``,
    as a formula of it: the same formula for slices of the same length
    (``x[1:]`` and ``x[:-1]``), so that they are known to be equal."""
    start = start or 0
    if start >= 0 and (stop is None or stop < 0):
        cut = start - (stop or 0)  # max(n - cut, 0) items
        return Length(f"{dim} - {cut}") if cut else dim
    if start < 0 and stop is None:
        return Length(f"min({dim}, {-start})")
    if start >= 0 and stop is not None and stop > 0:
        return Length(
            f"min({dim}, {stop}) - {start}" if start else f"min({dim}, {stop})"
        )
    return None


def elementwise_type(kind: Kind | None, types: Sequence[Type | None]) -> Type | None:
    """The type of an elementwise op over operands of ``types`` that gives
    ``kind``, or the widest of theirs (None: ``n + 1`` is an int).

    Raises:
        TypeRuleError: an operand is a list (see ``broadcast``).
    """
    numbers = True  # nothing broadcasts (one loop: this runs for every op)
    for type_ in types:
        if type_ is None:  # not known (yet): while lowering, all of them
            refuse_lists(types)
            return None
        if type(type_) is not Scalar:
            numbers = False
    if numbers:
        if kind is None:
            kind = "int"
            for type_ in types:
                kind = wider(kind, type_.kind)  # type: ignore[union-attr]
        return _SCALARS.get(kind) or Scalar(kind)
    refuse_lists(types)
    if kind is None:
        kinds = [kind_of(type_) for type_ in types]
        if any(k is None for k in kinds):
            return None
        kind = "int"
        for each in kinds:
            kind = wider(kind, each)  # type: ignore[arg-type]
    return broadcast(kind, types)


def broadcast(kind: Kind, types: Sequence[Type | None]) -> Type | None:
    """The type of an elementwise op of ``kind`` over operands of ``types``.

    Raises:
        TypeRuleError: an operand is a list: ``+`` joins lists and ``*``
            repeats one, which srcgrad does not follow.
    """
    refuse_lists(types)
    if any(type_ is None for type_ in types):
        return None
    if not any(isinstance(type_, Array) for type_ in types):
        return Scalar(kind)
    dims: tuple[Dim, ...] = ()
    for type_ in types:
        dims = broadcast_dims(dims, dims_of(type_))
    return Array(kind, dims)


def refuse_lists(types: Sequence[Type | None]) -> None:
    """Refuse a list among the operands of an elementwise op.

    Raises:
        TypeRuleError: ``+`` joins lists and ``*`` repeats one, which
            srcgrad does not follow.
    """
    if any(isinstance(type_, ListOf) for type_ in types):
        raise TypeRuleError(
            "arithmetic on a list (`xs + ys` joins lists, `[x] * n` repeats "
            "one) is not supported: build the list by appending, or make it "
            "an array (np.array(xs)) to compute with its items"
        )


def kind_of(type_: Type | None) -> Kind | None:
    return type_.kind if isinstance(type_, (Scalar, Array)) else None


def join(first: Type | None, second: Type | None) -> Type | None:
    """A type that holds values of both (a loop's carried value, two branches).

    Dimensions that differ become unknown; arrays of different ranks, or a
    number and an array, have no common type here (None).
    """
    if first == second:
        return first
    if first is None or second is None:
        return None
    if isinstance(first, Scalar) and isinstance(second, Scalar):
        return Scalar(wider(first.kind, second.kind))
    if isinstance(first, Array) and isinstance(second, Array):
        if first.rank != second.rank:
            return None
        dims = tuple(
            a if a == b else None for a, b in zip(first.dims, second.dims, strict=True)
        )
        return Array(wider(first.kind, second.kind), dims)
    if isinstance(first, ListOf) or isinstance(second, ListOf):
        return _join_lists(first, second)
    if isinstance(first, Other) and isinstance(second, Other):
        return OTHER
    return None


def _join_lists(first: Type, second: Type) -> Type | None:
    """Two lists join item by item; a list and anything else do not."""
    if not (isinstance(first, ListOf) and isinstance(second, ListOf)):
        return None
    if first.empty:
        return second
    if second.empty:
        return first
    return ListOf(join(first.item, second.item))


#: The variable a ``global`` op reads: name, closure, module, owner.
VariableKey = tuple[object, ...]


@dataclass(frozen=True)
class Signature:
    """The types a build is for (hashable: gradients are kept by it).

    Attributes:
        parameters: the entry function's parameters' types, as
            ``(name, type)`` pairs.
        variables: the globals' and closure variables' types, as
            ``(variable_key, type)`` pairs.
    """

    parameters: tuple[tuple[str, Type | None], ...] = ()
    variables: tuple[tuple[VariableKey, Type | None], ...] = ()

    @property
    def has_arrays(self) -> bool:
        types = [type_ for _, type_ in (*self.parameters, *self.variables)]
        return any(isinstance(type_, Array) for type_ in types)

    def describe(self) -> str:
        """The parameters' types, as an error message shows them."""
        return ", ".join(f"{name}: {type_}" for name, type_ in self.parameters)

    @property
    def fallback(self) -> Type | None:
        """The type of a value nothing is known about (see ``passes.types``)."""
        return None if self.has_arrays else REAL


#: The signature of a program of real numbers: every input a number.
NUMBERS = Signature()
