"""Lowering NumPy functions that are ops srcgrad already has, with the
meaning NumPy gives them: ``np.square(x)`` is ``x * x`` (one operand, so
its adjoint is ``2 * x * g``), and ``np.int64(k)`` or ``np.intp(k)``,
which make an index of a number, are ``int(k)``.

Like ``a - b`` as ``a + (-b)``, these need no rules of their own; the
generated code writes the ops they are made of.
"""

from __future__ import annotations

import ast

from srcgrad.errors import CallError
from srcgrad.frontend.expressions import ExpressionLowering
from srcgrad.ir import Value

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
        if function in _INTEGERS:
            k = self._one_operand(node, "an integer of one number")
            return self._apply("int", [k], "builtins")
        return None

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
