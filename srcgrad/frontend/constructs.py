"""Names of Python constructs as a reader would say them, for error messages."""

from __future__ import annotations

import ast
import re

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
    ast.Return: "`return` statement",
    ast.Assign: "assignment",
    ast.AugAssign: "augmented assignment (`+=`)",
    ast.AnnAssign: "annotated assignment",
    ast.Expr: "expression statement",
    ast.Pass: "`pass` statement",
    ast.Break: "`break` statement",
    ast.Continue: "`continue` statement",
    ast.Compare: "comparison",
    ast.BoolOp: "`and`/`or` expression",
    ast.BinOp: "arithmetic",
    ast.UnaryOp: "unary operator",
    ast.IfExp: "conditional expression",
    ast.Attribute: "attribute access",
    ast.Subscript: "subscript (indexing)",
    ast.Slice: "slice",
    ast.Name: "name",
    ast.Constant: "constant",
    ast.Tuple: "tuple",
    ast.List: "list value (`[...]`)",
    ast.Dict: "dict",
    ast.Set: "set",
    ast.Lambda: "lambda",
    ast.ListComp: "list comprehension",
    ast.GeneratorExp: "generator expression",
    ast.DictComp: "dict comprehension",
    ast.SetComp: "set comprehension",
    ast.JoinedStr: "f-string",
    ast.FormattedValue: "f-string",
    ast.NamedExpr: "assignment expression (`:=`)",
    ast.Starred: "starred expression (`*xs`)",
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
_INDEXING = "unpack a tuple (`a, b = pair`) or loop over the sequence (`for v in xs`)"
_COLLECTING = (
    "write a list comprehension (`[v * v for v in xs]`, which `sum` and "
    "`np.array` take), or add the values up in a `for` loop"
)
_BITWISE = (
    "bitwise operators work on integers and have no derivative: compute the "
    f"value {_MOVE_OUT} and pass it in"
)

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
    ast.Attribute: (
        "srcgrad reads attributes of modules only (`math.pi`); pass the "
        "numbers an object holds as arguments"
    ),
    ast.Subscript: _INDEXING,
    ast.Slice: _INDEXING,
    ast.ListComp: _COLLECTING,
    ast.GeneratorExp: _COLLECTING,
    ast.SetComp: _COLLECTING,
    ast.DictComp: _COLLECTING,
    ast.Dict: "pass the numbers as arguments of their own",
    ast.Set: "pass the numbers as arguments of their own",
    ast.Starred: "write the items out one by one",
    ast.JoinedStr: f"strings are not numbers: build messages {_MOVE_OUT}",
    ast.FormattedValue: f"strings are not numbers: build messages {_MOVE_OUT}",
    ast.Call: "call a function by its name",
    ast.MatMult: (
        "`@` multiplies arrays, and NumPy arrays are not supported yet: write "
        "the products out"
    ),
    ast.LShift: _BITWISE,
    ast.RShift: _BITWISE,
    ast.BitOr: _BITWISE,
    ast.BitXor: _BITWISE,
    ast.BitAnd: _BITWISE,
    ast.Invert: _BITWISE,
}


if hasattr(ast, "TryStar"):  # Python 3.11+: try ... except*
    _CONSTRUCTS[ast.TryStar] = "`try` statement"
    _HINTS[ast.TryStar] = _HINTS[ast.Try]
if hasattr(ast, "TypeAlias"):  # Python 3.12+: type X = ...
    _CONSTRUCTS[ast.TypeAlias] = "`type` statement"
    _HINTS[ast.TypeAlias] = "define the alias at the top of the module"

#: What assigning to a target other than a name is, and what to write.
_TARGETS: dict[type[ast.AST], str] = {
    ast.Attribute: (
        "assigning to an attribute (`obj.x = ...`) is not supported: srcgrad "
        "follows numbers, not changes to objects; keep the value in a local "
        "variable and return it"
    ),
    ast.Subscript: (
        "assigning to an item (`xs[i] = ...`) is not supported: lists are not "
        "changed in place; build a tuple of the new values (`(a, b, c)`)"
    ),
    ast.Starred: (
        "a starred target (`*rest`) is not supported; unpack into one name per item"
    ),
}


def describe(node: ast.AST) -> str:
    """A reader's name for an AST construct, for error messages.

    Never the name of an ``ast`` class: a construct the table does not know
    is named in words (``TypeAlias``: "type alias").
    """
    found = _CONSTRUCTS.get(type(node))
    if found is not None:
        return found
    words = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", type(node).__name__)
    return f"{words.lower()} construct"


def assignment_to(target: ast.AST) -> str:
    """Why assigning to ``target`` (not a name or a tuple of names) is
    refused, and what to write instead."""
    return _TARGETS.get(type(target)) or (
        f"assigning to {describe(target)} is not supported; assign to a name"
    )


def hint(node: ast.AST) -> str | None:
    """What to write instead of ``node``, if srcgrad has advice."""
    return _HINTS.get(type(node))
