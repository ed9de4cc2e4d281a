"""Which names are held at a program point, for ``naming``'s searches.

Variables are named in program order, each with the first name of its
base (``p``, ``p_1``, ``p_2``...) that no variable still needed holds. A
name whose value is live where the new variable is assigned is surely
held: the assignment would overwrite it. ``Vacancies`` follows, point by
point, which names are so covered, and keeps for each base the suffixes
that may be free, in increasing order: a search tries only those. A
function that reassigns one variable hundreds of times, each value kept
for the reverse sweep, otherwise tried every earlier name for every value.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable

from srcgrad.codegen.layout import Interval


def named(base: str, suffix: int) -> str:
    """The name of ``base`` with ``suffix`` (``p``, ``p_1``...)."""
    return base if suffix == 0 else f"{base}_{suffix}"


def _readings(name: str) -> list[tuple[str, int]]:
    """The bases and suffixes a name is a name of: ``p_1`` is ``p`` with
    suffix 1, and a base of its own (a source name ``p_1``)."""
    found = [(name, 0)]
    head, _, tail = name.rpartition("_")
    if head and tail.isdigit() and not tail.startswith("0"):
        found.append((head, int(tail)))
    return found


class Vacancies:
    """The names held at the current point, and per base the suffixes to try.

    For each base, every suffix below its ``frontier`` is on its heap, held
    at the current point (it goes back on the heap when it no longer is),
    or never free (reserved, a keyword, a name no other may share).
    """

    def __init__(self) -> None:
        #: Where a name's live ranges start (+1) and end (-1), by point.
        self.events: list[tuple[int, int, str]] = []
        self.covering: dict[str, int] = {}
        self.heaps: dict[str, list[int]] = {}
        self.frontier: dict[str, int] = {}

    def hold(self, name: str, live: Iterable[Interval]) -> None:
        """``name`` is a variable's, live at ``live`` (from here on)."""
        for low, high in live:
            heapq.heappush(self.events, (low, 1, name))
            heapq.heappush(self.events, (high, -1, name))
        self._may_be_free(name)

    def advance(self, point: int) -> None:
        """Move to ``point`` (points only increase)."""
        events = self.events
        while events and events[0][0] <= point:
            _, change, name = heapq.heappop(events)
            count = self.covering.get(name, 0) + change
            self.covering[name] = count
            if count == 0:
                self._may_be_free(name)

    def covered(self, name: str) -> bool:
        """A value of ``name`` is live at the current point."""
        return self.covering.get(name, 0) > 0

    def first_free(
        self,
        base: str,
        free: Callable[[str], bool],
        never: Callable[[str], bool],
        skip_covered: bool,
    ) -> str:
        """The first name of ``base`` that ``free`` accepts, trying the names
        in order but those covered (if ``skip_covered``: then ``free``
        refuses them) and those ``never`` free."""
        heap = self.heaps.setdefault(base, [])
        failed: list[int] = []
        tried: set[int] = set()
        chosen = None
        while heap:
            suffix = heapq.heappop(heap)
            name = named(base, suffix)
            if suffix in tried or (skip_covered and self.covered(name)):
                continue  # a covered name comes back when it is uncovered
            tried.add(suffix)
            if free(name):
                chosen = suffix
                break
            if not never(name):
                failed.append(suffix)
        if chosen is None:
            chosen = self.frontier.get(base, 0)
            while not free(named(base, chosen)):
                if not never(named(base, chosen)):
                    failed.append(chosen)
                chosen += 1
            self.frontier[base] = chosen + 1
        for suffix in failed:
            heapq.heappush(heap, suffix)
        return named(base, chosen)

    def _may_be_free(self, name: str) -> None:
        """Put ``name`` back among the names its bases try."""
        for base, suffix in _readings(name):
            if suffix < self.frontier.get(base, 0):
                heapq.heappush(self.heaps.setdefault(base, []), suffix)
