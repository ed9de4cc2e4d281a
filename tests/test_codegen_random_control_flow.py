"""Random programs with nested control flow run as the IR says they do.

``random_programs`` builds functions out of ifs, loops (swaps, early
exits, undef initial values), whiles, tapes and expression ifs, with names
drawn from a small pool so that they collide. Each is generated, loaded and
run against the reference interpreter. ``SRCGRAD_RANDOM_PROGRAMS=2000``
runs more of them.
"""

from __future__ import annotations

import os

import pytest
from interpret import interpret
from random_programs import HINTS, random_program

from srcgrad.codegen import generate, load

#: How many programs per hint pool, at nesting depths 2 and 3.
COUNT = int(os.environ.get("SRCGRAD_RANDOM_PROGRAMS", "30"))
DEPTHS = {2: COUNT, 3: max(1, COUNT // 4)}
INPUTS = [(1.5, -0.5, 2.0), (0.0, 1.0, -1.0), (-2.0, 3.0, 0.5), (2.0, 2.0, 2.0)]
#: Hint pools: varied, one name for everything, temporaries only.
POOLS = {"varied": HINTS, "colliding": ("a", "a", "x"), "temporaries": (None,)}


def _outcome(function, args):
    try:
        return "returns", repr(function(*args))
    except Exception as error:  # noqa: BLE001 - compared, not swallowed
        return "raises", type(error).__name__


@pytest.mark.parametrize("pool", sorted(POOLS))
@pytest.mark.parametrize("depth", sorted(DEPTHS))
def test_random_programs_compute_what_their_ir_means(pool, depth):
    for seed in range(DEPTHS[depth]):
        ir = random_program(seed, depth, POOLS[pool])
        compiled = load(generate(ir))
        for args in INPUTS:
            expected = _outcome(lambda *a, ir=ir: interpret(ir, *a), args)
            assert _outcome(compiled, args) == expected, (seed, args)
