"""``srcgrad.graph``: a live function's computational graph, as a picture.

Kept apart from ``srcgrad.drawing``, which it imports when called: ``import
srcgrad`` stays light.
"""

from __future__ import annotations

import builtins
import importlib
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from srcgrad.errors import SrcgradError
from srcgrad.wrt import Wrt, wrt_names

if TYPE_CHECKING:
    from srcgrad.drawing.picture import Picture
    from srcgrad.ir import Op
    from srcgrad.passes.types import Signature


def graph(
    f: Callable[..., Any],
    at: Mapping[str, object] | Sequence[object] | None = None,
    *,
    wrt: Wrt = 0,
) -> Picture:
    """The computational graph of ``f``, as srcgrad sees it: a node per
    value, each edge labelled with its local derivative; at the point
    ``at`` (a value per parameter, by name in a dict or in order in a
    tuple; a function of one parameter takes its value alone), each node's
    value and adjoint and each local derivative's value. A gradient built
    by ``@srcgrad.grad`` draws the function it is the gradient of.

    Returns a ``Picture``: shown inline in Jupyter, ``save("f.svg")`` to
    write it (``.dot`` text needs nothing; ``.svg`` and ``.png`` need
    Graphviz's ``dot``), ``str()`` for its DOT text.
    """
    from srcgrad.drawing import draw
    from srcgrad.drawing.picture import Picture
    from srcgrad.frontend import lower_live_program
    from srcgrad.passes.types import NUMBERS

    built = getattr(f, "__srcgrad__", None)
    if built is not None:  # a gradient (@srcgrad.grad): draw its function
        f = built.primal
    program = lower_live_program(f)
    entry = program.entry_function
    parameters = [parameter.name for parameter in entry.parameters]
    names = wrt_names(entry.name, parameters, wrt)
    if at is None:
        return Picture(draw(program, names, NUMBERS))
    point = point_of(entry.name, parameters, at)
    for index, name in enumerate(parameters):  # differentiated: a float
        if name in names and isinstance(point[index], int):
            point[index] = float(point[index])  # type: ignore[arg-type]
    signature = signature_at(parameters, point)
    drawn = draw(program, names, signature, point, _reader(f))
    drawn.at = tuple(
        f"{name}={value:g}" if isinstance(value, (int, float)) else name
        for name, value in zip(parameters, point, strict=True)
    )
    return Picture(drawn)


def signature_at(parameters: Sequence[str], point: Sequence[object]) -> Signature:
    """The types of a call at ``point``, as a build for it is typed."""
    from srcgrad.passes.types import Signature
    from srcgrad.runtime import type_of

    return Signature(
        tuple(
            (name, type_of(value, name))
            for name, value in zip(parameters, point, strict=True)
        )
    )


def point_of(
    function: str,
    parameters: Sequence[str],
    at: Mapping[str, object] | Sequence[object],
) -> list[object]:
    """A value for each of ``parameters``, from ``at`` by name or in order.

    Raises:
        SrcgradError: a parameter has no value, or a name is not one.
    """
    if not isinstance(at, (Mapping, list, tuple)):  # one value: of the one
        if len(parameters) != 1:
            raise SrcgradError(
                f"{function} takes {len(parameters)} parameters "
                f"({', '.join(parameters)}): give the point as a tuple or a "
                "dict of their values"
            )
        return [at]
    if isinstance(at, Mapping):
        unknown = [name for name in at if name not in parameters]
        if unknown:
            raise SrcgradError(
                f"{function} has no parameter {unknown[0]!r} "
                f"(its parameters: {', '.join(parameters)})"
            )
        missing = [name for name in parameters if name not in at]
        if missing:
            raise SrcgradError(
                f"the point drawn gives no value for {', '.join(missing)}: "
                f"give one for each parameter of {function}"
            )
        return [at[name] for name in parameters]
    values = list(at)
    if len(values) != len(parameters):
        raise SrcgradError(
            f"{function} takes {len(parameters)} parameters "
            f"({', '.join(parameters)}); the point drawn gives {len(values)} values"
        )
    return values


def _reader(f: Callable[..., Any]) -> Callable[[Op], object]:
    """Reads what a ``global`` op of ``f``'s IR reads: a global of its
    module or of a helper's, or a closure variable."""
    from srcgrad.reach import cell, follow

    def read(op: Op) -> object:
        attributes = op.attributes
        name = str(attributes["name"])
        owner = attributes.get("owner")
        if owner is not None:
            return cell(follow(f, owner), name).cell_contents  # type: ignore[arg-type]
        if attributes.get("closure"):
            return cell(f, name).cell_contents  # type: ignore[arg-type]
        module = attributes.get("module")
        if module is not None:
            return getattr(importlib.import_module(str(module)), name)
        namespace = getattr(f, "__globals__", {})
        return namespace[name] if name in namespace else getattr(builtins, name)

    return read
