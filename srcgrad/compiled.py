"""A derivative's compiled code, and binding it to the function it is of.

``srcgrad.building`` runs the pipeline and compiles what it writes into a
``Compiled``; the disk cache (``srcgrad.disk_cache``) makes one from an
entry instead. ``bind`` makes a ``Compiled`` a function with the primal's
globals, closure cells and defaults, which pickles by reference. Nothing
here imports the compiler, SymPy or black: a gradient found in a cache is
bound without them.

What is compiled is the text ``ast.unparse`` writes. Black formats it only
when a person reads it (``readable_source``, under ``srcgrad.source`` and
``srcgrad show``): formatting costs about 17 microseconds a character, more
than the rest of a build. When it is formatted, the functions bound to it
run from then on from the formatted text (``__code__`` replaced: the same
statements, at the line numbers printed), so tracebacks, ``pdb`` and
``inspect`` always show the lines ``srcgrad.source`` printed.
"""

from __future__ import annotations

import dataclasses
import threading
import types
import weakref
from typing import TYPE_CHECKING, Any, NamedTuple

import srcgrad.marshalled as marshalled
from srcgrad.codegen.bindings import Binding
from srcgrad.codegen.generated import GeneratedFunction
from srcgrad.codegen.load import (
    compile_module,
    instantiate,
    module_cells,
    module_filename,
    register_source,
)
from srcgrad.errors import SrcgradError
from srcgrad.ir.types import VariableKey
from srcgrad.marshalled import Code
from srcgrad.reach import cell, follow
from srcgrad.reference import MODULE, REGISTRY, Reference

if TYPE_CHECKING:
    from srcgrad.dispatch import ForArrays


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


@dataclasses.dataclass(eq=False)
class Compiled:
    """Generated code, compiled, and what it is the derivative of.

    ``text``, ``code``, ``others`` and ``filename`` change together, once,
    when the text is formatted (``readable_source``).
    """

    generated: GeneratedFunction
    #: What the file name tracebacks show says it is (``module.f``).
    label: str
    wrt: tuple[str, ...]
    as_tuple: bool
    #: The primal's code: held so that its ``id`` in a key is never reused.
    primal_code: types.CodeType
    #: What it returns beside the gradient (``value_and_grad``, ``has_aux``).
    returns: Transform
    #: The module text the code is compiled from.
    text: str
    code: types.CodeType
    #: The code of the functions it calls (callees' sweeps), by name.
    others: dict[str, types.CodeType]
    filename: str
    #: ``text`` is black's.
    formatted: bool = False
    #: The globals and closure variables the primal and its helpers read
    #: (what a signature for arrays is made of), where known.
    variables: tuple[VariableKey, ...] | None = None
    #: The functions made from it (``bind``), whose code formatting replaces.
    bound: weakref.WeakSet[types.FunctionType] = dataclasses.field(
        default_factory=weakref.WeakSet
    )

    @classmethod
    def of(
        cls,
        generated: GeneratedFunction,
        label: str,
        wrt: tuple[str, ...],
        as_tuple: bool,
        primal_code: types.CodeType,
        returns: Transform = GRADIENT_ONLY,
        *,
        text: str | None = None,
        formatted: bool = False,
        kept: Code | None = None,
    ) -> Compiled:
        """``generated`` compiled (from ``text``, if given: the same module
        as ``generated.source``, formatted or not); ``kept``, code compiled
        from it before (``srcgrad.marshalled``), is taken if it is that
        module's."""
        text = generated.source if text is None else text
        if kept is not None and _compiled_from(kept, generated, label, text):
            code, others, filename = kept
            register_source(filename, text)
        else:
            code, others, filename = compile_module(generated, label, text)
        return cls(
            generated, label, wrt, as_tuple, primal_code, returns, text, code,
            others, filename, formatted,
        )  # fmt: skip

    def marshalled_code(self) -> bytes:
        """The file of this code kept beside its disk-cache entry."""
        return marshalled.dump(self.text, (self.code, self.others, self.filename))

    def meta(self) -> dict[str, Any]:
        """What a disk-cache entry says beside the text (``from_meta``)."""
        generated = self.generated
        return {
            "label": self.label,
            "name": generated.name,
            "bindings": [dataclasses.astuple(b) for b in generated.bindings],
            "others": [name for name, _ in generated.others],
            "lengths": [len(text) for text in generated.definitions],
            "globals_read": list(generated.globals_read),
            "wrt": list(self.wrt),
            "as_tuple": self.as_tuple,
            "returns": list(self.returns),
            "variables": None if self.variables is None else list(self.variables),
        }

    @classmethod
    def from_meta(
        cls,
        meta: dict[str, Any],
        text: str,
        primal_code: types.CodeType,
        kept: Code | None = None,
    ) -> Compiled | None:
        """The code of a disk-cache entry (``meta``), compiled (or ``kept``:
        see ``of``); None unless it is what ``meta`` says, as
        ``Compiled.meta`` wrote it."""
        try:
            generated = _generated(meta, text)
            returns = _transform(meta["returns"])
            wrt = tuple(str(name) for name in meta["wrt"])
            if generated.source != text or type(meta["as_tuple"]) is not bool:
                return None
            found = cls.of(
                generated, str(meta["label"]), wrt, meta["as_tuple"], primal_code,
                returns, kept=kept,
            )  # fmt: skip
            if meta["variables"] is not None:
                found.variables = tuple(map(_variable, meta["variables"]))
            return found
        except (KeyError, TypeError, ValueError, SrcgradError):
            return None  # not as written: the caller builds it again


def _compiled_from(
    kept: Code, generated: GeneratedFunction, label: str, text: str
) -> bool:
    """``kept`` is ``generated``'s code, under the file name ``text`` gives."""
    code, others, filename = kept
    return (
        code.co_name == generated.name
        and set(others) == {name for name, _ in generated.others}
        and filename == module_filename(label, text)
    )


def _generated(meta: dict[str, Any], text: str) -> GeneratedFunction:
    """The ``GeneratedFunction`` whose module is ``text``: its ``def``s are
    the last pieces of it, of the lengths ``meta`` gives."""
    definitions, end = [], len(text) - 1  # the module ends with one newline
    for length in reversed(meta["lengths"]):
        start = end - (length - 1)  # each piece loses its newline in the module
        definitions.append(text[start:end] + "\n")
        end = start - 3  # the blank lines between pieces
    definitions.reverse()
    names = [str(name) for name in meta["others"]]
    if len(definitions) != len(names) + 1:
        raise ValueError("a definition per function")
    return GeneratedFunction(
        str(meta["name"]),
        definitions[0],
        tuple(_binding(fields) for fields in meta["bindings"]),
        tuple(zip(names, definitions[1:], strict=True)),
        tuple(str(name) for name in meta["globals_read"]),
    )


def _binding(fields: list[Any]) -> Binding:
    alias, module, attribute, cell, dispatcher = fields
    if cell is not None:
        owner, name = cell
        cell = (tuple((str(kind), str(each)) for kind, each in owner), str(name))
    if not isinstance(alias, str) or not isinstance(module, str):
        raise TypeError("an alias and a module are strings")
    return Binding(alias, module, attribute, cell, bool(dispatcher))


def _variable(fields: list[Any]) -> VariableKey:
    """A ``VariableKey`` from JSON: name, closure, module, owner's path."""
    name, closure, module, owner = fields
    if owner is not None:
        owner = tuple((str(kind), str(each)) for kind, each in owner)
    return (str(name), bool(closure), None if module is None else str(module), owner)


def _transform(fields: list[Any]) -> Transform:
    with_value, has_aux, kind, inner = fields
    layers = tuple(
        (str(name), tuple(str(each) for each in wrt), bool(as_tuple))
        for name, wrt, as_tuple in inner
    )
    return Transform(bool(with_value), bool(has_aux), str(kind), layers)


#: Formatting runs once per ``Compiled``, whichever thread asks first.
_FORMATTING = threading.Lock()


def readable_source(compiled: Compiled) -> str:
    """The generated module as black formats it; from now on the code of
    every function bound to ``compiled`` is compiled from it."""
    if compiled.formatted:
        return compiled.text
    with _FORMATTING:
        if not compiled.formatted:
            text = compiled.generated.formatted
            code, others, filename = compile_module(
                compiled.generated, compiled.label, text
            )
            for function in list(compiled.bound):
                _replace_code(function, code, others)
            compiled.text, compiled.code = text, code
            compiled.others, compiled.filename = others, filename
            compiled.formatted = True
    return compiled.text


def _replace_code(
    function: types.FunctionType,
    code: types.CodeType,
    others: dict[str, types.CodeType],
) -> None:
    """Run ``function``, and the functions of its module it calls, from
    ``code`` and ``others`` (compiled from the same statements, so their
    free variables are the same, in the same order)."""
    pending = [(function, code)]
    seen: set[str] = set()
    while pending:
        current, new = pending.pop()
        if new.co_freevars != current.__code__.co_freevars:
            raise AssertionError(f"formatting changed {new.co_name}'s free variables")
        current.__code__ = new
        for name, held in zip(new.co_freevars, current.__closure__ or (), strict=True):
            if name in others and name not in seen:
                seen.add(name)
                pending.append((held.cell_contents, others[name]))


@dataclasses.dataclass(frozen=True)
class GradientInfo:
    """What srcgrad attaches to a generated function as ``__srcgrad__``.

    Attributes:
        compiled: its code, and what it is the derivative of.
        primal: the function this is the gradient of.
        arrays: the gradients of ``primal`` for arrays (``source`` of a
            gradient with arguments shows the one for their types).
    """

    compiled: Compiled
    primal: types.FunctionType
    arrays: ForArrays | None = None

    @property
    def source(self) -> str:
        """The generated module ``srcgrad.source`` returns (black's)."""
        return readable_source(self.compiled)

    @property
    def wrt(self) -> tuple[str, ...]:
        """The parameters differentiated with respect to."""
        return self.compiled.wrt

    @property
    def filename(self) -> str:
        """The made-up file name its lines have in tracebacks."""
        return self.compiled.filename

    @property
    def reads(self) -> tuple[str, ...]:
        """The globals and closure variables (of the primal and of the
        helpers it calls) the gradient reads by name when it runs;
        ``source`` runs as printed where these are defined."""
        return self.compiled.generated.reads

    @property
    def transform(self) -> Transform:
        """Which derivative it is (and, composed, of which derivatives)."""
        return self.compiled.returns

    @property
    def as_tuple(self) -> bool:
        """Its ``wrt`` was given as a tuple."""
        return self.compiled.as_tuple


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
            cells[binding.alias] = arrays.dispatcher_cell()
    with _FORMATTING:  # the code and its text, as they are now
        gradient = instantiate(
            compiled.code, compiled.others, f.__globals__, cells, f.__defaults__
        )
        compiled.bound.add(gradient)
    # The same dict, not a copy: f's keyword defaults changed in place are
    # the gradient's too, as f's positional defaults (a tuple) cannot be.
    gradient.__kwdefaults__ = f.__kwdefaults__
    gradient.__srcgrad__ = GradientInfo(  # type: ignore[attr-defined]
        compiled, f, arrays
    )
    gradient.__module__ = MODULE
    if compiled.returns.inner:
        # Rebuilt from its name in another process only where it is not
        # composed: a composed one pickles by value of nothing, so say so.
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
    gradient.__qualname__ = REGISTRY.add(gradient, reference)
    return gradient
