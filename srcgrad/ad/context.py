"""What the pieces of one reverse-mode transform share."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from srcgrad.ir import Builder, Op, Value
from srcgrad.passes.interprocedural import Activity, Summaries


class CallPlan(Protocol):
    """What the reverse of a call needs: the callee's activity and the
    symbols of its derivative (``srcgrad.ad.program`` provides it)."""

    summaries: Summaries

    def activity(self, symbol: str) -> Activity: ...

    def forward(self, symbol: str) -> str:
        """The symbol of ``symbol``'s forward sweep (built on demand)."""
        ...

    def backward(self, symbol: str) -> str:
        """The symbol of ``symbol``'s backward sweep."""
        ...

    def plain(self, symbol: str) -> str:
        """The symbol of ``symbol`` itself, called where nothing is active."""
        ...

    def global_reads(self) -> list[Op]:
        """The ``global`` ops of the entry's callees whose value reaches
        what the callee returns (the gradient checks they are real)."""
        ...


@dataclass
class SweepContext:
    """What every sweep of one gradient shares.

    Attributes:
        mapping: each primal value's counterpart in the forward sweep.
        active: the primal values that get adjoints.
        hints: the name hint of each primal value's adjoint (``x_bar``).
        copies: each primal control-flow op's copy in the forward sweep,
            which the reverse sweep extends with the values it saves.
        calls: the program's callees, for the reverse of a call (None for a
            function that calls no other).
        saved: for each primal call that is active, the value its forward
            sweep saves for its backward sweep.
    """

    mapping: dict[Value, Value]
    active: frozenset[Value]
    hints: dict[Value, str | None]
    copies: dict[Op, Op]
    calls: CallPlan | None = None
    saved: dict[Op, Value] = field(default_factory=dict)


class Sweep(Protocol):
    """What the reverse of control flow needs of a reverse sweep."""

    builder: Builder
    context: SweepContext
    loop_depth: int
    adjoints: dict[Value, Value]

    def child(self, builder: Builder, *, in_loop: bool = False) -> Sweep: ...

    def sweep(self, ops: Sequence[Op]) -> None: ...

    def accumulate(self, value: Value, cotangent: Value) -> None: ...

    def adjoint_or_zero(self, value: Value, *, shaped: bool = False) -> Value: ...

    def full_adjoint(self, value: Value) -> Value: ...

    def stretched(self, adjoint: Value, value: Value) -> Value: ...
