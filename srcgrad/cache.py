"""The in-memory cache of compiled gradients.

Building a gradient parses, differentiates, formats and compiles; the
cache keeps the compiled result per function and options so that building
the same gradient again costs a dictionary lookup. The key holds the
function's code object, the options and what each free name of the
function resolved to, so rebinding ``sin`` to something else, or a new
definition of the function, is a miss rather than a stale hit.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Generic, TypeVar

T = TypeVar("T")


class MemoryCache(Generic[T]):
    """A dictionary with hit and miss counts (tests and ``srcgrad cache`` read them)."""

    def __init__(self) -> None:
        self._entries: dict[Hashable, T] = {}
        self.hits = 0
        self.misses = 0

    def get(self, key: Hashable) -> T | None:
        found = self._entries.get(key)
        if found is None:
            self.misses += 1
        else:
            self.hits += 1
        return found

    def put(self, key: Hashable, value: T) -> T:
        self._entries[key] = value
        return value

    def clear(self) -> None:
        self._entries.clear()
        self.hits = self.misses = 0

    def __len__(self) -> int:
        return len(self._entries)
