"""The sizes a gradient for arrays assumes equal, checked when it runs.

Type inference takes two sizes that meet in a broadcast, or in a product's
inner axis, to be equal where neither is 1: NumPy raises otherwise, and so
does the function. The gradient may not compute that op at all (``d/dx
sum(x * y)`` is ``y``), so it would hand back an array of the wrong shape
instead of failing. It therefore starts by comparing those sizes, as the
function's ops would (``x.shape[0] != y.shape[0]``, or ``x.shape[0] != 3``
against an array of three items the function makes), and raises
``ValueError`` naming the line where they meet. A slice's length
(``Length``: ``x[1:]`` has ``x.shape[0] - 1`` items) may be 1, and must be
the size it meets or 1. Where a size has no formula (``x[::2]``,
``x[mask]``) the op itself is kept (``sizes_unchecked``), so NumPy raises
in it.
"""

from __future__ import annotations

import re

from srcgrad.ir import CHECK_SHAPES, Builder, Function, Op, walk
from srcgrad.ir.types import Array, Dim, Length, Size
from srcgrad.primitives import Primitive


def check_shapes(builder: Builder, function: Function) -> None:
    """Append the check of the sizes ``function``'s ops assume equal (or,
    for a slice's length, equal or 1)."""
    tests: dict[str, tuple[str, str]] = {}
    known = _EqualSizes()  # what the pairs so far imply, checked once
    for op in walk(function.entry):
        where = f"line {op.loc.line if op.loc is not None else '?'}"
        for first, second in _assumed_equal(op):
            if not _written(first, second):
                continue
            both_sizes = isinstance(first, Size) and isinstance(second, Size)
            if both_sizes and not known.join(str(first), str(second)):
                continue  # implied by the pairs checked already
            test, described = _fits(first, second)
            tests.setdefault(test, (described, where))
    if tests:
        pairs = tuple(
            (test, described, where) for test, (described, where) in tests.items()
        )
        builder.create(CHECK_SHAPES, [], {"pairs": pairs}, result_count=0)


def _fits(first: Dim, second: Dim) -> tuple[str, str]:
    """The test that fails where sizes ``first`` and ``second`` do not
    broadcast, and what it says: a slice's length (``Length``) may be 1."""
    a, b = _exact(first), _exact(second)
    if isinstance(first, Length) and isinstance(second, Length):
        return (
            f"{a} != {b} and 1 not in ({a}, {b})",
            f"{first} and {second} differ, and neither is 1",
        )
    if isinstance(first, Length) or isinstance(second, Length):
        length, other = (a, b) if isinstance(first, Length) else (b, a)
        named = first if isinstance(first, Length) else second
        return f"{length} not in ({other}, 1)", f"{named} is neither {other} nor 1"
    return f"{a} != {b}", f"{a} != {b}"


def _exact(size: Dim) -> str:
    """``size`` as code: a slice's length is its formula, but never below 0."""
    return f"max({size}, 0)" if isinstance(size, Length) else str(size)


def _assumed_equal(op: Op) -> list[tuple[Dim, Dim]]:
    """The input sizes ``op`` takes to be equal (or, a slice's length, to
    be equal or 1): those that are not equal, and neither is 1."""
    definition = op.definition
    if not isinstance(definition, Primitive):
        return []
    arrays = [
        operand.type for operand in op.operands if isinstance(operand.type, Array)
    ]
    if definition.name in ("matmul", "dot") and len(arrays) == 2:
        a, b = arrays
        if a.rank and b.rank:
            inner = b.dims[0] if b.rank == 1 else b.dims[-2]
            return _apart(a.dims[-1], inner)
        return []
    if not definition.broadcasts or len(arrays) < 2:
        return []
    found: list[tuple[Dim, Dim]] = []
    rank = max(a.rank for a in arrays)
    for axis in range(1, rank + 1):
        sizes = [a.dims[-axis] for a in arrays if a.rank >= axis]
        named = [size for size in sizes if size is not None and size != 1]
        for other in named[1:]:
            found += _apart(named[0], other)
    return found


def sizes_unchecked(op: Op) -> bool:
    """Whether ``op`` meets an input size of no known formula (``None``:
    ``x[::2]``, ``y.reshape(-1)``, ``x[mask]``) with one that may differ
    from it: only computing ``op`` raises where the function does."""
    definition = op.definition
    if not isinstance(definition, Primitive):
        return False
    arrays = [
        operand.type for operand in op.operands if isinstance(operand.type, Array)
    ]
    if definition.name in ("matmul", "dot") and len(arrays) == 2:
        a, b = arrays
        if not (a.rank and b.rank):
            return False
        inner = b.dims[0] if b.rank == 1 else b.dims[-2]
        return (a.dims[-1] is None or inner is None) and a.dims[-1] != inner
    if not definition.broadcasts or len(arrays) < 2:
        return False
    rank = max(a.rank for a in arrays)
    for axis in range(1, rank + 1):
        sizes = [a.dims[-axis] for a in arrays if a.rank >= axis]
        if None in sizes and sum(1 for size in sizes if size != 1) > 1:
            return True
    return False


def _apart(first: Dim, second: Dim) -> list[tuple[Dim, Dim]]:
    if first == second:
        return []
    if isinstance(first, int):
        return [(second, first)]  # an input's size first: `x.shape[0] != 3`
    return [(first, second)]


def _written(*sizes: Dim) -> bool:
    """Whether each size is written as code (``x.shape[0]`` of a name, a
    number, or a formula of those)."""
    for size in sizes:
        if isinstance(size, int):
            continue  # 3 for np.ones(3), 0 for an input's empty axis
        if not isinstance(size, Size | Length):
            return False
        names = re.findall(r"([^\s(),]+)\.shape\[", size.name)
        if not names or not all(name.isidentifier() for name in names):
            return False
    return True


class _EqualSizes:
    """Sizes known equal: a union-find over their written forms."""

    def __init__(self) -> None:
        self._parent: dict[str, str] = {}

    def _root(self, size: str) -> str:
        while (parent := self._parent.setdefault(size, size)) != size:
            size = parent
        return size

    def join(self, first: str, second: str) -> bool:
        """Record ``first == second``; False if that was known already."""
        a, b = self._root(first), self._root(second)
        if a == b:
            return False
        self._parent[a] = b
        return True
