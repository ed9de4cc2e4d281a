"""A reference interpreter for the IR, independent of codegen.

Runs a ``Function`` on Python values, op by op, so tests can check what
the frontend lowered (or what a transform built) against running the
user's Python, without going through generated code.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from srcgrad.ir import (
    APPEND,
    CHECK_REAL,
    CONDITION,
    CONST,
    EVALUATE,
    FOR,
    GLOBAL,
    IF,
    NEW_LIST,
    RETURN,
    UNDEF,
    WHILE,
    YIELD,
    Block,
    Function,
    Value,
    bind_pattern,
    loop_parts,
    target_pattern,
)
from srcgrad.primitives import Primitive


class Undefined:
    """What ``undef`` evaluates to: any use of it is a bug in the IR."""

    def __repr__(self) -> str:
        return "<undef>"


UNDEFINED = Undefined()


def interpret(
    function: Function, *args: Any, namespace: Mapping[str, Any] | None = None
) -> Any:
    """Run ``function`` on ``args``; globals are read from ``namespace``."""
    env: dict[Value, Any] = dict(zip(function.arguments, args, strict=True))
    kind, values = _run(function.entry, env, namespace or {})
    assert kind is RETURN
    terminator = function.entry.terminator
    assert terminator is not None
    if terminator.attributes.get("tuple"):
        return tuple(values)
    (value,) = values
    return value


def _run(
    block: Block, env: dict[Value, Any], namespace: Mapping[str, Any]
) -> tuple[object, list[Any]]:
    for op in block.ops:
        definition = op.definition
        if definition.is_terminator:
            values = [_read(env, value) for value in op.operands]
            return definition, values
        if definition is IF:
            condition = _read(env, op.operands[0])
            region = op.regions[0] if condition else op.regions[1]
            _, values = _run(region.block, env, namespace)
            env.update(zip(op.results, values, strict=True))
        elif definition in (FOR, WHILE):
            _loop(op, env, namespace)
        else:
            args = [_read(env, value) for value in op.operands]
            results = _evaluate(op, args, namespace)
            env.update(zip(op.results, results, strict=True))
    raise AssertionError("block without terminator")


def _loop(op: Any, env: dict[Value, Any], namespace: Mapping[str, Any]) -> None:
    parts = loop_parts(op)
    carried = [_read(env, value) for value in parts.inits]
    broke = False

    def iteration(targets: list[Any]) -> bool:
        nonlocal carried
        env.update(zip(parts.targets, targets, strict=True))
        env.update(zip(parts.carried, carried, strict=True))
        _, values = _run(parts.body, env, namespace)
        if parts.stop is not None:
            stop = values.pop()
            carried = values
            return bool(stop)
        carried = values
        return False

    if parts.iterable is not None:
        pattern = target_pattern(op)
        for item in _read(env, parts.iterable):
            targets: list[Any] = [None] * len(parts.targets)
            bind_pattern(pattern, item, targets)
            if iteration(targets):
                broke = True
                break
    else:
        assert parts.condition is not None
        while True:
            env.update(zip(parts.condition.arguments, carried, strict=True))
            kind, (flag,) = _run(parts.condition, env, namespace)
            assert kind is CONDITION
            if not flag:
                break
            if iteration([]):
                broke = True
                break
    results = carried + ([broke] if parts.broke is not None else [])
    env.update(zip(op.results, results, strict=True))


def _read(env: dict[Value, Any], value: Value) -> Any:
    found = env[value]
    return found


def _evaluate(op: Any, args: list[Any], namespace: Mapping[str, Any]) -> list[Any]:
    definition = op.definition
    if definition is CONST:
        return [op.attributes["value"]]
    if definition is GLOBAL:
        return [namespace[str(op.attributes["name"])]]
    if definition is UNDEF:
        return [UNDEFINED]
    if definition is NEW_LIST:
        return [[]]
    if definition is APPEND:
        args[0].append(args[1])
        return []
    if definition in (CHECK_REAL, EVALUATE, YIELD):
        return []
    if definition.name == "symbolic_constant":
        return [op.attributes["value"]]
    if isinstance(definition, Primitive):
        namespace_name = str(op.attributes["namespace"])
        return [definition.evaluate(namespace_name, args)]
    raise AssertionError(f"the interpreter does not know {definition.name}")
