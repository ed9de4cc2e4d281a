"""Building a derivative's code, and binding it to the function it is of.

``compile_transform`` runs the pipeline (``srcgrad.compiler``) on a live
function and compiles the generated module; ``bind`` makes the compiled
code a function with the primal's globals, closure cells and defaults,
which pickles by reference. The API (``srcgrad.api``) caches what
``compile_transform`` builds.
"""

from __future__ import annotations

import dataclasses
import types
from typing import NamedTuple

from srcgrad.ad.jvp import Seeding
from srcgrad.codegen import GeneratedFunction
from srcgrad.codegen.emit import generate_program
from srcgrad.codegen.load import compile_module, instantiate, module_cells
from srcgrad.compiler import (
    arrays_only,
    describe,
    forward_program,
    gradient_program,
    recursion_headroom,
)
from srcgrad.compose import composed_program, hessian_program
from srcgrad.dispatch import ForArrays
from srcgrad.errors import ValueTypeError
from srcgrad.frontend import lower_live_program
from srcgrad.frontend.reach import cell, follow, reached
from srcgrad.ir import GLOBAL, Function, Program, walk
from srcgrad.passes.types import NUMBERS, Signature, VariableKey, variable_key
from srcgrad.reference import MODULE, REGISTRY, Reference


@dataclasses.dataclass(frozen=True)
class GradientInfo:
    """What srcgrad attaches to a generated function as ``__srcgrad__``.

    Attributes:
        source: the generated module text ``srcgrad.source`` returns.
        wrt: the parameters differentiated with respect to.
        filename: the made-up file name its lines have in tracebacks.
        reads: the globals and closure variables (of the primal and of
            the helpers it calls) the gradient reads by name when it runs;
            ``source`` runs as printed where these are defined.
        primal: the function this is the gradient of.
        arrays: the gradients of ``primal`` for arrays (``source`` of a
            gradient with arguments shows the one for their types).
    """

    source: str
    wrt: tuple[str, ...]
    filename: str
    reads: tuple[str, ...]
    primal: types.FunctionType
    arrays: ForArrays | None = None
    #: Which derivative it is (and, composed, of which derivatives).
    transform: Transform | None = None
    #: Its ``wrt`` was given as a tuple.
    as_tuple: bool = False


class Transform(NamedTuple):
    """Which derivative a generated function computes, and what it returns
    beside it.

    Attributes:
        kind: ``grad`` (reverse mode), ``derivative`` (forward mode, one
            direction per ``wrt`` input), ``jvp`` (forward mode along
            tangents given as parameters), or ``hessian``.
        with_value: ``f``'s value first (``value_and_grad``, ``jvp``).
        has_aux: ``f``'s aux too (``has_aux=True``).
        inner: see below.
    """

    with_value: bool = False
    has_aux: bool = False
    kind: str = "grad"
    #: Applied to another derivative of ``f`` (``grad(grad(f))``): each
    #: inner one's kind, ``wrt`` and whether it was a tuple, innermost first.
    inner: tuple[tuple[str, tuple[str, ...], bool], ...] = ()


#: What ``grad`` returns: the gradient alone.
GRADIENT_ONLY = Transform()


@dataclasses.dataclass(frozen=True)
class Compiled:
    generated: GeneratedFunction
    code: types.CodeType
    #: The code of the functions it calls (callees' sweeps), by name.
    others: dict[str, types.CodeType]
    filename: str
    wrt: tuple[str, ...]
    as_tuple: bool
    #: The primal's code: held so that its ``id`` in the key is never reused.
    primal_code: types.CodeType
    #: What it returns beside the gradient (``value_and_grad``, ``has_aux``).
    returns: Transform = GRADIENT_ONLY


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
    # Each function called is lowered while its caller is: count them all.
    size = sum(len(function.__code__.co_code) for function in reached(f))
    with recursion_headroom(size // 2 + 64 * len(reached(f))):
        primal = lower_live_program(f)
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
        code, others, filename = compile_module(
            generated, f"{f.__module__}.{f.__qualname__}"
        )
    return Compiled(
        generated, code, others, filename, wrt, as_tuple, f.__code__, returns
    )


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
    program = lower_live_program(f)
    found = {
        variable_key(op): None
        for function in program.functions.values()
        for op in walk(function.entry)
        if op.definition is GLOBAL
    }
    return list(found)


def bind(
    compiled: Compiled, f: types.FunctionType, arrays: ForArrays | None
) -> types.FunctionType:
    """Bind the compiled code to ``f``'s globals, closure cells and defaults.

    The result pickles by reference: its module is ``srcgrad.gradients`` and
    its qualified name encodes what it is the gradient of.
    """
    cells = module_cells(compiled.generated)
    for binding in compiled.generated.bindings:
        if binding.cell is not None:  # a closure variable of f or a helper
            owner, name = binding.cell
            cells[binding.alias] = cell(follow(f, owner), name)
        elif binding.dispatcher and arrays is not None:
            cells[binding.alias] = types.CellType(arrays.dispatcher())
    gradient = instantiate(
        compiled.code, compiled.others, f.__globals__, cells, f.__defaults__
    )
    # The same dict, not a copy: f's keyword defaults changed in place are
    # the gradient's too, as f's positional defaults (a tuple) cannot be.
    gradient.__kwdefaults__ = f.__kwdefaults__
    gradient.__srcgrad__ = GradientInfo(  # type: ignore[attr-defined]
        compiled.generated.source,
        compiled.wrt,
        compiled.filename,
        compiled.generated.reads,
        f,
        arrays,
        compiled.returns,
        compiled.as_tuple,
    )
    if compiled.returns.inner:
        # Rebuilt from its name in another process only where it is not
        # composed: a composed one pickles by value of nothing, so say so.
        gradient.__module__ = MODULE
        gradient.__qualname__ = compiled.generated.name
        return gradient
    reference = Reference(
        str(f.__module__),
        f.__qualname__,
        compiled.wrt,
        compiled.as_tuple,
        compiled.returns.with_value,
        compiled.returns.has_aux,
        compiled.returns.kind,
    )
    gradient.__module__ = MODULE
    gradient.__qualname__ = REGISTRY.add(gradient, reference)
    return gradient
