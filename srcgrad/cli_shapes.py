"""``srcgrad show --shape X=64x784``: the arrays a gradient is shown for.

``show`` never runs the file, so it cannot see the arrays a function is
called with; a gradient for arrays is built for their types (each axis 0,
1, or another size: ``passes.types``). ``--shape NAME=SHAPE`` says that
parameter ``NAME`` is a float array of that shape (``64x784``; ``1000``;
an empty shape for a 0-d array), typed exactly as a call with such an
array is, without making one; a shape NumPy makes no array of is refused.
Parameters not named are numbers. With several functions shown, each
gets the shapes of the parameters it has.
"""

from __future__ import annotations

import argparse
import ast
from collections.abc import Mapping, Sequence

from srcgrad.errors import SrcgradError
from srcgrad.ir.types import REAL, Array
from srcgrad.passes.types import NUMBERS, Signature
from srcgrad.runtime import dims_of_shape

#: The bytes of one float of an array.
_FLOAT_BYTES = 8


def parse_shape(option: str) -> tuple[str, tuple[int, ...]]:
    """``"X=64x784"`` as ``("X", (64, 784))``.

    Raises:
        argparse.ArgumentTypeError: not ``NAME=SIZExSIZE...`` of sizes, or
            a shape NumPy makes no array of.
    """
    name, equals, shape = option.partition("=")
    sizes = shape.replace(" ", "").lower().split("x") if shape.strip() else []
    if not equals or not name.strip().isidentifier():
        raise argparse.ArgumentTypeError(_malformed(option))
    if not all(size.isascii() and size.isdigit() for size in sizes):
        raise argparse.ArgumentTypeError(_malformed(option))
    parsed = tuple(int(size) for size in sizes)
    refused = _not_numpy_s(parsed)
    if refused:
        raise argparse.ArgumentTypeError(f"{option!r}: {refused}")
    return name.strip(), parsed


def _not_numpy_s(shape: tuple[int, ...]) -> str | None:
    """Why NumPy makes no array of floats of ``shape``, or None: too many
    axes, or more bytes than it can count (the sizes but 0 multiplied, as
    NumPy multiplies them)."""
    import numpy

    most_axes = 64 if int(numpy.__version__.split(".")[0]) >= 2 else 32
    if len(shape) > most_axes:
        return (
            f"{len(shape)} axes; NumPy {numpy.__version__} makes arrays of at "
            f"most {most_axes}"
        )
    most_bytes = int(numpy.iinfo(numpy.intp).max)  # its sizes are signed
    count = _FLOAT_BYTES
    for size in shape:
        count *= size or 1
        if count > most_bytes:
            return (
                "an array of floats of that shape would hold more bytes than "
                f"NumPy can count ({most_bytes}): no such array exists"
            )
    return None


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
    ``parameters``), once; a function without it gets none.

    Raises:
        SrcgradError: a shape names no parameter of any of them, or names
            one a shape named before.
    """
    given: dict[str, tuple[int, ...]] = {}
    for name, shape in shapes:
        if name in given:
            raise SrcgradError(
                f"--shape {name}=... is given twice ({_option(name, given[name])} "
                f"and {_option(name, shape)}); give each parameter one shape"
            )
        given[name] = shape
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


def _option(name: str, shape: tuple[int, ...]) -> str:
    return f"--shape {name}={'x'.join(map(str, shape))}"


def signature_for(
    parameters: Sequence[str], shapes: Sequence[tuple[str, tuple[int, ...]]]
) -> Signature:
    """The signature of a call with a float array of each shape in
    ``shapes`` that names one of ``parameters``, and a number for every
    other parameter: the types ``runtime.type_of`` gives such arrays, made
    from the shapes alone."""
    given = {name: shape for name, shape in shapes if name in parameters}
    if not given:
        return NUMBERS
    return Signature(
        tuple(
            (
                name,
                (
                    Array("real", dims_of_shape(given[name], name))
                    if name in given
                    else REAL
                ),
            )
            for name in parameters
        )
    )


def parameter_names(node: ast.FunctionDef) -> list[str]:
    """The names of the parameters of the ``def`` ``node``, in order."""
    arguments = node.args
    every = [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]
    return [argument.arg for argument in every]


def shapes_hint(
    failed: Sequence[ast.FunctionDef], shapes: Sequence[tuple[str, tuple[int, ...]]]
) -> str | None:
    """What to say after functions ``failed`` on a value's type (an array
    operation of a number): the parameters of theirs no ``--shape`` gave a
    shape, which show took to be numbers; None if each had one."""
    given = {name for name, _ in shapes}
    numbers = {
        name: None
        for node in failed
        for name in parameter_names(node)
        if name not in given
    }
    if not numbers:
        return None
    return (
        "(show builds each gradient for numbers where no --shape gives a "
        f"parameter's shape, as here for {', '.join(numbers)}; where a "
        "parameter is an array, give its shape: --shape X=64x784)"
    )
