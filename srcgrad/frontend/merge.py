"""Joining the environments of an ``if``'s two branches into one.

Each branch was lowered from a copy of the environment. Where they left a
name bound to different values, the ``if`` op gets a result: each branch
yields its value. Nothing is made that nobody can read:

* a name read nowhere after the ``if`` is dropped;
* a name bound in only one branch (and not before) gets no value, only a
  ``MaybeUndefined`` that makes reading it an error;
* in a branch that returned, every name but the returned value is dead, so
  the other branch's value is used as it is, or yields ``undef`` there;
* two names whose branches yield the same pair of values share a result,
  and a flag that is ``True`` exactly when a boolean condition is, is the
  condition itself.

An ``if`` without results is kept where a branch writes into an array or
a list: another name read after it may see the write, which
``passes/writes.py`` must judge (dead code elimination drops it later).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from srcgrad.frontend.environment import (
    BREAK,
    FLAGS,
    HINTS,
    RETURN,
    RETVAL,
    SKIP,
    UNKNOWN,
    Bound,
    Env,
    Lowered,
    MaybeUndefined,
    is_at_break,
    is_special,
    same_shape,
)
from srcgrad.frontend.state import LoweringState
from srcgrad.ir import CONST, IF, UNDEF, Block, Builder, Value, walk
from srcgrad.primitives.item_writes import INDEX_ADD, SETITEM
from srcgrad.primitives.lists import LIST_WRITES
from srcgrad.primitives.logic import NOT

#: What a branch yields for one result: a value, a known flag, or undef.
_Yield = Value | bool | None


@dataclass
class Branches:
    """An ``if``'s condition and its two lowered branches.

    Attributes:
        condition: the value tested.
        before: the environment before the ``if``.
        envs: the environment at the end of the then and else branches.
        blocks: the then and else blocks (without their yields yet).
        reason: why a name bound in one branch only may be undefined.
        flags_imply_condition: each flag's value before the ``if`` implies
            the condition (the ``if`` is a guard on ``$skip``, or on a loop
            having stopped), so a flag that only the then branch keeps
            needs no result.
    """

    condition: Value
    before: Env
    envs: tuple[Env, Env]
    blocks: tuple[Block, Block]
    reason: Callable[[str], str]
    flags_imply_condition: bool = False


@dataclass
class _Results:
    """The results of the ``if`` being built, keyed by what each side yields."""

    keys: dict[tuple[object, object], Value] = field(default_factory=dict)
    yields: list[tuple[_Yield, _Yield]] = field(default_factory=list)
    values: list[Value] = field(default_factory=list)


def merge(state: LoweringState, branches: Branches) -> Env:
    """The environment after the ``if``; appends the ``if`` op if it has results."""
    return _Merge(state, branches).run()


def _key(item: _Yield) -> object:
    return item if isinstance(item, bool) or item is None else id(item)


def _inside(value: Value, block: Block) -> bool:
    """``value`` is defined in ``block`` or in a region nested in it."""
    owner = value.owner
    while owner is not None:
        current = owner if isinstance(owner, Block) else owner.parent
        if current is block:
            return True
        region = current.parent if current is not None else None
        owner = region.parent if region is not None else None
    return False


def _writes(block: Block) -> bool:
    """Whether an op in ``block`` (or nested in it) writes into an array or
    a list (``y[i] = v``, ``xs.append(v)``, ``y += v``)."""
    return any(
        op.definition in (SETITEM, INDEX_ADD, *LIST_WRITES)
        or op.attributes.get("augmented")
        for op in walk(block)
    )


class _Merge:
    """Merges one ``if``; ``dead`` says which branches surely returned."""

    def __init__(self, state: LoweringState, branches: Branches) -> None:
        self.state = state
        self.branches = branches
        self.results = _Results()
        self.dead = tuple(env[RETURN] is True for env in branches.envs)
        self.negation: Value | None = None

    def run(self) -> Env:
        merged: Env = {}
        then_env, else_env = self.branches.envs
        before, live = self.branches.before, self.state.live
        both_dead = all(self.dead)
        for name in dict.fromkeys([*before, *then_env, *else_env]):
            if is_special(name):
                if not is_at_break(name):
                    continue
                value = self._at_break(name, then_env.get(name), else_env.get(name))
            elif name not in live:
                continue
            else:
                first, second = then_env.get(name), else_env.get(name)
                if first is second and isinstance(first, Value) and not both_dead:
                    value = first  # bound before the if, and in neither branch
                else:
                    value = self._name(name, first, second)
            if value is not None:
                merged[name] = value
        retval = self._retval(then_env.get(RETVAL), else_env.get(RETVAL))
        if retval is not None:
            merged[RETVAL] = retval
        for flag in FLAGS:
            merged[flag] = self._flag(flag, then_env[flag], else_env[flag])
        self._build()
        return merged

    # -- source names --------------------------------------------------------
    def _name(
        self, name: str, first: Bound | None, second: Bound | None
    ) -> Bound | None:
        if all(self.dead):
            return self.branches.before.get(name)
        if self.dead[0]:
            return self._one_side(second, 1, name)
        if self.dead[1]:
            return self._one_side(first, 0, name)
        if first is second:
            return first
        if not isinstance(first, (Value, tuple)) or not isinstance(
            second, (Value, tuple)
        ):
            return MaybeUndefined(self.branches.reason(name))
        if not same_shape(first, second):
            return MaybeUndefined(
                f"it holds a different kind of value (a number, or tuples of "
                f"different lengths) in each branch; {self.branches.reason(name)}"
            )
        return self._pair(first, second, name)

    def _one_side(self, value: Bound | None, side: int, hint: str) -> Bound | None:
        """The value of the live ``side``; the other branch returned."""
        if isinstance(value, tuple):
            return tuple(self._one_side(item, side, hint) for item in value)  # type: ignore[misc]
        if not isinstance(value, Value) or not _inside(
            value, self.branches.blocks[side]
        ):
            return value
        pair: list[_Yield] = [None, None]
        pair[side] = value
        return self._result(pair[0], pair[1], hint)

    def _pair(self, first: Lowered, second: Lowered, hint: str) -> Lowered:
        if isinstance(first, Value):
            assert isinstance(second, Value)
            return self._result(first, second, hint)
        assert isinstance(second, tuple)
        return tuple(self._pair(a, b, hint) for a, b in zip(first, second, strict=True))

    def _at_break(
        self, key: str, first: Bound | None, second: Bound | None
    ) -> Bound | None:
        """A name's value where the loop broke: a side that cannot have
        broken (or surely returned) holds none, and one that broke without
        it, none defined."""
        name = key.split(" ", 1)[1]
        sides: list[Bound | None] = []
        for env, value in zip(self.branches.envs, (first, second), strict=True):
            if env[BREAK] is False or env[RETURN] is True:
                sides.append(None)
            elif value is None:
                sides.append(MaybeUndefined(self.branches.reason(name)))
            else:
                sides.append(value)
        if sides[0] is None and sides[1] is None:
            return None
        for bound in sides:
            if isinstance(bound, MaybeUndefined):
                return bound
        if sides[0] is None or sides[1] is None:
            side = 0 if sides[1] is None else 1
            return self._one_side(sides[side], side, name)
        return self._name(name, sides[0], sides[1])

    # -- the returned value ----------------------------------------------------
    def _retval(self, first: Bound | None, second: Bound | None) -> Bound | None:
        """A branch that has not returned holds no meaningful ``$retval``."""
        then_env, else_env = self.branches.envs
        first = None if then_env[RETURN] is False else first
        second = None if else_env[RETURN] is False else second
        if first is None or second is None:
            live = first if second is None else second
            side = 0 if second is None else 1
            return None if live is None else self._one_side(live, side, HINTS[RETVAL])
        if first is second:
            return first
        assert isinstance(first, (Value, tuple)) and isinstance(second, (Value, tuple))
        if not same_shape(first, second):
            return MaybeUndefined(
                "the function returns tuples of different lengths, or a tuple "
                "and a number, on different paths"
            )
        return self._pair(first, second, HINTS[RETVAL])

    # -- flags -----------------------------------------------------------------
    def _flag(self, flag: str, first: Bound, second: Bound) -> Bound:
        if first is second or (
            isinstance(first, bool) and isinstance(second, bool) and first == second
        ):
            return first
        before = self.branches.before.get(flag)
        if self.branches.flags_imply_condition and second is False and first is before:
            return first
        condition = self.branches.condition
        if self.state.is_boolean(condition) and (first, second) == (True, False):
            return condition
        if not self._flag_live(flag):
            return UNKNOWN
        assert isinstance(first, (Value, bool)) and isinstance(second, (Value, bool))
        if self.state.is_boolean(condition) and (first, second) == (False, True):
            if self.negation is None:
                self.negation = self.state.builder.create(
                    NOT, [condition], {"namespace": "operator"}, hint=HINTS[flag]
                ).result
            return self.negation
        return self._result(first, second, HINTS[flag])

    def _flag_live(self, flag: str) -> bool:
        """Whether anything reads ``flag`` as a value after the ``if``."""
        if flag == SKIP:
            return self.state.more
        if flag in (BREAK, RETURN):
            return self.state.loop_depth > 0
        return True

    # -- results -----------------------------------------------------------------
    def _result(self, first: _Yield, second: _Yield, hint: str | None) -> Value:
        key = (_key(first), _key(second))
        found = self.results.keys.get(key)
        if found is not None:
            return found
        value = self.state.result(hint)
        self.results.keys[key] = value
        self.results.yields.append((first, second))
        self.results.values.append(value)
        if all(self._yields_boolean(item) for item in (first, second)):
            self.state.booleans.add(value)
        return value

    def _yields_boolean(self, item: _Yield) -> bool:
        return isinstance(item, bool) or (
            isinstance(item, Value) and self.state.is_boolean(item)
        )

    def _build(self) -> None:
        """Append the ``if`` op, if any name needs a result or a branch
        writes into an array or a list."""
        if not self.results.values and not any(
            _writes(block) for block in self.branches.blocks
        ):
            return
        for side, block in enumerate(self.branches.blocks):
            builder = Builder(block, self.state.builder.loc)
            made: dict[object, Value] = {}
            values = []
            for pair in self.results.yields:
                item = pair[side]
                if isinstance(item, Value):
                    values.append(item)
                    continue
                if _key(item) not in made:
                    made[_key(item)] = (
                        builder.create(UNDEF, []).result
                        if item is None
                        else builder.create(CONST, [], {"value": item}).result
                    )
                values.append(made[_key(item)])
            self.state.end_block(block, values)
        self.state.structured(
            IF, [self.branches.condition], self.branches.blocks, self.results.values
        )
