"""What a source name holds while a function is lowered.

The environment maps each name to its current SSA value (or a tuple of
them). Early exits are kept in the same map, under names no Python
identifier can spell, as flags that are Python booleans while they are
known and IR values once they depend on a branch:

* ``$skip``: the rest of the current statement list, up to the end of the
  loop body or function, does not run (``continue``, ``break``, ``return``);
* ``$break``: the innermost loop stops (``break``, and ``return`` inside it);
* ``$return``: the function has returned, with the value in ``$retval``;
* ``$at-break<depth> <name>``: the value a name first assigned in the
  loop at that depth held at the ``break`` that stopped it, for the code
  after the loop (``at_break``).

``break`` and ``return`` imply ``$skip``, and ``return`` implies ``$break``
inside a loop; the lowering relies on it. A name that holds no value on
some path (assigned in one branch only) holds a ``MaybeUndefined`` that
says why, and reading it is an error.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from srcgrad.ir import Value

#: A lowered expression: one value, or a (possibly nested) tuple of them.
Lowered = Value | tuple["Lowered", ...]

SKIP = "$skip"
BREAK = "$break"
RETURN = "$return"
RETVAL = "$retval"
#: The flags, in the order merged values are made for them.
FLAGS = (RETURN, BREAK, SKIP)
#: Name hints of the values made for flags and the returned value.
HINTS = {RETURN: "returned", BREAK: "stop", SKIP: "skip", RETVAL: "result"}


@dataclass(frozen=True)
class MaybeUndefined:
    """A name that holds no value on some path; ``reason`` says which."""

    reason: str

    def message(self, name: str) -> str:
        return f"`{name}` may be undefined here: {self.reason}"


class Unknown:
    """A flag that depends on a branch but that nothing reads as a value."""

    def __repr__(self) -> str:
        return "<unknown>"


UNKNOWN = Unknown()

#: A flag: known (a bool), an IR value, or unknown and unread.
Flag = bool | Value | Unknown
#: Anything the environment holds.
Bound = Value | tuple["Lowered", ...] | MaybeUndefined | bool | Unknown
Env = dict[str, Bound]


def at_break(depth: int, name: str) -> str:
    """The key of ``name``'s value where the loop at ``depth`` broke.

    It is meaningful only on paths where ``$break`` is true; a path that
    breaks where ``name`` holds no value holds a ``MaybeUndefined`` here.
    """
    return f"$at-break{depth} {name}"


def is_at_break(key: str) -> bool:
    return key.startswith("$at-break")


def is_special(name: str) -> bool:
    """A flag or the returned value, not a source name."""
    return name.startswith("$")


def leaves(lowered: Lowered) -> list[Value]:
    """The values of ``lowered``, depth first."""
    if isinstance(lowered, Value):
        return [lowered]
    return [value for item in lowered for value in leaves(item)]


def rebuild(shape: Lowered, values: Iterator[Value]) -> Lowered:
    """``values`` put back in the tuple structure of ``shape``."""
    if isinstance(shape, Value):
        return next(values)
    return tuple(rebuild(item, values) for item in shape)


def same_shape(first: Lowered, second: Lowered) -> bool:
    """Both are values, or tuples of the same shape."""
    if isinstance(first, Value) or isinstance(second, Value):
        return isinstance(first, Value) and isinstance(second, Value)
    return len(first) == len(second) and all(
        same_shape(a, b) for a, b in zip(first, second, strict=True)
    )


def lowered(bound: Bound | None) -> Lowered:
    """``bound``, which the caller knows is a value or a tuple of values."""
    assert isinstance(bound, (Value, tuple)), bound
    return bound


def is_lowered(bound: object) -> bool:
    """``bound`` is a value or a tuple of values (not a flag or a marker)."""
    return isinstance(bound, (Value, tuple))
