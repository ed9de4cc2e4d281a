"""Lowering calls: primitives, functions without rules, and the builtins the
frontend lowers itself.

``max(a, b)`` is ``b if b > a else a`` (Python keeps the first of equal
maxima, and compares each new argument with the best so far), folded left
for more arguments; ``min`` likewise with ``<``. ``sum`` of a tuple written
out is one op over its items (``sum((a, b), start)``); ``sum`` of a
sequence passed in is another. ``round(x, n)`` is its own op, ``len`` an
op on a sequence.
"""

from __future__ import annotations

import ast
from typing import NoReturn

from srcgrad.errors import (
    CallError,
    DifferentiationError,
    NameResolutionError,
    SrcgradError,
)
from srcgrad.frontend.arguments import bind_arguments, refuse_option_keywords
from srcgrad.frontend.environment import Lowered
from srcgrad.frontend.idioms import IdiomLowering
from srcgrad.frontend.resolve import (
    RULE_MODULES,
    BuiltinBinding,
    FunctionBinding,
    GlobalBinding,
    ModuleBinding,
    OtherBinding,
    PrimitiveBinding,
)
from srcgrad.ir import GLOBAL, Value
from srcgrad.primitives import without_rule
from srcgrad.primitives.custom_rules import CUSTOM_CALL
from srcgrad.primitives.iteration import LEN, ROUND_DIGITS, SUM, SUM_OF
from srcgrad.primitives.lists import made_list
from srcgrad.primitives.logic import GT, LT
from srcgrad.primitives.numpy_linalg import LOG_ABS_DET, SIGN_OF_DET
from srcgrad.primitives.selection import CLIP

_BUILTINS = {"namespace": "builtins"}


class CallLowering(IdiomLowering):
    """Lowers calls to the functions srcgrad knows."""

    def _user_call(self, node: ast.Call, binding: FunctionBinding) -> Lowered:
        raise NotImplementedError

    def _call_lowered(self, node: ast.Call) -> Lowered:
        """A call: a user function's may return a tuple, any other a number."""
        method = self._method_call(node)
        if method is not None:
            return method
        if isinstance(node.func, (ast.Name, ast.Attribute)):
            callee = self._reference(node.func)
            if isinstance(callee, FunctionBinding):
                return self._user_call(node, callee)
            if isinstance(callee, PrimitiveBinding) and callee.primitive is LOG_ABS_DET:
                return self._slogdet(node, callee)
        return self._call(node)

    def _slogdet(self, node: ast.Call, callee: PrimitiveBinding) -> Lowered:
        """``np.linalg.slogdet(A)``: the pair (sign, log|det A|), one op each
        (``np.linalg.slogdet(A)[0]`` and ``[1]``): a gradient needs only the
        second, and most code only uses it."""
        if len(node.args) != 1 or node.keywords:
            self.fail(node, f"{ast.unparse(node.func)} takes one matrix", CallError)
        matrix = self._scalar(node.args[0])
        attributes = {"namespace": callee.namespace}
        sign = self.builder.create(SIGN_OF_DET, [matrix], attributes).result
        log = self.builder.create(LOG_ABS_DET, [matrix], dict(attributes)).result
        return (sign, log)

    def _call(self, node: ast.Call) -> Value:
        method = self._method_call(node)
        if method is not None:
            return method
        if isinstance(node.func, ast.Subscript):
            self.fail(
                node.func,
                f"call of a function computed by `{ast.unparse(node.func)}` is "
                "not supported: srcgrad reads which function a call calls from "
                "its name; call the function by its name (`g(x)`)",
            )
        callee = self._reference(node.func)
        if isinstance(callee, FunctionBinding):  # returning a number here
            return self._number_item(self._user_call(node, callee), node)
        if isinstance(callee, BuiltinBinding):
            return self._builtin(callee, node)
        if isinstance(callee, OtherBinding) and callee.no_rule_for:
            idiom = self._idiom(node, callee.no_rule_for)
            if idiom is not None:
                return idiom
            return self._call_without_rule(node, callee.no_rule_for)
        if isinstance(callee, OtherBinding) and self._from_rule_module(node.func):
            self.fail(
                node.func,
                f"no derivative rule for {ast.unparse(node.func)}; srcgrad "
                "differentiates the math and NumPy functions it has rules for "
                "(listed in the reference)",
                DifferentiationError,
            )
        if isinstance(callee, GlobalBinding) and callee.custom:
            return self._custom_call(node, callee)
        if not isinstance(callee, PrimitiveBinding):
            self._refuse_call(node, callee)
        self._refuse_unpacking(node)
        if callee.primitive is LOG_ABS_DET:  # a pair, not a number
            self.fail(node, f"{ast.unparse(node)} is a pair (sign, log|det|)")
        if (
            callee.primitive.options
            or callee.primitive is CLIP
            or _array_function(callee)
        ):
            return self._options_call(node, callee)
        try:
            refuse_option_keywords(
                callee, [keyword.arg for keyword in node.keywords if keyword.arg]
            )
        except SrcgradError as error:
            self.fail(node, error.message, type(error))
        if callee.primitive.name == "float" and _text_argument(node):
            return self._float_of_text(node)
        args = [self._scalar(argument) for argument in node.args]
        keywords = {
            str(keyword.arg): self._scalar(keyword.value) for keyword in node.keywords
        }
        name, namespace = callee.primitive.name, callee.namespace
        if name == "log" and namespace == "math":
            if len(args) + len(keywords) > 2 or keywords:
                self.fail(node, "math.log takes 1 or 2 positional arguments", CallError)
            if len(args) == 2:
                # math.log(x, base) is log(x) / log(base).
                logs = [self._apply("log", [arg], "math") for arg in args]
                return self._apply("div", logs)
        if name == "round" and namespace == "builtins":
            digits = keywords.pop("ndigits", None)
            if digits is not None:
                args.append(digits)
            if len(args) == 2 and not keywords:
                return self.builder.create(ROUND_DIGITS, args, _BUILTINS).result
        try:
            operands = bind_arguments(callee, args, keywords)
        except SrcgradError as error:
            self.fail(node, error.message, type(error))
        return self._apply(name, operands, namespace)

    def _float_of_text(self, node: ast.Call) -> Value:
        """``float("inf")``, ``float("nan")``, ``float("1e-3")``: a constant."""
        text = node.args[0].value  # type: ignore[attr-defined]
        try:
            return self.builder.const(float(text))
        except ValueError:
            self.fail(node, f"float({text!r}) raises ValueError", CallError)

    def _custom_call(self, node: ast.Call, callee: GlobalBinding) -> Value:
        """``f(x, y)`` for ``f`` with a rule of the user's: a ``custom_call``
        of the object ``f`` holds when the code runs (``srcgrad.custom``)."""
        if node.keywords or any(isinstance(a, ast.Starred) for a in node.args):
            self.fail(
                node,
                f"{callee.description} takes its arguments by position, as its "
                "rule does",
                CallError,
            )
        args = [self._scalar(argument) for argument in node.args]
        scope = self.unit.scope.attributes(callee.closure)
        with self.builder.at(self.location(node)):
            function = self.builder.read_global(
                callee.name, closure=callee.closure, scope=scope
            )
            # a function, not an input: never checked to be a number
            read = function.defining_op
            assert read is not None
            read.attributes["custom"] = True
            attributes = {"namespace": "custom", "display": callee.name}
            call = self.builder.create(CUSTOM_CALL, [function, *args], attributes)
        return call.result

    def _refuse_call(self, node: ast.Call, callee: object) -> NoReturn:
        reason = getattr(callee, "if_called", None)
        if reason is not None:
            what = getattr(callee, "description", "")
            self.fail(node.func, f"call to {what}: {reason}", NameResolutionError)
        what = getattr(callee, "description", None) or getattr(callee, "display", "")
        self.fail(
            node.func,
            f"call to {what or ast.unparse(node.func)} is not supported; srcgrad "
            "reads and differentiates calls to Python functions defined with "
            "`def` or `lambda` (in this module, another one or this function) "
            "and to the math and NumPy functions it has derivative rules for: "
            "write the computation as such a function",
        )

    def _refuse_unpacking(self, node: ast.Call) -> None:
        for argument in node.args:
            if isinstance(argument, ast.Starred):
                self.unsupported(argument)
        for keyword in node.keywords:
            if keyword.arg is None:
                self.fail(keyword.value, "`**` arguments are not supported")

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
        with self.builder.at(self.location(node.func)):
            return self.builder.create(primitive, args, attributes).result

    # -- builtins the frontend lowers ----------------------------------------
    def _builtin(self, callee: BuiltinBinding, node: ast.Call) -> Value:
        self._refuse_unpacking(node)
        name = callee.name
        if name in ("max", "min"):
            return self._extreme(name, node)
        if name == "sum":
            return self._sum(node)
        if name == "len":
            self._arguments(node, callee.display, 1, 1)
            items = self._items(node.args[0])
            if items is not None:
                return self.builder.const(len(items))
            sequence = self._scalar(node.args[0])
            return self.builder.create(LEN, [sequence], _BUILTINS).result
        self.fail(
            node,
            f"{callee.display}(...) is supported only as what a `for` loop "
            "iterates over",
        )

    def _arguments(
        self,
        node: ast.Call,
        display: str,
        least: int,
        most: int | None,
        *keywords: str,
    ) -> None:
        """Check the count of positional arguments (``most`` None: no limit)
        and the names of the keywords."""
        for keyword in node.keywords:
            if keyword.arg not in keywords:
                self.fail(
                    node,
                    f"keyword argument {keyword.arg!r} of {display} is not supported",
                )
        count = len(node.args)
        if least <= count and (most is None or count <= most):
            return
        if most is None:
            expected = f"at least {least}"
        else:
            expected = str(least) if least == most else f"{least} to {most}"
        plural = "" if expected.endswith(" 1") or expected == "1" else "s"
        self.fail(
            node, f"{display} takes {expected} argument{plural}, got {count}", CallError
        )

    def _extreme(self, name: str, node: ast.Call) -> Value:
        """``max``/``min`` of numbers, as Python picks them."""
        self._arguments(node, name, 1, None)
        items: list[Lowered] | None
        if len(node.args) == 1:
            items = self._items(node.args[0])
            if items is None:
                self.fail(node, self._one_argument(name, node.args[0]))
        else:
            items = [self._expression(argument) for argument in node.args]
        if not items:
            self.fail(node, f"{name} of no values", CallError)
        numbers = [self._number_item(item, node) for item in items]
        best = numbers[0]
        comparison = GT if name == "max" else LT
        for item in numbers[1:]:
            better = self.builder.create(
                comparison, [item, best], {"namespace": "operator"}
            )
            best = self.select(
                better.result,
                lambda item=item: item,  # type: ignore[misc]
                lambda best=best: best,  # type: ignore[misc]
                name,
            )
        return best

    def _one_argument(self, name: str, argument: ast.expr) -> str:
        """Why ``max(x)`` is refused: Python takes the largest item of ``x``.

        A value computed here is a number, which Python refuses too; a
        parameter or global may be a sequence, which srcgrad does not take
        the max of.
        """
        text = ast.unparse(argument)
        largest = "largest" if name == "max" else "smallest"
        instead = (
            f"write {name}(a, b, ...) of numbers, or {name} of a tuple written out"
        )
        not_iterable = (
            "a number is not iterable (Python raises TypeError: 'float' object "
            "is not iterable)"
        )
        lowered = self._expression(argument)
        op = lowered.defining_op if isinstance(lowered, Value) else None
        if isinstance(lowered, Value) and made_list(lowered):
            return (
                f"{name}({text}) of a list the function makes is not supported; "
                f"write np.{name}(np.array({text})), or {name}(a, b, ...)"
            )
        if op is not None and op.definition is not GLOBAL:
            return (
                f"{name}({text}) of one number: {name} of one argument takes "
                f"the {largest} item of it, and {not_iterable}; {instead}"
            )
        return (
            f"{name}({text}) of one argument takes the {largest} item of {text}: "
            f"{not_iterable}, and {name} of a sequence passed in is not "
            f"supported; {instead}"
        )

    def _number_item(self, item: Lowered, node: ast.AST) -> Value:
        if isinstance(item, tuple):
            self.fail(node, "a tuple cannot be used as a number")
        return item

    def _sum(self, node: ast.Call) -> Value:
        """``sum(values[, start])``: added in Python's order from ``start``."""
        self._arguments(node, "sum", 1, 2, "start")
        start_node = node.args[1] if len(node.args) == 2 else None
        for keyword in node.keywords:
            if start_node is not None:
                self.fail(node, "sum got its start twice", CallError)
            start_node = keyword.value
        items = self._items(node.args[0])
        if items is None:
            argument = node.args[0]
            if isinstance(argument, ast.GeneratorExp):  # read once, in order
                sequence = self._comprehension(argument)
            else:
                sequence = self._scalar(argument)
            operands = [sequence]
            if start_node is not None:
                operands.append(self._scalar(start_node))
            return self.builder.create(SUM, operands, _BUILTINS).result
        start = self._scalar(start_node) if start_node else self.builder.const(0)
        operands = [start] + [self._number_item(item, node) for item in items]
        return self.builder.create(SUM_OF, operands, _BUILTINS).result


def _array_function(callee: PrimitiveBinding) -> bool:
    """A NumPy function of arrays that is not elementwise (``np.reshape``,
    ``np.hstack``): it may take a shape or a list written out."""
    return callee.namespace == "numpy" and not callee.primitive.broadcasts


def _text_argument(node: ast.Call) -> bool:
    """``node`` is a call of one argument, a string written out."""
    return (
        len(node.args) == 1
        and not node.keywords
        and isinstance(node.args[0], ast.Constant)
        and isinstance(node.args[0].value, str)
    )
