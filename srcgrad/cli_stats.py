"""What ``srcgrad show`` adds to the code: operation counts (``--stats``)
and colour on a terminal (``--color``).

The counts are of operations in the code, each once however often a loop
runs it: every arithmetic operation and every call of a ``math``, NumPy
or builtin function, not constants, checks nor bookkeeping (``range``,
``zip``, shaping an adjoint: ``BOOKKEEPING``). A call of a function of the
user's counts the operations of that function, at each call. ``f``'s are
counted in its IR as written, what running it computes; the derivative's
in what srcgrad generates. Their ratio is the "cheap
gradient" ratio: reverse mode's gradient costs a small constant times
``f`` (the constant theory gives is at most 4 or 5 for the arithmetic of
numbers; a hand-written gradient is about 2 to 3).
"""

from __future__ import annotations

import ast
import os
import sys
from collections.abc import Sequence

from srcgrad.cli_shapes import signature_for
from srcgrad.cli_transforms import primal_program
from srcgrad.frontend import FileResolver, FunctionSource
from srcgrad.ir import Program, callee_of, is_call, walk
from srcgrad.passes.lists import resolve_lists
from srcgrad.passes.specialise import type_per_call
from srcgrad.primitives import Primitive


def operation_count(program: Program) -> int:
    """The operations of ``program``'s entry, a call counting those of the
    function it calls (once more for each call; a recursive call once)."""
    counted: dict[str, int] = {}

    def count(symbol: str, open_: frozenset[str]) -> int:
        if symbol in counted:
            return counted[symbol]
        total = 0
        for op in walk(program.functions[symbol].entry):
            if is_call(op):
                callee = callee_of(op)
                if callee not in open_ and callee in program.functions:
                    total += count(callee, open_ | {callee})
            elif isinstance(op.definition, Primitive) and _computes(op.definition):
                total += 1
        counted[symbol] = total
        return total

    return count(program.entry, frozenset({program.entry}))


def _computes(primitive: Primitive) -> bool:
    """An operation that computes a number or an array: not a check that
    only raises, nor what walks a loop or shapes an adjoint to hand back."""
    return primitive.pure and primitive.name not in BOOKKEEPING


#: What a gradient does besides computing: walking loops and tapes, and
#: shaping what it hands back.
BOOKKEEPING = frozenset(
    {"range", "len", "zip", "enumerate", "reversed", "shape", "dim", "size"}
    | {"shaped_like", "one_number", "outside_domain", "sum_to_shape"}
    | {"broadcast_to", "zeros_like", "ones_like", "list_zeros", "reshape_like"}
)


def primal_count(
    source: FunctionSource,
    module: ast.Module,
    resolver: FileResolver,
    shapes: Sequence[tuple[str, tuple[int, ...]]],
) -> int:
    """The operations of the function ``source`` and of the functions of
    its file it calls, as written: what running ``f`` computes (``x**2``
    twice, if written twice)."""
    program = primal_program(source, module, resolver)
    parameters = [p.name for p in program.entry_function.parameters]
    signature = signature_for(parameters, shapes)
    type_per_call(program, signature)
    if resolve_lists(program):
        type_per_call(program, signature)
    return operation_count(program)


def stats_line(name: str, derivative: str, primal: int, made: int) -> str:
    """``# f: 8 operations; f_grad: 14 (1.75 times f's)``."""
    ratio = f"{made / primal:.2f} times {name}'s" if primal else f"{name} has none"
    return f"# {name}: {primal} operations; {derivative}: {made} ({ratio})"


def colour_wanted(choice: str) -> bool:
    """Colour for ``--color`` ``always``, or ``auto`` on a terminal where
    ``NO_COLOR`` is not set; and only where Pygments is installed."""
    if choice == "never" or (
        choice == "auto" and (not sys.stdout.isatty() or os.environ.get("NO_COLOR"))
    ):
        return False
    try:
        import pygments  # type: ignore[import-untyped]  # noqa: F401
    except ImportError:
        return False
    return True


def highlighted(text: str) -> str:
    """Python ``text`` coloured for a terminal by Pygments."""
    from pygments import highlight
    from pygments.formatters import TerminalFormatter  # type: ignore[import-untyped]
    from pygments.lexers import PythonLexer  # type: ignore[import-untyped]

    return str(highlight(text, PythonLexer(), TerminalFormatter()))
