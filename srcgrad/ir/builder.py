"""Builds ops at an insertion point, carrying the current source location."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from srcgrad.ir.core import Block, Op, OpDefinition, Value
from srcgrad.ir.location import SourceLocation
from srcgrad.ir.ops import CONST, GLOBAL, RETURN
from srcgrad.ir.types import TypeRuleError


class _At:
    """``Builder.at``: a class, not a generator, as the frontend and the
    passes enter one per expression and per op."""

    __slots__ = ("builder", "loc", "saved")

    def __init__(self, builder: Builder, loc: SourceLocation | None) -> None:
        self.builder = builder
        self.loc = loc
        self.saved: SourceLocation | None = None

    def __enter__(self) -> Builder:
        self.saved, self.builder.loc = self.builder.loc, self.loc
        return self.builder

    def __exit__(self, *exception: object) -> None:
        self.builder.loc = self.saved


class Builder:
    """Appends ops to a block; every op gets the builder's current location.

    A builder with ``derivative=True`` marks the ops it creates as derivative
    terms (``Op.derivative``): AD transforms build their rules through one.
    """

    def __init__(
        self,
        block: Block,
        loc: SourceLocation | None = None,
        *,
        derivative: bool = False,
    ) -> None:
        self.block = block
        self.loc = loc
        self.derivative = derivative

    def at(self, loc: SourceLocation | None) -> _At:
        """Build the ops inside the ``with`` at ``loc``."""
        return _At(self, loc)

    def create(
        self,
        definition: OpDefinition,
        operands: Sequence[Value],
        attributes: Mapping[str, object] | None = None,
        *,
        result_count: int = 1,
        hint: str | None = None,
    ) -> Op:
        results = [Value(hint, self.loc) for _ in range(result_count)]
        infer = getattr(definition, "result_types", None)
        if infer is not None:
            try:
                types = infer([operand.type for operand in operands], attributes or {})
            except TypeRuleError:  # type inference reports it, at its place
                types = None
            if types is not None and len(types) == result_count:
                for result, type_ in zip(results, types, strict=True):
                    result.type = type_
        op = Op(
            definition,
            list(operands),
            results,
            dict(attributes or {}),
            loc=self.loc,
            derivative=self.derivative,
        )
        return self.block.append(op)

    def const(self, value: object, hint: str | None = None) -> Value:
        return self.create(CONST, [], {"value": value}, hint=hint).result

    def read_global(
        self,
        name: str,
        *,
        closure: bool = False,
        scope: Mapping[str, object] | None = None,
    ) -> Value:
        """Read a global (or, with ``closure``, an enclosing function's)
        variable; ``scope`` says whose, if not the entry function's
        (``module`` or ``owner``: see ``GLOBAL``)."""
        attributes: dict[str, object] = {"name": name}
        if closure:
            attributes["closure"] = True
        attributes.update(scope or {})
        return self.create(GLOBAL, [], attributes, hint=name).result

    def ret(self, values: Sequence[Value]) -> Op:
        return self.create(RETURN, values, result_count=0)
