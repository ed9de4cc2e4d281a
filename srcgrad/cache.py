"""The in-memory cache of compiled gradients.

Building a gradient parses, differentiates, formats and compiles; the
cache keeps the compiled result per function and options so that building
the same gradient again costs a dictionary lookup. The key holds the
identity of the function's code object, the options, what each free name
of the function resolved to and the signature shown, so rebinding ``sin``
to something else, or a new definition of the function, is a miss rather
than a stale hit.

Thread safety: a hit is one dictionary read and takes no lock. A miss
builds under one lock, so from many threads each entry is built once and
the build (lazy imports of SymPy and black, rule tables, the recursion
limit) never runs concurrently. The hit and miss counts are statistics:
under contention a count may be off by a few.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

T = TypeVar("T")


class MemoryCache(Generic[T]):
    """A dictionary with hit and miss counts (tests and ``srcgrad cache`` read them)."""

    def __init__(self) -> None:
        self._entries: dict[Hashable, T] = {}
        self._build_lock = threading.RLock()
        self.hits = 0
        self.misses = 0

    def get_or_build(self, key: Hashable, build: Callable[[], T]) -> T:
        """The entry for ``key``; on a miss, ``build()`` it under the lock.

        ``build`` runs at most once per key at a time, with no other build
        running; if it raises, nothing is stored.
        """
        found = self._entries.get(key)
        if found is not None:
            self.hits += 1
            return found
        with self._build_lock:
            found = self._entries.get(key)
            if found is not None:  # another thread built it while we waited
                self.hits += 1
                return found
            self.misses += 1
            built = self._entries[key] = build()
            return built

    def clear(self) -> None:
        with self._build_lock:
            self._entries.clear()
            self.hits = self.misses = 0

    def __len__(self) -> int:
        return len(self._entries)
