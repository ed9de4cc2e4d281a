"""``srcgrad show --shape X=64x784``: the arrays a gradient is shown for.

``show`` never runs the file, so it cannot see the arrays a function is
called with; a gradient for arrays is built for their types (each axis 1,
or not: ``passes.types``). ``--shape NAME=SHAPE`` says that parameter
``NAME`` is a float array of that shape (``64x784``; ``1000``; an empty
shape for a 0-d array), typed exactly as a call with such an array is.
Parameters not named are numbers. With several functions shown, each
gets the shapes of the parameters it has.
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping, Sequence

from srcgrad.errors import SrcgradError
from srcgrad.passes.types import NUMBERS, Signature
from srcgrad.runtime import type_of


def parse_shape(option: str) -> tuple[str, tuple[int, ...]]:
    """``"X=64x784"`` as ``("X", (64, 784))``.

    Raises:
        argparse.ArgumentTypeError: not ``NAME=SIZExSIZE...`` of sizes.
    """
    name, equals, shape = option.partition("=")
    sizes = shape.replace(" ", "").lower().split("x") if shape.strip() else []
    if not equals or not name.strip().isidentifier():
        raise argparse.ArgumentTypeError(_malformed(option))
    if not all(size.isdigit() for size in sizes):
        raise argparse.ArgumentTypeError(_malformed(option))
    return name.strip(), tuple(int(size) for size in sizes)


def _malformed(option: str) -> str:
    return (
        f"{option!r}: write NAME=SHAPE, the sizes joined by x "
        "(--shape X=64x784, --shape w=784, --shape s= for a 0-d array)"
    )


def check_shape_names(
    shapes: Sequence[tuple[str, tuple[int, ...]]],
    parameters: Mapping[str, Sequence[str]],
) -> None:
    """Each ``--shape`` names a parameter of a function shown (by name in
    ``parameters``); a function without it gets none.

    Raises:
        SrcgradError: a shape names no parameter of any of them.
    """
    for name, _ in shapes:
        if any(name in names for names in parameters.values()):
            continue
        if len(parameters) == 1:
            ((function, names),) = parameters.items()
            listed = f"{function}'s parameters: {', '.join(names) or 'none'}"
        else:
            listed = "no function shown has one"
        raise SrcgradError(
            f"--shape {name}=...: there is no parameter {name!r} ({listed})"
        )


def signature_for(
    parameters: Sequence[str], shapes: Sequence[tuple[str, tuple[int, ...]]]
) -> Signature:
    """The signature of a call with a float array of each shape in
    ``shapes`` that names one of ``parameters``, and a number for every
    other parameter."""
    given = {name: shape for name, shape in shapes if name in parameters}
    if not given:
        return NUMBERS
    import numpy

    return Signature(
        tuple(
            (name, type_of(numpy.empty(given[name]) if name in given else 0.0, name))
            for name in parameters
        )
    )
