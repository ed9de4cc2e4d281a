"""The check that heads a gradient for numbers: its inputs are numbers.

``check_real_inputs`` builds the ``check_real`` op: every ``wrt`` parameter
(a float), and every other parameter, global or closure variable whose
value reaches the output (a real number, or a sequence of them where the
code iterates over it). Arrays go on to the gradient built for them (see
``srcgrad.dispatch``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from srcgrad.ir import CHECK_REAL, FOR, Block, Builder, Function, Op, Value, walk


def check_real_inputs(
    builder: Builder,
    function: Function,
    wrt: Sequence[str],
    mapping: dict[Value, Value],
    reaching: set[Value],
    reads: Iterable[Op],
) -> None:
    """Start the gradient with a check that its inputs are real numbers.

    Checked: every ``wrt`` parameter (it must be a float), and every other
    parameter, and each global or closure variable among ``reads`` (those,
    in any function of the program, whose value reaches the output): it
    must be a real number, or, where the code iterates over it, a list,
    tuple or range of them. A value ``f`` reads but never uses is not
    checked, as ``f`` does not use it either.
    """
    sequences = _used_as_sequences(function.entry)
    operands: list[Value] = []
    names: list[str] = []
    kinds: list[str] = []
    for parameter, argument in zip(
        function.parameters, function.arguments, strict=True
    ):
        if parameter.name in wrt or argument in reaching:
            operands.append(mapping[argument])
            names.append(parameter.name)
            kind = "wrt" if parameter.name in wrt else "parameter"
            kinds.append(f"{kind} sequence" if argument in sequences else kind)
    for op in _one_read_per_variable(reads):
        operands.append(_read_again(builder, op))
        names.append(_shown_name(op))
        kind = "closure variable" if op.attributes.get("closure") else "global"
        in_sequence = op.result in _used_as_sequences(_root_block(op))
        kinds.append(f"{kind} sequence" if in_sequence else kind)
    attributes = {"names": tuple(names), "kinds": tuple(kinds), "inputs": True}
    builder.create(CHECK_REAL, operands, attributes, result_count=0)


#: Which operands of a builtin are sequences (``enumerate``'s start is not).
_SEQUENCE_OPERANDS = {"zip": None, "enumerate": 1, "reversed": 1, "len": 1, "sum": 1}


def _used_as_sequences(block: Block) -> set[Value]:
    """The values code in ``block`` iterates over, or hands to ``len``/``zip``."""
    found: set[Value] = set()
    for op in walk(block):
        if op.definition is FOR:
            found.add(op.operands[0])
        elif op.attributes.get("namespace") == "builtins" and (
            op.definition.name in _SEQUENCE_OPERANDS
        ):
            count = _SEQUENCE_OPERANDS[op.definition.name]
            found.update(op.operands[:count])
    return found


def _root_block(op: Op) -> Block:
    """The body of the function ``op`` is in."""
    block = op.parent
    assert block is not None
    while block.parent is not None and block.parent.parent is not None:
        owner = block.parent.parent.parent
        assert owner is not None
        block = owner
    return block


def _one_read_per_variable(reads: Iterable[Op]) -> list[Op]:
    """The first of ``reads`` of each variable. Two closures' ``k`` are two
    variables, and a helper's global ``scale`` is not f's parameter."""
    found: dict[tuple[object, ...], Op] = {}
    for op in reads:
        found.setdefault(_variable(op), op)
    return list(found.values())


def _variable(op: Op) -> tuple[object, ...]:
    """The variable a ``global`` op reads: its name and whose it is."""
    attributes = op.attributes
    return (
        str(attributes["name"]),
        bool(attributes.get("closure")),
        attributes.get("module"),
        attributes.get("owner"),
    )


def _shown_name(op: Op) -> str:
    """A ``global`` op's variable as a check names it: ``helpers.SCALE``, or
    ``k of h3`` for a closure variable of the helper ``h3`` (each variable
    its own name, though two closures call theirs ``k``)."""
    module = op.attributes.get("module")
    owner: tuple[tuple[str, str], ...] = op.attributes.get("owner", ())  # type: ignore[assignment]
    name = str(op.attributes["name"])
    if owner:
        return f"{name} of {'.'.join(step for _, step in owner)}"
    return f"{module}.{name}" if module else name


def _read_again(builder: Builder, op: Op) -> Value:
    """A read of the variable the ``global`` op ``op`` reads, in its scope."""
    scope: dict[str, object] = {
        key: op.attributes[key] for key in ("module", "owner") if key in op.attributes
    }
    closure = bool(op.attributes.get("closure"))
    return builder.read_global(str(op.attributes["name"]), closure=closure, scope=scope)
