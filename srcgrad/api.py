"""The public API: ``grad`` and ``source``.

``grad(f)`` returns the generated gradient itself, a plain Python function
with ``f``'s globals, closure and defaults, so calling it costs exactly
what the generated code costs. Globals and closure variables are read when
it runs, as they are in ``f``.
"""

from __future__ import annotations

import functools
import inspect
import math
import types
from collections.abc import Callable, Hashable
from typing import Any, overload

import srcgrad.settings as settings
from srcgrad.cache import MemoryCache
from srcgrad.cache_key import disk_key, libraries_loaded, same_libraries
from srcgrad.columns import hessian_by_columns
from srcgrad.compiled import GRADIENT_ONLY, Compiled, GradientInfo, Transform, bind
from srcgrad.disk_cache import Entry, disk_cache
from srcgrad.dispatch import SEEDED, ForArrays
from srcgrad.errors import (
    CallError,
    DifferentiationError,
    SourceUnavailableError,
    SrcgradError,
)
from srcgrad.ir.types import NUMBERS, Signature, VariableKey, is_array
from srcgrad.marshalled import load as load_marshalled
from srcgrad.reach import Meanings, fingerprint, meanings
from srcgrad.wrt import Wrt, is_wrt_like, positional_wrt_error, wrt_names

_CACHE: MemoryCache[Compiled] = MemoryCache()
#: The generated functions ``jvp``, ``hvp`` and ``vjp`` call, bound, by
#: their cache key: they call one on each call, and binding one (and the
#: dispatcher for arrays it builds) costs far more than the call.
_SEEDED: dict[Hashable, types.FunctionType] = {}


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
    which the forward sweep computes anyway, then the gradient (one value
    for a single ``wrt``, a tuple for a tuple): ``grad``'s, up to rounding,
    as the two are simplified apart (this one may reuse the value). One
    call costs what the gradient costs. With ``has_aux``, ``f`` returns ``(value,
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
    meant = meanings(function)
    reached = fingerprint(function, meant)  # the functions it calls
    returns = Transform(with_value, has_aux, kind, inner)
    options = settings.snapshot()  # the compiler's, which change the code
    key = (id(code), names, as_tuple, meant, defaults, reached, options, returns)
    if kind in SEEDED:  # called by jvp, hvp and vjp on every call: kept
        found = _SEEDED.get(key)
        if found is not None:
            return found
    compiled = _CACHE.get_or_build(
        key,
        lambda: _compile(
            function, names, as_tuple, defaults, returns=returns,
            meant=meant, calls_others=bool(reached),
        ),
    )  # fmt: skip

    def build(signature: Signature, made: Transform = returns) -> Callable[..., Any]:
        built = _CACHE.get_or_build(
            (*key[:-1], made, signature),
            lambda: _compile(
                function, names, as_tuple, defaults, signature, returns=made,
                meant=meant, calls_others=bool(reached),
            ),
        )  # fmt: skip
        return bind(built, function, None)

    def for_signature(signature: Signature) -> Callable[..., Any]:
        if kind == "hessian" and any(
            is_array(type_) for name, type_ in signature.parameters if name in names
        ):
            # an array's Hessian: one Hessian-vector product per column
            hvp = build(signature, Transform(kind="hvp"))
            return hessian_by_columns(hvp, _parameters(function), names, as_tuple)
        return build(signature)

    arrays = ForArrays(
        function,
        names,
        for_signature,
        lambda: _variables_read(function, compiled),
        kind,
    )
    made = bind(compiled, function, arrays)
    if kind in SEEDED:
        _SEEDED[key] = made
    return made


def _compile(
    f: types.FunctionType,
    wrt: tuple[str, ...],
    as_tuple: bool,
    defaults: tuple[str | None, ...],
    signature: Signature = NUMBERS,
    *,
    returns: Transform = GRADIENT_ONLY,
    meant: Meanings,
    calls_others: bool,
) -> Compiled:
    """The code, on a miss in memory: from the disk cache, else built
    (``building.compile_transform``) and kept there."""
    store = disk_cache()
    key = None
    if store is not None:
        options = (wrt, as_tuple, defaults, tuple(returns), repr(signature))
        key = disk_key(f, meant, calls_others, options)
    if store is not None and key is not None:
        entry = store.load(key)
        if entry is not None and same_libraries(entry.meta.get("libraries")):
            kept = load_marshalled(store.load_code(key), entry.text)
            found = Compiled.from_meta(entry.meta, entry.text, f.__code__, kept)
            if found is not None:
                if kept is None or found.code is not kept[0]:  # compiled now
                    store.store_code(key, found.marshalled_code())
                return found
    from srcgrad.building import compile_transform  # the compiler: on a miss only

    built = compile_transform(f, wrt, as_tuple, defaults, signature, returns=returns)
    if store is not None and key is not None:
        meta = {**built.meta(), "libraries": libraries_loaded()}
        store.store(key, Entry(built.text, meta))
        store.store_code(key, built.marshalled_code())
    return built


def _variables_read(f: types.FunctionType, compiled: Compiled) -> list[VariableKey]:
    """The variables a signature for arrays reads: as the build found them
    (kept in its disk entry too), else by lowering ``f``."""
    if compiled.variables is not None:
        return list(compiled.variables)
    from srcgrad.building import variables_read

    return variables_read(f)


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
    if getattr(type(f), "_srcgrad_custom_rule", ""):
        name = getattr(f, "__name__", "f")
        raise DifferentiationError(
            f"{name} has a rule of your own ({type(f).__name__}): differentiate "
            f"a function that calls it (def g(x): return {name}(x)), whose "
            "derivative calls the rule"
        )
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
        from srcgrad.frontend import lower_live_program

        lower_live_program(f)  # raises the located error for `*args`/`**kwargs`
    return f


def cache_info() -> dict[str, int]:
    """Entries, hits and misses of the in-memory gradient cache."""
    return {"entries": len(_CACHE), "hits": _CACHE.hits, "misses": _CACHE.misses}


def clear_cache() -> None:
    """Forget every compiled gradient (the next ``grad`` call rebuilds)."""
    _CACHE.clear()
    _SEEDED.clear()


def _parameters(f: types.FunctionType) -> list[str]:
    code = f.__code__
    return list(code.co_varnames[: code.co_argcount + code.co_kwonlyargcount])


def _wrt_names(f: types.FunctionType, wrt: Wrt) -> tuple[str, ...]:
    """The names ``wrt`` selects (see ``wrt.wrt_names``)."""
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
