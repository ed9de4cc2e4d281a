"""``wrt``: which parameters a derivative is with respect to.

Read where ``grad`` is called, so it imports nothing of the compiler.
"""

from __future__ import annotations

from collections.abc import Sequence

from srcgrad.errors import CallError, DifferentiationError, SourceLocation

#: A position, a name, or a tuple of either.
Wrt = int | str | tuple[int | str, ...]


def wrt_names(
    function_name: str, parameters: Sequence[str], wrt: Wrt | object
) -> tuple[str, ...]:
    """The parameter names ``wrt`` designates, in its order.

    ``wrt`` comes from users (or from a decorator in a file), so its type is
    checked here rather than trusted.

    Raises:
        DifferentiationError: ``wrt`` is empty, names a parameter twice,
            designates no parameter (an index out of range, an unknown name),
            is one string listing several (``"S,K"``), or selects the
            ``self`` or ``cls`` a method is called on.
    """
    if isinstance(wrt, str) and wrt not in parameters and "," in wrt:
        split = tuple(part.strip() for part in wrt.split(","))
        raise DifferentiationError(
            f"wrt={wrt!r} is one string; name several parameters with a tuple: "
            f"wrt={split!r}"
        )
    items: Sequence[object] = wrt if isinstance(wrt, tuple) else (wrt,)
    if not items:
        raise DifferentiationError("wrt is empty: name at least one parameter")
    names: list[str] = []
    for item in items:
        name = _parameter_name(function_name, list(parameters), item)
        if name in names:
            raise DifferentiationError(f"parameter {name!r} appears twice in wrt")
        names.append(name)
    receiver = parameters[0] if parameters else None
    if receiver in ("self", "cls") and receiver in names:
        raise DifferentiationError(
            f"wrt selects {receiver!r}, the "
            f"{'instance' if receiver == 'self' else 'class'} "
            f"{function_name} is called on, which is not a number; "
            "differentiate with respect to its number parameters"
        )
    return tuple(names)


def _parameter_name(function_name: str, parameters: list[str], item: object) -> str:
    if isinstance(item, bool) or not isinstance(item, (int, str)):
        raise DifferentiationError(
            f"wrt must be a parameter index or name, not {item!r}"
        )
    if isinstance(item, int):
        if not -len(parameters) <= item < len(parameters):
            raise DifferentiationError(
                f"wrt={item} is out of range: {function_name} has "
                f"{len(parameters)} parameters {tuple(parameters)}"
            )
        return parameters[item]
    if item not in parameters:
        raise DifferentiationError(
            f"wrt={item!r} is not a parameter of {function_name}; "
            f"its parameters are {tuple(parameters)}"
        )
    return item


def is_wrt_like(value: object) -> bool:
    """Whether ``value`` looks like a ``wrt``: a name, a position, a tuple."""
    if isinstance(value, tuple):
        return bool(value) and all(is_wrt_like(item) for item in value)
    return isinstance(value, (str, int)) and not isinstance(value, bool)


def positional_wrt_error(
    value: object, location: SourceLocation | None = None
) -> CallError:
    """The error for ``srcgrad.grad("x")``: a ``wrt`` passed where the
    function to differentiate goes."""
    return CallError(
        f"srcgrad.grad({value!r}) takes {value!r} as the function to "
        f"differentiate; name the parameters with the keyword: "
        f"@srcgrad.grad(wrt={value!r}), or srcgrad.grad(f, wrt={value!r})",
        location,
    )
