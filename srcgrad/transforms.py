"""Forward mode and what builds on it: ``derivative``, ``jvp``,
``hessian`` and ``hvp``.

Each is generated code, as ``grad`` is: ``derivative(f)`` and
``hessian(f)`` *are* generated functions, and ``jvp(f, primals,
tangents)`` and ``hvp`` call the generated ``f_jvp`` and ``f_hvp`` built
(once) for the kinds of their primals. A Hessian is forward mode over the
gradient's code.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from typing import Any

from srcgrad.api import transformed
from srcgrad.errors import CallError, NotRealError
from srcgrad.wrt import Wrt, is_wrt_like, positional_wrt_error


def derivative(f: Callable[..., Any] | None = None, wrt: Wrt = 0) -> Any:
    """The derivative of ``f`` with respect to one number, by forward mode.

    Usable as ``derivative(f)`` and as a decorator. ``f`` may return a
    number, an array or a tuple of them; the function returned has ``f``'s
    parameters and returns the derivative of each output with respect to
    ``wrt``, of the output's shape. With a tuple ``wrt``, it returns for
    each output a tuple of its partial derivatives, one per ``wrt`` input
    (one forward sweep carries them all).

    Raises:
        SrcgradError: as ``grad``; a ``wrt`` input that is an array is an
            error when called (use ``jvp`` or ``jacobian``).
    """
    if is_wrt_like(f):
        raise positional_wrt_error(f)
    if f is None:
        return lambda function: derivative(function, wrt)
    return transformed(f, wrt, with_value=False, has_aux=False, kind="derivative")


def hessian(f: Callable[..., Any] | None = None, wrt: Wrt = 0) -> Any:
    """The Hessian of ``f``, by forward mode over its gradient.

    Usable as ``hessian(f)`` and as a decorator; ``f`` returns one number,
    as for ``grad``. For numbers, one generated function computes ``f``'s
    values and the adjoints once, and every column in the same sweep. For
    an array ``x`` of shape ``s``, the Hessian has shape ``s + s`` and is
    computed column by column, one Hessian-vector product per item.

    Returns:
        A function with ``f``'s parameters returning the Hessian: one
        value for a single ``wrt``; for a tuple, a tuple of rows, row ``i``
        holding the derivatives of ``df/dwrt[i]`` with respect to each
        ``wrt[j]`` (as JAX's ``jax.hessian``).
    """
    if is_wrt_like(f):
        raise positional_wrt_error(f)
    if f is None:
        return lambda function: hessian(function, wrt)
    return transformed(f, wrt, with_value=False, has_aux=False, kind="hessian")


def hvp(f: Callable[..., Any], primals: Sequence[Any], tangents: Sequence[Any]) -> Any:
    """The Hessian of ``f`` at ``primals`` times ``tangents``.

    Arguments as ``jvp``'s: one tangent per primal, or None for one not
    differentiated. It is the derivative of the gradient along the
    tangents, computed by forward mode over the gradient's code: the cost
    of about two gradients, with no Hessian built.

    Returns:
        One value per primal with a tangent, of its shape: the value alone
        where there is one such primal, else a tuple.
    """
    primals, tangents = _checked_pair(primals, tangents)
    wrt = tuple(i for i, tangent in enumerate(tangents) if tangent is not None)
    chosen: Wrt = wrt if len(wrt) > 1 else wrt[0]
    made = transformed(f, chosen, with_value=False, has_aux=False, kind="hvp")
    return call_with_tangents(made, primals, tangents)


def jvp(
    f: Callable[..., Any], primals: Sequence[Any], tangents: Sequence[Any]
) -> tuple[Any, Any]:
    """``f(*primals)`` and its derivative along ``tangents``, by forward mode.

    As JAX's ``jax.jvp``: ``primals`` are ``f``'s positional arguments
    and ``tangents`` one tangent for each, of its shape (a number for a
    number), or None for an argument not differentiated (data, a count).
    ``f``'s other parameters keep their defaults. The code is generated
    once per kind of primals (numbers; arrays of a rank and size-1 axes).

    Returns:
        ``(out, tangent_out)``: ``f``'s value, and the derivative of each
        output along ``tangents``, of the output's shape.

    Raises:
        CallError: ``primals`` or ``tangents`` are not tuples or lists of
            one per argument, or a tangent is not of its primal's shape.
        NotRealError: a primal or tangent is not a real number or array.
    """
    primals, tangents = _checked_pair(primals, tangents)
    wrt = tuple(i for i, tangent in enumerate(tangents) if tangent is not None)
    made = transformed(f, wrt, with_value=True, has_aux=False, kind="jvp")
    return call_with_tangents(made, primals, tangents)


def vjp(f: Callable[..., Any], *primals: Any) -> tuple[Any, Callable[..., Any]]:
    """``f(*primals)`` and a function that pulls cotangents back through it.

    As JAX's ``jax.vjp``: ``vjp_fn(cotangent)`` returns one cotangent per
    primal, the cotangent of ``f``'s output (of its shape; a tuple of them
    for a tuple of outputs) times ``f``'s Jacobian. Numbers and float
    arrays are differentiated; for any other primal (an int, a list of
    data) it returns None. ``vjp_fn`` is generated reverse-mode code, built
    once per kind of primals; each call runs ``f``'s forward sweep again.

    Raises:
        CallError: ``vjp_fn`` is given a cotangent not of the output's
            structure and shapes.
    """
    wrt = tuple(i for i, primal in enumerate(primals) if _differentiable_value(primal))
    if not wrt:
        raise CallError(
            "vjp needs a primal that is a float or an array of floats to "
            "differentiate with respect to"
        )
    out = f(*primals)
    several = isinstance(out, tuple)
    built = transformed(f, wrt, with_value=False, has_aux=False, kind="vjp")
    made = for_primals(built, primals, len(out) if several else 1)
    code = made.__code__
    end = code.co_argcount + code.co_kwonlyargcount
    seeds = code.co_varnames[end - (len(out) if several else 1) : end]

    def vjp_fn(cotangent: Any) -> tuple[Any, ...]:
        given = cotangent if several else (cotangent,)
        if several and (not isinstance(cotangent, tuple) or len(cotangent) != len(out)):
            raise CallError(
                f"f returns a tuple of {len(out)}, so vjp_fn takes a tuple of "
                f"{len(out)} cotangents"
            )
        outputs = out if several else (out,)
        for position, (value, seed) in enumerate(zip(outputs, given, strict=True)):
            if seed is None or isinstance(seed, bool) or not _is_real(seed):
                raise NotRealError(
                    f"vjp_fn: cotangent {position} is {seed!r}, not a real number "
                    "or array of them"
                )
            if _shape(seed) != _shape(value):
                raise CallError(
                    f"vjp_fn: cotangent {position} has shape {_shape(seed)}, "
                    f"f's output {_shape(value)}: a cotangent has its output's shape"
                )
        cotangents = made(*primals, **dict(zip(seeds, given, strict=True)))
        found = iter(cotangents)
        return tuple(next(found) if i in wrt else None for i in range(len(primals)))

    return out, vjp_fn


def _differentiable_value(value: Any) -> bool:
    """A float, or an array of floats: what vjp differentiates."""
    if value.__class__ is float:
        return True
    numpy = sys.modules.get("numpy")
    return (
        numpy is not None
        and isinstance(value, (numpy.ndarray, numpy.floating))
        and numpy.dtype(getattr(value, "dtype", float)).kind == "f"
    )


def call_with_tangents(
    made: Callable[..., Any],
    primals: tuple[Any, ...],
    tangents: tuple[Any, ...],
) -> Any:
    """Call the generated ``f_jvp`` or ``f_hvp`` (the one built for the
    primals' kinds) with the primals and the tangents given."""
    given = [tangent for tangent in tangents if tangent is not None]
    made = for_primals(made, primals, len(given))
    keywords = dict(zip(_tangent_parameters(made), given, strict=True))
    return made(*primals, **keywords)


def for_primals(
    made: Callable[..., Any], primals: Sequence[Any], seeds: int
) -> Callable[..., Any]:
    """The generated function ``made`` built for the kinds of ``primals``:
    ``made`` itself for numbers, if it takes its ``seeds`` tangents or
    cotangents (a function only arrays can run has, for numbers, a build
    that hands every call on: the build for the primals' kinds then says
    why numbers cannot run it)."""
    code = made.__code__
    if code.co_kwonlyargcount >= seeds and all(
        primal.__class__ is float for primal in primals
    ):
        return made
    arrays = made.__srcgrad__.arrays  # type: ignore[attr-defined]
    return arrays.gradient_for(tuple(primals), {})


def _tangent_parameters(generated: Callable[..., Any]) -> tuple[str, ...]:
    """The names of a generated ``f_jvp``'s tangent parameters: its last
    keyword-only ones, one per primal (``x_dot``, or ``x_dot_1`` where
    ``f`` has an ``x_dot`` of its own)."""
    code = generated.__code__
    count = len(generated.__srcgrad__.wrt)  # type: ignore[attr-defined]
    end = code.co_argcount + code.co_kwonlyargcount
    return code.co_varnames[end - count : end]


def _checked_pair(
    primals: Sequence[Any], tangents: Sequence[Any]
) -> tuple[tuple[Any, ...], tuple[Any, ...]]:
    """``primals`` and ``tangents`` as tuples, checked to pair up."""
    for name, given in (("primals", primals), ("tangents", tangents)):
        if not isinstance(given, (tuple, list)):
            raise CallError(
                f"jvp takes {name} as a tuple (or list) of one value per "
                f"argument, not {type(given).__name__}: write (x,) for one"
            )
    if len(primals) != len(tangents):
        raise CallError(
            f"jvp has {len(primals)} primals and {len(tangents)} tangents: "
            "give one tangent per primal"
        )
    if all(tangent is None for tangent in tangents):
        raise CallError(
            "jvp needs at least one tangent that is not None: there is nothing "
            "to differentiate with respect to"
        )
    for position, (primal, tangent) in enumerate(zip(primals, tangents, strict=True)):
        if tangent is not None:
            _check_tangent(position, primal, tangent)
    # A number's tangent is a float, so math's rules raise where the
    # gradient's do (a NumPy scalar would divide by zero quietly).
    return tuple(primals), tuple(
        (
            float(tangent)
            if tangent is not None
            and not _shape(tangent)
            and not _shape(primal)
            and not hasattr(primal, "dtype")
            else tangent
        )
        for primal, tangent in zip(primals, tangents, strict=True)
    )


def _check_tangent(position: int, primal: Any, tangent: Any) -> None:
    """A tangent is real and of its primal's shape."""
    numpy = sys.modules.get("numpy")
    if isinstance(tangent, complex) or (
        numpy is not None and numpy.iscomplexobj(tangent)
    ):
        raise NotRealError(
            f"jvp: tangent {position} is complex; srcgrad differentiates real "
            "functions"
        )
    if isinstance(tangent, bool) or not _is_real(tangent):
        raise NotRealError(
            f"jvp: tangent {position} is {type(tangent).__name__}, not a real "
            "number or array of them"
        )
    shape, wanted = _shape(tangent), _shape(primal)
    if shape != wanted:
        raise CallError(
            f"jvp: tangent {position} has shape {shape}, its primal {wanted}: "
            "a tangent has its primal's shape"
        )


def _is_real(value: Any) -> bool:
    if isinstance(value, (int, float)):
        return True
    numpy = sys.modules.get("numpy")
    if numpy is None:
        return False
    if isinstance(value, numpy.ndarray):
        return value.dtype.kind in "fiu"
    return isinstance(value, (numpy.floating, numpy.integer))


def _shape(value: Any) -> tuple[int, ...]:
    shape = getattr(value, "shape", None)
    return tuple(shape) if shape is not None else ()
