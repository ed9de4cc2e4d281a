"""Names of Python constructs as a reader would say them, for error messages."""

from __future__ import annotations

import ast

_CONSTRUCTS: dict[type[ast.AST], str] = {
    ast.If: "`if` statement",
    ast.For: "`for` loop",
    ast.While: "`while` loop",
    ast.With: "`with` statement",
    ast.Try: "`try` statement",
    ast.Raise: "`raise` statement",
    ast.Assert: "`assert` statement",
    ast.Delete: "`del` statement",
    ast.Global: "`global` statement",
    ast.Nonlocal: "`nonlocal` statement",
    ast.Import: "import inside a function",
    ast.ImportFrom: "import inside a function",
    ast.FunctionDef: "nested function definition",
    ast.ClassDef: "class definition",
    ast.Compare: "comparison",
    ast.BoolOp: "`and`/`or` expression",
    ast.IfExp: "conditional expression",
    ast.Subscript: "subscript",
    ast.List: "list",
    ast.Dict: "dict",
    ast.Set: "set",
    ast.Lambda: "lambda",
    ast.ListComp: "list comprehension",
    ast.GeneratorExp: "generator expression",
    ast.DictComp: "dict comprehension",
    ast.SetComp: "set comprehension",
    ast.JoinedStr: "f-string",
    ast.NamedExpr: "assignment expression (`:=`)",
    ast.Starred: "starred expression",
    ast.Await: "`await`",
    ast.Call: "calling the result of a call",
    ast.Yield: "`yield`",
    ast.YieldFrom: "`yield from`",
    ast.Mod: "`%` operator",
    ast.MatMult: "`@` operator",
    ast.LShift: "`<<` operator",
    ast.RShift: "`>>` operator",
    ast.BitOr: "`|` operator",
    ast.BitXor: "`^` operator",
    ast.BitAnd: "`&` operator",
    ast.Not: "`not` operator",
    ast.Invert: "`~` operator",
}


def describe(node: ast.AST) -> str:
    """A reader's name for an AST construct, for error messages."""
    return _CONSTRUCTS.get(type(node), f"`{type(node).__name__}`")
