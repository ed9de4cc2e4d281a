"""The SSA IR: values, ops, blocks, regions and functions.

A ``Function`` owns one ``Region``; a region owns blocks, a block owns ops,
and an op may own regions of its own (structured control flow: an ``if`` op
owns its two branches, each ending in a ``yield``). Values are defined once,
either as a block argument or as an op result, and carry the name the source
gave them so generated code can reuse it.

What an op *means* lives in its ``OpDefinition``: the IR only needs a name,
whether the op is pure, and how it is written as Python. The primitives
table supplies definitions with derivative rules on top.
"""

from __future__ import annotations

import ast
import itertools
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol

from srcgrad.ir.location import SourceLocation
from srcgrad.ir.types import Type


class EmitContext(Protocol):
    """What an op needs from codegen to write itself as Python."""

    def module(self, namespace: str) -> ast.expr:
        """An expression naming the module for ``namespace`` ("math", "numpy")."""
        ...

    def builtin(self, name: str) -> ast.expr:
        """An expression naming the builtin ``name`` ("abs", "float").

        Generated code binds builtins itself, so a parameter or global of
        the user's called ``abs`` cannot change what it calls.
        """
        ...

    def function(self, symbol: str) -> ast.expr:
        """An expression naming the generated function for ``symbol``."""
        ...

    def helper(self, name: str) -> ast.expr:
        """An expression naming the helper ``name`` of ``srcgrad.runtime``."""
        ...

    def for_arrays(self) -> ast.expr:
        """An expression naming the gradients of the same function for
        arrays (``srcgrad.dispatch``)."""
        ...

    def imported(self, module: str) -> ast.expr:
        """An expression naming the (user's) module imported as ``module``."""
        ...

    def cell(self, owner: tuple[tuple[str, str], ...], name: str) -> ast.expr:
        """An expression reading closure variable ``name`` of the function
        that the path ``owner`` leads to from the entry function."""
        ...


class OpDefinition(Protocol):
    """The meaning of an op, shared by every op of that kind."""

    @property
    def name(self) -> str: ...

    @property
    def pure(self) -> bool:
        """No side effects: CSE may merge it, DCE may drop it."""
        ...

    @property
    def is_terminator(self) -> bool: ...

    def emit(
        self,
        args: Sequence[ast.expr],
        attributes: Mapping[str, object],
        context: EmitContext,
    ) -> ast.expr:
        """Write the op's value as a Python expression over ``args``."""
        ...


@dataclass(eq=False)
class Value:
    """An SSA value: defined once, by an op result or a block argument."""

    name_hint: str | None
    loc: SourceLocation | None = None
    owner: Op | Block | None = field(default=None, repr=False)
    #: What the value is (``srcgrad.ir.types``); None where not known.
    type: Type | None = field(default=None, repr=False)

    @property
    def defining_op(self) -> Op | None:
        return self.owner if isinstance(self.owner, Op) else None


@dataclass(eq=False)
class Op:
    """One operation: operands in, results out, maybe regions inside."""

    definition: OpDefinition
    operands: list[Value]
    results: list[Value]
    attributes: dict[str, object] = field(default_factory=dict)
    regions: list[Region] = field(default_factory=list)
    loc: SourceLocation | None = None
    parent: Block | None = field(default=None, repr=False)
    #: Built by an AD transform to compute a derivative term, rather than a
    #: value the user's code computes. Passes keep every value of the user's
    #: code bit for bit; on derivative terms they may also drop a structural
    #: zero's NaN (``0 * t = 0``) and round differently (``a * (1/b) = a/b``).
    derivative: bool = False

    def __post_init__(self) -> None:
        for result in self.results:
            result.owner = self
        for region in self.regions:
            region.parent = self

    @property
    def name(self) -> str:
        return self.definition.name

    @property
    def result(self) -> Value:
        """The single result of a one-result op."""
        if len(self.results) != 1:
            raise ValueError(f"op {self.name} has {len(self.results)} results")
        return self.results[0]


@dataclass(eq=False)
class Block:
    """A straight-line list of ops, ending in a terminator."""

    arguments: list[Value] = field(default_factory=list)
    ops: list[Op] = field(default_factory=list)
    parent: Region | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        for argument in self.arguments:
            argument.owner = self
        for op in self.ops:
            op.parent = self

    def append(self, op: Op) -> Op:
        op.parent = self
        self.ops.append(op)
        return op

    @property
    def terminator(self) -> Op | None:
        if self.ops and self.ops[-1].definition.is_terminator:
            return self.ops[-1]
        return None


@dataclass(eq=False)
class Region:
    """The body of a function or of a structured op: a list of blocks."""

    blocks: list[Block] = field(default_factory=list)
    parent: Op | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        for block in self.blocks:
            block.parent = self

    @property
    def block(self) -> Block:
        """The one block of a single-block region (all of ours, today)."""
        if len(self.blocks) != 1:
            raise ValueError(f"region has {len(self.blocks)} blocks, expected 1")
        return self.blocks[0]


#: How a parameter may be passed, as in ``inspect.Parameter.kind``.
ParameterKind = Literal["positional_only", "positional", "keyword_only"]


@dataclass(frozen=True)
class Parameter:
    """A parameter of a source function, as Python's signature has it.

    ``default`` is the source text of the default expression; the live
    default *value* is taken from the primal function when code is compiled.
    """

    name: str
    kind: ParameterKind = "positional"
    default: str | None = None


@dataclass(eq=False)
class Function:
    """A function in IR: parameters are the arguments of the body's block."""

    name: str
    parameters: list[Parameter]
    body: Region
    loc: SourceLocation | None = None
    #: What generated code says the function is, if not the user's own.
    doc: str | None = None

    @property
    def entry(self) -> Block:
        return self.body.block

    @property
    def arguments(self) -> list[Value]:
        return self.entry.arguments

    def argument(self, name: str) -> Value:
        for parameter, value in zip(self.parameters, self.arguments, strict=True):
            if parameter.name == name:
                return value
        raise KeyError(name)


def walk(block: Block) -> Iterator[Op]:
    """Every op in ``block`` and, depth first, in the regions of its ops.

    A stack of iterators, not nested generators: each op then costs the
    same however deeply it is nested (an ``elif`` chain a hundred long).
    """
    stack: list[Iterator[Op]] = [iter(block.ops)]
    while stack:
        # A for loop over the innermost iterator (resumed after a nested
        # region is done): no call per op, as ``next`` would make.
        for op in stack[-1]:
            yield op
            if op.regions:
                stack.append(
                    itertools.chain.from_iterable(
                        inner.ops for region in op.regions for inner in region.blocks
                    )
                )
                break
        else:
            stack.pop()


def uses(block: Block) -> dict[Value, list[Op]]:
    """For each value used in ``block`` (at any depth), the ops that use it."""
    found: dict[Value, list[Op]] = {}
    for op in walk(block):
        for operand in op.operands:
            users = found.get(operand)
            if users is None:
                found[operand] = [op]
            else:
                users.append(op)
    return found


def use_counts(block: Block) -> dict[Value, int]:
    """For each value used in ``block`` (at any depth), how many operands
    of its ops are that value: ``len`` of its ``uses``."""
    found: dict[Value, int] = {}
    for op in walk(block):
        for operand in op.operands:
            found[operand] = found.get(operand, 0) + 1
    return found
