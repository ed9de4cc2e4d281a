"""The ``srcgrad`` command line.

``srcgrad show FILE[::NAME] [--wrt x,y] [--ir]`` prints the gradient srcgrad
generates for every top-level function in FILE (or just NAME). The file is
parsed, never run: names resolve to its own imports of ``math`` and
``numpy`` and to its own top-level definitions.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from srcgrad.codegen import generate, module_source
from srcgrad.compiler import describe_gradient, gradient_ir
from srcgrad.errors import SrcgradError
from srcgrad.frontend import FileResolver, FunctionSource, lower_function, parse_file
from srcgrad.ir import Function, print_function


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
        description="Print the generated gradient of each top-level function "
        "in FILE, or of FILE::NAME only. The file is not executed.",
    )
    show.add_argument("target", metavar="FILE[::NAME]")
    show.add_argument(
        "--wrt",
        help="comma-separated parameter names to differentiate with respect to "
        "(default: the first parameter)",
    )
    show.add_argument(
        "--ir", action="store_true", help="print the gradient's IR instead"
    )
    show.set_defaults(run=_show)
    return parser


def _show(arguments: argparse.Namespace) -> int:
    path, _, name = arguments.target.partition("::")
    module, sources = parse_file(path)
    if name:
        sources = [source for source in sources if source.name == name]
        if not sources:
            raise SrcgradError(f"{path} has no top-level function named {name!r}")
    if not sources:
        raise SrcgradError(f"{path} has no top-level functions")
    resolver = FileResolver(module)
    gradients: list[tuple[Function, str, list[str]]] = []
    errors: list[SrcgradError] = []
    for source in sources:
        # One function srcgrad can't differentiate does not hide the others.
        try:
            gradients.append(_gradient(source, resolver, arguments.wrt))
        except SrcgradError as error:
            errors.append(error)
    if gradients and arguments.ir:
        sys.stdout.write("\n".join(print_function(ir) for ir, _, _ in gradients))
    elif gradients:
        generated = [
            generate(ir, describe_gradient(name, wrt)) for ir, name, wrt in gradients
        ]
        sys.stdout.write(module_source(generated))
    for failure in errors:
        print(f"srcgrad: {failure}", file=sys.stderr)
    return 1 if errors else 0


def _gradient(
    source: FunctionSource, resolver: FileResolver, wrt_option: str | None
) -> tuple[Function, str, list[str]]:
    """The gradient IR of one function, its name, and what it is taken wrt."""
    primal = lower_function(source, resolver)
    parameters = [parameter.name for parameter in primal.parameters]
    wrt = _wrt(wrt_option, parameters, source.name)
    return gradient_ir(primal, wrt), primal.name, wrt


def _wrt(option: str | None, parameters: list[str], function: str) -> list[str]:
    if option is None:
        if not parameters:
            raise SrcgradError(f"{function} has no parameters to differentiate")
        return parameters[:1]
    names = [name.strip() for name in option.split(",") if name.strip()]
    missing = [name for name in names if name not in parameters]
    if missing or not names:
        raise SrcgradError(
            f"--wrt {option!r}: {function} has parameters {tuple(parameters)}"
        )
    return names


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
