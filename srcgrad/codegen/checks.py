"""The statements that make a gradient fail where its function fails.

``check_real`` heads a gradient: it refuses inputs that are not real
numbers. ``evaluate`` keeps a call whose value no derivative term needs,
because the call raises (or warns) where the function does.
"""

from __future__ import annotations

import ast

from srcgrad.codegen.bindings import BindingRequests, BoundContext
from srcgrad.codegen.format import verbatim
from srcgrad.ir import Function, Op

#: The one class that sends an input to ``check_real``: anything but a float
#: for ``wrt``; a complex number for a value ``**`` computed.
FAST_TYPE = {"wrt": "float", "value": "complex"}
#: The keyword of ``srcgrad.runtime.check_real`` for each kind of input.
_CHECK_KEYWORDS = {
    "wrt": "wrt",
    "parameter": "parameters",
    "global": "globals",
    "closure variable": "closure",
    "value": "values",
    "parameter sequence": "sequences",
    "global sequence": "sequences",
    "closure variable sequence": "sequences",
}


def check_statement(
    op: Op, args: list[str], context: BoundContext, function: Function
) -> ast.stmt:
    """``if x.__class__ is not float or ...: check_real(...)``.

    The test is the fast path: for a float ``wrt`` input, and a float or
    int other input, it is all the check costs. ``check_real`` accepts
    NumPy's scalars too and raises for the rest. The test and the call are
    written as text: ``ast.unparse`` would parenthesise the third and later
    operands of an ``or``.
    """
    names: tuple[str, ...] = op.attributes["names"]  # type: ignore[assignment]
    kinds: tuple[str, ...] = op.attributes["kinds"]  # type: ignore[assignment]
    tests = [
        _fast_test(arg, kind, context) for arg, kind in zip(args, kinds, strict=True)
    ]
    test = " or ".join(tests)
    groups: dict[str, list[str]] = {}
    for name, kind, arg in zip(names, kinds, args, strict=True):
        groups.setdefault(_CHECK_KEYWORDS[kind], []).append(f"{name!r}: {arg}")
    keywords = "".join(
        f", {keyword}={{{', '.join(items)}}}" for keyword, items in groups.items()
    )
    # A value's check names the user's function that computes it.
    label = op.attributes.get("function", function.name)
    if op.attributes.get("inputs"):
        return _inputs_check(test, f"{label!r}{keywords}", context, function)
    helper = ast.unparse(context.helper("check_real"))
    call = f"{helper}({label!r}{keywords})"
    return ast.If(verbatim(test), [ast.Expr(verbatim(call))], [])


def _inputs_check(
    test: str, arguments: str, context: BoundContext, function: Function
) -> ast.stmt:
    """``if <not all floats>: if has_arrays(...): return for_arrays(x, y)``:
    a gradient built for numbers checks them, and hands arrays on to the
    gradient built for them (``srcgrad.dispatch``)."""
    has_arrays = ast.unparse(context.helper("has_arrays"))
    passed = [
        (
            parameter.name
            if parameter.kind != "keyword_only"
            else f"{parameter.name}={parameter.name}"
        )
        for parameter in function.parameters
    ]
    dispatch = f"{ast.unparse(context.for_arrays())}({', '.join(passed)})"
    inner = ast.If(
        verbatim(f"{has_arrays}({arguments})"), [ast.Return(verbatim(dispatch))], []
    )
    return ast.If(verbatim(test), [inner], [])


def _fast_test(arg: str, kind: str, context: BoundContext) -> str:
    """What sends an input to ``check_real``: a class it may not have."""
    if kind.endswith(" sequence"):
        return f"not {ast.unparse(context.helper('is_real_sequence'))}({arg})"
    if not arg.isidentifier():
        arg = f"({arg})"
    if kind in FAST_TYPE:
        test = "is not" if kind == "wrt" else "is"
        type_name = ast.unparse(context.builtin(FAST_TYPE[kind]))
        return f"{arg}.__class__ {test} {type_name}"
    real = ", ".join(ast.unparse(context.builtin(name)) for name in ("float", "int"))
    return f"{arg}.__class__ not in ({real})"


def request_check(op: Op, requests: BindingRequests) -> None:
    """Record the builtins and the helper a ``check_real`` statement calls."""
    kinds = set(op.attributes["kinds"])  # type: ignore[call-overload]
    requests.builtins.update(FAST_TYPE[kind] for kind in kinds & {"wrt", "value"})
    sequences = {kind for kind in kinds if kind.endswith(" sequence")}
    if kinds - {"wrt", "value"} - sequences:
        requests.builtins.update(("float", "int"))
    if sequences:
        requests.helpers.add("is_real_sequence")
    if op.attributes.get("inputs"):
        requests.helpers.add("has_arrays")
        requests.for_arrays()
    else:
        requests.helpers.add("check_real")


def evaluated_why(op: Op) -> str:
    """The comment on a value kept only so the gradient fails where f does."""
    kept = op.operands[0].defining_op
    if op.attributes.get("why") == "shapes":
        return "kept: raises where the arrays' shapes do not fit, as f does"
    if kept is not None and kept.name == "call":
        return "kept: f calls it, and it may raise"
    if kept is not None and kept.attributes.get("namespace") == "numpy":
        return "kept: warns (nan) outside its domain, as f does"
    return "kept: raises outside its domain, as f does"


def shapes_statement(op: Op, context: BoundContext, function_name: str) -> ast.stmt:
    """``if x.shape[0] != y.shape[0]: shapes_differ(...)``: the sizes the
    gradient assumes equal (``srcgrad.ad.shapes``), checked as NumPy would.
    Attribute ``pairs`` holds ``(test, description, where)`` for each."""
    pairs: tuple[tuple[str, str, str], ...] = op.attributes["pairs"]  # type: ignore[assignment]
    tests = [test if " and " not in test else f"({test})" for test, _, _ in pairs]
    test = " or ".join(tests)
    described = "; ".join(f"{text} ({where})" for _, text, where in pairs)
    helper = ast.unparse(context.helper("shapes_differ"))
    call = f"{helper}({function_name!r}, {described!r})"
    return ast.If(verbatim(test), [ast.Expr(verbatim(call))], [])
