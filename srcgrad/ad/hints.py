"""The names derivative values are given: ``x_bar``, ``x_dot``."""

from __future__ import annotations

from srcgrad.ir import Function, Value, walk
from srcgrad.ir.names import fresh_name


def adjoint_hints(function: Function) -> dict[Value, str | None]:
    """``x_bar`` for a value named ``x``; ``x_bar_1`` if the source has an ``x_bar``."""
    return derived_hints(function, "_bar")


def derived_hints(function: Function, suffix: str) -> dict[Value, str | None]:
    """The name hint of what a transform derives from each value of
    ``function``: its name and ``suffix``, numbered apart from the names
    the source has (``x_bar_1`` if it has an ``x_bar``)."""
    values = list(function.arguments)
    for op in walk(function.entry):
        values += op.results
        for region in op.regions:
            for inner in region.blocks:
                values += inner.arguments
    source_names = {value.name_hint for value in values if value.name_hint}
    hints: dict[Value, str | None] = {}
    for value in values:
        if value.name_hint is None:
            hints[value] = None
            continue
        hints[value] = fresh_name(f"{value.name_hint}{suffix}", source_names)
    return hints
