"""Gradients for arrays: one build per signature, picked when called.

A gradient is built for the types of its inputs (``passes.types``): for
an array, its kind, its rank and which of its axes have size 1 (or 0),
so the axes each adjoint is summed over are written out when it is built. The
gradient ``grad`` returns is the one for numbers; when called with an
array it hands its arguments to the ``ForArrays`` of its function (the
``for_arrays`` its code calls), which builds, once per signature, the
gradient for those types and calls it.

A signature holds the types of the parameters and of every global and
closure variable the function (or a helper it calls) reads, read when the
gradient is called: an array global whose shape changes gets a gradient
of its own, never one built for the old shape.
"""

from __future__ import annotations

import functools
import importlib
import inspect
import sys
import threading
import types
from collections.abc import Callable, Hashable
from typing import Any

from srcgrad.errors import NotRealError
from srcgrad.ir.types import Signature, VariableKey
from srcgrad.reach import cell, follow
from srcgrad.runtime import check_array, is_array, type_of

#: The derivatives whose generated code takes tangents or cotangents as
#: keyword-only parameters of its own.
SEEDED = frozenset({"jvp", "hvp", "vjp"})

#: Builds the gradient for a signature (the API's, bound to its function).
Build = Callable[[Signature], Callable[..., Any]]


class ForArrays:
    """The gradients of one function, by the signature of their inputs.

    Args:
        function: the function differentiated (its globals and closure
            are where the variables it reads live).
        wrt: the names of the parameters differentiated with respect to.
        build: makes the gradient for a signature.
        variables: the globals and closure variables the function, and
            the helpers it calls, read (``passes.types.variable_key``).
        kind: which derivative it builds, for messages (``f_hessian``).
    """

    def __init__(
        self,
        function: types.FunctionType,
        wrt: tuple[str, ...],
        build: Build,
        variables: Callable[[], list[VariableKey]],
        kind: str = "grad",
    ) -> None:
        self.function = function
        self.kind = kind
        self.wrt = wrt
        self._build = build
        self._variables = variables
        self._read: list[VariableKey] | None = None
        #: What reads each of ``_read`` now, once it is known.
        self._readers: tuple[Callable[[], object], ...] | None = None
        #: The key of one input (``key_maker``'s, once NumPy is loaded).
        self._key_of: Callable[[object], object] = _key_of
        self._gradients: dict[Hashable, Callable[..., Any]] = {}
        self._by_key: dict[tuple[object, ...], Callable[..., Any]] = {}
        self._lock = threading.Lock()
        code = function.__code__
        self._names = code.co_varnames[: code.co_argcount + code.co_kwonlyargcount]
        self._positional = code.co_argcount
        self._signature: inspect.Signature | None = None
        #: Cells that hold ``self`` until the first call (``dispatcher_cell``).
        self._cells: list[types.CellType] = []

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if self._cells:
            cells, self._cells = self._cells, []
            made = self.dispatcher()
            for each in cells:
                each.cell_contents = made
        if self.kind in SEEDED:
            # jvp's tangents, vjp's cotangents: parameters of the generated
            # function, not of f, so not part of the signature
            seeds = {k: kwargs.pop(k) for k in list(kwargs) if k not in self._names}
            return self.gradient_for(args, kwargs)(*args, **kwargs, **seeds)
        # The path of every call but a signature's first: a key and a lookup.
        if not kwargs and self._readers is not None:
            key = tuple(map(self._key_of, args))
            if self._readers:
                key += tuple([self._key_of(read()) for read in self._readers])
            found = self._by_key.get(key)
            if found is not None:
                return found(*args)
        return self.gradient_for(args, kwargs)(*args, **kwargs)

    def dispatcher_cell(self) -> types.CellType:
        """A cell for the gradient for numbers to call with arrays: it holds
        ``self`` until the first such call, then ``dispatcher()``'s function.
        Making that compiles a function, and most gradients are never
        called with arrays (a tenth of a disk-cache hit, when it was made
        for each)."""
        made = types.CellType(self)
        self._cells.append(made)
        return made

    def dispatcher(self) -> Callable[..., Any]:
        """What the gradient for numbers calls with arrays: ``self``, or a
        function of the parameters that does what ``__call__`` does for a
        function that reads no variable, without packing the arguments in
        a tuple, a frame of its own, and a key built by ``map``: half of
        ``__call__``'s microsecond. Only positional parameters with names
        apart from its own."""
        code = self.function.__code__
        names = self._names
        plain = not code.co_flags & (inspect.CO_VARARGS | inspect.CO_VARKEYWORDS)
        if not names or len(names) != self._positional or not plain:
            return self
        if self.kind in SEEDED:
            return self  # its tangent or cotangent parameters come as keywords
        if any(name.startswith("_srcgrad_") for name in names):
            return self
        made: Callable[..., Any] = _dispatcher_factory(names)(self, self._by_key)
        return made

    def gradient_for(
        self, args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> Callable[..., Any]:
        """The gradient built for the types of ``args`` and ``kwargs``.

        A call looks it up by a key that is quick to compute (each input's
        class, dtype kind and which axes are 0 or 1); the signature is
        computed, and the inputs checked, when a key is new.
        """
        gradient = self._for_signature(args, kwargs)
        if not kwargs and self._readers is not None:
            if self._key_of is _key_of and "numpy" in sys.modules:
                # Its keys and _key_of's differ: neither finds the other's.
                self._key_of = key_maker(sys.modules["numpy"].ndarray)
            key = tuple(map(self._key_of, args))
            key += tuple([self._key_of(read()) for read in self._readers])
            self._by_key[key] = gradient
        return gradient

    def _for_signature(
        self, args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> Callable[..., Any]:
        signature = self.signature_of(args, kwargs)
        gradient = self._gradients.get(signature)
        if gradient is None:
            with self._lock:
                gradient = self._gradients.get(signature)
                if gradient is None:
                    gradient = self._gradients[signature] = self._build(signature)
        return gradient

    def signature_of(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Signature:
        """The types of the inputs of a call with ``args`` and ``kwargs``.

        Raises:
            NotRealError: a ``wrt`` input is neither a real float nor an
                array of floating-point numbers.
        """
        values = self._bound(args, kwargs)
        label = f"{self.function.__name__}_{self.kind}"
        for name, value in values.items():
            if is_array(value):
                check_array(label, f"parameter {name!r}", value, wrt=name in self.wrt)
            elif isinstance(value, complex) or _is_complex_scalar(value):
                raise NotRealError(
                    f"{label}: parameter {name!r} is the complex number "
                    f"{value!r}: srcgrad differentiates real functions"
                )
        parameters = tuple(
            (name, type_of(value, name)) for name, value in values.items()
        )
        if self._read is None:
            self._read = self._variables()
            self._readers = tuple(map(self._reader, self._read))
        variables = []
        for key in self._read:
            value = self._read_variable(key)
            if is_array(value):
                kind = "closure variable" if key[1] or key[3] else "global"
                check_array(label, f"{kind} {key[0]!r}", value, wrt=False)
            variables.append((key, type_of(value, str(key[0]))))
        return Signature(parameters, tuple(variables))

    def _bound(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> dict[str, Any]:
        if not kwargs and len(args) == len(self._names) == self._positional:
            return dict(zip(self._names, args, strict=True))
        if self._signature is None:
            self._signature = inspect.signature(self.function)
        try:
            bound = self._signature.bind(*args, **kwargs)
        except TypeError as error:
            raise NotRealError(
                f"{self.function.__name__}_{self.kind}: {error}"
            ) from None
        bound.apply_defaults()
        return dict(bound.arguments)

    def _reader(self, key: VariableKey) -> Callable[[], object]:
        """What reads the variable ``key`` (quickest for a global)."""
        name, closure, module, owner = key
        if not (closure or module or owner):
            return functools.partial(self.function.__globals__.get, str(name))
        return functools.partial(self._read_variable, key)

    def _read_variable(self, key: VariableKey) -> object:
        """The value the variable ``key`` holds now (None if it is unbound:
        the gradient then fails where the function would)."""
        name, closure, module, owner = key
        try:
            if owner:
                return cell(follow(self.function, owner), str(name)).cell_contents  # type: ignore[arg-type]
            if closure:
                return cell(self.function, str(name)).cell_contents
            if module:
                return getattr(importlib.import_module(str(module)), str(name))
            return self.function.__globals__[str(name)]
        except (LookupError, ValueError, AttributeError):
            return None


def _is_complex_scalar(value: object) -> bool:
    numpy = sys.modules.get("numpy")
    return numpy is not None and isinstance(value, numpy.complexfloating)


def _key_of(value: object) -> object:
    """What selects a gradient for ``value``: its class, and for an array
    its dtype's kind and, per axis, whether its size is 0, 1, another or
    not known."""
    cls = value.__class__
    if cls is float or cls is int or cls is bool:
        return cls
    shape = getattr(value, "shape", None)
    if shape is not None and hasattr(value, "__array_function__"):
        kind = getattr(getattr(value, "dtype", None), "kind", None)
        return (cls, kind, tuple(map(_axis_key, shape)))
    return cls


def _axis_key(size: object) -> object:
    """0 and 1 as they are, 2 for any other size, None for one not known
    (nan: a Dask array's chunks)."""
    if size == 0 or size == 1:
        return size
    return 2 if size == size and size is not None else None


def key_maker(ndarray: type) -> Callable[[object], object]:
    """``_key_of``, quicker for NumPy's own arrays (``ndarray``), whose
    sizes are known: their dtype's kind and rank where no axis has size 0
    or 1, else which axes do (keys ``_key_of`` never makes)."""

    def key_of(value: object) -> object:
        cls = value.__class__
        if cls is float:
            return cls
        if cls is ndarray:
            shape = value.shape  # type: ignore[attr-defined]
            kind = value.dtype.kind  # type: ignore[attr-defined]
            if 1 in shape or 0 in shape:
                return (kind, tuple(map(_axis_key, shape)))
            return (kind, len(shape))
        return _key_of(value)

    return key_of


@functools.lru_cache(maxsize=256)
def _dispatcher_factory(names: tuple[str, ...]) -> Callable[..., Any]:
    """Makes ``ForArrays.dispatcher``'s function for parameters ``names``
    (compiled once per list of names: binding a gradient makes one)."""
    listed = ", ".join(names)
    keys = ", ".join(f"_srcgrad_key({name})" for name in names)
    source = (
        "def _srcgrad_make(_srcgrad_arrays, _srcgrad_by_key):\n"
        f"    def for_arrays({listed}):\n"
        "        if not _srcgrad_arrays._readers:\n"
        "            _srcgrad_key = _srcgrad_arrays._key_of\n"
        f"            _srcgrad_found = _srcgrad_by_key.get(({keys},))\n"
        "            if _srcgrad_found is not None:\n"
        f"                return _srcgrad_found({listed})\n"
        f"        return _srcgrad_arrays({listed})\n"
        "    return for_arrays\n"
    )
    namespace: dict[str, Any] = {}
    exec(compile(source, "<srcgrad for_arrays>", "exec"), namespace)  # noqa: S102
    factory: Callable[..., Any] = namespace["_srcgrad_make"]
    return factory
