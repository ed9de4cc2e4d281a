"""What the pieces of one reverse-mode transform share."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from srcgrad.ir import Builder, Op, Value


@dataclass
class SweepContext:
    """What every sweep of one gradient shares.

    Attributes:
        mapping: each primal value's counterpart in the forward sweep.
        active: the primal values that get adjoints.
        hints: the name hint of each primal value's adjoint (``x_bar``).
        copies: each primal control-flow op's copy in the forward sweep,
            which the reverse sweep extends with the values it saves.
    """

    mapping: dict[Value, Value]
    active: frozenset[Value]
    hints: dict[Value, str | None]
    copies: dict[Op, Op]


class Sweep(Protocol):
    """What the reverse of control flow needs of a reverse sweep."""

    builder: Builder
    context: SweepContext
    loop_depth: int
    adjoints: dict[Value, Value]

    def child(self, builder: Builder, *, in_loop: bool = False) -> Sweep: ...

    def sweep(self, ops: Sequence[Op]) -> None: ...

    def accumulate(self, value: Value, cotangent: Value) -> None: ...

    def adjoint_or_zero(self, value: Value) -> Value: ...
