"""Building a derivative's code: the compiler, run on a live function.

``compile_transform`` runs the pipeline (``srcgrad.compiler``) on a live
function and compiles the generated module into a ``Compiled``
(``srcgrad.compiled``, which binds it). The API (``srcgrad.api``) imports
this module only on a cache miss: it imports the compiler, and through it
SymPy and black when they are needed.
"""

from __future__ import annotations

import dataclasses
import types

from srcgrad.ad.jvp import Seeding
from srcgrad.codegen.emit import generate_program
from srcgrad.compiled import GRADIENT_ONLY, Compiled, Transform
from srcgrad.compiler import (
    arrays_only,
    describe,
    forward_program,
    gradient_program,
    recursion_headroom,
)
from srcgrad.compose import composed_program, hessian_program
from srcgrad.errors import DifferentiationError, ValueTypeError
from srcgrad.frontend import lower_live_program
from srcgrad.frontend.resolve import replaced_primitives
from srcgrad.ir import GLOBAL, Function, Program, walk
from srcgrad.passes.types import NUMBERS, Signature, VariableKey, variable_key
from srcgrad.reach import reached


def compile_transform(
    f: types.FunctionType,
    wrt: tuple[str, ...],
    as_tuple: bool,
    defaults: tuple[str | None, ...],
    signature: Signature = NUMBERS,
    *,
    returns: Transform = GRADIENT_ONLY,
) -> Compiled:
    """Build the gradient's code (on a cache miss, under the cache's lock).

    For numbers (``NUMBERS``), a function that only arrays can run (``x.T``,
    ``X @ w``) gets a gradient that hands every call on to the one built
    for its arguments' types (``srcgrad.dispatch``).
    """
    replaced = replaced_primitives()
    if replaced:
        verb, them = ("holds", "it") if len(replaced) == 1 else ("hold", "them")
        raise DifferentiationError(
            f"{', '.join(replaced)} {verb} something other than the library's "
            "own function (replaced, or mocked); srcgrad differentiates the "
            f"library's functions, and gradients call them: restore {them} first"
        )
    # Each function called is lowered while its caller is: count them all.
    size = sum(len(function.__code__.co_code) for function in reached(f))
    with recursion_headroom(size // 2 + 64 * len(reached(f))):
        primal = lower_live_program(f)
        variables = tuple(_variables_of(primal))  # before any pass changes it
        _show_defaults(primal.entry_function, defaults)
        try:
            gradient = _transform(primal, wrt, as_tuple, signature, returns)
        except ValueTypeError:
            if signature != NUMBERS:
                raise
            gradient = Program.of(arrays_only(primal.entry_function, returns.kind))
        described = describe(
            "_".join([f.__name__, *(layer[0] for layer in returns.inner)]),
            wrt,
            returns.kind,
            with_value=returns.with_value,
        )
        generated = generate_program(gradient, described)
    label = f"{f.__module__}.{f.__qualname__}"
    compiled = Compiled.of(generated, label, wrt, as_tuple, f.__code__, returns)
    compiled.variables = variables
    return compiled


def _transform(
    primal: Program,
    wrt: tuple[str, ...],
    as_tuple: bool,
    signature: Signature,
    transform: Transform,
) -> Program:
    """``primal`` transformed as ``transform`` says."""
    if transform.inner:
        return composed_program(
            primal,
            transform.inner,
            wrt,
            kind=transform.kind,
            as_tuple=as_tuple,
            with_value=transform.with_value,
            signature=signature,
        )
    if transform.kind == "vjp":
        return gradient_program(
            primal,
            wrt,
            as_tuple=True,
            signature=signature,
            seeded=True,
            name=f"{primal.entry_function.name}_vjp",
        )
    if transform.kind == "grad":
        return gradient_program(
            primal,
            wrt,
            as_tuple=as_tuple,
            signature=signature,
            with_value=transform.with_value,
            has_aux=transform.has_aux,
        )
    name = f"{primal.entry_function.name}_{transform.kind}"
    seeding: Seeding = "parameters" if transform.kind in ("jvp", "hvp") else "basis"
    if transform.kind in ("hessian", "hvp"):
        return hessian_program(
            primal, wrt, as_tuple=as_tuple, seeding=seeding, signature=signature
        )
    return forward_program(
        primal,
        wrt,
        seeding=seeding,
        with_value=transform.with_value,
        name=name,
        as_tuple=as_tuple,
        signature=signature,
    )


def _show_defaults(primal: Function, defaults: tuple[str | None, ...]) -> None:
    """Show each plain default as the primal's live value (see above)."""
    if not defaults:
        return
    positional = [
        index
        for index, p in enumerate(primal.parameters)
        if p.kind != "keyword_only" and p.default is not None
    ]
    keyword_only = [
        index for index, p in enumerate(primal.parameters) if p.kind == "keyword_only"
    ]
    shown = positional + keyword_only
    if len(shown) != len(defaults):  # f.__defaults__ reassigned: trust f
        for index in shown:
            primal.parameters[index] = dataclasses.replace(
                primal.parameters[index], default=None
            )
        return
    for index, text in zip(shown, defaults, strict=True):
        if text is not None and primal.parameters[index].default is not None:
            primal.parameters[index] = dataclasses.replace(
                primal.parameters[index], default=text
            )


def variables_read(f: types.FunctionType) -> list[VariableKey]:
    """The globals and closure variables ``f`` and its helpers read."""
    return _variables_of(lower_live_program(f))


def _variables_of(program: Program) -> list[VariableKey]:
    found = {
        variable_key(op): None
        for function in program.functions.values()
        for op in walk(function.entry)
        if op.definition is GLOBAL
    }
    return list(found)
