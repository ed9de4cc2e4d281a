"""The sizes a gradient for arrays assumes equal, checked when it runs.

Type inference takes two sizes that meet in a broadcast, or in a product's
inner axis, to be equal where neither is 1: NumPy raises otherwise, and so
does the function. The gradient may not compute that op at all (``d/dx
sum(x * y)`` is ``y``), so it would hand back an array of the wrong shape
instead of failing. It therefore starts by comparing those sizes, as the
function's ops would (``x.shape[0] != y.shape[0]``, or ``x.shape[0] != 3``
against an array of three items the function makes), and raises
``ValueError`` naming the line where they meet.
"""

from __future__ import annotations

from srcgrad.ir import CHECK_SHAPES, Builder, Function, Op, walk
from srcgrad.ir.types import Array, Dim, Size
from srcgrad.primitives import Primitive


def check_shapes(builder: Builder, function: Function) -> None:
    """Append the check of the sizes ``function``'s ops assume equal."""
    pairs: dict[tuple[str, str], str] = {}
    known = _EqualSizes()  # what the pairs so far imply, checked once
    for op in walk(function.entry):
        for pair in _assumed_equal(op):
            # An input's size first: `x.shape[0] != 3`.
            first, second = sorted(pair, key=lambda size: isinstance(size, int))
            key = (str(first), str(second))
            if _compared(first, second) and known.join(*key):
                where = op.loc.line if op.loc is not None else "?"
                pairs[key] = f"line {where}"
    if pairs:
        attributes = {"pairs": tuple((a, b, w) for (a, b), w in pairs.items())}
        builder.create(CHECK_SHAPES, [], attributes, result_count=0)


def _assumed_equal(op: Op) -> list[tuple[Dim, Dim]]:
    """The input sizes ``op`` takes to be equal."""
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
            return [(a.dims[-1], inner)]
        return []
    if not definition.broadcasts or len(arrays) < 2:
        return []
    found: list[tuple[Dim, Dim]] = []
    rank = max(a.rank for a in arrays)
    for axis in range(1, rank + 1):
        sizes = [a.dims[-axis] for a in arrays if a.rank >= axis]
        fixed = [size for size in sizes if _written(size)]
        found += [(fixed[0], other) for other in fixed[1:]]
    return found


def _compared(first: Dim, second: Dim) -> bool:
    """Whether the gradient must compare two sizes assumed equal: each is
    written as code, and they are not one known size."""
    return _written(first) and _written(second) and first != second


def _written(size: Dim) -> bool:
    """Whether ``size`` is written as code and is not 1, which broadcasts:
    an input's (``x.shape[0]`` of a name) or one known when the gradient is
    built (``3`` for ``np.zeros(3)``)."""
    if isinstance(size, Size):
        return size.name.split(".")[0].isidentifier()
    return isinstance(size, int) and size != 1


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
