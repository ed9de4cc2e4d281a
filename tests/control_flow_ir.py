"""Building IR with control flow by hand, at made-up source lines.

The tests of codegen for ``if``/``for``/``while`` build their IR with these
helpers, as the frontend would lower the source text quoted at each line.
A body is a function of a ``Builder`` for its block (and of the block's
arguments) that returns what the block yields.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from srcgrad.ir import (
    APPEND,
    CONDITION,
    FOR,
    IF,
    NEW_LIST,
    RETURN,
    UNDEF,
    WHILE,
    YIELD,
    Block,
    Builder,
    Function,
    Op,
    Parameter,
    Region,
    SourceLocation,
    Value,
    verify,
)
from srcgrad.primitives import PRIMITIVES
from srcgrad.primitives.iteration import ITERATION

Body = Callable[..., Sequence[Value]]


def at(line: int, text: str) -> SourceLocation:
    """The location of source line ``line``, which reads ``text``."""
    return SourceLocation("<source>", line, 1, len(text) + 1, text)


def function(
    name: str, parameters: Sequence[str], build: Callable[..., Sequence[Value]]
) -> Function:
    """``def name(parameters)``; ``build(builder, *arguments)`` gives the return.

    One value is returned as it is, several as a tuple.
    """
    arguments = [Value(parameter) for parameter in parameters]
    entry = Block(arguments)
    builder = Builder(entry)
    returned = list(build(builder, *arguments))
    attributes = {"tuple": True} if len(returned) > 1 else {}
    builder.create(RETURN, returned, attributes, result_count=0)
    parameters_ = [Parameter(parameter) for parameter in parameters]
    return verify(Function(name, parameters_, Region([entry])))


def apply(
    builder: Builder, name: str, *operands: Value, hint: str | None = None
) -> Value:
    """An operator (``add``, ``lt``) or builtin (``range``, ``zip``) applied."""
    if name in ITERATION:
        primitive, namespace = ITERATION[name], "builtins"
    else:
        primitive, namespace = PRIMITIVES[name], "operator"
    attributes = {"namespace": namespace}
    return builder.create(primitive, operands, attributes, hint=hint).result


def undef(builder: Builder) -> Value:
    return builder.create(UNDEF, []).result


def new_list(builder: Builder, hint: str) -> Value:
    return builder.create(NEW_LIST, [], hint=hint).result


def append(builder: Builder, tape: Value, value: Value) -> None:
    builder.create(APPEND, [tape, value], result_count=0)


def region(
    builder: Builder, body: Body, arguments: Sequence[str | None] = ()
) -> Region:
    """A one-block region: ``body(inner builder, *arguments)`` gives its yields."""
    block = Block([Value(hint) for hint in arguments])
    inner = Builder(block, builder.loc)
    inner.create(YIELD, list(body(inner, *block.arguments)), result_count=0)
    return Region([block])


def if_(
    builder: Builder,
    condition: Value,
    then: Body,
    otherwise: Body,
    hints: Sequence[str | None],
    expression: str | None = None,
) -> list[Value]:
    """``if condition`` with results named ``hints``."""
    attributes = {"expression": expression} if expression else {}
    regions = [region(builder, then), region(builder, otherwise)]
    results = [Value(hint, builder.loc) for hint in hints]
    op = Op(IF, [condition], results, attributes, regions, loc=builder.loc)
    builder.block.append(op)
    return results


def for_(
    builder: Builder,
    iterable: Value,
    inits: Sequence[Value],
    body: Body,
    targets: Sequence[str | None] = ("i",),
    *,
    hints: Sequence[str | None] | None = None,
    pattern: object = None,
    exit: bool = False,
) -> list[Value]:
    """``for targets in iterable``, carrying values from ``inits``.

    ``body(builder, *targets, *carried)`` yields the carried values (then
    the stop flag, with ``exit``); results are the carried values after
    the loop (then ``broke``).
    """
    hints = [init.name_hint for init in inits] if hints is None else hints
    attributes: dict[str, object] = {"targets": len(targets)}
    if pattern is not None:
        attributes["pattern"] = pattern
    if exit:
        attributes["exit"] = True
    body_region = region(builder, body, [*targets, *hints])
    return _loop(builder, FOR, [iterable, *inits], [body_region], hints, attributes)


def while_(
    builder: Builder,
    inits: Sequence[Value],
    condition: Body,
    body: Body,
    *,
    hints: Sequence[str | None] | None = None,
    exit: bool = False,
) -> list[Value]:
    """``while condition``: both regions take the carried values."""
    hints = [init.name_hint for init in inits] if hints is None else hints
    block = Block([Value(hint) for hint in hints])
    inner = Builder(block, builder.loc)
    inner.create(CONDITION, [condition(inner, *block.arguments)], result_count=0)
    regions = [Region([block]), region(builder, body, hints)]
    attributes: dict[str, object] = {"exit": True} if exit else {}
    return _loop(builder, WHILE, list(inits), regions, hints, attributes)


def _loop(
    builder: Builder,
    kind: object,
    operands: list[Value],
    regions: list[Region],
    hints: Sequence[str | None],
    attributes: dict[str, object],
) -> list[Value]:
    results = [Value(hint, builder.loc) for hint in hints]
    if attributes.get("exit"):
        results.append(Value("broke", builder.loc))
    op = Op(kind, operands, results, attributes, regions, loc=builder.loc)  # type: ignore[arg-type]
    builder.block.append(op)
    return results
