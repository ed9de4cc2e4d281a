"""Random programs with nested control flow compute what Python computes.

Each program is made from a seed: assignments, ``if``/``elif``/``else``,
``for`` over ``range``, over tuples written out and over sequences passed
in (with ``enumerate``, ``zip`` and ``reversed``), bounded ``while`` loops,
``break``, ``continue``, ``return`` anywhere and loop ``else`` clauses,
nested a few deep, over expressions with comparisons, ``and``, ``or``,
``not``, conditional expressions, ``max``, ``min`` and ``abs``. Every name
is assigned before anything reads it, so each program must lower; the
reference interpreter must then return exactly what Python returns at
every input.
"""

from __future__ import annotations

import math
import random

import pytest
from helpers import define
from interpret import interpret

from srcgrad.frontend import lower_live
from srcgrad.ir import verify

NAMES = ("a", "b", "c")
INPUTS = [
    (0.5, -1.5, 0, []),
    (1.25, 2.0, 1, [0.5]),
    (-2.0, 0.75, 3, [1.0, -2.0, 0.25]),
    (3.0, 3.0, 4, (2.0, 2.0)),
]


class _Program:
    """Writes one random function ``f(x, y, n)`` from a seed."""

    def __init__(self, seed: int) -> None:
        self.random = random.Random(seed)
        self.lines: list[str] = []
        self.counter = 0

    def source(self) -> str:
        self.lines = ["def f(x, y, n, xs):", "    a, b, c = x, y, 0.5"]
        self._block(1, loops=[], budget=8)
        self.lines.append(f"    return {self._expression([], 2)}")
        return "\n".join(self.lines) + "\n"

    # -- expressions -----------------------------------------------------------
    def _atom(self, indices: list[str]) -> str:
        choices = [
            *NAMES,
            *indices,
            "x",
            "y",
            str(self.random.choice([0.5, 2.0, -1.0])),
        ]
        return self.random.choice(choices)

    def _expression(self, indices: list[str], depth: int) -> str:
        if depth <= 0 or self.random.random() < 0.3:
            return self._atom(indices)
        kind = self.random.randrange(6)
        left = self._expression(indices, depth - 1)
        right = self._expression(indices, depth - 1)
        if kind == 0:
            return f"({left} {self.random.choice('+-*')} {right})"
        if kind == 1:
            return f"{self.random.choice(['max', 'min'])}({left}, {right})"
        if kind == 2:
            return f"abs({left})"
        if kind == 3:
            return f"({left} if {self._condition(indices, 1)} else {right})"
        if kind == 4:
            return f"({left} {self.random.choice(['and', 'or'])} {right})"
        return f"({left} * 0.5 + {right})"

    def _condition(self, indices: list[str], depth: int) -> str:
        comparison = self.random.choice(["<", "<=", ">", ">=", "==", "!="])
        first, second, third = (self._atom(indices) for _ in range(3))
        test = (
            f"{first} {comparison} {second}"
            if self.random.random() < 0.8
            else f"{first} < {second} <= {third}"
        )
        if depth > 0 and self.random.random() < 0.3:
            joiner = self.random.choice(["and", "or"])
            return f"({test} {joiner} {self._condition(indices, depth - 1)})"
        if self.random.random() < 0.15:
            return f"not {test}"
        return test

    # -- statements ------------------------------------------------------------
    def _emit(self, level: int, text: str) -> None:
        self.lines.append("    " * level + text)

    def _block(self, level: int, loops: list[str], budget: int) -> None:
        for _ in range(self.random.randint(1, 4)):
            self._statement(level, loops, budget)
            budget -= 1
            if budget <= 0:
                return

    def _statement(self, level: int, loops: list[str], budget: int) -> None:
        roll = self.random.random()
        nested = budget > 1 and level < 5
        if nested and roll < 0.25:
            self._if(level, loops, budget)
        elif nested and roll < 0.42:
            self._for(level, loops, budget)
        elif nested and roll < 0.52:
            self._while(level, loops, budget)
        elif roll < 0.6:
            self._emit(level, f"return {self._expression(loops, 2)}")
        elif loops and roll < 0.75:
            self._emit(level, self.random.choice(["break", "continue"]))
        else:
            name = self.random.choice(NAMES)
            self._emit(level, f"{name} = {self._expression(loops, 2)}")

    def _if(self, level: int, loops: list[str], budget: int) -> None:
        self._emit(level, f"if {self._condition(loops, 1)}:")
        self._block(level + 1, loops, budget - 1)
        if self.random.random() < 0.3:
            self._emit(level, f"elif {self._condition(loops, 1)}:")
            self._block(level + 1, loops, budget - 1)
        if self.random.random() < 0.5:
            self._emit(level, "else:")
            self._block(level + 1, loops, budget - 1)

    def _for(self, level: int, loops: list[str], budget: int) -> None:
        index, item = f"i{len(loops)}", f"u{len(loops)}"
        header, bound = self.random.choice(
            [
                (f"{index} in range(n)", [index]),
                (f"{index} in range(1, n + 1)", [index]),
                (f"{index} in range(n, -1, -1)", [index]),
                (f"{index} in reversed(range(n))", [index]),
                (f"{index} in (a, b, 1.5)", [index]),
                (f"{index} in range(3)", [index]),
                (f"{index} in xs", [index]),
                (f"{index}, {item} in enumerate(xs)", [index, item]),
                (f"{index}, {item} in zip(xs, reversed(xs))", [index, item]),
                (f"{index}, ({item}, _) in enumerate(zip(xs, xs), 1)", [index, item]),
            ]
        )
        self._emit(level, f"for {header}:")
        self._block(level + 1, [*loops, *bound], budget - 1)
        self._else(level, loops, budget)

    def _while(self, level: int, loops: list[str], budget: int) -> None:
        self.counter += 1
        counter = f"w{self.counter}"
        self._emit(level, f"{counter} = 0")
        self._emit(level, f"while {counter} < 3 and {self._condition(loops, 0)}:")
        self._emit(level + 1, f"{counter} = {counter} + 1")
        self._block(level + 1, [*loops, counter], budget - 1)
        self._else(level, loops, budget)

    def _else(self, level: int, loops: list[str], budget: int) -> None:
        if self.random.random() < 0.25:
            self._emit(level, "else:")
            self._block(level + 1, loops, budget - 2)


def _same(expected, actual) -> bool:
    if isinstance(expected, float) and math.isnan(expected):
        return isinstance(actual, float) and math.isnan(actual)
    return type(actual) is type(expected) and actual == expected


@pytest.mark.parametrize("seed", range(250))
def test_random_program_lowers_to_what_python_computes(seed):
    source = _Program(seed).source()
    f = define(source)
    ir = verify(lower_live(f))
    for args in INPUTS:
        try:
            expected = f(*args)
        except (OverflowError, ZeroDivisionError) as error:
            with pytest.raises(type(error)):
                interpret(ir, *args)
            continue
        actual = interpret(ir, *args)
        assert _same(expected, actual), (source, args, expected, actual)
