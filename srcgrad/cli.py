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
import sys
from collections.abc import Sequence

from srcgrad.cli_cache import add_cache_command
from srcgrad.cli_check import add_check_command
from srcgrad.cli_files import display_name, located, selected, split_target
from srcgrad.cli_graph import add_graph_command
from srcgrad.cli_shapes import (
    check_shape_names,
    parameter_names,
    parse_shape,
    shapes_hint,
)
from srcgrad.cli_stats import (
    colour_wanted,
    highlighted,
    operation_count,
    primal_count,
    stats_line,
)
from srcgrad.cli_transforms import SHOWN, chosen_kind, derivative_ir, parse_wrt
from srcgrad.codegen import GeneratedFunction, module_source
from srcgrad.codegen.emit import generate_program
from srcgrad.codegen.format import format_source
from srcgrad.codegen.load import compile_module
from srcgrad.codegen.scope import globals_read
from srcgrad.compiler import (
    describe,
    recursion_headroom,
)
from srcgrad.errors import (
    SrcgradError,
    ValueTypeError,
)
from srcgrad.frontend import (
    FileResolver,
    FunctionSource,
    parse_file,
)
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
    chosen = show.add_mutually_exclusive_group()
    chosen.add_argument(
        "--transform",
        choices=SHOWN,
        help="which derivative to print (default: what the function's srcgrad "
        "decorator builds, else grad)",
    )
    chosen.add_argument(
        "--mode",
        choices=("reverse", "forward"),
        help="reverse: the gradient (grad); forward: the Jacobian-vector "
        "product (jvp), with a tangent parameter per wrt parameter",
    )
    chosen.add_argument(
        "--hessian",
        action="store_true",
        help="print the Hessian (for --shape arrays, the Hessian-vector "
        "product it is computed from, column by column)",
    )
    show.add_argument(
        "--ir", action="store_true", help="print the gradient's IR instead"
    )
    show.add_argument(
        "--stats",
        action="store_true",
        help="after the code, count the operations of each function and of "
        "its derivative, and their ratio",
    )
    show.add_argument(
        "--color",
        choices=("auto", "always", "never"),
        default="auto",
        help="highlight the code with Pygments (auto: on a terminal, where "
        "Pygments is installed and NO_COLOR is not set)",
    )
    show.set_defaults(run=_show)
    add_graph_command(commands)
    add_check_command(commands)
    add_cache_command(commands)
    return parser


def _show(arguments: argparse.Namespace) -> int:
    path, name = split_target(arguments.target)
    wrt = None if arguments.wrt is None else parse_wrt(arguments.wrt)
    parsed = parse_file(path)
    resolver = FileResolver(parsed)
    sources, errors = selected(parsed, resolver, name)
    check_shape_names(
        arguments.shape,
        {source.name: parameter_names(source.node) for source in sources},
    )
    irs: list[str] = []
    programs: list[tuple[FunctionSource, Program, str]] = []
    typed: list[ast.FunctionDef] = []  # what failed on a value's type
    stats: list[str] = []  # --stats: a line per function
    for source in sources:
        # One function srcgrad can't differentiate does not hide the others.
        size = sum(1 for _ in ast.walk(source.node))
        try:
            kind = chosen_kind(arguments, source, parsed.module)
            with recursion_headroom(size):
                ir, names = derivative_ir(
                    source, parsed.module, resolver, wrt, arguments.shape, kind
                )
            if arguments.ir:
                irs.append(print_program(ir))
            else:
                shown = "hvp" if kind == "hessian" and arguments.shape else kind
                with_value = kind in ("value_and_grad", "jvp")
                base = "grad" if kind == "value_and_grad" else shown
                described = describe(
                    display_name(source), names, base, with_value=with_value
                )
                programs.append((source, ir, described))
            if arguments.stats:
                primal = primal_count(source, parsed.module, resolver, arguments.shape)
                made = operation_count(ir)
                stats.append(stats_line(display_name(source), ir.entry, primal, made))
        except SrcgradError as error:
            errors.append(located(error, source))
            if isinstance(error, ValueTypeError):  # of a number, perhaps
                typed.append(source.node)
        except Exception as error:  # a bug in srcgrad: say so, show the rest
            errors.append(_internal_error(error, source))
    generated = _generate_all(programs, errors)
    if irs or generated:
        text = "\n".join(irs) if irs else format_source(module_source(generated))
        if not irs and colour_wanted(arguments.color):
            text = highlighted(text)
        sys.stdout.write(text)
    if stats:
        sys.stdout.write("\n" + "\n".join(stats) + "\n")
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
            errors.append(located(error, source))
        except Exception as error:  # a bug in srcgrad: say so, show the rest
            errors.append(_internal_error(error, source))
    return generated


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


def _line(error: SrcgradError) -> int:
    return error.location.line if error.location is not None else 0


def _internal_error(error: Exception, source: FunctionSource) -> SrcgradError:
    return SrcgradError(
        f"internal error while building the gradient of {source.name}: "
        f"{type(error).__name__}: {error} (a bug in srcgrad; please report it)",
        source.location(source.node),
    )


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
