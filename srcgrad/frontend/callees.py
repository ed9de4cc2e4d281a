"""The functions calls reach: each read once, lowered once, into one program.

A call to a function of the user's lowers to a ``call`` op naming the
callee's symbol; the callee itself is lowered the first time a call to it
is lowered, by ``ProgramBuilder.callee``. A callee is identified by a
``key`` (the live function object, a ``def`` of a file, or a function
nested in another one), so a helper called from ten places is one function
of the program, and a recursive call finds the function it is inside.

A recursive call is lowered before its callee's ``return`` is: the number
of values it returns is then a guess (the length of a tuple a ``return``
writes out, else one value). If the guess was wrong the program is lowered
again with what was learnt (``lower_program``).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any

from srcgrad.frontend.environment import Lowered
from srcgrad.frontend.resolve import Resolver
from srcgrad.frontend.source import FunctionSource
from srcgrad.ir import Function, Program

#: The names that lead from the entry function to a function: each step a
#: ``("global", name)`` or ``("closure", name)`` lookup in the previous one.
Path = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Scope:
    """Whose free names a function's free names are.

    Attributes:
        path: the path to the function whose closure cells they are (empty
            for the entry function: its own names).
        module: the importable module whose globals they are, where those
            are not the entry function's globals.
    """

    path: Path = ()
    module: str | None = None

    def attributes(self, closure: bool) -> dict[str, object]:
        """What a ``global`` op reading a name of this scope records."""
        if closure:
            return {"owner": self.path} if self.path else {}
        return {"module": self.module} if self.module else {}


@dataclass(frozen=True)
class Default:
    """The default value of a callee's parameter, used where a call omits it.

    Attributes:
        value: a number, bool or None the function object holds.
        lowered: for a nested function, the value its enclosing function
            computed when the ``def`` ran.
        owner: the lowering that computed ``lowered``.
        problem: why the default cannot be used (not a number), if so.
    """

    value: object = None
    lowered: Lowered | None = None
    owner: object = None
    problem: str | None = None


@dataclass(frozen=True)
class CalleeSource:
    """What it takes to lower a callee.

    Attributes:
        key: identifies the callee among the program's functions.
        name: the symbol it would like (its name, or the name it is called by).
        display: how messages name it.
        source: its parsed ``def``.
        resolver: what its free names mean.
        scope: whose names those are (see ``Scope``).
        signature: its parameters; defaults are ``Default`` objects.
        closure: names of the enclosing function's values it reads, passed
            to it as parameters after its own (for nested functions).
    """

    key: Hashable
    name: str
    display: str
    source: FunctionSource
    resolver: Resolver
    scope: Scope
    signature: inspect.Signature
    closure: tuple[str, ...] = ()


@dataclass(frozen=True)
class Callee:
    """A function of the program as a call needs it."""

    symbol: str
    display: str
    signature: inspect.Signature
    closure: tuple[str, ...]
    key: Hashable


@dataclass(frozen=True)
class Unit:
    """The function being lowered, as one of the program's.

    Attributes:
        program: the program being built.
        key: its key (see ``ProgramBuilder.callee``).
        symbol: its symbol.
        scope: whose names its free names are.
        closure: the enclosing function's values it takes as parameters.
    """

    program: ProgramBuilder
    key: Hashable
    symbol: str
    scope: Scope
    closure: tuple[str, ...] = ()


#: Lowers one callee (with the builder, for the calls it makes) to IR.
LowerCallee = Callable[[CalleeSource, "ProgramBuilder", str], Function]


@dataclass
class ProgramBuilder:
    """The functions lowered so far, by symbol, and what calls need of them.

    Attributes:
        lower: lowers one function (``lower.py`` provides it).
        shapes: per callee key, how many values it returns (None: one value,
            not a tuple), as learnt by earlier attempts.
        sources: per callee key, its ``CalleeSource``, read once for all
            attempts.
        root_globals: the entry function's globals, if it is live.
    """

    lower: LowerCallee
    shapes: dict[Hashable, int | None] = field(default_factory=dict)
    sources: dict[Hashable, CalleeSource] = field(default_factory=dict)
    root_globals: dict[str, Any] | None = None
    functions: dict[str, Function] = field(default_factory=dict)
    callees: dict[Hashable, Callee] = field(default_factory=dict)
    guessed: dict[Hashable, int | None] = field(default_factory=dict)
    wrong_guess: bool = False

    def symbol(self, name: str) -> str:
        """A symbol like ``name`` no function of the program has yet."""
        taken = set(self.functions) | {c.symbol for c in self.callees.values()}
        symbol, suffix = name, 0
        while symbol in taken:
            suffix += 1
            symbol = f"{name}_{suffix}"
        return symbol

    def callee(
        self, key: Hashable, read: Callable[[], CalleeSource], *, reuse: bool = True
    ) -> Callee:
        """The callee ``key``, lowered into the program if it is new.

        ``read`` gives its source the first time it is needed; with
        ``reuse`` that source serves later attempts too (not for a nested
        function, whose source holds the lowering of the one around it).
        """
        if key in self.callees:
            return self.callees[key]
        found = self.sources.get(key) if reuse else None
        if found is None:
            found = read()
            if reuse:
                self.sources[key] = found
        self.shapes.setdefault(key, found.source.scan.returned_shape)
        symbol = self.symbol(found.name)
        callee = Callee(
            symbol, found.display, found.signature, found.closure, found.key
        )
        self.callees[key] = callee
        function = self.lower(found, self, symbol)
        self.functions[symbol] = function
        shape = returned_shape(function)
        if key in self.guessed and self.guessed[key] != shape:
            self.wrong_guess = True
        self.shapes[key] = shape
        return callee

    def results(self, callee: Callee) -> int | None:
        """How many values ``callee`` returns (None: one, not a tuple).

        Inside the callee itself (recursion) this is a guess; see the
        module docstring.
        """
        function = self.functions.get(callee.symbol)
        if function is not None:
            return returned_shape(function)
        guess = self.shapes.get(callee.key)
        self.guessed[callee.key] = guess
        return guess

    def program(self, entry: str) -> Program:
        """The program of the functions lowered, ``entry`` first."""
        functions = {entry: self.functions[entry]}
        functions.update(self.functions)
        return Program(functions, entry)


def returned_shape(function: Function) -> int | None:
    """How many values ``function`` returns: None for one value, else the
    length of the tuple it returns."""
    terminator = function.entry.terminator
    assert terminator is not None
    if terminator.attributes.get("tuple"):
        return len(terminator.operands)
    return None


#: Attempts at lowering a program before its recursive calls' shapes settle.
MAX_ATTEMPTS = 8
