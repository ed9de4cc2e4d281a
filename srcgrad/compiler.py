"""The pipeline from IR to derivative IR, shared by the API and the CLI."""

from __future__ import annotations

import contextlib
import gc
import sys
from collections.abc import Callable, Iterator, Sequence

from srcgrad.ad import reverse_program
from srcgrad.ad.forward_program import jvp_program
from srcgrad.ad.jvp import Seeding
from srcgrad.ir import (
    FOR_ARRAYS,
    Block,
    Builder,
    Function,
    Program,
    Region,
    Value,
)
from srcgrad.passes import dce, optimize
from srcgrad.passes.evaluations import drop_evaluations_of_used_values
from srcgrad.passes.in_place import accumulate_in_place, mark_in_place
from srcgrad.passes.inline import inline_calls
from srcgrad.passes.interprocedural import program_activity
from srcgrad.passes.lists import refuse_lists_across_calls, resolve_lists
from srcgrad.passes.none_values import refuse_none_as_number
from srcgrad.passes.program import mark_pure_calls, optimize_program
from srcgrad.passes.rational import cancel_rational_terms
from srcgrad.passes.returns import finish_returns, finish_tangents
from srcgrad.passes.specialise import type_per_call
from srcgrad.passes.tapes import drop_unread_tapes
from srcgrad.passes.types import NUMBERS, Signature, infer_types
from srcgrad.passes.writes import refuse_unsafe_writes

#: What ``wrt`` may be: a parameter position or name, or a tuple of them.


def gradient_ir(
    primal: Function,
    wrt: Sequence[str],
    *,
    as_tuple: bool | None = None,
    after_each: Callable[[Function | Program], object] | None = None,
) -> Function:
    """The gradient of ``primal``, a function that calls no other (see
    ``gradient_program``, which this runs)."""
    program = gradient_program(
        Program.of(primal), wrt, as_tuple=as_tuple, after_each=after_each
    )
    return program.entry_function


def gradient_program(
    primal: Program,
    wrt: Sequence[str],
    *,
    as_tuple: bool | None = None,
    after_each: Callable[[Function | Program], object] | None = None,
    signature: Signature = NUMBERS,
    with_value: bool = False,
    has_aux: bool = False,
    seeded: bool = False,
    name: str | None = None,
) -> Program:
    """Optimise ``primal``, differentiate it in reverse mode, optimise again.

    ``after_each`` is called with the IR after every pass (tests pass the
    verifier). ``as_tuple`` (default: more than one ``wrt``) returns the
    gradient as a tuple; ``with_value``, the function's value before it;
    ``has_aux``, the second value the function returns, as it is.
    ``primal`` is optimised in place, once no value that may be None is
    used as a number in it. Each call runs a copy of
    its callee typed for what it passes (``passes.specialise``). Calls are
    proven pure where they are; small helpers are inlined
    (``passes.inline``), once what can't be differentiated in them was
    reported at its place, and typed again where they were written out.
    """
    prepare(primal, wrt, signature, after_each)
    gradient = reverse_program(
        primal,
        wrt,
        as_tuple=len(wrt) > 1 if as_tuple is None else as_tuple,
        with_value=with_value,
        has_aux=has_aux,
        seeded=seeded,
        name=name,
    )
    return finish(gradient, signature, after_each)


def forward_program(
    primal: Program,
    wrt: Sequence[str],
    *,
    seeding: Seeding,
    with_value: bool,
    name: str,
    as_tuple: bool = False,
    after_each: Callable[[Function | Program], object] | None = None,
    signature: Signature = NUMBERS,
) -> Program:
    """Optimise ``primal`` and transform it in forward mode (``ad.jvp``):
    ``jvp`` seeded by tangent parameters, ``derivative`` by the basis
    (``as_tuple``: one tangent per direction, in a tuple, even for one)."""
    prepare(primal, wrt, signature, after_each)
    transformed = jvp_program(
        primal,
        wrt,
        seeding=seeding,
        with_value=with_value,
        name=name,
        as_tuple=as_tuple,
    )
    return finish(transformed, signature, after_each)


def prepare(
    primal: Program,
    wrt: Sequence[str],
    signature: Signature,
    after_each: Callable[[Function | Program], object] | None,
) -> None:
    """The passes before a transform: types, lists, writes refused,
    activity across calls, small helpers inlined, each optimised."""
    refuse_none_as_number(primal)
    type_per_call(primal, signature)
    if resolve_lists(primal):
        type_per_call(primal, signature)
    refuse_unsafe_writes(primal)
    mark_pure_calls(primal)
    optimize_program(primal, optimize, after_each=after_each)
    if len(primal.functions) > 1:
        entry = primal.entry_function
        names = [parameter.name for parameter in entry.parameters]
        program_activity(primal, [names.index(name) for name in wrt])
        if inline_calls(primal):
            infer_types(primal, signature)  # each copy as its call passes
            optimize_program(primal, optimize, after_each=after_each)
        refuse_lists_across_calls(primal)


def finish(
    transformed: Program,
    signature: Signature,
    after_each: Callable[[Function | Program], object] | None,
) -> Program:
    """The passes after a transform: typed and optimised again, what was
    kept only to raise and is computed anyway dropped, sums made in place,
    and what it returns made safe to hand back."""
    optimise(transformed, signature, after_each)
    for function in transformed.functions.values():
        drop_evaluations_of_used_values(function)
        dce(function)  # what was kept only to be evaluated, evaluated otherwise
        accumulate_in_place(function)
        if drop_unread_tapes(function):
            dce(function)
    finish_returns(transformed.entry_function)
    if finish_tangents(transformed.entry_function):
        dce(transformed.entry_function)  # the outputs tangents were shaped like
    for function in transformed.functions.values():
        mark_in_place(function)
    if after_each is not None:
        after_each(transformed)
    return transformed


def optimise(
    transformed: Program,
    signature: Signature,
    after_each: Callable[[Function | Program], object] | None,
) -> None:
    """Type and optimise what a transform made."""
    if after_each is not None:
        after_each(transformed)
    infer_types(transformed, signature)
    mark_pure_calls(transformed)
    optimize_program(transformed, optimize, after_each=after_each)
    cancelled = [cancel_rational_terms(f) for f in transformed.functions.values()]
    if any(cancelled):
        optimize_program(transformed, optimize, after_each=after_each)


def arrays_only(primal: Function, kind: str = "grad") -> Function:
    """The gradient (or other derivative) for numbers of a function only
    arrays can run (``x.T``): it calls the one built for its arguments'
    types."""
    block = Block([Value(value.name_hint, value.loc) for value in primal.arguments])
    builder = Builder(block, primal.loc)
    keywords = tuple(p.name for p in primal.parameters if p.kind == "keyword_only")
    call = builder.create(FOR_ARRAYS, block.arguments, {"keywords": keywords})
    builder.ret([call.result])
    return Function(
        f"{primal.name}_{kind}", list(primal.parameters), Region([block]), primal.loc
    )


def describe(
    function_name: str,
    wrt: Sequence[str],
    kind: str = "grad",
    *,
    with_value: bool = False,
) -> str:
    """The generated function's docstring: what derivative of what it is."""
    names = list(wrt)
    listed = (
        names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    )
    if kind in ("jvp", "hvp"):
        tangents = ", ".join(f"{name}_dot" for name in names)
        if kind == "hvp":
            return f"Hessian of {function_name} in {listed}, times {tangents}."
        return f"Value of {function_name}, and its derivative along {tangents}."
    what = {
        "grad": "Value and gradient" if with_value else "Gradient",
        "derivative": "Derivative",
        "hessian": "Hessian",
        "vjp": "Cotangents (a vector-Jacobian product)",
    }[kind]
    return f"{what} of {function_name} with respect to {listed}."


def describe_gradient(
    function_name: str, wrt: Sequence[str], *, with_value: bool = False
) -> str:
    """The generated function's docstring: what it is the gradient of."""
    return describe(function_name, wrt, with_value=with_value)


#: Python frames a build may need per unit of code size. Lowering, the
#: passes, ``ast.unparse`` and black all recurse on the expression tree, a
#: few frames per level; a left-nested 600-term sum is 600 levels, and the
#: code's size (instructions, AST nodes) bounds the depth of any expression.
_FRAMES_PER_UNIT = 8


#: Objects allocated between two collections of the youngest generation
#: during a build (Python's default is 700). A build makes millions of
#: objects that live until it ends (the AST, the IR, the code), and at the
#: default each is traversed again and again: a third of the time of a
#: 10,000-statement build (9 s of its collections; 3 s at this threshold,
#: with the same peak memory, as what a build drops in between is little).
_YOUNG_GENERATION = 10_000


@contextlib.contextmanager
def recursion_headroom(size: int) -> Iterator[None]:
    """Room for one build of code of ``size`` units: a higher recursion
    limit, and fewer collections of the youngest generation.

    Every stage walks expressions recursively (and black, which is not
    ours, does too), so rather than rewrite each one iteratively the limit
    is raised for the duration of a build, in proportion to the code's size
    (its instructions, or its AST nodes for ``srcgrad show``); and the
    garbage collector's first threshold is raised to ``_YOUNG_GENERATION``
    (unless it is higher, or 0: collection turned off). The API builds one
    gradient at a time under its cache's lock, so raise and restore don't
    interleave; other threads merely get more headroom.
    """
    previous = sys.getrecursionlimit()
    thresholds = gc.get_threshold()
    sys.setrecursionlimit(previous + _FRAMES_PER_UNIT * size)
    if 0 < thresholds[0] < _YOUNG_GENERATION:
        gc.set_threshold(_YOUNG_GENERATION, *thresholds[1:])
    try:
        yield
    finally:
        sys.setrecursionlimit(previous)
        gc.set_threshold(*thresholds)
