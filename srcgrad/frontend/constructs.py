"""Names of Python constructs as a reader would say them, for error messages."""

from __future__ import annotations

import ast

_CONSTRUCTS: dict[type[ast.AST], str] = {
    ast.If: "`if` statement",
    ast.For: "`for` loop",
    ast.While: "`while` loop",
    ast.With: "`with` statement",
    ast.Try: "`try` statement",
    ast.Match: "`match` statement",
    ast.AsyncFor: "`async for` loop",
    ast.AsyncWith: "`async with` statement",
    ast.AsyncFunctionDef: "nested function definition",
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
    ast.Is: "`is` comparison",
    ast.IsNot: "`is not` comparison",
    ast.In: "`in` test",
    ast.NotIn: "`not in` test",
}

_MOVE_OUT = "outside the function srcgrad differentiates"

#: What to write instead, for the constructs srcgrad refuses.
_HINTS: dict[type[ast.AST], str] = {
    ast.Try: f"handle errors {_MOVE_OUT}",
    ast.With: f"enter the context {_MOVE_OUT}",
    ast.AsyncWith: f"enter the context {_MOVE_OUT}",
    ast.AsyncFor: "use a plain `for` loop",
    ast.Await: "differentiate a plain (not async) function",
    ast.Raise: f"check inputs {_MOVE_OUT}",
    ast.Assert: f"move checks {_MOVE_OUT}",
    ast.Delete: "remove the `del`; names end with the function",
    ast.Global: "pass the value in as a parameter and return what changes",
    ast.Nonlocal: "pass the value in as a parameter and return what changes",
    ast.Import: "import at the top of the module",
    ast.ImportFrom: "import at the top of the module",
    ast.ClassDef: "define the class at the top of the module",
    ast.Match: "use `if`/`elif`",
    ast.FunctionDef: "define it at the top level of the function's body",
    ast.AsyncFunctionDef: "define a plain `def` instead",
    ast.Lambda: (
        "bind it to a name at the top level of the function (`g = lambda t: "
        "...`) and call that"
    ),
    ast.NamedExpr: "assign the value on a line of its own",
    ast.Is: "compare numbers with `==` or `!=`",
    ast.IsNot: "compare numbers with `==` or `!=`",
    ast.In: "compare with each value, joined with `or`",
    ast.NotIn: "compare with each value, joined with `and`",
}


if hasattr(ast, "TryStar"):  # Python 3.11+: try ... except*
    _CONSTRUCTS[ast.TryStar] = "`try` statement"
    _HINTS[ast.TryStar] = _HINTS[ast.Try]


def describe(node: ast.AST) -> str:
    """A reader's name for an AST construct, for error messages."""
    return _CONSTRUCTS.get(type(node), f"`{type(node).__name__}`")


def hint(node: ast.AST) -> str | None:
    """What to write instead of ``node``, if srcgrad has advice."""
    return _HINTS.get(type(node))
