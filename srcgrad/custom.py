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

import inspect
import sys
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

    def value(self, *args: Any) -> Any:
        """``f(*args)``, as code srcgrad generates calls it: built for
        numbers where the arguments are numbers, it refuses an array then,
        rather than differentiate it as a number."""
        made = self.fun(*args)
        numpy = sys.modules.get("numpy")
        if (
            numpy is not None
            and numpy.ndim(made)
            and not any(_is_array(numpy, arg) for arg in args)
        ):
            raise CallError(
                f"{self._name} returned an array of shape {numpy.shape(made)} "
                "for numbers: code that calls a function with a rule of its "
                "own is built for a number where its arguments are numbers; "
                "pass it an array (np.asarray(x)) to get an array"
            )
        return made

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {getattr(self.fun, '__qualname__', self.fun)}>"

    def _missing(self, rule: str) -> CallError:
        return CallError(
            f"{self._name} is a {type(self).__name__} without its rule: give "
            f"it with {self._name}.{rule} before differentiating code that calls it"
        )

    @property
    def _name(self) -> str:
        return str(getattr(self.fun, "__name__", "the function"))

    def _bound(self, primals: Sequence[Any]) -> tuple[Any, ...]:
        """The primals a call passes, with the defaults of the parameters
        it leaves out, as the rules take them (JAX's)."""
        try:
            signature = inspect.signature(self.fun)
        except (TypeError, ValueError):  # a builtin without a signature
            return tuple(primals)
        bound = signature.bind(*primals)
        bound.apply_defaults()
        return tuple(bound.args)

    def _wrong(self, rule: Callable[..., Any], what: str) -> CallError:
        name = getattr(rule, "__name__", "the rule")
        return CallError(f"{name}, the rule of {self._name}, {what}")

    def _pair(
        self, rule: Callable[..., Any], made: Any, second: str
    ) -> tuple[Any, Any]:
        """``made``, checked to be the pair ``rule`` returns."""
        if not isinstance(made, tuple) or len(made) != 2:
            raise self._wrong(rule, f"returned {made!r}, not the pair (out, {second})")
        return made

    def _like(self, rule: Callable[..., Any], made: Any, like: Any, what: str) -> Any:
        """``made``, checked to be a real value of ``like``'s shape."""
        numpy = _numpy()
        if made is None or not _number_like(numpy, made):
            raise self._wrong(
                rule, f"returned {made!r} as {what}, not a number or array"
            )
        if numpy.shape(made) != numpy.shape(like):
            raise self._wrong(
                rule,
                f"returned {what} of shape {numpy.shape(made)}, where it has shape "
                f"{numpy.shape(like)}",
            )
        return made


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

    def tangent(self, count: int, out: Any, *values: Any) -> Any:
        """The tangent of the output ``out``, from ``count`` primals and as
        many tangents (generated forward-mode code calls this)."""
        primals = self._bound(values[:count])
        numpy = _numpy()
        tangents = [*values[count:], *(_zero_like(numpy, p) for p in primals[count:])]
        return self._rule(primals, tangents, out)

    def pullback(self, g: Any, out: Any, *given: Any) -> tuple[Any, ...]:
        """The cotangent of each primal, from ``g`` (of the output ``out``'s
        shape): ``g`` dotted with the rule's tangent along each item of
        each primal."""
        numpy = _numpy()
        self._like(self.fun, g, out, "the cotangent of the output")
        primals = self._bound(given)
        zeros = [_zero_like(numpy, p) for p in primals]
        cotangents: list[Any] = []
        for position, primal in enumerate(given):
            if not _real(numpy, primal):
                cotangents.append(None)
                continue
            items = []
            for unit in unit_vectors(numpy, numpy.shape(primal)):
                tangents = list(zeros)
                tangents[position] = unit
                tangent_out = self._rule(primals, tangents, out)
                items.append(float(numpy.sum(numpy.multiply(g, tangent_out))))
            cotangents.append(_shaped(numpy, items, primal))
        return tuple(cotangents)

    def _rule(self, primals: tuple[Any, ...], tangents: list[Any], out: Any) -> Any:
        """The rule's tangent of the output ``out``, checked: the rule's own
        output and its tangent have ``out``'s shape."""
        rule = self.jvp_rule
        if rule is None:
            raise self._missing("defjvp(f_jvp)")
        made, tangent_out = self._pair(rule, rule(primals, tuple(tangents)), "tangent")
        self._like(rule, made, out, f"the output of {self._name}")
        return self._like(rule, tangent_out, out, "the tangent of the output")


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

    def pullback(self, g: Any, out: Any, *given: Any) -> tuple[Any, ...]:
        """The cotangent of each primal, from ``g`` (of the output ``out``'s
        shape; generated reverse-mode code calls this): ``bwd`` of
        ``fwd``'s residuals."""
        self._like(self.fun, g, out, "the cotangent of the output")
        primals = self._bound(given)
        _, residuals = self._forward(primals, out)
        return self._backward(residuals, g, primals)[: len(given)]

    def tangent(self, count: int, out: Any, *values: Any) -> Any:
        """The tangent of the output ``out`` along the tangents given: each
        item of it is the dot product of the tangents with ``bwd`` of a
        unit cotangent on that item."""
        numpy = _numpy()
        primals = self._bound(values[:count])
        tangents = values[count:]
        _, residuals = self._forward(primals, out)
        items = []
        for unit in unit_vectors(numpy, numpy.shape(out)):
            row = self._backward(residuals, unit, primals)
            items.append(
                sum(
                    float(numpy.sum(numpy.multiply(r, t)))
                    for r, t in zip(row, tangents, strict=False)
                    if r is not None and t is not None
                )
            )
        return _shaped(numpy, items, out)

    def _forward(self, primals: tuple[Any, ...], out: Any) -> tuple[Any, Any]:
        """``fwd``'s output and residuals, its output checked to have the
        shape of ``out``, ``f``'s."""
        if self.fwd is None or self.bwd is None:
            raise self._missing("defvjp(f_fwd, f_bwd)")
        made, residuals = self._pair(self.fwd, self.fwd(*primals), "residuals")
        self._like(self.fwd, made, out, f"the output of {self._name}")
        return made, residuals

    def _backward(
        self, residuals: Any, g: Any, primals: tuple[Any, ...]
    ) -> tuple[Any, ...]:
        """``bwd``'s cotangents, checked: one per argument, of its shape."""
        assert self.bwd is not None
        found = self.bwd(residuals, g)
        if not isinstance(found, tuple) or len(found) != len(primals):
            raise self._wrong(
                self.bwd,
                f"returned {found!r}; it returns a tuple of one cotangent per "
                f"argument of {self._name} ({len(primals)})",
            )
        return tuple(
            self._cotangent(cotangent, primal, position)
            for position, (cotangent, primal) in enumerate(
                zip(found, primals, strict=True)
            )
        )

    def _cotangent(self, cotangent: Any, primal: Any, position: int) -> Any:
        """``bwd``'s cotangent of one argument, checked; None is a zero (as
        in JAX), and stays None for an argument that is not real."""
        numpy = _numpy()
        if cotangent is None:
            return _zero_like(numpy, primal) if _real(numpy, primal) else None
        assert self.bwd is not None
        return self._like(self.bwd, cotangent, primal, f"cotangent {position}")


def _numpy() -> Any:
    import numpy

    return numpy


def _is_array(numpy: Any, value: Any) -> bool:
    """An array (0-d too), not a number (NumPy's scalars included)."""
    return hasattr(value, "__array_function__") and not isinstance(value, numpy.generic)


def _number_like(numpy: Any, value: Any) -> bool:
    """A real number or an array of them (not None, a list, a complex)."""
    if isinstance(value, (bool, complex)):
        return False
    if isinstance(value, (int, float)):
        return True
    return (
        isinstance(value, (numpy.ndarray, numpy.number)) and value.dtype.kind in "fiu"
    )


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
