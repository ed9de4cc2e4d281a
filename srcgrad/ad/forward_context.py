"""What the pieces of one forward-mode transform share: the context, and
what the sweep of an op's regions (``srcgrad.ad.forward_control``) and of a
call (``srcgrad.ad.forward_program``) need of a sweep."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from srcgrad.ir import Block, Builder, Op, Value

#: A value's tangent in each direction; None where it is zero.
Tangent = list["Value | None"]


class ForwardCalls(Protocol):
    """What the forward sweep of a call needs (``srcgrad.ad.forward_program``)."""

    def call(self, sweep: Sweep, op: Op) -> None:
        """Append the copy of call ``op``, and its results' tangents."""
        ...

    def plain(self, symbol: str) -> None:
        """Note that ``symbol`` is called as it is (in a loop's condition)."""
        ...


@dataclass
class ForwardContext:
    """What every sweep of one forward-mode transform shares.

    Attributes:
        mapping: each value of ``f`` to its copy in the transformed function.
        active: the values of ``f`` whose tangents are wanted (they depend
            on ``wrt`` and reach the output).
        reaching: the values the output depends on (kept where they raise).
        hints: the name hint of each value's tangent (``x_dot``).
        directions: how many tangents each value has.
        function: the user's name of ``f``, for messages.
        calls: the forward sweeps of the functions ``f`` calls, if any.
        tapes: the lists of ``f`` (a gradient's tapes) that hold values
            with tangents, and so get tapes of tangents.
    """

    mapping: dict[Value, Value]
    active: frozenset[Value]
    reaching: set[Value]
    hints: dict[Value, str | None]
    directions: int
    function: str
    calls: ForwardCalls | None = None
    tapes: set[Value] = field(default_factory=set)


class Sweep(Protocol):
    """A forward sweep (``srcgrad.ad.forward.ForwardSweep``)."""

    block: Block
    context: ForwardContext
    primal: Builder
    derivative: Builder
    tangents: dict[Value, Tangent]

    def child(self, block: Block) -> Sweep: ...

    def sweep(self, ops: Sequence[Op]) -> None: ...

    def tangent(self, value: Value, direction: int) -> Value | None: ...

    def tangent_or_zero(self, value: Value, direction: int) -> Value: ...
