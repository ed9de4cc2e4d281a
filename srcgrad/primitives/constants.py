"""Constants from SymPy, written as a reader recognises them.

A derived rule's constant (``2/sqrt(pi)`` in ``d erf``, ``log(2)`` in
``d exp2``) is one op holding its expression, printed in the namespace of
the op it differentiates: ``2 / math.sqrt(math.pi)`` or ``np.log(2)``,
never ``1.1283791670955126``. It is not a ``Primitive``, so constant folding
leaves it as written; CSE merges equal ones, so a constant used several
times in a gradient is computed once, in a named temporary.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from srcgrad.ir import EmitContext
from srcgrad.ir.types import REAL, Type

#: SymPy's names -> the attribute of ``math`` and ``numpy`` spelling them.
_NAMES = {"pi": "pi", "E": "e", "sqrt": "sqrt", "log": "log", "exp": "exp"}
_NODES = (
    ast.Expression,
    ast.BinOp,
    ast.UnaryOp,
    ast.Call,
    ast.Name,
    ast.Constant,
    ast.Load,
    ast.operator,
    ast.unaryop,
)


def readable_text(expression: object) -> str | None:
    """SymPy's text for a constant expression, if ``SymbolicConstant`` can print it.

    Args:
        expression: a SymPy expression with no free symbols.

    Returns:
        Its text (``2/sqrt(pi)``), or None where it names something
        ``math`` and NumPy do not both spell (``EulerGamma``, ``gamma(3)``).
    """
    text = str(expression)
    for node in ast.walk(ast.parse(text, mode="eval")):
        if not isinstance(node, _NODES):
            return None
        if isinstance(node, ast.Name) and node.id not in _NAMES:
            return None
        if isinstance(node, ast.Constant) and not isinstance(node.value, int):
            return None
    return text


class _InNamespace(ast.NodeTransformer):
    def __init__(self, module: ast.expr) -> None:
        self.module = module

    def visit_Name(self, node: ast.Name) -> ast.expr:
        return ast.Attribute(self.module, _NAMES[node.id], ast.Load())


@dataclass(frozen=True, eq=False)
class SymbolicConstant:
    """The op definition of a constant written as an expression.

    Its attributes are ``text`` (SymPy's text, from ``readable_text``),
    ``value`` (the float it evaluates to) and ``namespace``.
    """

    name: str = "symbolic_constant"
    pure: bool = True
    is_terminator: bool = False

    def emit(
        self,
        args: Sequence[ast.expr],
        attributes: Mapping[str, object],
        context: EmitContext,
    ) -> ast.expr:
        tree = ast.parse(str(attributes["text"]), mode="eval")
        module = context.module(str(attributes["namespace"]))
        return _InNamespace(module).visit(tree).body

    def result_types(
        self, types: Sequence[Type | None], attributes: Mapping[str, object]
    ) -> list[Type | None]:
        return [REAL]


SYMBOLIC_CONSTANT = SymbolicConstant()
