"""Writes ``derived_rules.py``: SymPy's partials of each elementwise
primitive, recorded (see ``rule_tapes.py``)::

    python -m srcgrad.primitives.record_rules
"""

from __future__ import annotations

import sys
from pathlib import Path

from srcgrad.primitives.derive import OUTPUT_SYMBOL, operand_symbol
from srcgrad.primitives.primitive import Primitive
from srcgrad.primitives.rule_tapes import Step, Tape

#: The arities of variadic primitives recorded (``math.hypot`` of 1 to 8
#: numbers; more are derived by SymPy when built).
VARIADIC_ARITIES = tuple(range(1, 9))


class _Recorder:
    """A ``RuleBuilder`` for ``sympy_to_ir.translate`` that notes each call
    and returns its index in place of a value."""

    def __init__(self, inputs: int) -> None:
        self.inputs = inputs
        self.steps: list[Step] = []

    def _step(self, *step: object) -> int:
        self.steps.append(step)
        return self.inputs + len(self.steps) - 1

    def const(self, value: float | int) -> int:
        return self._step("const", value)

    def symbolic_constant(self, text: str, value: float) -> int:
        return self._step("symbolic_constant", text, value)

    def call(self, primitive: Primitive, *args: int) -> int:
        return self._step("call", primitive.name, *args)

    def add(self, x: int, y: int) -> int:
        return self._step("add", x, y)

    def sub(self, x: int, y: int) -> int:
        return self._step("sub", x, y)

    def mul(self, x: int, y: int) -> int:
        return self._step("mul", x, y)

    def div(self, x: int, y: int) -> int:
        return self._step("div", x, y)

    def neg(self, x: int) -> int:
        return self._step("neg", x)

    def pow(self, x: int, y: int) -> int:
        return self._step("pow", x, y)


def record(primitive: Primitive, arity: int) -> Tape:
    """The builder calls SymPy's partials of ``primitive`` make (imports
    SymPy)."""
    from srcgrad.primitives.derive import partial_derivatives
    from srcgrad.primitives.emitter import vocabulary
    from srcgrad.primitives.sympy_to_ir import translate

    recorder = _Recorder(arity + 1)
    symbols = {operand_symbol(index): index for index in range(arity)}
    symbols[OUTPUT_SYMBOL] = arity
    partials = tuple(
        translate(recorder, expression, symbols, vocabulary())  # type: ignore[arg-type]
        for expression in partial_derivatives(primitive, arity)
    )
    return tuple(recorder.steps), partials  # type: ignore[return-value]


def recordable() -> list[tuple[Primitive, int, Tape]]:
    """Each primitive whose partials SymPy derives and ``sympy_to_ir``
    writes, with each arity, and its recording (imports SymPy)."""
    from srcgrad.primitives.table import PRIMITIVES

    found = []
    for primitive in PRIMITIVES.values():
        if primitive.sympy_form is None or primitive.partials is not None:
            continue
        arities = VARIADIC_ARITIES if primitive.arity is None else (primitive.arity,)
        for arity in arities:
            try:
                found.append((primitive, arity, record(primitive, arity)))
            except NotImplementedError:  # no IR for SymPy's (sign's delta)
                continue
    return found


def module_text() -> str:
    """``derived_rules.py`` as it should be now."""
    lines = [
        '"""SymPy\'s partials of each elementwise primitive, recorded as the',
        "builder calls that write them (``rule_tapes.py``). Written by",
        "``python -m srcgrad.primitives.record_rules``; do not edit.",
        '"""',
        "",
        "from __future__ import annotations",
        "",
        "from srcgrad.primitives.rule_tapes import Tape",
        "",
        "TAPES: dict[tuple[str, int], Tape] = {",
    ]
    for primitive, arity, tape in recordable():
        lines.append(f"    ({primitive.name!r}, {arity}): {tape!r},")
    lines.append("}")
    return "\n".join(lines) + "\n"


def main() -> None:
    """Write ``derived_rules.py`` (formatted by black)."""
    import black

    path = Path(__file__).with_name("derived_rules.py")
    path.write_text(black.format_str(module_text(), mode=black.Mode()))
    print(f"wrote {path}", file=sys.stderr)


if __name__ == "__main__":
    main()
