"""Lowering what only arrays have: ``x.T``, ``x.shape``, ``x[1:, i]``,
``y[i] = v``; calls of their methods and of NumPy functions with options
are ``array_calls``.

An attribute or method of a value is an op whose namespace is
``attribute`` or ``method``, so generated code writes it as the user did.
"""

from __future__ import annotations

import ast

from srcgrad.frontend.array_calls import ArrayCallLowering, literal_int, on_values
from srcgrad.frontend.environment import Lowered
from srcgrad.frontend.resolve import GlobalBinding
from srcgrad.ir import Value
from srcgrad.primitives.creation import ARRAY
from srcgrad.primitives.indexing import INDEX, OPERAND, Item
from srcgrad.primitives.item_writes import SETITEM
from srcgrad.primitives.iteration import UNPACKED
from srcgrad.primitives.lists import made_list
from srcgrad.primitives.shapes import DIM, SHAPE


class ArrayLowering(ArrayCallLowering):
    """Lowers attributes of arrays and subscripts (calls: ``array_calls``)."""

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
            return self._is_value(node.value) and node.attr in on_values("attribute")
        return True

    def _array_attribute(self, node: ast.Attribute) -> Value | None:
        """``x.T``, ``x.shape``, ``x.ndim``, ``x.size``; None if not one."""
        primitive = on_values("attribute").get(node.attr)
        if primitive is None or not self._is_value(node.value):
            return None
        if primitive.subscript is not None:
            return None
        value = self._scalar(node.value)
        attributes = {"namespace": "attribute"}
        return self.builder.create(primitive, [value], attributes).result

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
        if isinstance(target.value, ast.Subscript) and isinstance(
            target.value.value, ast.Name
        ):
            name = target.value.value.id
            self.fail(
                target,
                f"a write into an item of {name}[...] (a view of {name}): srcgrad "
                f"writes items of the array a name holds; write both indices at "
                f"once ({name}[i, j] = ...)",
            )
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

    def _refuse_aliases(
        self, name: str, base: Value, target: ast.expr, what: str = "array"
    ) -> None:
        """Refuse a write into an array (or list) another name or tuple also
        holds: in Python the write changes what both hold."""
        for other, bound in self.env.items():
            if other == name or not other.isidentifier():
                continue
            if bound is base or (isinstance(bound, tuple) and _holds(bound, base)):
                self.fail(
                    target,
                    f"{other} and {name} hold the same {what}, so changing "
                    f"{name} changes {other} too; srcgrad needs one name per "
                    f"{what} it changes: copy it ({other} = {name}.copy()), "
                    "or use one name",
                )

    def _shape_items(
        self, value: Value, target: ast.Tuple | ast.List
    ) -> tuple[Lowered, ...] | None:
        """``n, m = X.shape``: the sizes of a shape read out, one per name;
        None where the names are bound to a value refused when its type is
        known (an array, a number: ``a, *rest = x``)."""
        source = value.defining_op
        if made_list(value):
            self.fail(
                target,
                "unpacking a list the function makes is not supported; read "
                "its items (`a, b = xs[0], xs[1]`), or make it a tuple",
            )
        if source is None or source.definition is not SHAPE:
            self._unpacked(value, target)
            return None
        sizes = []
        for axis in range(len(target.elts)):
            attributes = {"namespace": "attribute", "axis": axis}
            sizes.append(self.builder.create(DIM, source.operands, attributes).result)
        return tuple(sizes)

    def _unpacked(self, value: Value, target: ast.Tuple | ast.List) -> None:
        """``a, *rest = x``: each name is bound to an op refused once the
        type of ``x`` is known, saying why (``iteration.UNPACKED``)."""
        starred = any(isinstance(item, ast.Starred) for item in target.elts)
        attributes = {"name": value.name_hint, "starred": starred}
        with self.builder.at(self.location(target)):
            unpacked = self.builder.create(UNPACKED, [value], attributes).result
        for item in target.elts:
            self._bind(item.value if isinstance(item, ast.Starred) else item, unpacked)

    def _bind(self, target: ast.expr, value: Lowered) -> None:
        raise NotImplementedError

    def _tuple_item(self, items: tuple[Lowered, ...], node: ast.Subscript) -> Lowered:
        """An item of a tuple the code holds, at a literal position."""
        try:
            position = ast.literal_eval(node.slice)
        except ValueError:
            position = None
        if isinstance(position, bool) or not isinstance(position, int):
            self.fail(
                node.slice,
                "a tuple can only be indexed by a literal integer (`pair[0]`), "
                f"and `{ast.unparse(node.slice)}` is not one; unpack the tuple "
                "(`a, b, c = t`), or make it an array (`np.array(t)`) to slice it",
            )
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
                literal = literal_int(part)
                if literal is None:
                    operands.append(self._scalar(part))
                items.append(("int", literal))
        if sum(item[0] == "ellipsis" for item in items) > 1:
            self.fail(index, "an index can only have a single ellipsis (`...`)")
        return items, operands

    def _index_list(self, node: ast.List) -> Value:
        """``[0, 2, 2]`` as an index: ``np.array([0, 2, 2])``, of integers
        written out (NumPy reads a list index as such an array)."""
        values = [literal_int(item) for item in node.elts]
        if not node.elts or any(value is None for value in values):
            self.fail(node, "a list index is supported of integers written out")
        items = [self.builder.const(value) for value in values]
        attributes = {"namespace": "numpy", "dtype": "int"}
        return self.builder.create(ARRAY, items, attributes).result

    def _bound(self, node: ast.expr | None, operands: list[Value]) -> object:
        """A slice bound: None, a literal integer, or the next operand."""
        if node is None or (isinstance(node, ast.Constant) and node.value is None):
            return None
        literal = literal_int(node)
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


def _one_int(items: list[Item]) -> bool:
    return len(items) == 1 and items[0][0] == "int" and items[0][1] is not None
