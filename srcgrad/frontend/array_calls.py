"""Lowering calls of NumPy functions and methods that take options:
``np.mean(x, axis=-1, keepdims=True)``, ``np.var(x, 0, ddof=1)``,
``x.reshape(2, -1)``, ``np.concatenate([a, b], axis=1)``, ``np.array([a,
b])``, and the bounds of ``np.clip``.

Options (``axis``, ``keepdims``) must be literals: they fix the shape of
every value, which the gradient is built for. They are passed by keyword,
or by position in the order NumPy takes them (``Primitive.positional``),
where an argument srcgrad has no option for (``dtype``, ``out``) may only
be None. A shape written out
(``(n, 3)``) is one tuple operand; the sizes in it that are literals are
also kept as the op's attribute ``dims``, so the shapes of values made
from it are known when the gradient is built.
"""

from __future__ import annotations

import ast
import functools

from srcgrad.errors import CallError
from srcgrad.frontend.environment import Lowered
from srcgrad.frontend.resolve import PrimitiveBinding
from srcgrad.frontend.state import LoweringState
from srcgrad.ir import PACK, Value
from srcgrad.ir.types import TypeRuleError
from srcgrad.primitives import PRIMITIVES, Primitive
from srcgrad.primitives.broadcasting import BROADCAST_TO
from srcgrad.primitives.creation import ARRAY, ASARRAY, FULL, ONES, ZEROS
from srcgrad.primitives.einsum import EINSUM, parse_subscripts
from srcgrad.primitives.joining import STACK
from srcgrad.primitives.list_sums import STACK_LIST
from srcgrad.primitives.reshaping import RESHAPE
from srcgrad.primitives.selection import CLIP

#: Which operand is a shape whose literal sizes the op keeps (``dims``).
_SHAPE_OPERANDS = {RESHAPE: 1, BROADCAST_TO: 1}
#: Methods that take a tuple's items as arguments of their own:
#: ``x.reshape(2, 3)`` is ``x.reshape((2, 3))``.
_UNPACKED_METHODS = frozenset({"reshape", "transpose"})
#: The keywords of ``np.clip``'s bounds, and which bound each names; the
#: method ``x.clip`` takes ``min`` and ``max`` only.
_CLIP_KEYWORDS = {"a_min": "lo", "min": "lo", "a_max": "hi", "max": "hi"}


@functools.cache
def on_values(namespace: str) -> dict[str, Primitive]:
    """The primitives written as an attribute or a method of a value, by name."""
    found: dict[str, Primitive] = {}
    for primitive in PRIMITIVES.values():
        spelling = primitive.spelling(namespace)
        if spelling is not None:
            for name in spelling.names:
                found.setdefault(name, primitive)
    return found


class ArrayCallLowering(LoweringState):
    """Lowers calls of array functions and methods, with their options."""

    def _scalar(self, node: ast.expr) -> Value:
        raise NotImplementedError

    def _expression(self, node: ast.expr) -> Lowered:
        raise NotImplementedError

    def _items(self, node: ast.expr) -> list[Lowered] | None:
        raise NotImplementedError

    def _is_value(self, node: ast.expr) -> bool:
        raise NotImplementedError

    def _method_call(self, node: ast.Call) -> Value | None:
        """``x.sum(axis=0)``, ``x.dot(y)``; None if ``node`` is no method call."""
        function = node.func
        if not isinstance(function, ast.Attribute) or not self._is_value(
            function.value
        ):
            return None
        primitive = on_values("method").get(function.attr)
        if primitive is None:
            return None  # the attribute lowering says why it is refused
        receiver = self._scalar(function.value)
        args = _method_arguments(function.attr, node.args)
        return self._with_options(node, primitive, "method", [receiver], args)

    def _operand(self, node: ast.expr) -> Value:
        """An operand of an array function: a value, or a tuple written out
        (a shape, ``(n, 3)``) as one tuple value."""
        lowered = self._expression(node)
        if not isinstance(lowered, tuple):
            return lowered
        items = [self._tuple_item_value(item, node) for item in lowered]
        return self.builder.create(PACK, items).result

    def _tuple_item_value(self, item: Lowered, node: ast.expr) -> Value:
        if isinstance(item, tuple):
            self.fail(node, "a tuple of tuples is not supported here")
        return item

    def _options_call(self, node: ast.Call, callee: PrimitiveBinding) -> Value:
        """A call to a NumPy function that takes options (``np.sum(x, axis=0)``)."""
        if callee.primitive in (ARRAY, ASARRAY):
            return self._array_of_numbers(node, callee.primitive.name)
        if callee.primitive is EINSUM:
            return self._einsum(node, callee)
        made = self._with_options(
            node, callee.primitive, callee.namespace, [], node.args
        )
        op = made.defining_op
        if op is not None and callee.primitive in (ZEROS, ONES, FULL) and node.args:
            dims = _literal_shape(node.args[0])
            if dims is not None:  # the shape is known when the gradient is built
                op.attributes["dims"] = dims
                made.type = None
        return made

    def _einsum(self, node: ast.Call, callee: PrimitiveBinding) -> Value:
        """``np.einsum("ij,jk->ik", a, b)``: the subscripts, a literal string
        first, are the op's attribute; the operands follow."""
        display = ast.unparse(node.func)
        first = node.args[0] if node.args else None
        if not isinstance(first, ast.Constant) or not isinstance(first.value, str):
            self.fail(
                node,
                f"{display} takes its subscripts first, as a literal string "
                f'(`{display}("ij,jk->ik", a, b)`): the shapes of the values '
                "the gradient computes depend on them",
            )
        if node.keywords:
            self.fail(
                node.keywords[0].value,
                f"argument {node.keywords[0].arg!r} of {display} is not supported",
            )
        try:
            parse_subscripts(first.value)
        except TypeRuleError as error:
            self.fail(first, str(error))
        operands = [self._operand(arg) for arg in node.args[1:]]
        attributes = {"namespace": callee.namespace, "subscripts": first.value}
        return self.builder.create(EINSUM, operands, attributes).result

    def _array_of_numbers(self, node: ast.Call, function: str = "array") -> Value:
        raise NotImplementedError

    def _dtype(self, node: ast.expr, display: str) -> str:
        """``float``, ``int``, ``bool``, NumPy's ``np.float64``..., as a name."""
        text = ast.unparse(node).strip("'\"")
        name = text.rpartition(".")[2]
        for kind, names in _DTYPE_NAMES.items():
            if name in names or name.rstrip("0123456789") in names:
                return kind
        self.fail(
            node,
            f"dtype={text} of {display} is not supported; use float, int or bool",
        )

    def _with_options(
        self,
        node: ast.Call,
        primitive: Primitive,
        namespace: str,
        operands: list[Value],
        args: list[ast.expr],
    ) -> Value:
        """``primitive`` of ``operands`` (a method's receiver) and ``args``:
        the operands it takes (a list of them, for ``np.stack``), then its
        options, in order."""
        if primitive is CLIP:
            return self._clip(node, namespace, operands, args)
        display = ast.unparse(node.func)
        given = len(operands)
        built = self._built_list(args[0]) if primitive.sequence and args else None
        if built is not None:
            return self._stack_list(node, primitive, built, args, display)
        if primitive.sequence:
            operands = operands + self._sequence_operands(node, args, display)
            wanted = 1
        else:
            arity = primitive.arity or len(operands) + len(args)
            wanted = arity - len(operands)
            if len(args) < wanted:
                self.fail(node, f"{display} takes {arity} operand(s)", CallError)
            operands = operands + [self._operand(arg) for arg in args[:wanted]]
        attributes = self._options(node, primitive, args[wanted:], display)
        attributes["namespace"] = namespace
        dims = _written_shape(primitive, args, given)
        if dims is not None:  # sizes known when the gradient is built
            attributes["dims"] = dims
        return self.builder.create(primitive, operands, attributes).result

    def _options(
        self, node: ast.Call, primitive: Primitive, extra: list[ast.expr], display: str
    ) -> dict[str, object]:
        """The options a call sets: positional ones in the order NumPy takes
        them (``Primitive.positional``), then keywords."""
        attributes: dict[str, object] = {}
        order = primitive.positional or primitive.options
        if len(extra) > len(order):
            self.fail(node, f"{display} got too many positional arguments", CallError)
        for name, arg in zip(order, extra, strict=False):
            if name in primitive.options:
                attributes[name] = self._option(arg, name, display)
            elif not (isinstance(arg, ast.Constant) and arg.value is None):
                self.fail(arg, f"argument {name!r} of {display} is not supported")
        for keyword in node.keywords:
            if keyword.arg not in primitive.options:
                self.fail(
                    keyword.value,
                    f"argument {keyword.arg!r} of {display} is not supported",
                )
            if keyword.arg in attributes:
                self.fail(
                    keyword.value, f"{display} got {keyword.arg!r} twice", CallError
                )
            attributes[str(keyword.arg)] = self._option(
                keyword.value, keyword.arg, display
            )
        return attributes

    def _clip(
        self,
        node: ast.Call,
        namespace: str,
        operands: list[Value],
        args: list[ast.expr],
    ) -> Value:
        """``np.clip(x, lo, hi)``, ``x.clip(lo, hi)``, bounds by position or
        keyword: a bound written None is no operand (the op's ``written``
        attribute keeps how each argument was passed, to write it back)."""
        args = list(args)
        if not operands:
            if not args:
                display = ast.unparse(node.func)
                self.fail(node, f"{display} takes the array to clip first", CallError)
            operands = [self._operand(args.pop(0))]
        written = []
        for keyword, role, arg in self._clip_bounds(node, namespace, args):
            if isinstance(arg, ast.Constant) and arg.value is None:
                role = "none"
            else:
                operands.append(self._operand(arg))
            written.append((keyword, role))
        attributes = {"namespace": namespace, "written": tuple(written)}
        return self.builder.create(CLIP, operands, attributes).result

    def _clip_bounds(
        self, node: ast.Call, namespace: str, args: list[ast.expr]
    ) -> list[tuple[str | None, str, ast.expr]]:
        """Each bound given to a clip: its keyword (None if by position),
        which bound it is (``lo`` or ``hi``), and its argument."""
        display = ast.unparse(node.func)
        if len(args) > 2:
            self.fail(args[2], f"argument 'out' of {display} is not supported")
        given: list[tuple[str | None, str, ast.expr]] = [
            (None, role, arg) for role, arg in zip(("lo", "hi"), args, strict=False)
        ]
        for keyword in node.keywords:
            name = str(keyword.arg)
            role = _CLIP_KEYWORDS.get(name)
            if role is None or (namespace == "method" and name.startswith("a_")):
                self.fail(
                    keyword.value, f"argument {name!r} of {display} is not supported"
                )
            given.append((name, role, keyword.value))
        if len({role for _, role, _ in given}) != len(given):
            self.fail(node, f"{display} got a bound twice", CallError)
        # np.clip takes a_min and a_max together (by position or keyword), or
        # neither, with min= and max= then; NumPy raises otherwise.
        paired = [keyword for keyword, _, _ in given if keyword not in ("min", "max")]
        if namespace != "method" and paired and (len(paired), len(given)) != (2, 2):
            self.fail(
                node,
                f"{display} takes both a_min and a_max (by position or keyword), "
                "or min= and max= instead",
                CallError,
            )
        return given

    def _comprehension(self, node: ast.ListComp | ast.GeneratorExp) -> Value:
        raise NotImplementedError

    def _built_list(self, node: ast.expr) -> Value | None:
        """The list a comprehension makes, or a name holds if it holds a
        value rather than a tuple (``xs = []``, appended to): what it is,
        types say later."""
        if isinstance(node, ast.ListComp):
            return self._comprehension(node)
        if isinstance(node, ast.Name) and node.id in self.env:
            found = self._expression(node)
            if isinstance(found, Value):
                return found
        return None

    def _stack_list(
        self,
        node: ast.Call,
        primitive: Primitive,
        built: Value,
        args: list[ast.expr],
        display: str,
    ) -> Value:
        """``np.stack(xs)`` of a list the function builds (``xs.append``)."""
        if primitive is not STACK:
            self.fail(
                args[0],
                f"{display} joins a list of arrays written out (`{display}([a, "
                "b])`) or a tuple (`parts = (a, b)`); the items of a list built "
                "by appending are stacked along a new axis by np.stack(xs) or "
                "np.array(xs)",
            )
        attributes = self._options(node, primitive, args[1:], display)
        attributes.update(namespace="list", function="stack")
        return self.builder.create(STACK_LIST, [built], attributes).result

    def _sequence_operands(
        self, node: ast.Call, args: list[ast.expr], display: str
    ) -> list[Value]:
        """The arrays ``np.stack([a, b])`` joins: the items of a list or
        tuple written out, or of a name holding a tuple."""
        items = self._items(args[0]) if args else None
        if items is None:
            self.fail(
                args[0] if args else node,
                f"{display} joins a list of arrays written out (`{display}([a, "
                "b])`) or a tuple (`parts = (a, b)`)",
            )
        return [self._tuple_item_value(item, args[0]) for item in items]

    def _option(self, node: ast.expr, name: str, display: str) -> object:
        """An option's value, which must be written as a literal (a type,
        for ``dtype``: ``float``, ``int``, ``bool`` or NumPy's)."""
        if name == "dtype":
            return self._dtype(node, display)
        try:
            value = ast.literal_eval(node)
        except ValueError:
            examples, why = _OPTION_HELP.get(name, (f"`{name}=0`", ""))
            self.fail(
                node,
                f"{name}= of {display} must be written as a literal "
                f"({examples}): srcgrad builds the gradient for it{why}",
            )
        return value


#: For each option: literals it takes, and why they must be literals.
_OPTION_HELP = {
    "axis": ("`axis=0`, `axis=-1`, `axis=(0, 1)`", ", and the shapes depend on it"),
    "keepdims": ("`keepdims=True`", ", and the shapes depend on it"),
    "ddof": ("`ddof=0`, `ddof=1`", ""),
    "ord": ("`ord=1`, `ord=2`, `ord='fro'`", ": the formula depends on it"),
}


def literal_int(node: ast.expr) -> int | None:
    """The integer ``node`` writes out (``2``, ``-1``), else None."""
    try:
        value = ast.literal_eval(node)
    except ValueError:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value


#: What ``dtype=`` names, by the kind of number it gives.
_DTYPE_NAMES = {
    "float": ("float", "double"),
    "int": ("int", "intc", "intp", "uint"),
    "bool": ("bool", "bool_"),
}


def _literal_shape(node: ast.expr) -> tuple[int, ...] | None:
    """The shape ``node`` writes out (``3``, ``(2, 3)``), else None."""
    try:
        value = ast.literal_eval(node)
    except ValueError:
        return None
    items = value if isinstance(value, tuple) else (value,)
    if all(isinstance(item, int) and not isinstance(item, bool) for item in items):
        return items
    return None


def _method_arguments(method: str, args: list[ast.expr]) -> list[ast.expr]:
    """``x.reshape(2, 3)`` as ``x.reshape((2, 3))``: one tuple argument."""
    if method not in _UNPACKED_METHODS or len(args) < 2:
        return args
    packed = ast.Tuple(list(args), ast.Load())
    return [ast.copy_location(packed, args[0])]


def _written_shape(
    primitive: Primitive, args: list[ast.expr], given: int
) -> tuple[int | None, ...] | None:
    """The sizes of the shape ``primitive`` takes, where they are written
    out in ``args`` (after ``given`` operands): a literal, or None, each."""
    position = _SHAPE_OPERANDS.get(primitive)
    if position is None or not 0 <= position - given < len(args):
        return None
    node = args[position - given]
    items = node.elts if isinstance(node, ast.Tuple) else [node]
    dims = tuple(literal_int(item) for item in items)
    if all(dim is None for dim in dims):
        return None
    return dims
