"""Lowering what only arrays have: ``x.T``, ``x.shape``, ``x.sum(axis=0)``,
and the options of NumPy functions (``np.mean(x, axis=-1, keepdims=True)``).

An attribute or method of a value is an op whose namespace is
``attribute`` or ``method``, so generated code writes it as the user did.
Options (``axis``, ``keepdims``) must be literals: they fix the shape of
every value, which the gradient is built for.
"""

from __future__ import annotations

import ast
import functools

from srcgrad.errors import CallError
from srcgrad.frontend.environment import Lowered
from srcgrad.frontend.resolve import GlobalBinding, PrimitiveBinding
from srcgrad.frontend.state import LoweringState
from srcgrad.ir import PACK, Value
from srcgrad.ir.types import TypeRuleError
from srcgrad.primitives import PRIMITIVES, Primitive
from srcgrad.primitives.creation import ARRAY, FULL, ONES, ZEROS
from srcgrad.primitives.einsum import EINSUM, parse_subscripts
from srcgrad.primitives.indexing import INDEX, OPERAND, SETITEM, Item
from srcgrad.primitives.shapes import DIM, SHAPE


@functools.cache
def _on_values(namespace: str) -> dict[str, Primitive]:
    """The primitives written as an attribute or a method of a value, by name."""
    found: dict[str, Primitive] = {}
    for primitive in PRIMITIVES.values():
        spelling = primitive.spelling(namespace)
        if spelling is not None:
            for name in spelling.names:
                found.setdefault(name, primitive)
    return found


class ArrayLowering(LoweringState):
    """Lowers attributes and methods of arrays, and options of calls."""

    locals: set[str]

    def _scalar(self, node: ast.expr) -> Value:
        raise NotImplementedError

    def _expression(self, node: ast.expr) -> Lowered:
        raise NotImplementedError

    assigned_at: dict[str, int]

    def _reference(self, node: ast.expr) -> object:
        raise NotImplementedError

    def _is_value(self, node: ast.expr) -> bool:
        """Whether ``node`` computes a value (not a module, as ``np`` is)."""
        if isinstance(node, ast.Name):
            if node.id in self.env or node.id in self.locals:
                return True
            binding = self._reference(node)
            return isinstance(binding, GlobalBinding) and binding.is_value
        if isinstance(node, ast.Attribute):
            return self._is_value(node.value) and node.attr in _on_values("attribute")
        return True

    def _array_attribute(self, node: ast.Attribute) -> Value | None:
        """``x.T``, ``x.shape``, ``x.ndim``, ``x.size``; None if not one."""
        primitive = _on_values("attribute").get(node.attr)
        if primitive is None or not self._is_value(node.value):
            return None
        if primitive.subscript is not None:
            return None
        value = self._scalar(node.value)
        attributes = {"namespace": "attribute"}
        return self.builder.create(primitive, [value], attributes).result

    def _method_call(self, node: ast.Call) -> Value | None:
        """``x.sum(axis=0)``, ``x.dot(y)``; None if ``node`` is no method call."""
        function = node.func
        if not isinstance(function, ast.Attribute) or not self._is_value(
            function.value
        ):
            return None
        primitive = _on_values("method").get(function.attr)
        if primitive is None:
            return None  # the attribute lowering says why it is refused
        receiver = self._scalar(function.value)
        return self._with_options(node, primitive, "method", [receiver], node.args)

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
        if callee.primitive is ARRAY:
            return self._array_of_numbers(node)
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

    def _array_of_numbers(self, node: ast.Call) -> Value:
        """``np.array([a, b])``, ``np.array([[a, b], [c, d]])`` of numbers."""
        display = ast.unparse(node.func)
        if len(node.args) != 1 or not isinstance(node.args[0], (ast.List, ast.Tuple)):
            self.fail(
                node,
                f"{display} is supported of numbers written out in a list "
                "(`np.array([a, b, c])`)",
            )
        rows = node.args[0].elts
        attributes: dict[str, object] = {"namespace": "numpy"}
        items: list[ast.expr] = list(rows)
        if rows and all(isinstance(row, (ast.List, ast.Tuple)) for row in rows):
            lengths = {len(row.elts) for row in rows}  # type: ignore[attr-defined]
            if len(lengths) != 1:
                self.fail(node, f"the rows of {display} differ in length", CallError)
            attributes["rows"] = len(rows)
            items = [item for row in rows for item in row.elts]  # type: ignore[attr-defined]
        for keyword in node.keywords:
            if keyword.arg != "dtype":
                self.fail(
                    keyword.value,
                    f"argument {keyword.arg!r} of {display} is not supported",
                )
            attributes["dtype"] = self._dtype(keyword.value, display)
        operands = [self._scalar(item) for item in items]
        return self.builder.create(ARRAY, operands, attributes).result

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
        arity = primitive.arity or len(operands) + len(args)
        display = ast.unparse(node.func)
        wanted = arity - len(operands)
        if len(args) < wanted:
            self.fail(node, f"{display} takes {arity} operand(s)", CallError)
        operands = operands + [self._operand(arg) for arg in args[:wanted]]
        attributes: dict[str, object] = {"namespace": namespace}
        extra = args[wanted:]
        if len(extra) > len(primitive.options):
            self.fail(
                node, f"{display} got {len(args)} positional arguments", CallError
            )
        for name, arg in zip(primitive.options, extra, strict=False):
            attributes[name] = self._option(arg, name, display)
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
        return self.builder.create(primitive, operands, attributes).result

    def _option(self, node: ast.expr, name: str, display: str) -> object:
        """An option's value, which must be written as a literal (a type,
        for ``dtype``: ``float``, ``int``, ``bool`` or NumPy's)."""
        if name == "dtype":
            return self._dtype(node, display)
        try:
            value = ast.literal_eval(node)
        except ValueError:
            self.fail(
                node,
                f"{name}= of {display} must be a literal (`{name}=0`, "
                f"`{name}=(0, 1)`, `{name}=True`): the shapes of the values "
                "the gradient computes depend on it",
            )
        return value

    # -- subscripts --------------------------------------------------------
    def _subscript(self, node: ast.Subscript) -> Lowered:
        """``x[i, 1:, None]``, ``pair[0]`` of a tuple, ``x.shape[0]``."""
        base = self._expression(node.value)
        if isinstance(base, tuple):
            return self._tuple_item(base, node)
        items, operands = self._index_items(node.slice)
        source = base.defining_op
        if source is not None and source.definition is SHAPE and _one_int(items):
            attributes = {"namespace": "attribute", "axis": items[0][1]}
            return self.builder.create(DIM, source.operands, attributes).result
        attributes = {"namespace": "subscript", "index": tuple(items)}
        return self.builder.create(INDEX, [base, *operands], attributes).result

    def _write_item(self, target: ast.Subscript, value: Lowered) -> None:
        """``y[index] = value``: every name holding ``y`` now holds ``y``
        with ``value`` written at ``index`` (they name one array)."""
        if not isinstance(target.value, ast.Name) or not (
            target.value.id in self.env or target.value.id in self.locals
        ):
            self.fail(
                target,
                "srcgrad writes items of an array held by a local name "
                "(`y[i] = ...`, `y[i, j] = ...`); write into a name made here, "
                "such as y = np.zeros(n) or y = x.copy()",
            )
        base = self._expression(target.value)
        if isinstance(base, tuple):
            self.fail(
                target, "a tuple's items cannot be assigned (tuples are immutable)"
            )
        if isinstance(value, tuple):
            self.fail(target, "a tuple cannot be written into an array item")
        self._refuse_aliases(target.value.id, base, target)
        items, operands = self._index_items(target.slice)
        attributes = {"namespace": "subscript", "index": tuple(items)}
        written = self.builder.create(
            SETITEM, [base, value, *operands], attributes, hint=target.value.id
        ).result
        self.env[target.value.id] = written
        self.assigned_at[target.value.id] = self.line(target)

    def _refuse_aliases(self, name: str, base: Value, target: ast.expr) -> None:
        """Refuse a write into an array another name (or tuple) also holds:
        in Python the write changes what both hold."""
        for other, bound in self.env.items():
            if other == name or not other.isidentifier():
                continue
            if bound is base or (isinstance(bound, tuple) and _holds(bound, base)):
                self.fail(
                    target,
                    f"{other} and {name} hold the same array, so writing into "
                    f"{name} changes {other} too; srcgrad needs one name per "
                    f"array it writes into: copy it ({other} = {name}.copy()), "
                    "or use one name",
                )

    def _shape_items(
        self, value: Lowered, count: int, target: ast.expr
    ) -> tuple[Lowered, ...]:
        """``n, m = X.shape``: the sizes of a shape read out, one per name."""
        source = value.defining_op if isinstance(value, Value) else None
        if source is None or source.definition is not SHAPE:
            self.fail(target, "cannot unpack a single number into several names")
        sizes = []
        for axis in range(count):
            attributes = {"namespace": "attribute", "axis": axis}
            sizes.append(self.builder.create(DIM, source.operands, attributes).result)
        return tuple(sizes)

    def _tuple_item(self, items: tuple[Lowered, ...], node: ast.Subscript) -> Lowered:
        """An item of a tuple the code holds, at a literal position."""
        try:
            position = ast.literal_eval(node.slice)
        except ValueError:
            position = None
        if isinstance(position, bool) or not isinstance(position, int):
            self.fail(node.slice, "a tuple is indexed by a literal integer (`pair[0]`)")
        if not -len(items) <= position < len(items):
            self.fail(
                node, f"index {position} is out of range for a tuple of {len(items)}"
            )
        return items[position]

    def _index_items(self, index: ast.expr) -> tuple[list[Item], list[Value]]:
        """The items of a subscript (see ``primitives.indexing``) and the
        values of those that are not literals, in order."""
        parts = index.elts if isinstance(index, ast.Tuple) else [index]
        items: list[Item] = []
        operands: list[Value] = []
        for part in parts:
            if isinstance(part, ast.Slice):
                bounds = (part.lower, part.upper, part.step)
                items.append(("slice", *(self._bound(b, operands) for b in bounds)))
            elif isinstance(part, ast.Constant) and part.value is None:
                items.append(("newaxis",))
            elif isinstance(part, ast.Constant) and part.value is Ellipsis:
                items.append(("ellipsis",))
            elif self._is_newaxis(part):
                items.append(("newaxis",))
            elif isinstance(part, ast.List):  # x[[0, 2, 2]]: an index array
                operands.append(self._index_list(part))
                items.append(("int", None))
            else:
                literal = _literal_int(part)
                if literal is None:
                    operands.append(self._scalar(part))
                items.append(("int", literal))
        if sum(item[0] == "ellipsis" for item in items) > 1:
            self.fail(index, "an index can only have a single ellipsis (`...`)")
        return items, operands

    def _index_list(self, node: ast.List) -> Value:
        """``[0, 2, 2]`` as an index: ``np.array([0, 2, 2])``, of integers
        written out (NumPy reads a list index as such an array)."""
        values = [_literal_int(item) for item in node.elts]
        if not node.elts or any(value is None for value in values):
            self.fail(node, "a list index is supported of integers written out")
        items = [self.builder.const(value) for value in values]
        attributes = {"namespace": "numpy", "dtype": "int"}
        return self.builder.create(ARRAY, items, attributes).result

    def _bound(self, node: ast.expr | None, operands: list[Value]) -> object:
        """A slice bound: None, a literal integer, or the next operand."""
        if node is None or (isinstance(node, ast.Constant) and node.value is None):
            return None
        literal = _literal_int(node)
        if literal is not None:
            return literal
        operands.append(self._scalar(node))
        return OPERAND

    def _is_newaxis(self, node: ast.expr) -> bool:
        return (
            isinstance(node, ast.Attribute)
            and node.attr == "newaxis"
            and isinstance(node.value, ast.Name)
            and not self._is_value(node.value)
        )


def _holds(items: tuple[object, ...], value: Value) -> bool:
    """Whether ``value`` is an item of ``items`` (or of a tuple in it)."""
    return any(
        item is value or (isinstance(item, tuple) and _holds(item, value))
        for item in items
    )


def _literal_int(node: ast.expr) -> int | None:
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


def _one_int(items: list[Item]) -> bool:
    return len(items) == 1 and items[0][0] == "int" and items[0][1] is not None
