"""The compiler's tunable settings, in one light module.

What the generated code looks like depends on these, so the disk cache's
key (``srcgrad.cache_key``) includes ``snapshot()``; a benchmark or a test
that changes one gets code built for the new value, never an entry built
for the old one.
"""

from __future__ import annotations

#: The largest helper written out at its calls, in operations (constants,
#: global reads and terminators not counted). Measured with
#: ``benchmarks/calls.py`` (docs/design.md, "Calls"): a call costs a gradient
#: about 90 ns (forward and backward call, the saved tuple, a tape push);
#: that is 17% or more of a helper of up to 16 operations, 4% at 24, and
#: nothing from about 30, where calling is as fast as writing it out.
INLINE_LIMIT = 16

#: The deepest expression the generated code writes: ops nested in one
#: another, the outermost counted. A deeper one gets a statement binding its
#: inner part (``srcgrad.codegen.inline``). Python parses at most 200 nested
#: parentheses; past about 32 levels no person reads an expression either.
EXPRESSION_DEPTH = 32

#: How much folding a build does, in folds per op of the function: the
#: passes stop at a fixed point, or once they have folded this many times
#: as many ops as the function had (whole rounds: this many rounds). Every
#: function of the tests reaches its fixed point within 6 folds an op; a
#: chain that each round factors one level further (the adjoint of 300
#: reassigned products, in Horner's form) would take a round per level.
#: What the passes have by then is correct, only less simplified.
FOLD_BUDGET = 16


def snapshot() -> tuple[object, ...]:
    """Every setting's value now."""
    return (
        ("INLINE_LIMIT", INLINE_LIMIT),
        ("EXPRESSION_DEPTH", EXPRESSION_DEPTH),
        ("FOLD_BUDGET", FOLD_BUDGET),
    )
