"""Python names for SSA values.

A value is named after its hint (``x``, ``x_bar``), or ``t`` if it has
none, with ``_1``, ``_2`` on collision. A source name is reused once the
value holding it is dead, so a variable that is reassigned keeps its name
where it can (``x = x + 1``) and an adjoint accumulates in one name
(``x_bar = x_bar + ...``) instead of ``x_bar_7``. Temporaries are never
reused: each ``t_k`` means one thing. Parameters keep their names.

Control flow joins values: a branch's value becomes the ``if``'s result, a
loop's initial value becomes its carried value, and so on (the *flows* of
``layout``). Values joined by a flow become one *variable*, one name, where
their live ranges allow it and their hints agree, so no copy is written
(``x = x * 2`` inside a loop); elsewhere the flow is a copy. A variable that
some path never assigns gets a name no other variable has, so it can never
hold a stale value of another one.
"""

from __future__ import annotations

import functools
import keyword
from collections.abc import Mapping
from dataclasses import dataclass, field

from srcgrad.codegen.layout import Flow, Interval, Layout
from srcgrad.codegen.vacancies import Vacancies, named
from srcgrad.ir import Value

#: Names for hint-less values (temporaries): the first the source doesn't use.
TEMPORARY_NAMES = ("t", "u", "v", "w", "tmp")

#: Never a variable's name. Builtins may be: generated code calls none by
#: name, only through the aliases of ``srcgrad.codegen.bindings``.
_NEVER = frozenset(keyword.kwlist)


@dataclass
class Variable:
    """Values that share one name.

    Attributes:
        members: the values, in program order.
        hint: the name they are named after (None for a temporary).
        fixed: the name a parameter among them imposes.
        partial: some path never assigns it.
        assigned: points where the name is assigned (copies included).
        live: points where its value must be kept.
    """

    members: list[Value]
    hint: str | None
    fixed: str | None
    partial: bool
    assigned: list[int] = field(default_factory=list)
    live: list[Interval] = field(default_factory=list)

    @functools.cached_property
    def first(self) -> int:
        """The first point where it is assigned or live."""
        points = self.assigned + [low for low, _ in self.live]
        return min(points, default=0)

    @functools.cached_property
    def last(self) -> int:
        """The last point where it is assigned, or the end of its live range."""
        points = self.assigned + [high for _, high in self.live]
        return max(points, default=0)

    def interferes(self, other: Variable) -> bool:
        """One assigns its name where the other's value is still needed."""
        return _clobbers(self.assigned, other.live) or _clobbers(
            other.assigned, self.live
        )


def _clobbers(points: list[int], live: list[Interval]) -> bool:
    return any(low <= point < high for point in points for low, high in live)


#: A set of points: ``(offset, bits)``, point ``offset + k`` in it if bit
#: ``k`` is set. The offset keeps the integer as long as the span of the
#: points, not as long as the function.
_Points = tuple[int, int]


def _points(intervals: list[Interval]) -> _Points:
    """The points of ``intervals``."""
    spans = [(low, high) for low, high in intervals if low < high]
    if not spans:
        return 0, 0
    offset = min(low for low, _ in spans)
    bits = 0
    for low, high in spans:
        bits |= ((1 << (high - low)) - 1) << (low - offset)
    return offset, bits


def _union(first: _Points, second: _Points) -> _Points:
    if not first[1] or not second[1]:
        return first if first[1] else second
    offset = min(first[0], second[0])
    return offset, (first[1] << (first[0] - offset)) | (
        second[1] << (second[0] - offset)
    )


def _meet(first: _Points, second: _Points) -> bool:
    """Some point is in both."""
    if first[0] > second[0]:
        first, second = second, first
    return bool((first[1] >> (second[0] - first[0])) & second[1])


class Coalescer:
    """Joins the values of each flow into one variable where that is safe.

    Values joined must have compatible hints (a temporary joins anything),
    at most one parameter, and within the joined variable no assignment,
    copy included, may overwrite a member still needed.
    """

    def __init__(
        self, layout: Layout, hints: Mapping[Value, str | None], fixed: dict[Value, str]
    ) -> None:
        self.layout = layout
        self.root = {value: value for value in layout.sites}
        self.members = {value: [value] for value in layout.sites}
        self.hint = {
            value: fixed.get(value) or hints.get(value) for value in layout.sites
        }
        self.fixed = {value: fixed.get(value) for value in layout.sites}
        self.live = {value: layout.intervals(value) for value in layout.sites}
        self.incoming: dict[Value, list[Flow]] = {}
        for flow in layout.flows:
            self.incoming.setdefault(flow.target, []).append(flow)
        # Where each variable is (or may be) assigned, and where it is live,
        # as bit sets: joining two variables that cannot clobber each other
        # costs a few operations on integers, however long an elif chain
        # makes them.
        self.written = {value: self._written(value) for value in layout.sites}
        self.held = {value: _points(self.live[value]) for value in layout.sites}
        #: Variables some assignment of which clobbers a member (forced ones).
        self.tangled: set[Value] = set()
        for first, second in layout.forced:
            root = self._union(self.find(first), self.find(second))
            if self._conflict(self.members[root]):
                self.tangled.add(root)
            else:
                self.tangled.discard(root)
        for flow in layout.flows:
            self._try(flow)

    def find(self, value: Value) -> Value:
        """The representative of ``value``'s variable."""
        while self.root[value] is not value:
            self.root[value] = self.root[self.root[value]]
            value = self.root[value]
        return value

    def copied(self, flow: Flow) -> bool:
        """``flow`` needs a copy: its source is not its target's variable."""
        source = flow.source
        return source not in self.root or self.find(source) is not self.find(
            flow.target
        )

    def unbound(self) -> list[Flow]:
        """The flows of an ``undef`` that leave a variable read on every
        path unbound: the source of a copy (into a loop's carried variable,
        at the end of each iteration) or a value pushed on a tape.

        On the path where no member of such a variable holds a value, it
        must still be bound (to a value nothing uses).
        """
        copied_from = {
            self.find(flow.source)
            for flow in self.layout.flows
            if flow.source in self.root and self.copied(flow)
        }
        copied_from |= {
            self.find(value) for value in self.layout.pushed if value in self.root
        }
        # Members undef flows into at one point hold nothing there.
        empty: dict[int, set[Value]] = {}
        for flow in self.layout.undefined:
            empty.setdefault(flow.position, set()).add(flow.target)
        found = []
        for flow in self.layout.undefined:
            root = self.find(flow.target)
            if root in copied_from and not any(
                _clobbers([flow.position], self.live[member])
                for member in self.members[root]
                if member not in empty[flow.position]
            ):
                found.append(flow)
        return found

    def variables(self) -> dict[Value, Variable]:
        """Each variable that is assigned or read, by its representative."""
        found: dict[Value, Variable] = {}
        for value in self.layout.sites:
            root = self.find(value)
            if root in found:
                continue
            members = sorted(
                self.members[root], key=lambda member: self.layout.sites[member][0]
            )
            variable = Variable(
                members,
                self.hint[root],
                self.fixed[root],
                any(member in self.layout.partial for member in members),
                [point for point, _ in self._assignments(members)],
                [interval for member in members for interval in self.live[member]],
            )
            if variable.fixed or variable.assigned or self._read(members):
                found[root] = variable
        return found

    def _read(self, members: list[Value]) -> bool:
        return any(member in self.layout.reads for member in members)

    def _try(self, flow: Flow) -> None:
        if flow.source not in self.root:  # written inline: always a copy
            return
        first, second = self.find(flow.source), self.find(flow.target)
        if first is second:
            return
        hints = {self.hint[first], self.hint[second]} - {None}
        if len(hints) > 1 or (self.fixed[first] and self.fixed[second]):
            return
        tangled = first in self.tangled or second in self.tangled
        if tangled or self._may_clobber(first, second):
            if self._conflict(self.members[first] + self.members[second]):
                return
            self.tangled -= {first, second}
        self._union(first, second)

    def _may_clobber(self, first: Value, second: Value) -> bool:
        """An assignment of one variable may overwrite a member of the other.

        Each variable is free of conflicts on its own (else it is tangled),
        so only these can arise from joining them. Copies from one to the
        other count here though joining drops them: a yes is only a maybe.
        """
        return _meet(self.written[first], self.held[second]) or _meet(
            self.written[second], self.held[first]
        )

    def _union(self, first: Value, second: Value) -> Value:
        """Join two variables; returns the representative of the result."""
        if first is second:
            return first
        if self.layout.sites[second][0] < self.layout.sites[first][0]:
            first, second = second, first
        self.root[second] = first
        self.members[first] += self.members.pop(second)
        self.written[first] = _union(self.written[first], self.written.pop(second))
        self.held[first] = _union(self.held[first], self.held.pop(second))
        self.hint[first] = self.hint[first] or self.hint[second]
        self.fixed[first] = self.fixed[first] or self.fixed[second]
        return first

    def _written(self, value: Value) -> _Points:
        """The points where ``value`` is assigned, or copied into."""
        points = list(self.layout.assigned.get(value, ()))
        points += [flow.position for flow in self.incoming.get(value, ())]
        return _points([(point, point + 1) for point in points])

    def _assignments(self, members: list[Value]) -> list[tuple[int, Value]]:
        """Where ``members`` as one variable is assigned, and to which value."""
        inside = set(members)
        found = [
            (point, member)
            for member in members
            for point in self.layout.assigned.get(member, ())
        ]
        found += [
            (flow.position, flow.target)
            for member in members
            for flow in self.incoming.get(member, ())
            if flow.source not in inside
        ]
        return found

    def _conflict(self, members: list[Value]) -> bool:
        for point, written in self._assignments(members):
            for member in members:
                if member is not written and _clobbers([point], self.live[member]):
                    return True
        return False


class Namer:
    """Hands out names to variables in program order.

    Args:
        reserved: names the code must not bind (globals it reads, module
            aliases, the function's own name, its parameters).
        source_names: names the source uses; temporaries are named so that
            ``t_1`` is never mistaken for a version of a variable ``t``.
    """

    def __init__(self, reserved: set[str], source_names: set[str]) -> None:
        self.temporary = next(
            (name for name in TEMPORARY_NAMES if name not in source_names), "tmp"
        )
        self.reserved = set(reserved)
        self.holders: dict[str, list[Variable]] = {}
        self.ever_used: set[str] = set()
        self.exclusive: set[str] = set()
        #: For each base, where a search for a name no other variable had
        #: goes on from (``t_41`` after forty temporaries).
        self.searched: dict[str, int] = {}
        self.vacancies = Vacancies()

    def name(self, variable: Variable) -> str:
        """A name for ``variable``; variables must come in program order."""
        self.vacancies.advance(variable.first)
        if variable.fixed is not None:
            name = variable.fixed
        else:
            base = variable.hint or self.temporary
            if variable.hint is not None and not variable.partial:
                # The first name of its base free here, the covered ones
                # skipped (if it is assigned where it starts, each of those
                # would overwrite a value still needed).
                name = self.vacancies.first_free(
                    base,
                    lambda name: self._free(name, variable),
                    self._never_free,
                    skip_covered=variable.first in variable.assigned,
                )
            else:
                name = self._unused(base, variable)
        self.holders.setdefault(name, []).append(variable)
        self.vacancies.hold(name, variable.live)
        self.ever_used.add(name)
        if variable.partial:
            self.exclusive.add(name)
        return name

    def _unused(self, base: str, variable: Variable) -> str:
        """A name of ``base`` no variable had. A name one that may not reuse
        names found taken stays taken (taken names only grow): the next
        such search starts after it."""
        suffix = self.searched.get(base, 0)
        while not self._free(named(base, suffix), variable):
            suffix += 1
        self.searched[base] = suffix + 1
        return named(base, suffix)

    def _never_free(self, name: str) -> bool:
        return name in self.reserved or name in _NEVER or name in self.exclusive

    def _free(self, name: str, variable: Variable) -> bool:
        if self._never_free(name):
            return False
        reuse = variable.hint is not None and not variable.partial
        if not reuse and name in self.ever_used:
            return False
        start = variable.first
        holders = [
            holder for holder in self.holders.get(name, ()) if holder.last >= start
        ]
        self.holders[name] = holders
        return not any(holder.interferes(variable) for holder in holders)
