"""The ``srcgrad`` command line.

``srcgrad show FILE[::NAME] [--wrt x,y] [--ir]`` prints the gradient srcgrad
generates for every top-level ``def`` in FILE (or just NAME, which may also
name a lambda or another name for a function): for each, the text
``srcgrad.source`` gives for the gradient the live decorator builds.
The file is parsed, never run (``FileResolver`` says what its names mean).
Each function srcgrad cannot build is reported at its place; the others are
still printed, and the exit status is 1.
"""

from __future__ import annotations

import argparse
import ast
import builtins
import os
import sys
from collections.abc import Sequence

from srcgrad.cli_shapes import (
    check_shape_names,
    parameter_names,
    parse_shape,
    shapes_hint,
    signature_for,
)
from srcgrad.codegen import GeneratedFunction, module_source
from srcgrad.codegen.emit import generate_program
from srcgrad.codegen.load import compile_module
from srcgrad.codegen.scope import globals_read
from srcgrad.compiler import (
    describe_gradient,
    gradient_program,
    recursion_headroom,
    wrt_names,
)
from srcgrad.errors import (
    DifferentiationError,
    SrcgradError,
    ValueTypeError,
)
from srcgrad.frontend import (
    FileResolver,
    FunctionSource,
    ParsedFile,
    file_entry,
    lower_program,
    parse_file,
)
from srcgrad.frontend.decorators import declared_wrt, grad_decorator
from srcgrad.frontend.resolve import FunctionBinding, Resolver
from srcgrad.frontend.source import LAMBDA_DISPLAY, LAMBDA_NAME, async_def_error
from srcgrad.ir import Program, print_program


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    parser = _parser()
    arguments = parser.parse_args(argv)
    try:
        return int(arguments.run(arguments) or 0)
    except SrcgradError as error:
        print(f"srcgrad: {error}", file=sys.stderr)
        return 1
    except OSError as error:
        print(f"srcgrad: {error}", file=sys.stderr)
        return 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="srcgrad", description="Source-to-source differentiation of Python."
    )
    commands = parser.add_subparsers(required=True, metavar="command")
    show = commands.add_parser(
        "show",
        help="print the gradient srcgrad generates for functions in a file",
        description="Print the generated gradient of each top-level def in "
        "FILE, or of FILE::NAME only (a def, or a name bound to a lambda or a "
        "function). The file is not executed.",
    )
    show.add_argument("target", metavar="FILE[::NAME]")
    show.add_argument(
        "--wrt",
        help="comma-separated parameter names to differentiate with respect to "
        "(default: the wrt of the function's @srcgrad.grad decorator, else the "
        "first parameter)",
    )
    show.add_argument(
        "--shape",
        action="append",
        default=[],
        type=parse_shape,
        metavar="NAME=SHAPE",
        help="show the gradient for a float array of this shape as parameter "
        "NAME (--shape X=64x784; repeat for each array; other parameters are "
        "numbers)",
    )
    show.add_argument(
        "--ir", action="store_true", help="print the gradient's IR instead"
    )
    show.set_defaults(run=_show)
    return parser


def _show(arguments: argparse.Namespace) -> int:
    path, name = _target(arguments.target)
    wrt = None if arguments.wrt is None else _parse_wrt(arguments.wrt)
    parsed = parse_file(path)
    resolver = FileResolver(parsed)
    sources, errors = _selected(parsed, resolver, name)
    check_shape_names(
        arguments.shape,
        {source.name: parameter_names(source.node) for source in sources},
    )
    irs: list[str] = []
    programs: list[tuple[FunctionSource, Program, str]] = []
    typed: list[ast.FunctionDef] = []  # what failed on a value's type
    for source in sources:
        # One function srcgrad can't differentiate does not hide the others.
        size = sum(1 for _ in ast.walk(source.node))
        try:
            with recursion_headroom(size):
                ir, names = _gradient(
                    source, parsed.module, resolver, wrt, arguments.shape
                )
            if arguments.ir:
                irs.append(print_program(ir))
            else:
                described = describe_gradient(_display(source), names)
                programs.append((source, ir, described))
        except SrcgradError as error:
            errors.append(_located(error, source))
            if isinstance(error, ValueTypeError):  # of a number, perhaps
                typed.append(source.node)
        except Exception as error:  # a bug in srcgrad: say so, show the rest
            errors.append(_internal_error(error, source))
    generated = _generate_all(programs, errors)
    if irs or generated:
        sys.stdout.write("\n".join(irs) if irs else module_source(generated))
    sys.stdout.flush()  # the gradients, then what went wrong
    # Two functions may fail on one helper they both call: say it once.
    unique = {str(failure): failure for failure in errors}.values()
    for failure in sorted(unique, key=_line):
        print(f"srcgrad: {failure}", file=sys.stderr)
    hint = shapes_hint(typed, arguments.shape)
    if hint is not None:
        print(f"srcgrad: {hint}", file=sys.stderr)
    return 1 if errors else 0


def _generate_all(
    programs: list[tuple[FunctionSource, Program, str]], errors: list[SrcgradError]
) -> list[GeneratedFunction]:
    """The code of each gradient, for one module: no name any of them
    defines hides a global another reads, nor another gradient. What fails
    goes to ``errors``."""
    read = frozenset(
        name
        for _, program, _ in programs
        for function in program.functions.values()
        for name in globals_read(function)
    )
    entries = frozenset(program.entry for _, program, _ in programs)
    generated: list[GeneratedFunction] = []
    for source, program, docstring in programs:
        avoid = read | (entries - {program.entry})
        try:
            with recursion_headroom(sum(1 for _ in ast.walk(source.node))):
                code = _generate(program, docstring, generated, avoid)
                # Only code that compiles, as the decorator's does.
                compile_module(code, source.name)
                generated.append(code)
        except SrcgradError as error:
            errors.append(_located(error, source))
        except Exception as error:  # a bug in srcgrad: say so, show the rest
            errors.append(_internal_error(error, source))
    return generated


def _target(target: str) -> tuple[str, str]:
    """``FILE::NAME`` as (FILE, NAME), NAME empty for ``FILE`` alone.

    The name is after the last ``::``: a path may hold ``::``, a name never.
    A target that is a file is a path, whatever it holds.

    Raises:
        SrcgradError: ``FILE::`` names no function.
    """
    if "::" not in target or os.path.isfile(target):
        return target, ""
    path, _, name = target.rpartition("::")
    if not name:
        raise SrcgradError(
            f"{target!r} names no function after '::'; write {path}::NAME to "
            f"show one function, or {path} alone to show every function"
        )
    return path, name


def _generate(
    program: Program,
    docstring: str,
    before: list[GeneratedFunction],
    avoid: frozenset[str],
) -> GeneratedFunction:
    """``program``'s code, its names apart from ``avoid`` and from different
    functions of the same name that gradients ``before`` it define (one
    module holds all: two gradients that need one derivative of a helper
    share it)."""
    defined = {name: text for done in before for name, text in _definitions(done)}
    while True:
        generated = generate_program(program, docstring, avoid)
        clashes = {
            name
            for name, text in _definitions(generated)
            if defined.get(name, text) != text
        }
        if not clashes:
            return generated
        avoid |= clashes


def _definitions(generated: GeneratedFunction) -> list[tuple[str, str]]:
    """The functions ``generated`` defines, as ``(name, definition)``."""
    return [(generated.name, generated.definition), *generated.others]


def _selected(
    parsed: ParsedFile, resolver: FileResolver, name: str
) -> tuple[list[FunctionSource], list[SrcgradError]]:
    """The functions to show (every ``def``, or ``name``), and those srcgrad
    can't read.

    Raises:
        SrcgradError: there is no such function.
    """
    sources = [source for source in parsed.functions if name in ("", source.name)]
    errors: list[SrcgradError] = [
        async_def_error(node.name, parsed.location(node))
        for node in parsed.async_functions
        if name in ("", node.name)
    ]
    if name and not sources and not errors:
        return [_bound_function(parsed, resolver, name)], []
    if not sources and not errors:
        raise SrcgradError(f"{parsed.filename} has no top-level functions")
    return sources, errors


def _bound_function(
    parsed: ParsedFile, resolver: FileResolver, name: str
) -> FunctionSource:
    """The function ``name`` holds once the file has run, where no ``def``
    has that name: a lambda (``sq = lambda t: t * t``), or another name for
    a function (``alias = helper``).

    Raises:
        SrcgradError: ``name`` holds no function show can read.
    """
    binding = resolver.before(len(parsed.module.body)).resolve(name)
    if isinstance(binding, FunctionBinding):
        refused = binding.refused
        if isinstance(refused, SrcgradError):
            raise type(refused)(refused.message, refused.location)
        if isinstance(binding.source, FunctionSource):
            return binding.source
    message = f"{parsed.filename} has no top-level function named {name!r}"
    description = getattr(binding, "description", None)
    if description is not None:
        message += f" (what it holds: {description})"
    raise SrcgradError(message)


def _gradient(
    source: FunctionSource,
    module: ast.Module,
    resolver: FileResolver,
    wrt_option: str | tuple[str, ...] | None,
    shapes: Sequence[tuple[str, tuple[int, ...]]] = (),
) -> tuple[Program, tuple[str, ...]]:
    """The gradient IR of one function (with the functions of the file it
    calls), and what it is taken with respect to.

    ``wrt`` is ``--wrt`` if given, else what the function's own
    ``@srcgrad.grad`` decorator asks for, else the first parameter.
    """
    names_at: Resolver = resolver
    if grad_decorator(source, module) is not None:
        # The decorator builds the gradient when the `def` runs: names are
        # what the statements above it bound.
        names_at = resolver.before(module.body.index(source.node))
    program = lower_program(file_entry(source, names_at))
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
    return (
        gradient_program(program, names, as_tuple=as_tuple, signature=signature),
        names,
    )


def _parse_wrt(option: str) -> str | tuple[str, ...]:
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


def _display(source: FunctionSource) -> str:
    """The function's name as Python gives it (``<lambda>`` for a lambda)."""
    return LAMBDA_DISPLAY if source.name == LAMBDA_NAME else source.name


def _line(error: SrcgradError) -> int:
    return error.location.line if error.location is not None else 0


def _located(error: SrcgradError, source: FunctionSource) -> SrcgradError:
    """``error``, pointing at the function's ``def`` if it points nowhere."""
    if error.location is not None:
        return error
    location = source.location(source.node)
    try:
        return type(error)(error.message, location)
    except TypeError:  # a subclass with a signature of its own
        return SrcgradError(str(error), location)


def _internal_error(error: Exception, source: FunctionSource) -> SrcgradError:
    return SrcgradError(
        f"internal error while building the gradient of {source.name}: "
        f"{type(error).__name__}: {error} (a bug in srcgrad; please report it)",
        source.location(source.node),
    )


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
