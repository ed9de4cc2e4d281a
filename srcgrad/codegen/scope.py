"""The names a function's code reads from outside, and what could hide them.

Generated code reads the user's module globals by name (``GRAVITY``), as
the functions it was made from do. Every name generated code binds is
chosen so that it hides none of them: local variables and temporaries
(``naming``), the parameters srcgrad gives the functions only generated
code calls (``saved``, ``h_bar``, a helper's own parameters), the names of
the module's functions (the gradient's own included) and the aliases of
``bindings``. Closure variables are bindings (cells), never read by a name
of the user's, so they collide with nothing either.

One name cannot be chosen: a parameter of the gradient is the user's
(callers pass it by keyword). Where it has the name of a global a helper
reads (``def f(x, scale)`` calling a helper that reads the global
``scale``), the gradient reads that global as ``globals()["scale"]``.
"""

from __future__ import annotations

import ast

from srcgrad.ir import GLOBAL, EmitContext, Function, Op, walk
from srcgrad.ir.names import fresh_name


def is_global_by_name(op: Op) -> bool:
    """``op`` reads a global of the entry function's module by its name."""
    if op.definition is not GLOBAL:
        return False
    attributes = op.attributes
    return not (attributes.get("closure") or {"module", "owner"} & set(attributes))


def globals_read(function: Function) -> set[str]:
    """The globals of the entry function's module ``function``'s code reads
    by name (a helper's module globals and closure variables are bindings)."""
    return {
        str(op.attributes["name"])
        for op in walk(function.entry)
        if op.definition is GLOBAL and is_global_by_name(op)  # most ops: one test
    }


def parameter_names(function: Function, entry: bool) -> list[str]:
    """The names the ``def`` of ``function`` gives its parameters.

    The entry's are the user's own. Any other function is called only by
    generated code, positionally, so a parameter named like a global it
    reads is renamed (``saved_1``), lest it hide the global.
    """
    names = [parameter.name for parameter in function.parameters]
    if entry:
        return names
    read = globals_read(function)
    taken = set(names) | read
    chosen = []
    for name in names:
        if name in read:
            name = fresh_name(name, taken)
            taken.add(name)
        chosen.append(name)
    return chosen


def hidden_globals(function: Function, parameters: list[str]) -> frozenset[str]:
    """The globals ``function`` reads by name that one of ``parameters``
    (its parameters' names) hides: they are read through ``globals()``."""
    return frozenset(globals_read(function) & set(parameters))


def hidden_global_expression(name: str, context: EmitContext) -> ast.expr:
    """``globals()["name"]``: the global ``name``, though a parameter hides it.

    The generated function's globals are the user's module's, as those of
    the functions it was made from.
    """
    call = ast.Call(context.builtin("globals"), [], [])
    return ast.Subscript(call, ast.Constant(name), ast.Load())
