"""Random IR with nested control flow, for differential tests of codegen.

``random_program(seed)`` builds a function of ``x, y, z`` out of arithmetic,
``if``s with results (some ``undef`` on a path, read only where the IR
allows), ``for`` loops with carried values (swaps, values passed through
unchanged, early exits, ``undef`` initial values), ``while`` loops with a
condition written inline or as statements, and tapes. Names are drawn from
a small pool of hints, so they collide often: the code is right only if
names are reused exactly where values are dead.
"""

from __future__ import annotations

import random

from control_flow_ir import (
    append,
    apply,
    at,
    for_,
    function,
    if_,
    new_list,
    undef,
    while_,
)

from srcgrad.ir import Builder, Function, Value

HINTS = ("x", "a", "b", "s", "s_bar", None, None)


class _Generator:
    def __init__(self, seed: int, hints: tuple[str | None, ...]) -> None:
        self.rng = random.Random(seed)
        self.hints = hints
        self.line = 1

    def hint(self) -> str | None:
        return self.rng.choice(self.hints)

    def pick(self, pool: list[Value]) -> Value:
        return self.rng.choice(pool)

    def statements(self, b: Builder, pool: list[Value], depth: int) -> None:
        kinds = ["arith", "arith", "expression"]
        if depth > 0:
            kinds += ["if", "if", "for", "for", "while", "tape"]
        for _ in range(self.rng.randint(1, 3)):
            self.line += 1
            with b.at(at(self.line, f"statement {self.line}")):
                getattr(self, "_" + self.rng.choice(kinds))(b, pool, depth - 1)

    def _arith(self, b: Builder, pool: list[Value], depth: int) -> None:
        name = self.rng.choice(["add", "sub", "mul", "add"])
        pool.append(apply(b, name, self.pick(pool), self.pick(pool), hint=self.hint()))

    def _expression(self, b: Builder, pool: list[Value], depth: int) -> None:
        kind = self.rng.choice(["ternary", "and", "or", "max"])
        condition = apply(b, "lt", self.pick(pool), self.pick(pool))
        other = self.pick(pool)
        # A named value in a branch: not writable as an expression.
        hint = self.hint() if self.rng.random() < 0.2 else None

        def branch(inner: Builder) -> list[Value]:
            return [apply(inner, "add", other, self.pick(pool), hint=hint)]

        then = (lambda i: [condition]) if kind == "or" else branch
        otherwise = (lambda i: [condition]) if kind == "and" else branch
        (value,) = if_(b, condition, then, otherwise, [self.hint()], expression=kind)
        pool.append(value)

    def _if(self, b: Builder, pool: list[Value], depth: int) -> None:
        condition = apply(b, "lt", self.pick(pool), self.pick(pool))
        hints = [self.hint() for _ in range(self.rng.randint(0, 2))]
        partial = (
            self.rng.randrange(len(hints))
            if hints and self.rng.random() < 0.3
            else None
        )

        def branch(inner: Builder, undefined: int | None) -> list[Value]:
            local = list(pool)
            self.statements(inner, local, depth)
            return [
                undef(inner) if index == undefined else self.pick(local)
                for index in range(len(hints))
            ]

        results = if_(
            b, condition, lambda i: branch(i, None), lambda i: branch(i, partial), hints
        )
        pool += [value for index, value in enumerate(results) if index != partial]
        if partial is not None:  # read only where it was assigned
            guarded = results[partial]
            other = self.pick(pool)
            (value,) = if_(
                b,
                condition,
                lambda i: [apply(i, "add", guarded, other)],
                lambda i: [other],
                [self.hint()],
            )
            pool.append(value)

    def _for(self, b: Builder, pool: list[Value], depth: int) -> None:
        trips = self.rng.randint(0, 3)
        count = self.rng.randint(1, 3)
        inits = [self.pick(pool) for _ in range(count)]
        undefined = 0 if trips and self.rng.random() < 0.2 else None
        if undefined is not None:
            inits[0] = undef(b)
        exits = self.rng.random() < 0.3
        hints = [self.hint() for _ in range(count)]

        def body(inner: Builder, i: Value, *carried: Value) -> list[Value]:
            readable = [c for index, c in enumerate(carried) if index != undefined]
            local = pool + [i, *readable]
            self.statements(inner, local, depth)
            choices = local[len(pool) :] + [self.pick(pool)]
            yields = [self.rng.choice(choices) for _ in carried]
            if exits:
                if readable and self.rng.random() < 0.3:
                    yields.append(self.rng.choice(readable))  # a carried stop
                else:
                    yields.append(
                        apply(inner, "gt", self.pick(local), self.pick(local))
                    )
            return yields

        iterable = apply(b, "range", b.const(trips))
        results = for_(b, iterable, inits, body, hints=hints, exit=exits)
        pool += results

    def _while(self, b: Builder, pool: list[Value], depth: int) -> None:
        limit = self.rng.randint(0, 3)
        extra = [self.pick(pool) for _ in range(self.rng.randint(0, 2))]
        inits = [b.const(0, hint="k"), *extra]
        shape = self.rng.choice(["inline", "statements", "and", "if"])
        exits = self.rng.random() < 0.3

        def condition(inner: Builder, k: Value, *rest: Value) -> Value:
            below = apply(inner, "lt", k, inner.const(limit))
            if shape == "inline":
                return below
            square = apply(inner, "mul", k, k, hint=self.hint() or "q")
            if shape == "statements":
                return apply(inner, "le", square, inner.const(limit * limit))
            if shape == "if":  # an if statement in the condition
                (flag,) = if_(
                    inner, below, lambda i: [below], lambda i: [i.const(False)], ["f"]
                )
                return flag
            (both,) = if_(
                inner,
                below,
                lambda i: [apply(i, "ge", square, i.const(0))],
                lambda i: [below],
                [None],
                expression="and",
            )
            return both

        def body(inner: Builder, k: Value, *rest: Value) -> list[Value]:
            local = pool + [k, *rest]
            self.statements(inner, local, depth)
            step = apply(inner, "add", k, inner.const(1), hint="k")
            choices = local[len(pool) :] + [self.pick(pool)]
            stop = [apply(inner, "gt", self.pick(local), self.pick(local))]
            return [step] + [self.rng.choice(choices) for _ in rest] + stop * exits

        hints = ["k"] + [self.hint() for _ in extra]
        pool += while_(b, inits, condition, body, hints=hints, exit=exits)[1:]

    def _tape(self, b: Builder, pool: list[Value], depth: int) -> None:
        tape = new_list(b, "tape")
        trips = self.rng.randint(0, 3)
        # Made before the appends: it iterates over what the tape held then.
        early = apply(b, "reversed", tape) if self.rng.random() < 0.2 else None

        def forward(inner: Builder, i: Value, carried: Value) -> list[Value]:
            local = pool + [i, carried]
            self.statements(inner, local, depth)
            append(inner, tape, self.pick(local))
            return [self.pick(local[len(pool) :])]

        iterable = apply(b, "range", b.const(trips))
        pool += for_(b, iterable, [self.pick(pool)], forward, hints=[self.hint()])
        if self.rng.random() < 0.5:
            items = early or apply(b, "reversed", tape)
            targets, pattern = ["t"], None
        else:
            both = apply(b, "zip", apply(b, "reversed", tape), early or tape)
            items = apply(b, "enumerate", both)
            targets, pattern = ["j", "t", "u"], (0, (1, 2))

        def backward(inner: Builder, *values: Value) -> list[Value]:
            *items, total = values
            doubled = apply(inner, "mul", total, inner.const(2))
            return [apply(inner, "add", doubled, self.rng.choice(items), hint="s_bar")]

        total = [self.pick(pool)]
        pool += for_(
            b, items, total, backward, targets, hints=["s_bar"], pattern=pattern
        )


def random_program(
    seed: int, depth: int = 2, hints: tuple[str | None, ...] = HINTS
) -> Function:
    """A random function of ``x, y, z`` (see the module docstring).

    Values are named after ``hints``: one hint for all makes every name
    collide; ``(None,)`` makes every value a temporary.
    """
    generator = _Generator(seed, hints)

    def build(b: Builder, *parameters: Value) -> list[Value]:
        pool = list(parameters)
        generator.statements(b, pool, depth)
        generator.statements(b, pool, depth)
        return [generator.pick(pool) for _ in range(generator.rng.randint(1, 3))]

    return function(f"random_{seed}", ["x", "y", "z"], build)
