"""A reference interpreter for the IR, independent of codegen.

Runs a ``Function`` on Python values, op by op, so tests can check what
the frontend lowered (or what a transform built) against running the
user's Python, without going through generated code.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass
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
    PACK,
    RETURN,
    UNDEF,
    UNPACK,
    WHILE,
    YIELD,
    Block,
    Function,
    Program,
    Value,
    bind_pattern,
    callee_of,
    is_call,
    loop_parts,
    target_pattern,
)
from srcgrad.primitives import Primitive
from srcgrad.reach import follow


class Undefined:
    """What ``undef`` evaluates to: any use of it is a bug in the IR."""

    def __repr__(self) -> str:
        return "<undef>"


UNDEFINED = Undefined()


@dataclass(frozen=True)
class _Names:
    """Where a run reads names: the entry's globals and closure variables
    (``namespace``), the program's other functions, and the live entry
    function, from which a helper's closure cells are reached by path."""

    namespace: Mapping[str, Any]
    program: Program | None
    live: Any


def interpret(
    function: Function | Program,
    *args: Any,
    namespace: Mapping[str, Any] | None = None,
    live: Any = None,
) -> Any:
    """Run ``function`` (or a program's entry) on ``args``.

    Globals are read from ``namespace``; a helper's module globals from its
    module; a helper's closure variables from the cells of the function
    their path leads to from ``live``, the live entry function.
    """
    program = function if isinstance(function, Program) else None
    entry = program.entry_function if program is not None else function
    assert not isinstance(entry, Program)
    names = _Names(namespace or {}, program, live)
    return _call(entry, list(args), names, packed=True)


def _call(function: Function, args: list[Any], names: _Names, packed: bool) -> Any:
    env: dict[Value, Any] = dict(zip(function.arguments, args, strict=True))
    kind, values = _run(function.entry, env, names)
    assert kind is RETURN
    if not packed:
        return values
    terminator = function.entry.terminator
    assert terminator is not None
    if terminator.attributes.get("tuple"):
        return tuple(values)
    (value,) = values
    return value


def _run(
    block: Block, env: dict[Value, Any], names: _Names
) -> tuple[object, list[Any]]:
    for op in block.ops:
        definition = op.definition
        if definition.is_terminator:
            values = [_read(env, value) for value in op.operands]
            return definition, values
        if definition is IF:
            condition = _read(env, op.operands[0])
            region = op.regions[0] if condition else op.regions[1]
            _, values = _run(region.block, env, names)
            env.update(zip(op.results, values, strict=True))
        elif definition in (FOR, WHILE):
            _loop(op, env, names)
        else:
            args = [_read(env, value) for value in op.operands]
            results = _evaluate(op, args, names)
            env.update(zip(op.results, results, strict=True))
    raise AssertionError("block without terminator")


def _loop(op: Any, env: dict[Value, Any], names: _Names) -> None:
    parts = loop_parts(op)
    carried = [_read(env, value) for value in parts.inits]
    broke = False

    def iteration(targets: list[Any]) -> bool:
        nonlocal carried
        env.update(zip(parts.targets, targets, strict=True))
        env.update(zip(parts.carried, carried, strict=True))
        _, values = _run(parts.body, env, names)
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
            kind, (flag,) = _run(parts.condition, env, names)
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


def _evaluate(op: Any, args: list[Any], names: _Names) -> list[Any]:
    definition = op.definition
    if definition is CONST:
        return [op.attributes["value"]]
    if definition is GLOBAL:
        return [_global(op.attributes, names)]
    if is_call(op):
        assert names.program is not None, "a call outside a program"
        callee = names.program.functions[callee_of(op)]
        return _call(callee, args, names, packed=False)
    if definition is PACK:
        return [tuple(args)]
    if definition is UNPACK:
        (packed,) = args
        assert len(packed) == len(op.results)
        return list(packed)
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


def _global(attributes: Mapping[str, Any], names: _Names) -> Any:
    """The value of a global or closure variable, from its scope."""
    name = str(attributes["name"])
    owner = attributes.get("owner")
    if owner is not None:
        return _cell(follow(names.live, owner), name)
    module = attributes.get("module")
    if module is not None:
        return getattr(importlib.import_module(module), name)
    return names.namespace[name]


def _cell(function: Any, name: str) -> Any:
    index = function.__code__.co_freevars.index(name)
    return function.__closure__[index].cell_contents
