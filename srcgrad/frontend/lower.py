"""Lowers a function's AST to SSA IR.

Assignment simply rebinds a source name to an SSA value, so ``x = x * 2``
creates a new value with the name hint ``x`` and ``a, b = b, a`` creates
nothing at all. Everything outside the supported language stops here with
a ``SrcgradError`` that points at the construct.
"""

from __future__ import annotations

import ast
from typing import NoReturn

from srcgrad.errors import (
    CallError,
    DifferentiationError,
    NameResolutionError,
    SrcgradError,
    UnsupportedSyntaxError,
)
from srcgrad.frontend.arguments import bind_arguments, refuse_option_keywords
from srcgrad.frontend.constructs import describe
from srcgrad.frontend.resolve import (
    RULE_MODULES,
    Binding,
    ConstantBinding,
    GlobalBinding,
    ModuleBinding,
    OtherBinding,
    PrimitiveBinding,
    Resolver,
    classify_attribute,
)
from srcgrad.frontend.source import FunctionSource
from srcgrad.ir import Block, Builder, Function, Parameter, Region, Value
from srcgrad.primitives import PRIMITIVES, without_rule

#: A lowered expression: one value, or a (possibly nested) tuple of them.
Lowered = Value | tuple["Lowered", ...]

_BINARY = {
    ast.Add: "add",
    ast.Sub: "sub",
    ast.Mult: "mul",
    ast.Div: "div",
    ast.FloorDiv: "floordiv",
    ast.Pow: "pow",
}


def lower_function(source: FunctionSource, resolver: Resolver) -> Function:
    """Lower ``source`` to IR, resolving free names with ``resolver``.

    Raises:
        SrcgradError: the function uses a construct or a name srcgrad does
            not support; the message points at it.
    """
    return _Lowering(source, resolver).function()


class _Lowering:
    def __init__(self, source: FunctionSource, resolver: Resolver) -> None:
        self.source = source
        self.resolver = resolver
        self.locals = _assigned_names(source.node)
        self.env: dict[str, Lowered] = {}
        self.builder = Builder(Block())

    # -- errors -----------------------------------------------------------
    def fail(
        self, node: ast.AST, message: str, kind: type = UnsupportedSyntaxError
    ) -> NoReturn:
        raise kind(message, self.source.location(node))

    def unsupported(self, node: ast.AST, construct: ast.AST | None = None) -> NoReturn:
        self.fail(node, f"{describe(construct or node)} is not supported")

    # -- function ---------------------------------------------------------
    def function(self) -> Function:
        node = self.source.node
        self._refuse_generator(node)
        parameters = self._parameters(node.args)
        block = self.builder.block
        for parameter, argument in zip(
            parameters,
            node.args.posonlyargs + node.args.args + node.args.kwonlyargs,
            strict=True,
        ):
            value = Value(parameter.name, self.source.location(argument), block)
            block.arguments.append(value)
            self.env[parameter.name] = value
        body = node.body
        if body and _is_docstring(body[0]):
            body = body[1:]
        self._statements(body, node)
        location = self.source.location(node)
        return Function(node.name, parameters, Region([block]), location)

    def _refuse_generator(self, node: ast.FunctionDef) -> None:
        """A ``yield`` in the body (not in a nested scope) makes a generator."""
        yields: list[ast.expr] = []
        pending: list[ast.AST] = list(node.body)
        while pending:
            current = pending.pop()
            if isinstance(current, (ast.Yield, ast.YieldFrom)):
                yields.append(current)
            if not isinstance(current, (ast.FunctionDef, ast.Lambda, ast.ClassDef)):
                pending.extend(ast.iter_child_nodes(current))
        if yields:
            first = min(yields, key=lambda found: (found.lineno, found.col_offset))
            self.fail(
                first,
                f"{node.name} is a generator (it uses `yield`); srcgrad "
                "differentiates functions that return one number",
            )

    def _parameters(self, arguments: ast.arguments) -> list[Parameter]:
        for variadic, stars in ((arguments.vararg, "*"), (arguments.kwarg, "**")):
            if variadic is not None:
                self.fail(
                    variadic,
                    f"variadic parameter {variadic.arg!r} (`{stars}{variadic.arg}`) "
                    "is not supported; write out each parameter by name",
                )
        positional = arguments.posonlyargs + arguments.args
        defaults: list[ast.expr | None] = [None] * (
            len(positional) - len(arguments.defaults)
        )
        defaults += arguments.defaults
        only = len(arguments.posonlyargs)
        result = [
            Parameter(
                arg.arg,
                "positional_only" if index < only else "positional",
                _text(default),
            )
            for index, (arg, default) in enumerate(
                zip(positional, defaults, strict=True)
            )
        ]
        result += [
            Parameter(arg.arg, "keyword_only", _text(default))
            for arg, default in zip(
                arguments.kwonlyargs, arguments.kw_defaults, strict=True
            )
        ]
        return result

    # -- statements -------------------------------------------------------
    def _statements(self, body: list[ast.stmt], function: ast.FunctionDef) -> None:
        for position, statement in enumerate(body):
            with self.builder.at(self.source.location(statement)):
                if isinstance(statement, ast.Return):
                    if position != len(body) - 1:
                        self.fail(
                            body[position + 1], "code after `return` is not supported"
                        )
                    self._return(statement)
                    return
                self._statement(statement)
        self.fail(function, f"function {function.name!r} does not end in a `return`")

    def _statement(self, statement: ast.stmt) -> None:
        if isinstance(statement, ast.Assign):
            value = self._expression(statement.value)
            for target in statement.targets:
                self._bind(target, value)
        elif isinstance(statement, ast.AugAssign):
            if not isinstance(statement.target, ast.Name):
                self.unsupported(statement.target, statement.target)
            name = ast.Name(statement.target.id, ast.Load())
            ast.copy_location(name, statement.target)
            combined = ast.BinOp(name, statement.op, statement.value)
            ast.copy_location(combined, statement)
            self._bind(statement.target, self._expression(combined))
        elif isinstance(statement, ast.AnnAssign):
            if statement.value is not None:
                self._bind(statement.target, self._expression(statement.value))
        elif isinstance(statement, ast.Pass):
            pass
        elif isinstance(statement, ast.Expr):
            self.fail(statement, "an expression statement has no effect on the result")
        else:
            self.unsupported(statement)

    def _return(self, statement: ast.Return) -> None:
        if statement.value is None:
            self.fail(statement, "`return` without a value is not supported")
        lowered = self._expression(statement.value)
        if isinstance(lowered, tuple):
            values = [self._flat(item, statement.value) for item in lowered]
            self.builder.ret(values).attributes["tuple"] = True
        else:
            self.builder.ret([lowered])

    def _flat(self, item: Lowered, node: ast.AST) -> Value:
        if isinstance(item, tuple):
            self.fail(node, "returning nested tuples is not supported")
        return item

    def _bind(self, target: ast.expr, value: Lowered) -> None:
        if isinstance(target, ast.Name):
            if isinstance(value, Value) and value.name_hint is None:
                value.name_hint = target.id
            self.env[target.id] = value
        elif isinstance(target, (ast.Tuple, ast.List)):
            if not isinstance(value, tuple):
                self.fail(target, "cannot unpack a single number into several names")
            for element in target.elts:
                if isinstance(element, ast.Starred):
                    self.unsupported(element)
            if len(value) != len(target.elts):
                self.fail(
                    target,
                    f"cannot unpack {len(value)} values into {len(target.elts)} names",
                )
            for element, item in zip(target.elts, value, strict=True):
                self._bind(element, item)
        else:
            self.fail(target, f"assignment to a {describe(target)} is not supported")

    # -- expressions ------------------------------------------------------
    def _expression(self, node: ast.expr) -> Lowered:
        with self.builder.at(self.source.location(node)):
            if isinstance(node, ast.Tuple):
                return tuple(self._expression(element) for element in node.elts)
            return self._number(node)

    def _scalar(self, node: ast.expr) -> Value:
        lowered = self._expression(node)
        if isinstance(lowered, tuple):
            self.fail(node, "a tuple cannot be used as a number")
        return lowered

    def _number(self, node: ast.expr) -> Value:
        if isinstance(node, ast.Constant):
            return self._constant(node)
        if isinstance(node, ast.Name):
            return self._name(node)
        if isinstance(node, ast.Attribute):
            return self._value_of(self._reference(node), node)
        if isinstance(node, ast.BinOp):
            name = _BINARY.get(type(node.op))
            if name is None:
                self.unsupported(node, node.op)
            left, right = self._scalar(node.left), self._scalar(node.right)
            return self._apply(name, [left, right])
        if isinstance(node, ast.UnaryOp):
            operand = self._scalar(node.operand)
            if isinstance(node.op, ast.UAdd):
                return operand
            if not isinstance(node.op, ast.USub):
                self.unsupported(node, node.op)
            return self._apply("neg", [operand])
        if isinstance(node, ast.Call):
            return self._call(node)
        self.unsupported(node)

    def _apply(
        self, name: str, operands: list[Value], namespace: str = "operator"
    ) -> Value:
        op = self.builder.create(PRIMITIVES[name], operands, {"namespace": namespace})
        return op.result

    def _constant(self, node: ast.Constant) -> Value:
        value = node.value
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.fail(node, f"constant {value!r} is not a number srcgrad supports")
        return self.builder.const(value)

    def _name(self, node: ast.Name) -> Value:
        if node.id in self.locals or node.id in self.env:
            if node.id not in self.env:
                self.fail(
                    node, f"local variable {node.id!r} is used before it is assigned"
                )
            found = self.env[node.id]
            if isinstance(found, tuple):
                self.fail(
                    node, f"{node.id!r} holds a tuple, which cannot be used as a number"
                )
            return found
        return self._value_of(self._reference(node), node)

    def _reference(self, node: ast.expr) -> Binding:
        """Resolve a free name or a ``module.attribute`` chain."""
        if isinstance(node, ast.Name):
            if node.id in self.locals or node.id in self.env:
                self.fail(node, f"local variable {node.id!r} is not a function")
            binding = self.resolver.resolve(node.id)
            if binding is None:
                self.fail(node, f"name {node.id!r} is not defined", NameResolutionError)
            return binding
        if isinstance(node, ast.Attribute):
            if isinstance(node.value, ast.Name) and node.value.id in self.locals:
                self.fail(node, "attribute access on a value is not supported")
            base = self._reference(node.value)
            if isinstance(base, OtherBinding):
                self.fail(
                    node,
                    f"{ast.unparse(node)}: {base.description}",
                    NameResolutionError,
                )
            if isinstance(base, GlobalBinding):
                self.fail(
                    node, f"attribute access on {base.description} is not supported"
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

    def _value_of(self, binding: Binding, node: ast.expr) -> Value:
        if isinstance(binding, ConstantBinding):
            return self.builder.const(binding.value)
        if isinstance(binding, GlobalBinding):
            if not binding.is_value:
                self.fail(node, f"{binding.description} cannot be used as a number")
            return self.builder.read_global(binding.name, closure=binding.closure)
        if isinstance(binding, ModuleBinding):
            self.fail(
                node, f"module {binding.module.__name__!r} cannot be used as a number"
            )
        if isinstance(binding, PrimitiveBinding):
            self.fail(node, f"function {binding.display} must be called")
        self.fail(node, f"{binding.description} is not supported", NameResolutionError)

    # -- calls ------------------------------------------------------------
    def _from_rule_module(self, node: ast.expr) -> bool:
        """Whether ``node`` is ``module.name`` of a module srcgrad has rules for."""
        return (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, (ast.Name, ast.Attribute))
            and isinstance(self._reference(node.value), ModuleBinding)
        )

    def _call_without_rule(self, node: ast.Call, function: str) -> Value:
        """A call to a math/NumPy function with no rule, e.g. ``math.lgamma``.

        Lowered as an op without rules: fine where it does not depend on
        ``wrt``, refused by reverse mode where it does.
        """
        if node.keywords or any(isinstance(a, ast.Starred) for a in node.args):
            self.fail(node, f"only positional arguments to {function} are supported")
        module, _, name = function.rpartition(".")
        args = [self._scalar(argument) for argument in node.args]
        namespace = RULE_MODULES[module]
        primitive = without_rule(namespace, name, len(args))
        written = ast.unparse(node.func)
        display = (
            written
            if written.endswith(f".{name}")
            else (f"{function} (called as {written})")
        )
        attributes = {"namespace": namespace, "display": display}
        with self.builder.at(self.source.location(node.func)):
            return self.builder.create(primitive, args, attributes).result

    def _call(self, node: ast.Call) -> Value:
        callee = self._reference(node.func)
        if isinstance(callee, OtherBinding) and callee.no_rule_for:
            return self._call_without_rule(node, callee.no_rule_for)
        if isinstance(callee, OtherBinding) and self._from_rule_module(node.func):
            named = (
                ast.unparse(node.func)
                if self._from_rule_module(node.func)
                else f"{callee.no_rule_for} (called as {ast.unparse(node.func)})"
            )
            self.fail(
                node.func,
                f"no derivative rule for {named}; srcgrad "
                "differentiates the math and NumPy functions it has rules for "
                "(listed in the reference)",
                DifferentiationError,
            )
        if not isinstance(callee, PrimitiveBinding):
            what = getattr(callee, "description", None) or getattr(
                callee, "display", ""
            )
            self.fail(
                node.func,
                f"call to {what or ast.unparse(node.func)} is not supported; srcgrad "
                "differentiates calls only to the math and NumPy functions it has "
                "derivative rules for",
            )
        for argument in node.args:
            if isinstance(argument, ast.Starred):
                self.unsupported(argument)
        for keyword in node.keywords:
            if keyword.arg is None:
                self.fail(keyword.value, "`**` arguments are not supported")
        try:
            refuse_option_keywords(
                callee, [keyword.arg for keyword in node.keywords if keyword.arg]
            )
        except SrcgradError as error:
            self.fail(node, error.message, type(error))
        args = [self._scalar(argument) for argument in node.args]
        keywords = {
            keyword.arg: self._scalar(keyword.value) for keyword in node.keywords
        }
        if callee.primitive.name == "log" and callee.namespace == "math":
            if len(args) + len(keywords) > 2 or keywords:
                self.fail(node, "math.log takes 1 or 2 positional arguments", CallError)
            if len(args) == 2:
                # math.log(x, base) is log(x) / log(base).
                logs = [self._apply("log", [arg], "math") for arg in args]
                return self._apply("div", logs)
        try:
            operands = bind_arguments(callee, args, keywords)  # type: ignore[arg-type]
        except SrcgradError as error:
            self.fail(node, error.message, type(error))
        return self._apply(callee.primitive.name, operands, callee.namespace)


def _assigned_names(function: ast.FunctionDef) -> set[str]:
    """Names Python treats as local: every name bound in the function body."""
    names = {arg.arg for arg in ast.walk(function.args) if isinstance(arg, ast.arg)}
    for node in ast.walk(function):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
    return names


def _is_docstring(statement: ast.stmt) -> bool:
    return (
        isinstance(statement, ast.Expr)
        and isinstance(statement.value, ast.Constant)
        and isinstance(statement.value.value, str)
    )


def _text(node: ast.expr | None) -> str | None:
    return None if node is None else ast.unparse(node)
