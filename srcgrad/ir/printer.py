"""A deterministic text form of the IR, for golden tests and ``--ir``.

    func f(%x) {
      %0 = pow %x, %c
      ...
      return %1
    }

Values print as their name hint (``%x``), with ``_1``, ``_2`` on collision,
or as a number when they have none. The text depends only on the IR.
"""

from __future__ import annotations

from srcgrad.ir.core import Block, Function, Op, Value
from srcgrad.ir.program import Program


class _Names:
    def __init__(self) -> None:
        self.names: dict[Value, str] = {}
        self.taken: set[str] = set()
        self.counter = 0

    def of(self, value: Value) -> str:
        if value not in self.names:
            self.names[value] = self._fresh(value.name_hint)
        return "%" + self.names[value]

    def _fresh(self, hint: str | None) -> str:
        if hint is None:
            while str(self.counter) in self.taken:
                self.counter += 1
            name = str(self.counter)
        else:
            name, suffix = hint, 0
            while name in self.taken:
                suffix += 1
                name = f"{hint}_{suffix}"
        self.taken.add(name)
        return name


def print_function(function: Function, *, locations: bool = False) -> str:
    """Print ``function`` as text; ``locations`` adds ``loc(line:col)``."""
    names = _Names()
    arguments = ", ".join(names.of(value) for value in function.arguments)
    lines = [f"func {function.name}({arguments}) {{"]
    _print_block(function.entry, names, lines, "  ", locations)
    lines.append("}")
    return "\n".join(lines) + "\n"


def print_program(program: Program, *, locations: bool = False) -> str:
    """Print every function of ``program``, the entry first, one after another."""
    return "\n".join(
        print_function(function, locations=locations)
        for function in program.functions.values()
    )


def _print_block(
    block: Block, names: _Names, lines: list[str], indent: str, locations: bool
) -> None:
    for op in block.ops:
        text = _op_text(op, names, locations)
        for region in op.regions:
            for inner in region.blocks:
                if inner.arguments:
                    arguments = ", ".join(names.of(value) for value in inner.arguments)
                    text += f" ({arguments})"
                lines.append(indent + text + " {")
                _print_block(inner, names, lines, indent + "  ", locations)
                text = "}"
        if op.regions:
            lines.append(indent + "}")
        else:
            lines.append(indent + text)


def _op_text(op: Op, names: _Names, locations: bool) -> str:
    attributes = dict(op.attributes)
    namespace = attributes.pop("namespace", None)
    head = op.name if namespace in (None, "operator") else f"{namespace}.{op.name}"
    if op.name == "const":
        parts = [head, repr(attributes.pop("value"))]
    elif op.name == "global":
        parts = [head, str(attributes.pop("name"))]
    elif op.name == "call":
        parts = [f"{head} @{attributes.pop('callee')}"]
    else:
        parts = [head]
    if op.operands:
        parts.append(", ".join(names.of(value) for value in op.operands))
    if attributes:
        rendered = ", ".join(
            f"{key} = {attributes[key]!r}" for key in sorted(attributes)
        )
        parts.append("{" + rendered + "}")
    text = " ".join(parts)
    if op.results:
        text = ", ".join(names.of(value) for value in op.results) + " = " + text
    if locations and op.loc is not None:
        text += f"  loc({op.loc.line}:{op.loc.column})"
    return text
