"""Python names for SSA values.

A value is named after its hint (``x``, ``x_bar``), or ``t`` if it has
none, with ``_1``, ``_2`` on collision. A source name is reused once the
value holding it is dead, so a variable that is reassigned keeps its name
where it can (``x = x + 1``) and an adjoint accumulates in one name
(``x_bar = x_bar + ...``) instead of ``x_bar_7``. Temporaries are never
reused: each ``t_k`` means one thing. Parameters keep their names.
"""

from __future__ import annotations

import keyword

from srcgrad.ir import Value

#: Names for hint-less values (temporaries): the first the source doesn't use.
TEMPORARY_NAMES = ("t", "u", "v", "w", "tmp")

#: Never a variable's name. Builtins may be: generated code calls none by
#: name, only through the aliases of ``srcgrad.codegen.bindings``.
_NEVER = frozenset(keyword.kwlist)


class Namer:
    """Hands out names in program order, given when each value is last read.

    Args:
        reserved: names the code must not bind (globals it reads, module
            aliases, the function's own name).
        last_use: for each value, the position of the last statement that
            reads it (-1 if none).
        source_names: names the source uses; temporaries are named so that
            ``t_1`` is never mistaken for a version of a variable ``t``.
    """

    def __init__(
        self, reserved: set[str], last_use: dict[Value, int], source_names: set[str]
    ) -> None:
        self.temporary = next(
            (name for name in TEMPORARY_NAMES if name not in source_names), "tmp"
        )
        self.reserved = set(reserved)
        self.last_use = last_use
        self.holder: dict[str, Value] = {}
        self.names: dict[Value, str] = {}
        self.ever_used: set[str] = set()

    def fix(self, value: Value, name: str) -> None:
        """Give ``value`` exactly ``name`` (a parameter)."""
        self.names[value] = name
        self.holder[name] = value
        self.ever_used.add(name)

    def assign(self, value: Value, position: int, hint: str | None) -> str:
        """Name ``value``, bound by the statement at ``position``, after ``hint``."""
        base = hint or self.temporary
        candidate, suffix = base, 0
        while not self._free(candidate, position, reuse=hint is not None):
            suffix += 1
            candidate = f"{base}_{suffix}"
        self.fix(value, candidate)
        return candidate

    def _free(self, name: str, position: int, *, reuse: bool) -> bool:
        if name in self.reserved or (name in _NEVER and name not in self.holder):
            return False
        if not reuse and name in self.ever_used:
            return False
        holder = self.holder.get(name)
        return holder is None or self.last_use.get(holder, -1) <= position

    def __getitem__(self, value: Value) -> str:
        return self.names[value]
