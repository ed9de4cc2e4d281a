"""``srcgrad graph FILE::NAME [--wrt x] [--at x=1.5,y=2] [-o out.svg]``.

Draws a function's computational graph (``srcgrad.drawing``): DOT text on
standard output, or a ``.dot``, ``.svg``, ``.png`` or ``.pdf`` file. Like
``show``, it reads the file without running it, so at a point (``--at``)
the module constants the function reads must be written as literals.
"""

from __future__ import annotations

import argparse
import ast
import sys
from collections.abc import Callable, Sequence

from srcgrad.cli_files import located, selected, split_target
from srcgrad.cli_shapes import check_shape_names, parse_shape, signature_for
from srcgrad.cli_transforms import parse_wrt, primal_program
from srcgrad.drawing import draw
from srcgrad.drawing.dot import to_dot
from srcgrad.drawing.picture import write
from srcgrad.errors import SrcgradError
from srcgrad.frontend import FileResolver, FunctionSource, ParsedFile, parse_file
from srcgrad.frontend.decorators import declared_wrt
from srcgrad.ir import Op
from srcgrad.pictures import point_of, signature_at
from srcgrad.wrt import wrt_names


def add_graph_command(commands: argparse._SubParsersAction) -> None:
    graph = commands.add_parser(
        "graph",
        help="draw a function's computational graph, with local derivatives",
        description="Draw the computational graph of FILE::NAME: a node per "
        "value, each edge labelled with its local derivative; with --at, each "
        "node's value and adjoint and each local derivative's value. The file "
        "is not executed.",
    )
    graph.add_argument("target", metavar="FILE[::NAME]")
    graph.add_argument(
        "--wrt",
        help="comma-separated parameters differentiated with respect to, "
        "marked in the picture (default: as srcgrad show)",
    )
    add_point_option(graph, "the point to draw the graph at")
    graph.add_argument(
        "--shape",
        action="append",
        default=[],
        type=parse_shape,
        metavar="NAME=SHAPE",
        help="draw the graph for a float array of this shape as parameter NAME "
        "(--shape X=64x784; repeat for each array; not with --at)",
    )
    graph.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        help="write the graph to FILE: .dot (text), or .svg, .png or .pdf "
        "(rendered by Graphviz's dot); default: DOT text on standard output",
    )
    graph.set_defaults(run=_graph)


def add_point_option(parser: argparse.ArgumentParser, what: str) -> None:
    parser.add_argument(
        "--at",
        action="append",
        default=[],
        type=parse_point,
        metavar="NAME=VALUE,...",
        help=f"{what}: a number for each parameter (--at x=1.5,y=2; repeatable)",
    )


def parse_point(text: str) -> dict[str, float]:
    """``x=1.5,y=2`` as ``{"x": 1.5, "y": 2}``."""
    point: dict[str, float] = {}
    for part in text.split(","):
        name, equals, value = part.partition("=")
        name = name.strip()
        if not equals or not name.isidentifier():
            raise argparse.ArgumentTypeError(
                f"{part!r} is not NAME=VALUE (write --at x=1.5,y=2)"
            )
        try:  # 3 is an int, as Python reads it (a range bound); 3.0 a float
            point[name] = (
                int(value) if value.strip().lstrip("+-").isdigit() else float(value)
            )
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"{value.strip()!r}, the value of {name}, is not a number"
            ) from None
    return point


def merged(
    points: list[dict[str, float]], wrt: Sequence[str] = ()
) -> dict[str, float] | None:
    """The ``--at`` options as one point (None if there are none), each
    parameter of ``wrt`` a float (``x=1`` is 1.0 where x is differentiated,
    an int elsewhere)."""
    if not points:
        return None
    point: dict[str, float] = {}
    for given in points:
        point.update(given)
    for name in wrt:
        if name in point:
            point[name] = float(point[name])
    return point


def one_function(
    parsed: ParsedFile, resolver: FileResolver, name: str
) -> FunctionSource:
    """The function ``FILE::NAME`` names, or FILE's only one.

    Raises:
        SrcgradError: there is no such function, or FILE has several and
            no NAME says which.
    """
    sources, errors = selected(parsed, resolver, name)
    if errors:
        raise errors[0]
    if len(sources) > 1:
        names = ", ".join(source.name for source in sources)
        raise SrcgradError(
            f"{parsed.filename} has several functions ({names}): name one, "
            f"as {parsed.filename}::{sources[0].name}"
        )
    return sources[0]


def _graph(arguments: argparse.Namespace) -> int:
    path, name = split_target(arguments.target)
    parsed = parse_file(path)
    resolver = FileResolver(parsed)
    source = one_function(parsed, resolver, name)
    try:
        program = primal_program(source, parsed.module, resolver)
        entry = program.entry_function
        parameters = [parameter.name for parameter in entry.parameters]
        if arguments.wrt is not None:
            wrt: object = parse_wrt(arguments.wrt)
        else:
            declared = declared_wrt(source, parsed.module)
            wrt = 0 if declared is None else declared
        names = wrt_names(entry.name, parameters, wrt)
        point = merged(arguments.at, names)
        if point is not None and arguments.shape:
            raise SrcgradError(
                "--at gives numbers and --shape arrays: draw a function of "
                "arrays at a point from Python, srcgrad.graph(f, at=...)"
            )
        if point is not None:  # a parameter --at does not give: its default
            point = {**_literal_defaults(source.node), **point}
        at = None if point is None else point_of(entry.name, parameters, point)
        check_shape_names(arguments.shape, {entry.name: parameters})
        signature = (
            signature_for(parameters, arguments.shape)
            if at is None
            else signature_at(parameters, at)
        )
        graph = draw(program, names, signature, at, literal_globals(parsed))
    except SrcgradError as error:
        raise located(error, source) from None
    if point is not None:
        graph.at = tuple(
            (
                f"{key}={value:g}"
                if isinstance(value, (int, float))
                else f"{key}={value!r}"
            )
            for key, value in ((name, point[name]) for name in parameters)
        )
    if arguments.output is None:
        sys.stdout.write(to_dot(graph))
    else:
        write(to_dot(graph), arguments.output)
    return 0


def literal_globals(parsed: ParsedFile) -> Callable[[Op], object]:
    """Reads a module constant the file binds once, at its top level, to a
    literal (``N = 3``, ``RATE: float = 0.05``).

    Raises (when called):
        SrcgradError: the global is computed when the file runs, or bound
            more than once (``N += 2``, in an ``if``, by ``global N``).
    """
    bindings: dict[str, int] = {}
    for node in _module_level(parsed.module.body):
        for name in _bound(node):
            bindings[name] = bindings.get(name, 0) + 1
    for node in ast.walk(parsed.module):
        if isinstance(node, ast.Global):  # a function may rebind it
            for name in node.names:
                bindings[name] = bindings.get(name, 0) + 2
    constants: dict[str, object] = {}
    for statement in parsed.module.body:
        target, value = _single_assignment(statement)
        if target is None or value is None or bindings.get(target) != 1:
            continue
        try:
            constants[target] = ast.literal_eval(value)
        except ValueError:
            continue

    def read(op: Op) -> object:
        name = str(op.attributes["name"])
        if name in constants and not op.attributes.get("closure"):
            return constants[name]
        raise SrcgradError(
            f"drawing at a point reads {name}, which {parsed.filename} does not "
            "bind once to a literal; srcgrad graph does not run the file and "
            "reads only constants written as literals, once (N = 3). Draw it "
            "from Python, srcgrad.graph(f, at=...), or without --at",
            op.loc,
        )

    return read


def _module_level(statements: list[ast.stmt]) -> list[ast.AST]:
    """The nodes the module's own code runs: its statements and those
    nested in its ``if``, ``for``, ``with`` and ``try`` blocks, not the
    bodies of its functions and classes (their names are bound, though)."""
    found: list[ast.AST] = []
    pending: list[ast.AST] = list(statements)
    while pending:
        node = pending.pop()
        found.append(node)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        if isinstance(node, ast.Lambda):
            continue
        pending.extend(ast.iter_child_nodes(node))
    return found


def _bound(node: ast.AST) -> list[str]:
    """The names ``node`` itself binds at module level."""
    if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
        return [node.id]
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return [node.name]
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        return [(alias.asname or alias.name).split(".")[0] for alias in node.names]
    if isinstance(node, ast.ExceptHandler) and node.name:
        return [node.name]
    return []


def _single_assignment(statement: ast.stmt) -> tuple[str | None, ast.expr | None]:
    """``NAME = value`` or ``NAME: type = value``, as (NAME, value)."""
    if isinstance(statement, ast.Assign) and len(statement.targets) == 1:
        target = statement.targets[0]
        if isinstance(target, ast.Name):
            return target.id, statement.value
    if isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
        return statement.target.id, statement.value
    return None, None


def _literal_defaults(node: ast.FunctionDef) -> dict[str, float]:
    """The defaults the ``def`` writes as literals, by parameter."""
    arguments = node.args
    positional = [*arguments.posonlyargs, *arguments.args]
    first = len(positional) - len(arguments.defaults)
    pairs = list(zip(positional[first:], arguments.defaults, strict=True))
    pairs += [
        (argument, default)
        for argument, default in zip(
            arguments.kwonlyargs, arguments.kw_defaults, strict=True
        )
        if default is not None
    ]
    found: dict[str, float] = {}
    for argument, default in pairs:
        try:
            found[argument.arg] = ast.literal_eval(default)
        except ValueError:
            continue
    return found
