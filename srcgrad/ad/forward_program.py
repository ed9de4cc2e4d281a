"""Forward mode for a program: the entry's transform and its callees'.

The entry is transformed by ``srcgrad.ad.jvp``. A call whose results
depend on ``wrt`` calls the callee's own forward sweep, ``h_jvp``, which
takes the callee's parameters and the tangent of each parameter that may
be varied at some call, and returns the callee's results and the tangent
of each result that may be varied; each callee is transformed once, with
those the union over its calls (``srcgrad.passes.interprocedural``).
"""

from __future__ import annotations

from collections.abc import Sequence

from srcgrad.ad.jvp import Seeding, jvp
from srcgrad.errors import DifferentiationError
from srcgrad.ir import Program


def jvp_program(
    program: Program,
    wrt: Sequence[str],
    *,
    seeding: Seeding,
    with_value: bool,
    name: str,
    as_tuple: bool = False,
) -> Program:
    """The forward-mode transform of ``program``'s entry (see the module)."""
    entry = program.entry_function
    if len(program.functions) > 1 or any(program.calls(program.entry)):
        raise DifferentiationError(
            "forward mode through calls to other functions is not built yet",
            entry.loc,
        )
    return Program.of(
        jvp(
            entry,
            wrt,
            seeding=seeding,
            with_value=with_value,
            name=name,
            as_tuple=as_tuple,
        )
    )
