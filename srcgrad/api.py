"""The public API: ``grad`` and ``source``.

``grad(f)`` returns the generated gradient itself, a plain Python function
with ``f``'s globals, closure and defaults, so calling it costs exactly
what the generated code costs. Globals and closure variables are read when
it runs, as they are in ``f``.
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
import math
import types
from collections.abc import Callable
from typing import Any, NamedTuple, overload

from srcgrad.ad.jvp import Seeding
from srcgrad.cache import MemoryCache
from srcgrad.codegen import GeneratedFunction
from srcgrad.codegen.emit import generate_program
from srcgrad.codegen.load import compile_module, instantiate, module_cells
from srcgrad.columns import hessian_by_columns
from srcgrad.compiler import (
    Wrt,
    arrays_only,
    composed_program,
    describe,
    forward_program,
    gradient_program,
    hessian_program,
    recursion_headroom,
    wrt_names,
)
from srcgrad.dispatch import ForArrays
from srcgrad.errors import (
    CallError,
    DifferentiationError,
    SourceUnavailableError,
    SrcgradError,
    ValueTypeError,
)
from srcgrad.frontend import lower_live_program
from srcgrad.frontend.decorators import is_wrt_like, positional_wrt_error
from srcgrad.frontend.reach import cell, fingerprint, follow, reached, resolution
from srcgrad.ir import GLOBAL, Function, Program, walk
from srcgrad.ir.types import is_array
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
class _Compiled:
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


_CACHE: MemoryCache[_Compiled] = MemoryCache()


@overload
def grad(
    f: Callable[..., Any], wrt: Wrt = 0, *, has_aux: bool = False
) -> Callable[..., Any]: ...
@overload
def grad(
    f: None = None, wrt: Wrt = 0, *, has_aux: bool = False
) -> Callable[[Callable[..., Any]], Callable[..., Any]]: ...


def grad(
    f: Callable[..., Any] | None = None, wrt: Wrt = 0, *, has_aux: bool = False
) -> Any:
    """The gradient of ``f``, as generated Python.

    Usable as ``grad(f)``, ``@grad`` and ``@grad(wrt="x")``.

    Args:
        f: a function of numbers, written in the supported subset of
            Python, that returns one number.
        wrt: which parameters to differentiate with respect to: a position,
            a name, or a tuple of either.
        has_aux: ``f`` returns ``(value, aux)``: only ``value`` is
            differentiated, and the function returned returns
            ``(gradient, aux)``, ``aux`` as ``f`` computed it.

    Returns:
        A function with ``f``'s parameters that returns ``df/dwrt``: one
        value for a single ``wrt``, a tuple for a tuple. ``f`` is its
        ``__srcgrad__.primal`` (not ``__wrapped__``, which would make
        ``inspect`` show ``f``'s code); ``srcgrad.source`` shows its code. It
        pickles by reference (see ``srcgrad.gradients``).

    Raises:
        SrcgradError: ``f`` uses something srcgrad does not support, does
            not return one number, its file changed since it was defined,
            or ``wrt`` names no parameter of it (or names ``self``/``cls``).
        CallError: ``f`` is a ``wrt`` (``grad("x")`` for ``grad(wrt="x")``).
    """
    if is_wrt_like(f):
        raise positional_wrt_error(f)
    if f is None:
        return lambda function: grad(function, wrt, has_aux=has_aux)
    return transformed(f, wrt, with_value=False, has_aux=has_aux)


@overload
def value_and_grad(
    f: Callable[..., Any], wrt: Wrt = 0, *, has_aux: bool = False
) -> Callable[..., Any]: ...
@overload
def value_and_grad(
    f: None = None, wrt: Wrt = 0, *, has_aux: bool = False
) -> Callable[[Callable[..., Any]], Callable[..., Any]]: ...


def value_and_grad(
    f: Callable[..., Any] | None = None, wrt: Wrt = 0, *, has_aux: bool = False
) -> Any:
    """``f``'s value and its gradient, from one generated function.

    As ``grad`` (usable as ``value_and_grad(f)`` and as a decorator), but
    the function returned returns ``(value, gradient)``: ``f``'s value,
    which the forward sweep computes anyway, then what ``grad`` returns
    (one value for a single ``wrt``, a tuple for a tuple). One call costs
    what the gradient costs. With ``has_aux``, ``f`` returns ``(value,
    aux)``, and this returns ``((value, aux), gradient)``.
    """
    if is_wrt_like(f):
        raise positional_wrt_error(f)
    if f is None:
        return lambda function: value_and_grad(function, wrt, has_aux=has_aux)
    return transformed(f, wrt, with_value=True, has_aux=has_aux)


def transformed(
    f: Callable[..., Any],
    wrt: Wrt,
    *,
    with_value: bool,
    has_aux: bool,
    kind: str = "grad",
) -> types.FunctionType:
    """The gradient of ``f`` (with its value first, for ``value_and_grad``):
    built for numbers now, and for arrays per signature when called."""
    if has_aux not in (True, False):
        raise CallError(f"has_aux is True or False, not {has_aux!r}")
    has_aux = bool(has_aux)
    inner = _inner_layers(f, kind, has_aux)
    if inner:
        f = _info(f).primal
    function = _differentiable(f)
    names = _wrt_names(function, wrt)
    as_tuple = isinstance(wrt, tuple)
    defaults = _displayed_defaults(function)
    code = function.__code__
    resolved = resolution(function)
    reached = fingerprint(function, resolved)  # the functions it calls
    returns = Transform(with_value, has_aux, kind, inner)
    key = (id(code), names, as_tuple, resolved, defaults, reached, returns)
    compiled = _CACHE.get_or_build(
        key, lambda: _compile(function, names, as_tuple, defaults, returns=returns)
    )

    def build(signature: Signature, made: Transform = returns) -> Callable[..., Any]:
        built = _CACHE.get_or_build(
            (*key[:-1], made, signature),
            lambda: _compile(
                function, names, as_tuple, defaults, signature, returns=made
            ),
        )
        return _instantiate(built, function, None)

    def for_signature(signature: Signature) -> Callable[..., Any]:
        if kind == "hessian" and any(
            is_array(type_) for name, type_ in signature.parameters if name in names
        ):
            # an array's Hessian: one Hessian-vector product per column
            hvp = build(signature, Transform(kind="hvp"))
            return hessian_by_columns(hvp, _parameters(function), names, as_tuple)
        return build(signature)

    arrays = ForArrays(function, names, for_signature, lambda: _variables(function))
    return _instantiate(compiled, function, arrays)


def _inner_layers(
    f: object, kind: str, has_aux: bool
) -> tuple[tuple[str, tuple[str, ...], bool], ...]:
    """The derivatives ``f`` is made of, if it is one srcgrad generated
    (``grad(grad(f))``: forward mode over its code); else ``()``.

    Raises:
        DifferentiationError: a composition srcgrad does not build: of a
            Hessian, a jvp or hvp, anything with ``has_aux`` or a value,
            or by something other than ``grad``, ``value_and_grad`` and
            ``derivative``.
    """
    info = getattr(f, "__srcgrad__", None)
    if not isinstance(info, GradientInfo):
        return ()
    made = info.transform or GRADIENT_ONLY
    name = getattr(f, "__name__", "it")
    if made.with_value or made.has_aux or made.kind not in ("grad", "derivative"):
        raise DifferentiationError(
            f"{name} returns more than one derivative's values; srcgrad "
            "differentiates a grad or a derivative of a function again, not a "
            "value_and_grad, has_aux, jvp, hvp or hessian"
        )
    if kind not in ("grad", "derivative") or has_aux:
        raise DifferentiationError(
            f"{name} is itself a derivative: take grad, value_and_grad or "
            f"derivative of it (without has_aux), not {kind}"
        )
    return (*made.inner, (made.kind, info.wrt, info.as_tuple))


def source(gradient: Callable[..., Any], *args: Any, **kwargs: Any) -> str:
    """The generated source of a function ``grad`` returned.

    Given arguments, the source of the gradient built for their types
    (arrays, of their rank and size-1 axes), which it builds if need be;
    else that of the gradient for numbers.
    """
    info = _info(gradient)
    if not args and not kwargs:
        return info.source
    if info.arrays is None:
        raise SrcgradError(f"{gradient.__name__} is already built for arrays")
    return _info(info.arrays.gradient_for(args, kwargs)).source


def source_filename(gradient: Callable[..., Any]) -> str:
    """The file name tracebacks show for a generated function's lines."""
    return _info(gradient).filename


def _info(gradient: Callable[..., Any]) -> GradientInfo:
    info = getattr(gradient, "__srcgrad__", None)
    if not isinstance(info, GradientInfo):
        raise SrcgradError(f"{gradient!r} was not generated by srcgrad")
    return info


def _differentiable(f: Any) -> types.FunctionType:
    """``f``, if srcgrad can read it as one function's source; else say why."""
    if isinstance(f, types.MethodType):
        function = getattr(f.__func__, "__qualname__", "the method")
        if isinstance(f.__self__, type):  # a class method: M.cm is bound
            kind, hint, given = "class method", f"{function}.__func__", "class"
        else:
            kind, given = "bound method", "instance"
            hint = f"{function}, or obj.{f.__func__.__name__}.__func__"
        raise SourceUnavailableError(
            f"grad expects a function, got the {kind} {function}; pass the "
            f"function itself ({hint}) and give the {given} as an argument"
        )
    if isinstance(f, functools.partial):
        raise SourceUnavailableError(
            "grad expects a function, got a functools.partial; differentiate "
            "the function it wraps and pass the fixed arguments when calling "
            "the gradient (or write a small def that calls it)"
        )
    if not isinstance(f, types.FunctionType):
        # The method itself, inherited or not: it is what to differentiate.
        call = getattr(type(f), "__call__", None)  # noqa: B004
        if isinstance(call, types.FunctionType):
            raise SourceUnavailableError(
                f"grad expects a function, got a callable {type(f).__name__} "
                f"object; pass its method ({call.__qualname__}) and give the "
                "object as an argument"
            )
        raise SourceUnavailableError(
            f"grad expects a Python function defined with `def` or `lambda`, "
            f"got {type(f).__name__}"
        )
    if hasattr(f, "__wrapped__"):
        raise SourceUnavailableError(
            f"{f.__qualname__} is wrapped by a decorator; apply srcgrad.grad "
            "to the undecorated function (put @srcgrad.grad innermost)"
        )
    if f.__code__.co_flags & (inspect.CO_VARARGS | inspect.CO_VARKEYWORDS):
        lower_live_program(f)  # raises the located error for `*args`/`**kwargs`
    return f


def cache_info() -> dict[str, int]:
    """Entries, hits and misses of the in-memory gradient cache."""
    return {"entries": len(_CACHE), "hits": _CACHE.hits, "misses": _CACHE.misses}


def clear_cache() -> None:
    """Forget every compiled gradient (the next ``grad`` call rebuilds)."""
    _CACHE.clear()


def _parameters(f: types.FunctionType) -> list[str]:
    code = f.__code__
    return list(code.co_varnames[: code.co_argcount + code.co_kwonlyargcount])


def _wrt_names(f: types.FunctionType, wrt: Wrt) -> tuple[str, ...]:
    """The names ``wrt`` selects (see ``compiler.wrt_names``)."""
    return wrt_names(f.__qualname__, _parameters(f), wrt)


def _displayed_defaults(f: types.FunctionType) -> tuple[str | None, ...]:
    """Each default as the generated signature shows it; part of the key.

    A default that is a plain number, bool or None is shown as the value the
    function holds (a factory's ``def f(x, a=k)`` made with ``k=2.0`` shows
    ``a=2.0``); anything else (None here) keeps its source text. Positional
    defaults first, then keyword-only ones in the order of the code.
    """
    if f.__defaults__ is None and f.__kwdefaults__ is None:
        return ()  # the common case, on every cache hit: keep it quick
    code = f.__code__
    keyword_only = code.co_varnames[
        code.co_argcount : code.co_argcount + code.co_kwonlyargcount
    ]
    kwdefaults = f.__kwdefaults__ or {}
    values = [*(f.__defaults__ or ())] + [
        kwdefaults.get(name, _NO_DEFAULT) for name in keyword_only
    ]
    return tuple(_literal(value) for value in values)


_NO_DEFAULT = object()


def _literal(value: object) -> str | None:
    """``value`` as Python source, if it is a plain literal that round-trips."""
    if value is None or type(value) in (bool, int):
        return repr(value)
    if type(value) is float and math.isfinite(value):
        return repr(value)
    return None


def _compile(
    f: types.FunctionType,
    wrt: tuple[str, ...],
    as_tuple: bool,
    defaults: tuple[str | None, ...],
    signature: Signature = NUMBERS,
    *,
    returns: Transform = GRADIENT_ONLY,
) -> _Compiled:
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
    return _Compiled(
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


def _variables(f: types.FunctionType) -> list[VariableKey]:
    """The globals and closure variables ``f`` and its helpers read."""
    program = lower_live_program(f)
    found = {
        variable_key(op): None
        for function in program.functions.values()
        for op in walk(function.entry)
        if op.definition is GLOBAL
    }
    return list(found)


def _instantiate(
    compiled: _Compiled, f: types.FunctionType, arrays: ForArrays | None
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
