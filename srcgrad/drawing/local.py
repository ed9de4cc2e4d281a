"""One operation, and its local derivatives, written as Python.

Each is built as a small IR function of the operation's operands, run
through the passes and codegen every gradient goes through, and read back
as one expression, its parameters renamed after the nodes they stand for:
the edge labels are the derivatives srcgrad itself uses, rules, folding
and conventions at kinks included. A scalar operation's local derivative
is its partial derivative (the VJP rule seeded with 1.0); an array
operation's is its VJP, a function of the adjoint ``g`` of its result.

Each place an operand is read is a parameter of its own, so ``a * a`` has
two edges from ``a``, each ``a``: the two paths through it that the path
sum adds (``2 * a`` in all).
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from srcgrad.codegen import generate, load
from srcgrad.ir import CONST, Block, Builder, Function, Op, Parameter, Region, Value
from srcgrad.ir.types import Scalar, Type
from srcgrad.passes import optimize
from srcgrad.primitives import Primitive, RuleEmitter

Build = Callable[[Builder, list[Value]], list[Value]]


def operation_text(op: Op, names: Mapping[Value, str]) -> str:
    """``op`` written as Python, its operands by their nodes' names and its
    constants in place (``math.cos(v1)``, ``x ** 2``)."""
    nodes = operand_nodes(op)
    function = _function([v.type for v in nodes], _operation(op, nodes), False)
    return _written(function, [names[v] for v in nodes])


def local_derivatives(op: Op, names: Mapping[Value, str]) -> list[str | None]:
    """For each operand of ``op``, its local derivative as Python: the
    partial derivative, or for an array the VJP of the result's adjoint
    ``g``. None for a constant operand, and where the derivative is zero by
    declaration (a comparison)."""
    found: list[str | None] = [None] * len(op.operands)
    if not differentiable(op):
        return found
    nodes = operand_nodes(op)
    result = op.results[0]
    scalar = all(isinstance(v.type, Scalar) for v in [*nodes, result])
    shown = [names[v] for v in nodes] + [names[result]]
    seed = "g"
    while seed in shown:
        seed += "_"
    types = [v.type for v in nodes] + [result.type, result.type]
    place = 0
    for index, operand in enumerate(op.operands):
        if _is_constant(operand):
            continue
        build = _vjp(op, nodes, [place], seeded=not scalar)
        try:
            found[index] = _written(_function(types, build, True), [*shown, seed])
        except Exception:  # a rule that needs what a graph does not know
            found[index] = f"∂{names[result]}/∂{names[operand]}"
        place += 1
    return found


def operation_function(op: Op) -> Callable[..., Any]:
    """``op`` as a Python function of its operands that are not constants."""
    nodes = operand_nodes(op)
    function = _function([v.type for v in nodes], _operation(op, nodes), False)
    return load(generate(function))


def vjp_function(op: Op) -> Callable[..., tuple[Any, ...]] | None:
    """``op``'s VJP as a Python function ``(operands..., out, g)`` of its
    operands that are not constants, its result and the result's adjoint:
    a cotangent for each place an operand is read. None where the
    derivative is zero by declaration, and where every operand is a
    constant."""
    nodes = operand_nodes(op)
    if not differentiable(op) or not nodes:
        return None  # a function of constants (-1.0) has no edge in
    result = op.results[0]
    types = [v.type for v in nodes] + [result.type, result.type]
    build = _vjp(op, nodes, list(range(len(nodes))), seeded=True)
    function = _function(types, build, True)
    terminator = function.entry.terminator
    assert terminator is not None
    terminator.attributes["tuple"] = True
    return load(generate(function))


def operand_nodes(op: Op) -> list[Value]:
    """``op``'s operands that are not constants, in order, one per place
    read: nodes of the graph (a constant is written into its operation)."""
    return [v for v in op.operands if not _is_constant(v)]


def differentiable(op: Op) -> bool:
    """``op`` has local derivatives: a primitive with one result and a VJP
    rule, whose derivative is not zero by declaration."""
    definition = op.definition
    return (
        isinstance(definition, Primitive)
        and not definition.zero_derivative
        and definition.vjp is not None
        and len(op.results) == 1
    )


def _operation(op: Op, nodes: list[Value]) -> Build:
    def build(builder: Builder, arguments: list[Value]) -> list[Value]:
        operands = _operands(builder, op, arguments)
        made = builder.create(op.definition, operands, dict(op.attributes))
        return [made.results[0]]

    return build


def _vjp(op: Op, nodes: list[Value], places: list[int], *, seeded: bool) -> Build:
    """Builds the cotangent of each operand place of ``places`` (counted
    among ``nodes``) from parameters ``nodes..., out, g``; ``g`` is 1.0
    unless ``seeded``."""
    definition = op.definition
    assert isinstance(definition, Primitive) and definition.vjp is not None
    positions = [
        i for i, operand in enumerate(op.operands) if not _is_constant(operand)
    ]

    def build(builder: Builder, arguments: list[Value]) -> list[Value]:
        out = arguments[len(nodes)]
        g = arguments[len(nodes) + 1] if seeded else builder.const(1.0)
        operands = _operands(builder, op, arguments[: len(nodes)])
        emitter = RuleEmitter(
            builder, definition, str(op.attributes["namespace"]), op.attributes
        )
        cotangents = definition.vjp(emitter, g, tuple(operands), out)  # type: ignore[misc]
        made = [cotangents[positions[place]] for place in places]
        return [builder.const(0.0) if value is None else value for value in made]

    return build


def _operands(builder: Builder, op: Op, arguments: Sequence[Value]) -> list[Value]:
    """``op``'s operands in the small function: the next argument for each
    place an operand is read, a constant made again for a constant."""
    given = iter(arguments)
    made = []
    for operand in op.operands:
        constant = operand.defining_op
        if constant is not None and constant.definition is CONST:
            made.append(builder.const(constant.attributes["value"]))
        else:
            made.append(next(given))
    return made


def _function(types: list[Type | None], build: Build, derivative: bool) -> Function:
    """The small function of parameters ``p0, p1, ...`` of ``types``
    returning what ``build`` makes of them; optimised as every derivative
    is (``derivative``), or as written."""
    names = [f"p{index}" for index in range(len(types))]
    block = Block(
        [Value(name, type=type_) for name, type_ in zip(names, types, strict=True)]
    )
    builder = Builder(block, derivative=derivative)
    builder.ret(build(builder, list(block.arguments)))
    function = Function("local", [Parameter(name) for name in names], Region([block]))
    if derivative:
        optimize(function)
    return function


def _written(function: Function, shown: list[str]) -> str:
    """What ``function`` returns, as codegen writes it, parameter ``p<i>``
    written ``shown[i]``: one expression, each temporary read once written
    where it is read; one read more often keeps a line of its own before
    it (``t = np.exp(-z)``), named apart from ``shown``."""
    definition = ast.parse(generate(function).definition).body[0]
    assert isinstance(definition, ast.FunctionDef)
    parameters = [argument.arg for argument in definition.args.args]
    bound: dict[str, ast.expr] = {
        parameter: ast.Name(name, ast.Load())
        for parameter, name in zip(parameters, shown, strict=True)
    }
    reads: dict[str, int] = {}
    for node in ast.walk(definition):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
            reads[node.id] = reads.get(node.id, 0) + 1
    lines: list[str] = []
    taken = set(shown)
    for statement in definition.body:
        if isinstance(statement, ast.Assign) and isinstance(
            statement.targets[0], ast.Name
        ):
            name = statement.targets[0].id
            value = _InPlace(bound).visit(statement.value)
            if reads.get(name, 0) <= 1:
                bound[name] = value
                continue
            kept = next(
                f"t{k}" for k in range(1, len(taken) + 2) if f"t{k}" not in taken
            )
            taken.add(kept)
            lines.append(f"{kept} = {ast.unparse(value)}")
            bound[name] = ast.Name(kept, ast.Load())
        elif isinstance(statement, ast.Return) and statement.value is not None:
            return "\n".join(
                [*lines, ast.unparse(_InPlace(bound).visit(statement.value))]
            )
    raise AssertionError("a local function returns its expression")


def _is_constant(value: Value) -> bool:
    op = value.defining_op
    return op is not None and op.definition is CONST


class _InPlace(ast.NodeTransformer):
    """Writes each temporary's expression, and each parameter's node name,
    where it is read."""

    def __init__(self, bound: dict[str, ast.expr]) -> None:
        self.bound = bound

    def visit_Name(self, node: ast.Name) -> ast.expr:
        return self.bound.get(node.id, node)
