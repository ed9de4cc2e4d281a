"""Derivatives the user gives: ``custom_jvp`` and ``custom_vjp``, as JAX's.

A function srcgrad should not (or cannot) read, a SciPy call, or one whose
derivative is better written by hand (a stable softplus), is decorated::

    @srcgrad.custom_jvp
    def softplus(x):
        return np.logaddexp(0.0, x)

    @softplus.defjvp
    def softplus_jvp(primals, tangents):
        (x,), (x_dot,) = primals, tangents
        return softplus(x), x_dot / (1.0 + np.exp(-x))

or, with a backward rule, ``f.defvjp(f_fwd, f_bwd)``: ``f_fwd(*args)``
returns ``(f(*args), residuals)`` and ``f_bwd(residuals, g)`` one
cotangent per argument. A function srcgrad differentiates that calls the
decorated one calls its rule instead of reading it, in both modes and
wherever the call is (``srcgrad.primitives.custom_rules``): the rule it
has is used directly, and the other mode is built from it, one rule call
per item (a JVP from ``f_bwd``, a VJP from ``f_jvp``).

srcgrad never reads these functions: it calls them, by name, when the
derivative runs. Each takes positional arguments, numbers or arrays, and
returns one number or array.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from srcgrad.columns import unit_vectors
from srcgrad.errors import CallError


class _CustomRule:
    """What both kinds share: the function, called as it is."""

    #: Read by the frontend (``resolve.classify_variable``): calls to such
    #: an object are custom calls, its rule one of these.
    _srcgrad_custom_rule = ""

    def __init__(self, fun: Callable[..., Any]) -> None:
        if not callable(fun):
            raise CallError(f"{type(self).__name__} decorates a function, not {fun!r}")
        self.fun = fun
        # fun's name and docstring, but no __wrapped__: srcgrad must call
        # the rule, never read fun's code through the object.
        for attribute in ("__module__", "__name__", "__qualname__", "__doc__"):
            if hasattr(fun, attribute):
                setattr(self, attribute, getattr(fun, attribute))

    def __call__(self, *args: Any) -> Any:
        return self.fun(*args)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {getattr(self.fun, '__qualname__', self.fun)}>"

    def _missing(self, rule: str) -> CallError:
        name = getattr(self.fun, "__name__", "the function")
        return CallError(
            f"{name} is a {type(self).__name__} without its rule: give it with "
            f"{name}.{rule} before differentiating code that calls it"
        )


class custom_jvp(_CustomRule):  # noqa: N801 - JAX's name
    """A function with its forward-mode rule (see the module)."""

    _srcgrad_custom_rule = "jvp"

    def __init__(self, fun: Callable[..., Any]) -> None:
        super().__init__(fun)
        self.jvp_rule: Callable[..., Any] | None = None

    def defjvp(self, rule: Callable[..., Any]) -> Callable[..., Any]:
        """Set ``rule(primals, tangents) -> (out, tangent_out)``; returns it,
        so it may decorate the rule."""
        self.jvp_rule = rule
        return rule

    def tangent(self, count: int, *values: Any) -> Any:
        """The tangent of the output, from ``count`` primals and as many
        tangents (generated forward-mode code calls this)."""
        if self.jvp_rule is None:
            raise self._missing("defjvp(f_jvp)")
        primals, tangents = values[:count], values[count:]
        _, tangent_out = self.jvp_rule(tuple(primals), tuple(tangents))
        return tangent_out

    def pullback(self, g: Any, *primals: Any) -> tuple[Any, ...]:
        """The cotangent of each primal, from ``g``: ``g`` dotted with the
        rule's tangent along each item of each primal."""
        if self.jvp_rule is None:
            raise self._missing("defjvp(f_jvp)")
        numpy = _numpy()
        zeros = [_zero_like(numpy, p) for p in primals]
        cotangents: list[Any] = []
        for position, primal in enumerate(primals):
            if not _real(numpy, primal):
                cotangents.append(None)
                continue
            items = []
            for unit in unit_vectors(numpy, numpy.shape(primal)):
                tangents = list(zeros)
                tangents[position] = unit
                _, tangent_out = self.jvp_rule(tuple(primals), tuple(tangents))
                items.append(float(numpy.sum(numpy.multiply(g, tangent_out))))
            cotangents.append(_shaped(numpy, items, primal))
        return tuple(cotangents)


class custom_vjp(_CustomRule):  # noqa: N801 - JAX's name
    """A function with its reverse-mode rule (see the module)."""

    _srcgrad_custom_rule = "vjp"

    def __init__(self, fun: Callable[..., Any]) -> None:
        super().__init__(fun)
        self.fwd: Callable[..., Any] | None = None
        self.bwd: Callable[..., Any] | None = None

    def defvjp(self, fwd: Callable[..., Any], bwd: Callable[..., Any]) -> None:
        """Set ``fwd(*args) -> (out, residuals)`` and ``bwd(residuals, g) ->
        cotangents`` (a tuple of one per argument)."""
        self.fwd, self.bwd = fwd, bwd

    def pullback(self, g: Any, *primals: Any) -> tuple[Any, ...]:
        """The cotangent of each primal, from ``g`` (generated reverse-mode
        code calls this): ``bwd`` of ``fwd``'s residuals."""
        if self.fwd is None or self.bwd is None:
            raise self._missing("defvjp(f_fwd, f_bwd)")
        _, residuals = self.fwd(*primals)
        found = self.bwd(residuals, g)
        if not isinstance(found, tuple) or len(found) != len(primals):
            name = getattr(self.bwd, "__name__", "bwd")
            raise CallError(
                f"{name} returned {found!r}; it returns a tuple of one cotangent "
                f"per argument of {getattr(self.fun, '__name__', 'f')} "
                f"({len(primals)})"
            )
        return found

    def tangent(self, count: int, *values: Any) -> Any:
        """The tangent of the output along the tangents given: each item of
        the output's is the dot product of the tangents with ``bwd`` of a
        unit cotangent on that item."""
        if self.fwd is None or self.bwd is None:
            raise self._missing("defvjp(f_fwd, f_bwd)")
        numpy = _numpy()
        primals, tangents = values[:count], values[count:]
        out, residuals = self.fwd(*primals)
        items = []
        for unit in unit_vectors(numpy, numpy.shape(out)):
            row = self.bwd(residuals, unit)
            items.append(
                sum(
                    float(numpy.sum(numpy.multiply(r, t)))
                    for r, t in zip(row, tangents, strict=True)
                    if r is not None and t is not None
                )
            )
        return _shaped(numpy, items, out)


def _numpy() -> Any:
    import numpy

    return numpy


def _real(numpy: Any, value: Any) -> bool:
    return isinstance(value, float) or (
        isinstance(value, numpy.ndarray) and value.dtype.kind == "f"
    )


def _zero_like(numpy: Any, value: Any) -> Any:
    shape = numpy.shape(value)
    return numpy.zeros(shape) if shape else 0.0


def _shaped(numpy: Any, items: Sequence[float], like: Any) -> Any:
    shape = numpy.shape(like)
    if not shape:
        return items[0]
    return numpy.asarray(items, dtype=float).reshape(shape)
