"""Names that let pickle find a gradient again, in this process or another.

Pickle stores a function by reference: its ``__module__`` and
``__qualname__``, which must lead back to the same object. A gradient's
module is ``srcgrad.gradients`` and its qualified name encodes what it is
the gradient of (the primal's module and qualified name, ``wrt``, whether
the result is a tuple). ``srcgrad.gradients`` hands back a gradient of
this process by that name (``REGISTRY``) or, in another process, decodes
the name and builds the gradient again.

The encoding keeps letters and digits, writes ``_`` as ``__`` and any
other character as ``_<hex code>_``; fields are separated by the code of
NUL (``_0_``), which no field contains. ``energy`` of ``models.physics``
with respect to ``x`` is ``energy_grad@models_2e_physics_0_energy_0_s_0_x``:
what precedes ``@`` is what error messages and ``repr`` show.
"""

from __future__ import annotations

import functools
import itertools
import types
import weakref
from collections.abc import Callable
from typing import NamedTuple

#: The module gradients say they belong to.
MODULE = "srcgrad.gradients"

#: Between the readable name (``energy_grad``, what messages and ``repr``
#: show) and the encoded reference; escaping never writes it.
_MARK = "@"
_SEPARATOR = "\0"
_INSTANCE = "#"  # marks the field that tells apart gradients of one reference
#: How each kind of derivative starts its field of the encoding.
_KIND_CODES = {
    "grad": "",
    "derivative": "d",
    "jvp": "j",
    "hessian": "h",
    "hvp": "p",
    "vjp": "b",
}


class Reference(NamedTuple):
    """What a gradient is the gradient of, enough to build it again.

    A named tuple rather than a dataclass: one is made on every ``grad``
    call, and a tuple is made (and hashed) fastest.
    """

    module: str
    qualname: str
    wrt: tuple[str, ...]
    as_tuple: bool
    #: Made by ``value_and_grad``: the value first, then the gradient.
    with_value: bool = False
    #: Made with ``has_aux=True``.
    has_aux: bool = False
    #: Which derivative: ``grad``, ``derivative``, ``jvp`` or ``hessian``.
    kind: str = "grad"

    def encode(self, instance: int | None = None) -> str:
        """The qualified name; ``instance`` tells apart live gradients of it."""
        shape = _KIND_CODES[self.kind] + "v" * self.with_value + "a" * self.has_aux
        shape += "t" if self.as_tuple else "s"
        fields = [self.module, self.qualname, shape, *self.wrt]
        if instance is not None:
            fields.append(f"{_INSTANCE}{instance}")
        short = self.qualname.rsplit(".", 1)[-1].strip("<>")  # <lambda>: lambda
        readable = (short if short.isidentifier() else "function") + f"_{self.kind}"
        return readable + _MARK + _escape(_SEPARATOR.join(fields))

    @staticmethod
    def decode(name: str) -> Reference:
        """The reference a gradient's qualified name encodes.

        Raises:
            ValueError: ``name`` is not one ``encode`` makes.
        """
        readable, mark, encoded = name.partition(_MARK)
        if not mark or not readable.endswith(tuple(f"_{k}" for k in _KIND_CODES)):
            raise ValueError(f"{name!r} does not name a gradient")
        try:
            fields = _unescape(encoded).split(_SEPARATOR)
        except (ValueError, OverflowError):  # a malformed escape
            raise ValueError(f"{name!r} does not name a gradient") from None
        if fields and fields[-1].startswith(_INSTANCE):
            fields.pop()
        shapes = {
            k + v + a + t
            for k in _KIND_CODES.values()
            for v in ("", "v")
            for a in ("", "a")
            for t in "ts"
        }
        if len(fields) < 4 or fields[2] not in shapes:
            raise ValueError(f"{name!r} does not name a gradient")
        module, qualname, shape, *wrt = fields
        kinds = {code: kind for kind, code in _KIND_CODES.items() if code}
        return Reference(
            module,
            qualname,
            tuple(wrt),
            shape.endswith("t"),
            "v" in shape,
            "a" in shape,
            kinds.get(shape[:1], "grad"),
        )


class Registry:
    """The gradients alive in this process, by qualified name (weakly held).

    ``add`` runs on every ``grad`` call, cache hits included, so it is one
    atomic ``setdefault`` on a plain dictionary in the common case.
    """

    def __init__(self) -> None:
        self._gradients: dict[str, weakref.ref[types.FunctionType]] = {}
        self._instances = itertools.count(2)

    def add(self, gradient: types.FunctionType, reference: Reference) -> str:
        """Register ``gradient``; its unique name (the reference's if free)."""
        name = _encoded(reference)
        entry = weakref.ref(gradient, self._forget(name))
        found = self._gradients.setdefault(name, entry)
        while found is not entry and found() is not None:
            # Another live gradient has this reference (grad called again,
            # another instance of a factory's function): pickle checks
            # identity, so this one needs a name of its own.
            name = reference.encode(instance=next(self._instances))
            entry = weakref.ref(gradient, self._forget(name))
            found = self._gradients.setdefault(name, entry)
        if found is not entry:  # a dead entry: take its place
            self._gradients[name] = entry
        return name

    def alias(self, name: str, gradient: types.FunctionType) -> None:
        """Make ``name`` find ``gradient`` (one rebuilt from its reference)."""
        self._gradients.setdefault(name, weakref.ref(gradient, self._forget(name)))

    def get(self, name: str) -> types.FunctionType | None:
        entry = self._gradients.get(name)
        return None if entry is None else entry()

    def _forget(self, name: str) -> Callable[[weakref.ref[types.FunctionType]], None]:
        def forget(entry: weakref.ref[types.FunctionType]) -> None:
            if self._gradients.get(name) is entry:
                self._gradients.pop(name, None)

        return forget


@functools.lru_cache(maxsize=4096)
def _encoded(reference: Reference) -> str:
    return reference.encode()


REGISTRY = Registry()


def _escape(text: str) -> str:
    return "".join(
        (
            char
            if char.isascii() and char.isalnum()
            else "__" if char == "_" else f"_{ord(char):x}_"
        )
        for char in text
    )


def _unescape(text: str) -> str:
    out: list[str] = []
    position = 0
    while position < len(text):
        char = text[position]
        if char != "_":
            out.append(char)
            position += 1
        elif text.startswith("__", position):
            out.append("_")
            position += 2
        else:
            end = text.index("_", position + 1)
            out.append(chr(int(text[position + 1 : end], 16)))
            position = end + 1
    return "".join(out)
