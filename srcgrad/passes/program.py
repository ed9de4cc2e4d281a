"""Passes over a whole program: purity of calls, and each function optimised.

A call may be merged with an equal one (CSE) or dropped when nothing uses
its results (DCE) only if its callee is *pure*: no op in it, nor in what it
calls, has an effect. ``mark_pure_calls`` proves it for each callee, to a
fixed point (recursion: a function is pure unless some op shows otherwise),
and gives each call the definition that says so.
"""

from __future__ import annotations

from collections.abc import Callable

from srcgrad.ir import CALL, PURE_CALL, Program, callee_of, is_call, walk


def pure_functions(program: Program) -> set[str]:
    """The symbols of the functions with no effect, through calls too."""
    pure = set(program.functions)
    changed = True
    while changed:
        changed = False
        for symbol in sorted(pure):
            if not _pure_body(program, symbol, pure):
                pure.discard(symbol)
                changed = True
    return pure


def _pure_body(program: Program, symbol: str, pure: set[str]) -> bool:
    """No op of ``symbol`` has an effect, calls to ``pure`` aside."""
    for op in walk(program.functions[symbol].entry):
        if op.definition.is_terminator:
            continue
        if is_call(op):
            if callee_of(op) not in pure:
                return False
        elif not op.definition.pure:
            return False
    return True


def mark_pure_calls(program: Program) -> None:
    """Make each call ``PURE_CALL`` if its callee is pure, else ``CALL``."""
    pure = pure_functions(program)
    for symbol in program.functions:
        for op in program.calls(symbol):
            op.definition = PURE_CALL if callee_of(op) in pure else CALL


def optimize_program(
    program: Program,
    optimize: Callable[..., object],
    *,
    after_each: Callable[[Program], object] | None = None,
) -> Program:
    """Optimise each function of ``program`` with ``optimize``; drop the
    functions no longer called."""
    each = None if after_each is None else (lambda _: after_each(program))
    for function in program.functions.values():
        optimize(function, after_each=each)
    program.drop_unreachable()
    return program
