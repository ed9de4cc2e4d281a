"""What a gradient computes only so that it fails, or warns, where ``f`` does.

Reverse mode keeps (``EVALUATE``) each op that raises, or in NumPy warns,
outside its domain. Where a derivative term computes the value anyway, the
evaluation goes; where the value is an array's NumPy function computed for
its warnings alone, it is computed only where the array's extremes are
outside the interval where the function gives none.
"""

from __future__ import annotations

from srcgrad.ir import EVALUATE, Function, Op, uses
from srcgrad.ir.types import Array
from srcgrad.primitives import Primitive
from srcgrad.primitives.broadcasting import OUTSIDE_DOMAIN
from srcgrad.primitives.elementwise import QUIET_INSIDE


def drop_evaluations_of_used_values(gradient: Function) -> None:
    """Keep an ``EVALUATE`` only where nothing else computes its value.

    Reverse mode evaluates each op that raises outside its domain, so the
    gradient raises where ``f`` does; where a derivative term uses the value
    anyway (``d exp = exp``), computing it is enough.
    """
    users = uses(gradient.entry)
    blocks = [gradient.entry]
    while blocks:
        block = blocks.pop()
        block.ops = [
            _evaluated_at_its_extremes(op)
            for op in block.ops
            if op.definition is not EVALUATE or len(users[op.operands[0]]) == 1
        ]
        for op in block.ops:
            op.parent = block
        blocks += [inner for op in block.ops for r in op.regions for inner in r.blocks]


def _evaluated_at_its_extremes(op: Op) -> Op:
    """An array's NumPy function kept only to warn where ``f`` warns
    (``np.log(p)``, nothing else needs it) is computed only if the array's
    smallest or largest item is outside the interval where it gives no
    warning (``outside_domain(np.log, p, 0.0)``): one reduction, or two,
    where ``f`` computes the function of every item, and the same warnings."""
    if op.definition is not EVALUATE:
        return op
    kept = op.operands[0].defining_op
    if (
        kept is None
        or kept.attributes.get("namespace") != "numpy"
        or len(kept.operands) != 1
        or not isinstance(kept.operands[0].type, Array)
        or not isinstance(kept.definition, Primitive)
        or "numpy" not in kept.definition.needs_domain_check
        or kept.definition.name not in QUIET_INSIDE
    ):
        return op
    written = kept.definition.written("numpy")
    if not isinstance(written, str):
        return op
    attributes: dict[str, object] = {
        "namespace": "helper",
        "function": written,
        "interval": QUIET_INSIDE[kept.definition.name],
    }
    return Op(
        OUTSIDE_DOMAIN, [kept.operands[0]], [], attributes, loc=op.loc, derivative=True
    )
