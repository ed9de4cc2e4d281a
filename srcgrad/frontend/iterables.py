"""What a ``for`` loop iterates over, and how an item binds its targets.

``range(...)``, ``reversed(...)``, ``enumerate(...)``, ``zip(...)`` and a
name holding a sequence passed in (a parameter, a global) become ops that
make the sequence, which a ``for`` op then iterates. A tuple written out,
or a name holding one, has items known one by one (they may depend on the
inputs differentiated), so its loop is unrolled instead; ``enumerate``,
``zip`` and ``reversed`` of such tuples are known item by item too.
"""

from __future__ import annotations

import ast

from srcgrad.frontend.comprehensions import ComprehensionLowering
from srcgrad.frontend.environment import Lowered
from srcgrad.frontend.resolve import BuiltinBinding
from srcgrad.ir import CONST, Pattern, Value
from srcgrad.primitives.iteration import ENUMERATE, RANGE, REVERSED, ZIP

_BUILTINS = {"namespace": "builtins"}
_ITERABLES = (
    "range(...), enumerate(...), zip(...), reversed(...), a tuple or list "
    "written out, a list the function makes or a list comprehension, or a "
    "list or tuple of numbers passed in"
)


class IterableLowering(ComprehensionLowering):
    """Lowers the sequence a ``for`` loop iterates over, and its targets."""

    # -- what a for loop iterates over -----------------------------------------
    def _builtin_called(self, node: ast.expr) -> str | None:
        """The name of the lowered builtin ``node`` calls, if it calls one."""
        if not isinstance(node, ast.Call) or not isinstance(
            node.func, (ast.Name, ast.Attribute)
        ):
            return None
        if isinstance(node.func, ast.Name) and node.func.id in self.locals:
            return None
        callee = self._reference(node.func)
        return callee.name if isinstance(callee, BuiltinBinding) else None

    def _static_items(self, node: ast.expr) -> list[Lowered] | None:
        """The items, if they are known one by one: a tuple written out, or
        ``enumerate``, ``zip`` or ``reversed`` of such tuples."""
        items = self._items(node)
        if items is not None or not isinstance(node, ast.Call):
            return items
        name = self._builtin_called(node)
        if name == "reversed" and len(node.args) == 1:
            inner = self._static_items(node.args[0])
            return None if inner is None else inner[::-1]
        if name == "enumerate" and node.args:
            inner = self._static_items(node.args[0])
            if inner is None:
                return None
            start = self._enumerate_start(node)
            return [(self._index(start, i), item) for i, item in enumerate(inner)]
        if name == "zip" and node.args and not node.keywords:
            found = [self._static_items(argument) for argument in node.args]
            if all(items is None for items in found):
                return None
            if any(items is None for items in found):
                self.fail(
                    node,
                    "zip of tuples written out and other sequences is not supported",
                )
            return [tuple(row) for row in zip(*found, strict=False)]
        return None

    def _enumerate_start(self, node: ast.Call) -> Value | None:
        self._arguments(node, "enumerate", 1, 2, "start")
        starts = node.args[1:] + [keyword.value for keyword in node.keywords]
        return self._scalar(starts[0]) if starts else None

    def _index(self, start: Value | None, index: int) -> Value:
        if start is None:
            return self.builder.const(index)
        if index == 0:
            return start
        return self._apply("add", [start, self.builder.const(index)])

    def _iterable(self, node: ast.expr) -> Value:
        """A sequence value: a ``range``, a name holding data, or a builtin of them."""
        name = self._builtin_called(node)
        if name is not None:
            assert isinstance(node, ast.Call)
            return self._iteration_builtin(name, node)
        if isinstance(node, ast.Name):
            return self._name(node)
        if isinstance(node, ast.ListComp):
            return self._comprehension(node)
        shadowed = self._shadowed_builtin(node)
        if shadowed is not None:
            self.fail(node.func, shadowed)  # type: ignore[attr-defined]
        self.fail(
            node,
            f"iterating over `{ast.unparse(node)}` is not supported; "
            f"iterate over {_ITERABLES}",
        )

    def _shadowed_builtin(self, node: ast.expr) -> str | None:
        """Why ``range(...)`` is not Python's ``range`` here, if it is not:
        a local variable or a global of that name hides the builtin."""
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Name):
            return None
        name = node.func.id
        if name not in ("range", "enumerate", "zip", "reversed"):
            return None
        if name in self.locals:
            line = self.assigned_at.get(name)
            where = f" (assigned on line {line})" if line else ""
            what = f"a local variable of {self.source.name}{where}"
        else:
            found = getattr(self.resolver.resolve(name), "description", None)
            what = f"the global {name!r}"
            if found and found != f"global {name!r}":
                what += f" ({found})"
        return (
            f"`{name}` here is {what}, not Python's builtin {name}; rename that "
            f"variable, so that `{name}(...)` is the builtin"
        )

    def _iteration_builtin(self, name: str, node: ast.Call) -> Value:
        with self.builder.at(self.location(node)):
            if name == "range":
                self._arguments(node, "range", 1, 3)
                bounds = [self._scalar(argument) for argument in node.args]
                return self.builder.create(RANGE, bounds, _BUILTINS).result
            if name == "reversed":
                self._arguments(node, "reversed", 1, 1)
                inner = self._iterable(node.args[0])
                return self.builder.create(REVERSED, [inner], _BUILTINS).result
            if name == "enumerate":
                self._arguments(node, "enumerate", 1, 2, "start")
                sequence = self._iterable(node.args[0])
                start = self._enumerate_start(node)
                operands = [sequence] if start is None else [sequence, start]
                return self.builder.create(ENUMERATE, operands, _BUILTINS).result
            if name == "zip":
                self._arguments(node, "zip", 1, None)
                inner_values = [self._iterable(argument) for argument in node.args]
                return self.builder.create(ZIP, inner_values, _BUILTINS).result
        self.fail(
            node,
            f"iterating over `{ast.unparse(node)}` is not supported; "
            f"iterate over {_ITERABLES}",
        )

    def _pattern(self, target: ast.expr, names: list[ast.Name]) -> Pattern:
        """How an item binds ``target``; appends the names bound to ``names``."""
        if isinstance(target, ast.Name):
            names.append(target)
            return len(names) - 1
        if isinstance(target, (ast.Tuple, ast.List)):
            for element in target.elts:
                if isinstance(element, ast.Starred):
                    self.unsupported(element)
            return tuple(self._pattern(element, names) for element in target.elts)
        self.fail(target, "a loop target must be a name or a tuple of names")


def surely_iterates(iterable: Value) -> bool:
    """``iterable`` is a ``range`` (maybe reversed) of constants, not empty."""
    op = iterable.defining_op
    if op is not None and op.definition is REVERSED:
        return surely_iterates(op.operands[0])
    if op is None or op.definition is not RANGE:
        return False
    bounds = [operand.defining_op for operand in op.operands]
    if not all(bound is not None and bound.definition is CONST for bound in bounds):
        return False
    values = [bound.attributes["value"] for bound in bounds]  # type: ignore[union-attr]
    if not all(isinstance(value, int) for value in values):
        return False
    if len(values) == 3 and values[2] == 0:
        return False  # range() raises, when the code runs, as in f
    return len(range(*values)) > 0  # type: ignore[arg-type]
