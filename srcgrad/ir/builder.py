"""Builds ops at an insertion point, carrying the current source location."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager

from srcgrad.ir.core import Block, Op, OpDefinition, Value
from srcgrad.ir.location import SourceLocation
from srcgrad.ir.ops import CONST, GLOBAL, RETURN
from srcgrad.ir.types import TypeRuleError


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

    @contextmanager
    def at(self, loc: SourceLocation | None) -> Iterator[Builder]:
        """Build the ops inside the ``with`` at ``loc``."""
        saved, self.loc = self.loc, loc
        try:
            yield self
        finally:
            self.loc = saved

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
