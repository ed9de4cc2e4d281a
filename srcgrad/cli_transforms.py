"""What ``srcgrad show`` builds for one function: which derivative, with
respect to what, as IR.

The options (``--transform``, ``--mode``, ``--hessian``) choose the
derivative, else the function's srcgrad decorator does, else it is the
gradient; ``--wrt`` chooses the parameters, else the decorator's ``wrt``,
else the first parameter.
"""

from __future__ import annotations

import argparse
import ast
import builtins
from collections.abc import Sequence

from srcgrad.cli_shapes import signature_for
from srcgrad.compiler import forward_program, gradient_program
from srcgrad.compose import hessian_program
from srcgrad.errors import DifferentiationError, SrcgradError
from srcgrad.frontend import FileResolver, FunctionSource, file_entry, lower_program
from srcgrad.frontend.decorators import declared_kind, declared_wrt, grad_decorator
from srcgrad.frontend.resolve import Resolver
from srcgrad.ir import Program
from srcgrad.wrt import wrt_names


def derivative_ir(
    source: FunctionSource,
    module: ast.Module,
    resolver: FileResolver,
    wrt_option: str | tuple[str, ...] | None,
    shapes: Sequence[tuple[str, tuple[int, ...]]] = (),
    kind: str = "grad",
) -> tuple[Program, tuple[str, ...]]:
    """The derivative's IR of one function (with the functions of the file
    it calls), and what it is taken with respect to: the gradient, or
    another of ``SHOWN`` (``kind``).

    ``wrt`` is ``--wrt`` if given, else what the function's own
    ``@srcgrad.grad`` decorator asks for, else the first parameter.
    """
    program = primal_program(source, module, resolver)
    primal = program.entry_function
    parameters = [parameter.name for parameter in primal.parameters]
    wrt: object
    if wrt_option is not None:
        wrt = wrt_option
        _check_parameters(source, resolver, parameters, wrt_option)
    else:
        declared = declared_wrt(source, module)
        wrt = 0 if declared is None else declared
    names = wrt_names(primal.name, parameters, wrt)
    as_tuple = isinstance(wrt, tuple)
    signature = signature_for(parameters, shapes)
    name = f"{primal.name}_{kind}"
    built: Program
    if kind in ("grad", "value_and_grad"):
        built = gradient_program(
            program,
            names,
            as_tuple=as_tuple,
            signature=signature,
            with_value=kind == "value_and_grad",
        )
    elif kind == "vjp":
        built = gradient_program(
            program, names, as_tuple=True, signature=signature, seeded=True, name=name
        )
    elif kind in ("hessian", "hvp"):
        arrays = any(parameter in names for parameter, _ in shapes)
        built = hessian_program(
            program,
            names,
            as_tuple=as_tuple,
            seeding="parameters" if kind == "hvp" or arrays else "basis",
            signature=signature,
        )
    else:
        built = forward_program(
            program,
            names,
            seeding="parameters" if kind == "jvp" else "basis",
            with_value=kind == "jvp",
            name=name,
            as_tuple=as_tuple,
            signature=signature,
        )
    return built, names


def primal_program(
    source: FunctionSource, module: ast.Module, resolver: FileResolver
) -> Program:
    """The IR of one function of a file read without running it, and of the
    functions of the file it calls."""
    names_at: Resolver = resolver
    if grad_decorator(source, module) is not None:
        # The decorator builds the gradient when the `def` runs: names are
        # what the statements above it bound.
        names_at = resolver.before(module.body.index(source.node))
    return lower_program(file_entry(source, names_at))


#: What ``srcgrad show --transform`` can print.
SHOWN = ("grad", "value_and_grad", "derivative", "jvp", "vjp", "hessian", "hvp")


def chosen_kind(
    arguments: argparse.Namespace, source: FunctionSource, module: ast.Module
) -> str:
    """Which derivative to show: as the options say, else as the function's
    srcgrad decorator builds it, else its gradient."""
    if arguments.hessian:
        return "hessian"
    if arguments.mode is not None:
        return "jvp" if arguments.mode == "forward" else "grad"
    if arguments.transform is not None:
        return str(arguments.transform)
    return declared_kind(source, module) or "grad"


def parse_wrt(option: str) -> str | tuple[str, ...]:
    """``--wrt x`` is one parameter; ``--wrt x,y`` (or ``x,``) a tuple.

    Raises:
        SrcgradError: the list is empty, or an item is not a name.
    """
    items = [item.strip() for item in option.split(",")]
    if len(items) > 1 and not items[-1]:
        items.pop()  # `x,`: a tuple of one
    if not any(items):
        raise SrcgradError(
            f"--wrt {option!r} names no parameter; give one (--wrt x) or "
            "several (--wrt x,y)"
        )
    for item in items:
        if not item.isidentifier():
            raise SrcgradError(
                f"--wrt {option!r}: {item!r} is not a parameter name; "
                "give names separated by commas (--wrt x,y)"
            )
    return tuple(items) if "," in option else items[0]


def _check_parameters(
    source: FunctionSource,
    resolver: FileResolver,
    parameters: list[str],
    wrt: str | tuple[str, ...],
) -> None:
    """Refuse a ``--wrt`` name that is not a parameter, saying what it is."""
    for name in (wrt,) if isinstance(wrt, str) else wrt:
        if name in parameters:
            continue
        if name in _assigned_names(source.node):
            what = f"a local variable of {source.name}, not a parameter"
        elif hasattr(builtins, name):
            what = "a builtin, not a parameter"
        elif resolver.resolve(name) is not None:
            what = f"a global name in {source.filename}, not a parameter"
        else:
            what = f"not a parameter of {source.name}"
        raise DifferentiationError(
            f"--wrt {name!r} is {what}; its parameters are {tuple(parameters)}",
            source.location(source.node),
        )


def _assigned_names(node: ast.FunctionDef) -> set[str]:
    return {
        child.id
        for child in ast.walk(node)
        if isinstance(child, ast.Name) and isinstance(child.ctx, ast.Store)
    }
