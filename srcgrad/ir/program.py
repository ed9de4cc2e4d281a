"""A program: the functions of one build, by symbol, and who calls whom.

The frontend lowers the function being differentiated and every function
of the user's it calls, once each, into one ``Program``; its ``entry`` is
the function ``grad`` was given. Reverse mode turns it into another program
whose entry is the gradient, next to a forward/backward pair per callee.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from srcgrad.ir.calls import callee_of, is_call
from srcgrad.ir.core import Function, Op, walk


@dataclass
class Program:
    """Functions by symbol; ``entry`` is the one the program is for.

    Attributes:
        functions: each function by its symbol (the ``callee`` of the calls
            to it), the entry first.
        entry: the symbol of the entry function.
    """

    functions: dict[str, Function]
    entry: str

    @classmethod
    def of(cls, function: Function) -> Program:
        """A program of one function that calls no other."""
        return cls({function.name: function}, function.name)

    @property
    def entry_function(self) -> Function:
        return self.functions[self.entry]

    def calls(self, symbol: str) -> Iterator[Op]:
        """The call ops in the function ``symbol``, at any depth."""
        return (op for op in walk(self.functions[symbol].entry) if is_call(op))

    def callees(self, symbol: str) -> list[str]:
        """The symbols ``symbol`` calls, in order of first call."""
        return list(dict.fromkeys(callee_of(op) for op in self.calls(symbol)))

    def reachable(self) -> list[str]:
        """The symbols the entry reaches through calls (itself first)."""
        if len(self.functions) == 1:
            return [self.entry]  # a call can only call it (or a symbol not here)
        found = [self.entry]
        for symbol in found:
            found += [s for s in self.callees(symbol) if s not in found]
        return found

    def recursive(self) -> set[str]:
        """The symbols that can call themselves, directly or through others."""
        found = set()
        for symbol in self.functions:
            pending, seen = list(self.callees(symbol)), set()
            while pending:
                current = pending.pop()
                if current == symbol:
                    found.add(symbol)
                    break
                if current not in seen:
                    seen.add(current)
                    pending += self.callees(current)
        return found

    def bottom_up(self) -> list[str]:
        """The reachable symbols, each after the ones it calls (cycles aside)."""
        order: list[str] = []
        visiting: set[str] = set()

        def visit(symbol: str) -> None:
            if symbol in order or symbol in visiting:
                return
            visiting.add(symbol)
            for callee in self.callees(symbol):
                visit(callee)
            order.append(symbol)

        visit(self.entry)
        return order

    def drop_unreachable(self) -> None:
        """Forget the functions the entry no longer calls."""
        reachable = set(self.reachable())
        self.functions = {
            symbol: function
            for symbol, function in self.functions.items()
            if symbol in reachable
        }
