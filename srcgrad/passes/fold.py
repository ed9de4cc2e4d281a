"""Constant folding and algebraic identities.

Derivative rules are written generally (``g * (y * x**(y - 1))``) and the
seed of reverse mode is ``1.0``; this pass turns what that produces for
concrete programs into what a person would write (``2 * x``): it evaluates
ops on constants, exactly as Python would when the code runs, and applies
the identities of ``srcgrad.passes.algebra`` to derivative terms. Values
the user's code computes keep their bits, their type and their exceptions.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Sequence

from srcgrad.ir import Block, Builder, Function, Op, Value, use_counts
from srcgrad.ir.types import Array, kind_of, same_shape
from srcgrad.passes.algebra import IDENTITIES, Rewriter, constant_of
from srcgrad.primitives import Primitive
from srcgrad.primitives.iteration import LEN
from srcgrad.primitives.list_sums import LIST_FILL
from srcgrad.primitives.lists import LIST, LIST_APPEND, LIST_ITEM


def fold(function: Function) -> bool:
    """Fold constants and simplify identities; True if anything changed."""
    return _fold_block(function.entry, {}, use_counts(function.entry), chained=False)


def fold_chained(function: Function) -> bool:
    """``fold``, going on with what each rewrite makes within the pass.

    ``fold`` decides what it may rewrite by use counts taken when it
    starts, so a value a rewrite made looks unused until the next pass:
    ``y * a + y * b + ...`` factors one more term per round of the pipeline,
    and a sum of 400 terms takes 400 rounds over the whole function. Here
    the counts are kept true as ops give way, and the ops a rewrite makes
    are simplified in turn before the next op (``1.0 * x`` is ``x`` before a
    sum sees it), as a next round would have done first. The code is as
    simple, its terms sometimes grouped otherwise. ``passes.rounds`` gets
    ``fold``'s code, round for round, on functions without control flow,
    for the same cost.
    """
    return _fold_block(function.entry, {}, use_counts(function.entry), chained=True)


def _fold_block(
    block: Block,
    replacements: dict[Value, Value],
    use_counts: dict[Value, int],
    *,
    chained: bool,
) -> bool:
    changed = False
    pending = deque((op, 0) for op in block.ops)
    block.ops = []
    rewriter = Rewriter(Builder(block), use_counts)
    while pending:
        op, generation = pending.popleft()
        op.operands = [_resolved(replacements, operand) for operand in op.operands]
        for region in op.regions:
            for inner in region.blocks:
                changed |= _fold_block(inner, replacements, use_counts, chained=chained)
        first_new = len(block.ops)
        # A rewrite's new ops are what the op was: a value of f, or a term.
        rewriter.builder.derivative = op.derivative
        with rewriter.builder.at(op.loc):
            simpler = simplify(rewriter, op)
        if simpler is None or simpler is op.result:
            block.append(op)
            continue
        made = block.ops[first_new:]
        if simpler.name_hint is None and simpler.defining_op in made:
            simpler.name_hint = op.result.name_hint
        replacements[op.result] = simpler
        changed = True
        if chained:
            _count_uses(use_counts, op, made, simpler)
            if generation < _GENERATIONS:
                del block.ops[first_new:]
                pending.extendleft((new, generation + 1) for new in reversed(made))
    return changed


#: How many times ``fold_chained`` simplifies again the ops a rewrite made
#: (a rewrite that undid another would otherwise go on for ever; the
#: pipeline's next round goes on from there).
_GENERATIONS = 4


def _resolved(replacements: dict[Value, Value], value: Value) -> Value:
    """What ``value`` became, through every replacement of this pass."""
    while value in replacements:
        value = replacements[value]
    return value


def _count_uses(
    use_counts: dict[Value, int], op: Op, made: list[Op], simpler: Value
) -> None:
    """Keep ``use_counts`` true as ``op`` gives way to ``made`` and its
    result to ``simpler``."""
    for operand in op.operands:
        use_counts[operand] = use_counts.get(operand, 0) - 1
    for new in made:
        for operand in new.operands:
            use_counts[operand] = use_counts.get(operand, 0) + 1
    use_counts[simpler] = use_counts.get(simpler, 0) + use_counts.get(op.result, 0)


def simplify(rewriter: Rewriter, op: Op) -> Value | None:
    """A value equal to ``op``'s result built from fewer ops, or None.

    Ops on constants are evaluated. Identities apply to derivative terms
    only (``srcgrad.passes.algebra`` says why), and not to an op on
    constants that Python would refuse to evaluate: that op stays, to fail
    at run time as the primal does.
    """
    primitive = op.definition
    if not isinstance(primitive, Primitive) or len(op.results) != 1:
        return None
    if primitive.name in _SHAPE_QUERIES:
        return _query_operand(rewriter, op)
    if primitive in (LIST_ITEM, LEN):
        return _read_of_list(rewriter, op)
    constants = []
    for operand in op.operands:  # most ops: stops at the first operand
        constant = constant_of(operand)
        if constant is None:
            break
        constants.append(constant)
    else:
        namespace = str(op.attributes["namespace"])
        try:
            result = _evaluate(primitive, namespace, constants)
        except _Unfoldable:
            return None
        if result is not None:
            return rewriter.builder.const(result)
    rewrite = IDENTITIES.get(primitive.name)
    if rewrite is None or not op.derivative:
        return None
    ops = rewriter.builder.block.ops
    made = len(ops)
    simpler = rewrite(rewriter, op.operands)
    if simpler is None:
        return None
    if (
        # 2 * (m * x) is not (2 * m) * x for uint8 data m: 2 * m wraps around
        _integer_arrays(ops[made:], op)
        # 0 * x is not 0 for an array x: a rewrite must keep the op's shape
        or not same_shape(simpler.type, op.result.type)
        # nor its kind: 1.0 * m is m for a mask m, but a gradient adds into
        # it in place (x_bar[0] += ...), and True + True is True
        or _narrower(simpler, op.result)
    ):
        del ops[made:]  # left, DCE would drop them and fold make them again
        return None
    return simpler


def _integer_arrays(made: Sequence[Op], op: Op) -> bool:
    """A rewrite of real ``op`` made an op whose result is an array of ints
    (or bools), which the original did not compute and which may wrap."""
    if kind_of(op.result.type) != "real":
        return False
    return any(
        isinstance(new.result.type, Array) and kind_of(new.result.type) != "real"
        for new in made
        if len(new.results) == 1
    )


def _narrower(simpler: Value, result: Value) -> bool:
    """``simpler`` holds bools or ints where ``result`` holds reals (a
    number written out, such as a structural 0, is only ever read)."""
    if constant_of(simpler) is not None:
        return False
    kind = kind_of(result.type)
    return kind == "real" and kind_of(simpler.type) in ("bool", "int")


def _read_of_list(rewriter: Rewriter, op: Op) -> Value | None:
    """An item or the length of a list whose making op says it:
    ``[a, b][1]`` is ``b``, ``len([a, b])`` is 2, the last item of
    ``xs.append(v)`` is ``v``, and any item of ``[g] * n`` is ``g``."""
    source = op.operands[0].defining_op
    if source is None:
        return None
    if op.definition is LEN:
        if source.definition is LIST:
            return rewriter.builder.const(len(source.operands))
        return None
    index = constant_of(op.operands[1])
    count = len(source.operands)
    if source.definition is LIST and type(index) is int and -count <= index < count:
        return source.operands[index]
    if source.definition is LIST_APPEND and index == -1:
        return source.operands[1]
    if source.definition is LIST_FILL and op.derivative:
        return source.operands[0]
    return None


#: Ops that read only their operand's shape.
_SHAPE_QUERIES = frozenset({"shape", "size", "ndim", "dim"})


def _query_operand(rewriter: Rewriter, op: Op) -> Value | None:
    """``(a * b).size`` as ``a.size`` where ``a`` has the product's shape:
    the shape of an elementwise op's value is that of such an operand, and
    reading it there need not compute the op."""
    source = op.operands[0].defining_op
    if source is None or not isinstance(source.definition, Primitive):
        return None
    if not source.definition.broadcasts or not isinstance(source.result.type, Array):
        return None
    for operand in source.operands:
        if isinstance(operand.type, Array) and same_shape(
            operand.type, source.result.type
        ):
            attributes = dict(op.attributes)
            return rewriter.builder.create(op.definition, [operand], attributes).result
    return None


class _Unfoldable(Exception):
    """Evaluating the op would raise, or take too long: leave it to run time."""


#: Ints this many bits long or longer are not folded, as CPython's own
#: compiler does not fold them (``10 ** 400`` stays as written, and folding
#: never computes ``10 ** 10 ** 10`` nor prints a number with 5000 digits).
MAX_FOLDED_INT_BITS = 128


def _evaluate(
    primitive: Primitive, namespace: str, args: Sequence[object]
) -> int | float | None:
    """What Python computes for the op on ``args``, if it is a plain literal.

    Returns None for a result codegen would not print as a plain literal
    (an infinity, a NaN, a NumPy scalar, a complex number): such an op stays,
    and CSE computes it once.

    Raises:
        _Unfoldable: Python raises on these arguments, or the result is an
            int too large to fold.
    """
    if primitive.name == "pow" and _huge_power(args):
        raise _Unfoldable
    try:
        result = primitive.evaluate(namespace, args)
    except (ArithmeticError, ValueError, TypeError) as error:
        raise _Unfoldable from error
    if type(result) is int:
        if result.bit_length() >= MAX_FOLDED_INT_BITS:
            raise _Unfoldable
        return result
    if type(result) is float and math.isfinite(result):
        return result
    return None


def _huge_power(args: Sequence[object]) -> bool:
    """``base ** exponent`` of ints is too large to compute at build time."""
    base, exponent = args
    if type(base) is not int or type(exponent) is not int or exponent <= 0:
        return False
    return base.bit_length() * exponent > 2 * MAX_FOLDED_INT_BITS
