"""Lowering expressions: names, constants, arithmetic, comparisons, and the
expressions that branch (``and``, ``or``, ``a if c else b``).

An expression that branches becomes an ``if`` op whose branches each lower
their own operand, so only the operand Python would evaluate is evaluated:
``x != 0 and 1 / x > 2`` never divides by zero.
"""

from __future__ import annotations

import ast
from collections.abc import Sequence
from dataclasses import replace
from types import ModuleType

from srcgrad.errors import NameResolutionError
from srcgrad.frontend.arrays import ArrayLowering
from srcgrad.frontend.environment import Lowered, MaybeUndefined
from srcgrad.frontend.resolve import (
    Binding,
    BuiltinBinding,
    ConstantBinding,
    FunctionBinding,
    GlobalBinding,
    ModuleBinding,
    OtherBinding,
    PrimitiveBinding,
    classify_attribute,
    classify_variable,
)
from srcgrad.ir import IF, Block, Value
from srcgrad.primitives import PRIMITIVES
from srcgrad.primitives.lists import LIST
from srcgrad.primitives.logic import COMPARISONS, NOT

_BINARY = {
    ast.Add: "add",
    ast.Sub: "sub",
    ast.Mult: "mul",
    ast.Div: "div",
    ast.FloorDiv: "floordiv",
    ast.Mod: "mod",
    ast.Pow: "pow",
    ast.MatMult: "matmul",
    # Logical of booleans (masks); type inference refuses other operands.
    ast.BitAnd: "and",
    ast.BitOr: "or",
    ast.BitXor: "xor",
}


class ExpressionLowering(ArrayLowering):
    """Lowers expressions to values in the current block."""

    locals: set[str]

    def _call(self, node: ast.Call) -> Value:
        raise NotImplementedError

    def _call_lowered(self, node: ast.Call) -> Lowered:
        raise NotImplementedError

    def _expression(self, node: ast.expr) -> Lowered:
        if isinstance(node, ast.Name) and node.id in self.env:
            return self._local(node)  # builds nothing: no location needed
        with self.builder.at(self.location(node)):
            if isinstance(node, ast.Tuple):
                return tuple(self._expression(element) for element in node.elts)
            if isinstance(node, ast.IfExp):
                return self._conditional(node)
            if isinstance(node, ast.Call):
                return self._call_lowered(node)
            if isinstance(node, ast.Subscript):
                return self._subscript(node)
            if isinstance(node, ast.List):
                return self._list(node)
            if isinstance(node, ast.ListComp):
                return self._comprehension(node)
            return self._number(node)

    def _list(self, node: ast.List) -> Value:
        """``[a, b]``: a list the function may append to (``[]`` too)."""
        items = []
        for element in node.elts:
            if isinstance(element, ast.Starred):
                self.unsupported(element)
            item = self._expression(element)
            if isinstance(item, tuple):
                self.fail(element, "a list of tuples is not supported")
            items.append(item)
        return self.builder.create(LIST, items, {"namespace": "list"}).result

    def _scalar(self, node: ast.expr) -> Value:
        lowered = self._expression(node)
        if isinstance(lowered, tuple):
            self.fail(node, "a tuple cannot be used as a number")
        return lowered

    def _items(self, node: ast.expr) -> list[Lowered] | None:
        """The items of a tuple or list written out (or a name holding one)."""
        if isinstance(node, (ast.Tuple, ast.List)):
            for element in node.elts:
                if isinstance(element, ast.Starred):
                    self.unsupported(element)
            return [self._expression(element) for element in node.elts]
        if isinstance(node, ast.Name) and node.id in self.env:
            found = self._expression(node)
            return list(found) if isinstance(found, tuple) else None
        return None

    def _number(self, node: ast.expr) -> Value:
        if isinstance(node, ast.Constant):
            return self._constant(node)
        if isinstance(node, ast.Name):
            return self._name(node)
        if isinstance(node, ast.Attribute):
            found = self._array_attribute(node)
            if found is not None:
                return found
            return self._value_of(self._reference(node), node)
        if isinstance(node, ast.BinOp):
            name = _BINARY.get(type(node.op))
            if name is None:
                self.unsupported(node, node.op)
            left, right = self._scalar(node.left), self._scalar(node.right)
            return self._apply(name, [left, right])
        if isinstance(node, ast.UnaryOp):
            return self._unary(node)
        if isinstance(node, ast.Call):
            return self._call(node)
        if isinstance(node, ast.Compare):
            return self._compare(node)
        if isinstance(node, ast.BoolOp):
            return self._short_circuit(type(node.op), node.values)
        self.unsupported(node)

    def _apply(
        self, name: str, operands: list[Value], namespace: str = "operator"
    ) -> Value:
        op = self.builder.create(PRIMITIVES[name], operands, {"namespace": namespace})
        return op.result

    def _constant(self, node: ast.Constant) -> Value:
        value = node.value
        if not isinstance(value, (bool, int, float)):
            self.fail(node, f"constant {value!r} is not a number srcgrad supports")
        return self.builder.const(value)

    def _unary(self, node: ast.UnaryOp) -> Value:
        operand = self._scalar(node.operand)
        if isinstance(node.op, ast.UAdd):
            return operand
        if isinstance(node.op, ast.Not):
            return self.builder.create(NOT, [operand], {"namespace": "operator"}).result
        if isinstance(node.op, ast.Invert):  # of masks; types refuse the rest
            return self._apply("invert", [operand])
        if not isinstance(node.op, ast.USub):
            self.unsupported(node, node.op)
        return self._apply("neg", [operand])

    # -- branching expressions -----------------------------------------------
    def _conditional(self, node: ast.IfExp) -> Lowered:
        """``a if c else b``; of two tuples of one length, a tuple
        (``a, b = (b, a) if c else (a, b)``), as an ``if`` statement."""
        condition = self._scalar(node.test)
        known = self.known_truth(condition)
        if known is not None:
            return self._expression(node.body if known else node.orelse)
        body, orelse = node.body, node.orelse
        if isinstance(body, ast.Tuple) and isinstance(orelse, ast.Tuple):
            return self._conditional_tuple(condition, body, orelse, node)
        return self.select(
            condition,
            lambda: self._scalar(node.body),
            lambda: self._scalar(node.orelse),
            "ternary",
        )

    def _conditional_tuple(
        self, condition: Value, body: ast.Tuple, orelse: ast.Tuple, node: ast.IfExp
    ) -> tuple[Value, ...]:
        if len(body.elts) != len(orelse.elts):
            self.fail(
                node,
                "a conditional expression of two tuples of different lengths "
                "(each side must give as many values)",
            )
        with self.in_block(Block()) as then_block:
            chosen = [self._scalar(element) for element in body.elts]
        with self.in_block(Block()) as else_block:
            other = [self._scalar(element) for element in orelse.elts]
        values = [self.result(None) for _ in chosen]
        self.end_block(then_block, chosen)
        self.end_block(else_block, other)
        self.structured(IF, [condition], [then_block, else_block], values)
        return tuple(values)

    def _compare(self, node: ast.Compare) -> Value:
        for operator in node.ops:
            if type(operator).__name__ not in COMPARISONS:
                self.unsupported(node, operator)
        return self._chain(self._scalar(node.left), node.ops, node.comparators)

    def _chain(
        self, left: Value, operators: Sequence[ast.cmpop], operands: Sequence[ast.expr]
    ) -> Value:
        """``left < b < c``: ``left < b and b < c``, ``b`` evaluated once."""
        right = self._scalar(operands[0])
        primitive = COMPARISONS[type(operators[0]).__name__]
        test = self.builder.create(
            primitive, [left, right], {"namespace": "operator"}
        ).result
        if len(operators) == 1:
            return test
        return self.select(
            test,
            lambda: self._chain(right, operators[1:], operands[1:]),
            lambda: test,
            "and",
        )

    def _short_circuit(self, kind: type[ast.boolop], values: list[ast.expr]) -> Value:
        """``a and b`` is ``b if a else a``; ``a or b`` is ``a if a else b``."""
        first = self._scalar(values[0])
        if len(values) == 1:
            return first

        def rest() -> Value:
            return self._short_circuit(kind, values[1:])

        if kind is ast.And:
            return self.select(first, rest, lambda: first, "and")
        return self.select(first, lambda: first, rest, "or")

    # -- names ---------------------------------------------------------------
    def _local(self, node: ast.Name) -> Lowered:
        found = self.env.get(node.id)
        if isinstance(found, MaybeUndefined):
            self.fail(node, found.message(node.id), NameResolutionError)
        if not isinstance(found, (Value, tuple)):
            self.fail(node, f"local variable {node.id!r} is used before it is assigned")
        return found

    def _name(self, node: ast.Name) -> Value:
        if node.id in self.nested_nodes and node.id not in self.env:
            self.fail(
                node,
                f"`{node.id}` is a function: srcgrad supports calling it, not "
                "using it as a value",
            )
        if node.id in self.locals or node.id in self.env:
            found = self._local(node)
            if isinstance(found, tuple):
                self.fail(
                    node, f"{node.id!r} holds a tuple, which cannot be used as a number"
                )
            return found
        return self._value_of(self._reference(node), node)

    def _reference(self, node: ast.expr) -> Binding:
        """Resolve a free name or a ``module.attribute`` chain."""
        if isinstance(node, ast.Name):
            return self._free_name(node)
        if isinstance(node, ast.Attribute):
            self._refuse_attribute_of_value(node)
            base = self._reference(node.value)
            function = self._module_function(node, base)
            if function is not None:
                return function
            if isinstance(base, OtherBinding):
                self.fail(
                    node,
                    f"{ast.unparse(node)}: {base.description}"
                    + _submodule_hint(node, base),
                    NameResolutionError,
                )
            if isinstance(base, GlobalBinding):
                self.fail(
                    node,
                    f"attribute access on {base.description} is not supported (nor "
                    "are an object's methods); pass the numbers it holds as "
                    "arguments, to a function defined with `def`",
                )
            if not isinstance(base, ModuleBinding):
                self.fail(node, "attribute access is not supported")
            found = classify_attribute(base, node.attr)
            if found is None:
                self.fail(
                    node,
                    f"module {base.module.__name__!r} has no attribute {node.attr!r}",
                    NameResolutionError,
                )
            return found
        self.unsupported(node)

    def _refuse_attribute_of_value(self, node: ast.Attribute) -> None:
        """``x.real`` or ``f(x).real``: srcgrad reads attributes of modules."""
        if isinstance(node.value, ast.Name) and node.value.id in self.locals:
            self.fail(
                node,
                "attribute access on a value is not supported (nor are its "
                "methods); write the computation with operators, math "
                "functions or a function of your own that takes the numbers",
            )
        if not isinstance(node.value, (ast.Name, ast.Attribute)):
            self.fail(node, _computed_attribute(node))

    def _module_function(
        self, node: ast.Attribute, base: Binding
    ) -> FunctionBinding | None:
        """``helpers.smooth`` for a module of the user's and a function of it."""
        module = base.module if isinstance(base, OtherBinding) else None
        if module is None or not isinstance(node.value, ast.Name):
            return None
        found = classify_variable(node.attr, getattr(module, node.attr, None))
        if not isinstance(found, FunctionBinding):
            return None
        return replace(found, module=node.value.id)

    def _free_name(self, node: ast.Name) -> Binding:
        """What a name that is not a local value refers to."""
        if node.id in self.nested_nodes and node.id not in self.env:
            return self.function_named(node.id)
        if node.id in self.locals or node.id in self.env:
            arguments = self.source.node.args
            every = [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]
            if node.id in {argument.arg for argument in every}:
                self.fail(
                    node,
                    f"parameter {node.id!r} is called here: functions passed as "
                    "arguments are not supported, srcgrad reads which function "
                    "a call calls from its name; call that function by its name",
                )
            self.fail(
                node,
                f"local variable {node.id!r} is not a function; srcgrad calls "
                "functions by name",
            )
        binding = self.resolver.resolve(node.id)
        if binding is None:
            self.fail(node, f"name {node.id!r} is not defined", NameResolutionError)
        return binding

    def _value_of(self, binding: Binding, node: ast.expr) -> Value:
        if isinstance(binding, ConstantBinding):
            return self.builder.const(binding.value)
        if isinstance(binding, GlobalBinding):
            if not binding.is_value:
                self.fail(node, f"{binding.description} cannot be used as a number")
            scope = self.unit.scope.attributes(binding.closure)
            return self.builder.read_global(
                binding.name, closure=binding.closure, scope=scope
            )
        if isinstance(binding, ModuleBinding):
            self.fail(
                node, f"module {binding.module.__name__!r} cannot be used as a number"
            )
        if isinstance(binding, (PrimitiveBinding, BuiltinBinding)):
            self.fail(node, f"function {binding.display} must be called")
        if isinstance(binding, FunctionBinding):
            self.fail(
                node,
                f"{binding.description} is a function: srcgrad supports calling "
                "it, not using it as a value",
            )
        self.fail(node, f"{binding.description} is not supported", NameResolutionError)


def _submodule_hint(node: ast.Attribute, base: OtherBinding) -> str:
    """How to call into ``package.sub``, a module of a module of the user's:
    srcgrad follows one module to its functions, not a chain of them."""
    inner = getattr(base.module, node.attr, None)
    if base.module is None or not isinstance(inner, ModuleType):
        return ""
    return (
        f"; srcgrad calls functions of a module named directly: write "
        f"`from {base.module.__name__} import {node.attr}` at the top of the "
        f"file and call `{node.attr}.<function>(...)`"
    )


def _computed_attribute(node: ast.Attribute) -> str:
    """Why ``(expression).name`` is refused, and what to write instead."""
    message = (
        f"attribute `.{node.attr}` of a computed value "
        f"(`{ast.unparse(node.value)}`) is not supported"
    )
    if node.attr in ("real", "imag", "conjugate"):
        return (
            f"{message}: complex values are not supported, srcgrad "
            "differentiates real functions of real numbers; compute with real "
            "numbers (math or NumPy functions, not cmath)"
        )
    return (
        f"{message}: srcgrad reads attributes of modules only (`math.pi`); "
        "write the computation with operators and functions of numbers"
    )
