"""The state every part of the lowering shares, and the IR pieces they build.

``Lowering`` (``lower.py``) is assembled from mixins, one per kind of
construct (expressions, calls, statements, loops); they all derive from
``LoweringState``, which holds the environment and the builder, reports
errors at a node, and builds the structured ops they have in common.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import NoReturn

from srcgrad.errors import UnsupportedSyntaxError
from srcgrad.frontend.analysis import LiveNames, reads
from srcgrad.frontend.callees import Unit
from srcgrad.frontend.constructs import describe, hint
from srcgrad.frontend.environment import Env, Lowered
from srcgrad.frontend.resolve import Binding, Resolver
from srcgrad.frontend.source import FunctionSource
from srcgrad.ir import (
    CONST,
    IF,
    UNDEF,
    YIELD,
    Block,
    Builder,
    Op,
    OpDefinition,
    Region,
    SourceLocation,
    Value,
)
from srcgrad.primitives import PRIMITIVES
from srcgrad.primitives.logic import COMPARISONS, NOT

#: Primitives whose result is always a bool.
_BOOLEAN = frozenset([*COMPARISONS.values(), NOT, PRIMITIVES["bool"]])


class LoweringState:
    """What the lowering mixins share.

    Attributes:
        env: each source name's current value, and the exit flags
            (``environment.py``).
        live: the names read after the statement being lowered (in the rest
            of its list, of the enclosing lists, or of an enclosing loop).
        more: statements follow the one being lowered before the end of
            the loop body or function it is in (so ``$skip`` is read).
        loop_depth: how many loops enclose the statement.
        broken_names: the names first assigned in the innermost loop that
            are read after it, whose values a ``break`` keeps (``at_break``).
        booleans: values known to be a ``bool`` beyond the comparisons.
        assigned_at: the line each name was last assigned on, for messages.
        unit: the function being lowered, as one of the program's.
        closures: for each function nested in this one (``nested.py``), the
            names of this one's values it reads.
    """

    def __init__(self, source: FunctionSource, resolver: Resolver, unit: Unit) -> None:
        self.source = source
        self.resolver = resolver
        self.unit = unit
        self.closures: dict[str, tuple[str, ...]] = {}
        #: The statements defining nested functions, by name (``nested.py``).
        self.nested_nodes: dict[str, ast.stmt] = {}
        self.env: Env = {}
        self.builder = Builder(Block())
        self.live = LiveNames()
        self.more = False
        self.loop_depth = 0
        self.broken_names: frozenset[str] = frozenset()
        self.booleans: set[Value] = set()
        self.assigned_at: dict[str, int] = {}

    # -- provided by the mixins --------------------------------------------
    def _expression(self, node: ast.expr) -> Lowered:
        raise NotImplementedError

    def _scalar(self, node: ast.expr) -> Value:
        raise NotImplementedError

    def _statements(self, body: list[ast.stmt]) -> None:
        raise NotImplementedError

    def _bind(self, target: ast.expr, value: Lowered) -> None:
        raise NotImplementedError

    def function_named(self, name: str) -> Binding:
        raise NotImplementedError

    def reads(self, nodes: Sequence[ast.AST]) -> frozenset[str]:
        """The names ``nodes`` read, counting as read by a call to a nested
        function the names it reads from this one when it runs."""
        return self.with_closures(reads(nodes))

    def with_closures(self, found: frozenset[str]) -> frozenset[str]:
        """``found``, with the names the nested functions among them read
        from this one when they run (a call to one reads those)."""
        extra = [names for name, names in self.closures.items() if name in found]
        return found.union(*extra)

    def live_after(
        self, last: dict[str, int], index: int, outer: LiveNames
    ) -> LiveNames:
        """What the code after statement ``index`` of a list reads: the
        statements after it (``last``: ``last_reads`` of the list), with
        what the nested functions they call read, then ``outer``."""
        extra = [
            names for name, names in self.closures.items() if last.get(name, -1) > index
        ]
        return LiveNames(frozenset().union(*extra), last, index, outer)

    # -- errors ------------------------------------------------------------
    def location(self, node: ast.AST) -> SourceLocation:
        return self.source.location(node)

    def line(self, node: ast.AST) -> int:
        """The line of ``node`` in the user's file."""
        return self.location(node).line

    def fail(
        self, node: ast.AST, message: str, kind: type = UnsupportedSyntaxError
    ) -> NoReturn:
        raise kind(message, self.location(node))

    def unsupported(self, node: ast.AST, construct: ast.AST | None = None) -> NoReturn:
        construct = construct or node
        advice = hint(construct)
        message = f"{describe(construct)} is not supported"
        self.fail(node, f"{message}; {advice}" if advice else message)

    # -- building ----------------------------------------------------------
    @contextmanager
    def in_block(self, block: Block) -> Iterator[Block]:
        """Build into ``block`` inside the ``with``."""
        saved, self.builder.block = self.builder.block, block
        try:
            yield block
        finally:
            self.builder.block = saved

    def structured(
        self,
        definition: OpDefinition,
        operands: Sequence[Value],
        blocks: Sequence[Block],
        results: list[Value],
        attributes: dict[str, object] | None = None,
    ) -> Op:
        """Append an op owning one single-block region per block in ``blocks``."""
        op = Op(
            definition,
            list(operands),
            list(results),
            dict(attributes or {}),
            [Region([block]) for block in blocks],
            loc=self.builder.loc,
        )
        return self.builder.block.append(op)

    def end_block(self, block: Block, values: Sequence[Value], end=YIELD) -> None:
        """End ``block`` with ``end`` (a yield) of ``values``."""
        Builder(block, self.builder.loc).create(end, values, result_count=0)

    def undef(self, hint: str | None = None) -> Value:
        return self.builder.create(UNDEF, [], hint=hint).result

    def result(self, hint: str | None) -> Value:
        """A new value for a result of a structured op built here."""
        return Value(hint, self.builder.loc)

    # -- what is known of a value --------------------------------------------
    def known_truth(self, value: Value) -> bool | None:
        """The truth of ``value`` if it is a literal constant, else None."""
        op = value.defining_op
        if op is not None and op.definition is CONST:
            return bool(op.attributes["value"])
        return None

    def is_boolean(self, value: Value) -> bool:
        """``value`` is a ``bool`` (a comparison, ``not``, a flag)."""
        op = value.defining_op
        if op is not None and op.definition in _BOOLEAN:
            return True
        if op is not None and op.definition is CONST:
            return isinstance(op.attributes["value"], bool)
        return value in self.booleans

    def select(
        self,
        condition: Value,
        then: Callable[[], Value],
        otherwise: Callable[[], Value],
        expression: str,
    ) -> Value:
        """``then() if condition else otherwise()``, each side lowered in its
        own branch so only the side taken is evaluated.

        ``expression`` names the Python expression the ``if`` op stands for
        ("ternary", "and", "or", "max", "min"), so codegen can print it.
        """
        known = self.known_truth(condition)
        if known is not None:
            return then() if known else otherwise()
        with self.in_block(Block()) as then_block:
            chosen = then()
        with self.in_block(Block()) as else_block:
            other = otherwise()
        value = self.result(None)
        self.end_block(then_block, [chosen])
        self.end_block(else_block, [other])
        self.structured(
            IF,
            [condition],
            [then_block, else_block],
            [value],
            {"expression": expression},
        )
        if self.is_boolean(chosen) and self.is_boolean(other):
            self.booleans.add(value)
        return value
