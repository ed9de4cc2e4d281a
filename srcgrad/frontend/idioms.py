"""Lowering NumPy functions that are ops srcgrad already has, with the
meaning NumPy gives them: ``np.square(x)`` is ``x * x`` (one operand, so
its adjoint is ``2 * x * g``), ``np.int64(k)`` or ``np.intp(k)``, which
make an index of a number, are ``int(k)``, and ``np.array`` is an array
of numbers written out, the items of a list stacked, or an array copied.

Like ``a - b`` as ``a + (-b)``, these need no rules of their own; the
generated code writes the ops they are made of.
"""

from __future__ import annotations

import ast

from srcgrad.errors import CallError
from srcgrad.frontend.array_calls import literal_int
from srcgrad.frontend.expressions import ExpressionLowering
from srcgrad.ir import Value
from srcgrad.primitives.creation import ARRAY
from srcgrad.primitives.indexing import INDEX, Item
from srcgrad.primitives.list_sums import STACK_LIST

#: The names of the dtype of Python's floats (NumPy's float64).
_FLOAT64 = frozenset({"float", "float64", "double", "float_", "f8", "d"})
#: NumPy's integer types of 64 bits, which convert a number as ``int``
#: does (towards zero; nan raises).
_INTEGERS = frozenset({"numpy.int64", "numpy.intp", "numpy.int_"})


class IdiomLowering(ExpressionLowering):
    """Lowers calls of NumPy functions srcgrad writes as other ops."""

    def _idiom(self, node: ast.Call, function: str) -> Value | None:
        """``node``, a call of ``function`` (``numpy.square``), as the ops
        it is made of; None if it is no such function."""
        if function == "numpy.square":
            x = self._one_operand(node, "np.square(x)")
            return self._apply("mul", [x, x])
        if function == "numpy.diff":
            return self._diff(node)
        if function in _INTEGERS:
            k = self._one_operand(node, "an integer of one number")
            return self._apply("int", [k], "builtins")
        return None

    def _array_of_numbers(self, node: ast.Call, function: str = "array") -> Value:
        """``np.array([a, b])``, ``np.array([[a, b], [c, d]])`` of numbers;
        ``np.array(xs)`` of a list the function makes, or of an array (a
        copy of it: ``passes.lists`` tells which once types are known), and
        ``np.asarray`` of either (``function``; of an array, that array)."""
        display = ast.unparse(node.func)
        built = self._array_argument(node.args[0]) if node.args else None
        if built is not None:
            stacked: dict[str, object] = {"namespace": "list", "function": function}
            if self._float_dtype(node, display):
                stacked["dtype"] = "float"
            return self.builder.create(STACK_LIST, [built], stacked).result
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

    def _float_dtype(self, node: ast.Call, display: str) -> bool:
        """Whether ``np.array(x, ...)`` of an array or a list asks for floats
        (``dtype=float``, or ``float`` after ``x``); a dtype of another kind,
        which would convert the numbers, and any other argument are refused."""
        dtypes = [
            *node.args[1:2],
            *(k.value for k in node.keywords if k.arg == "dtype"),
        ]
        others = [*node.args[2:], *(k.value for k in node.keywords if k.arg != "dtype")]
        if others:
            self.fail(
                others[0],
                f"{display}(x) of an array or of a list the function makes takes "
                "no argument but dtype=float here",
            )
        if len(dtypes) > 1:
            self.fail(node, f"{display} got 'dtype' twice", CallError)
        if not dtypes or (
            isinstance(dtypes[0], ast.Constant) and dtypes[0].value is None
        ):
            return False
        text = ast.unparse(dtypes[0]).strip("'\"")
        if text.rpartition(".")[2] not in _FLOAT64:
            self.fail(
                dtypes[0],
                f"dtype={text} of {display}(x) is not supported: srcgrad follows "
                "arrays of the floats Python computes with (dtype=float); convert "
                "to another type outside the function it differentiates",
            )
        return True

    def _diff(self, node: ast.Call) -> Value:
        """``np.diff(x, n, axis)``: ``x[1:] - x[:-1]`` along ``axis`` (the
        last by default), ``n`` times; ``n`` and ``axis`` literals."""
        display = ast.unparse(node.func)
        options = dict(zip(("x", "n", "axis"), node.args, strict=False))
        if len(node.args) > 3:
            self.fail(node.args[3], f"argument 'prepend' of {display} is not supported")
        for keyword in node.keywords:
            if keyword.arg not in ("n", "axis") or keyword.arg in options:
                self.fail(
                    keyword.value,
                    f"argument {keyword.arg!r} of {display} is not supported: "
                    f"write {display}(x, n, axis) and join what to prepend or "
                    "append first (np.concatenate)",
                )
            options[str(keyword.arg)] = keyword.value
        if "x" not in options:
            self.fail(node, f"{display} takes the array first", CallError)
        literals = {
            name: literal_int(options[name]) if name in options else default
            for name, default in (("n", 1), ("axis", -1))
        }
        for name, value in literals.items():
            if value is None or (name == "n" and value < 0):
                self.fail(
                    options[name],
                    f"{name}= of {display} must be written as a literal "
                    "non-negative int (axis: an int): the shapes depend on it",
                )
        x = self._scalar(options["x"])
        for _ in range(literals["n"] or 0):
            later = self._slice_along(x, literals["axis"] or 0, (1, None))
            earlier = self._slice_along(x, literals["axis"] or 0, (None, -1))
            x = self._apply("sub", [later, earlier])
        return x

    def _slice_along(
        self, x: Value, axis: int, bounds: tuple[int | None, int | None]
    ) -> Value:
        """``x[..., a:b]`` or ``x[:, a:b]``: a slice along ``axis`` alone."""
        whole: Item = ("slice", None, None, None)
        part: Item = ("slice", *bounds, None)
        if axis >= 0:
            items = [whole] * axis + [part]
        else:
            items = [("ellipsis",), part] + [whole] * (-axis - 1)
        attributes = {"namespace": "subscript", "index": tuple(items)}
        return self.builder.create(INDEX, [x], attributes).result

    def _array_argument(self, node: ast.expr) -> Value | None:
        """The list or array ``np.array(node)`` is made of; None where
        ``node`` writes out its numbers, or holds a tuple."""
        built = self._built_list(node)
        if built is not None or isinstance(node, (ast.List, ast.Tuple)):
            return built
        lowered = self._expression(node)
        return lowered if isinstance(lowered, Value) else None

    def _one_operand(self, node: ast.Call, what: str) -> Value:
        """The one positional argument of ``node``; any other is refused."""
        display = ast.unparse(node.func)
        if len(node.args) != 1 or isinstance(node.args[0], ast.Starred):
            self.fail(node, f"{display} takes one argument here ({what})", CallError)
        if node.keywords:
            self.fail(
                node.keywords[0].value,
                f"argument {node.keywords[0].arg!r} of {display} is not supported",
            )
        return self._scalar(node.args[0])
