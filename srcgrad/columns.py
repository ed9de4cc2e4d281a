"""A Hessian of arrays, column by column, from Hessian-vector products.

The Hessian of numbers is generated code that sweeps one direction per
input at once. An array input has as many directions as items, known only
when the code runs, so its Hessian calls the generated Hessian-vector
product (``f_hvp``) once per item of each ``wrt`` input, with that item's
unit vector as the tangent, and stacks the columns.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any


def unit_vectors(numpy: Any, shape: tuple[int, ...]) -> list[Any]:
    """The unit vectors of an array of ``shape``, item by item (the number
    1.0 for a number)."""
    if not shape:
        return [1.0]
    units = []
    for k in range(int(numpy.prod(shape))):
        unit = numpy.zeros(shape)
        unit.flat[k] = 1.0
        units.append(unit)
    return units


def hessian_by_columns(
    hvp: Callable[..., Any],
    parameters: Sequence[str],
    wrt: Sequence[str],
    as_tuple: bool,
) -> Callable[..., Any]:
    """The Hessian of the function whose ``hvp`` this is, with respect to
    the parameters ``wrt`` (named among ``parameters``): for each pair of
    inputs ``(i, j)``, an array of shape ``shape(i) + shape(j)`` (a number
    for two numbers); one for a single ``wrt``, else a tuple of rows."""
    code = hvp.__code__
    end = code.co_argcount + code.co_kwonlyargcount
    tangents = code.co_varnames[end - len(wrt) : end]
    positions = [list(parameters).index(name) for name in wrt]

    def hessian(*args: Any, **kwargs: Any) -> Any:
        import numpy

        values = [
            args[p] if p < len(args) else kwargs[name]
            for p, name in zip(positions, wrt, strict=True)
        ]
        shapes = [numpy.shape(value) for value in values]
        zeros = [numpy.zeros(shape) if shape else 0.0 for shape in shapes]
        rows: list[list[Any]] = [[None] * len(wrt) for _ in wrt]
        for j, shape in enumerate(shapes):
            columns: list[list[Any]] = [[] for _ in wrt]
            for unit in unit_vectors(numpy, shape):
                direction = dict(zip(tangents, zeros, strict=True))
                direction[tangents[j]] = unit
                made = hvp(*args, **kwargs, **direction)
                made = made if len(wrt) > 1 or as_tuple else (made,)
                for i, column in enumerate(made):
                    columns[i].append(numpy.asarray(column, dtype=float))
            for i, column in enumerate(columns):
                block = (
                    numpy.stack(column, axis=-1)
                    if column
                    else numpy.zeros((*shapes[i], 0))
                )
                block = block.reshape(shapes[i] + shape)
                rows[i][j] = float(block) if not block.ndim else block
        if len(wrt) == 1 and not as_tuple:
            return rows[0][0]
        return tuple(tuple(row) for row in rows)

    return hessian
