"""Imports flow one way (docs/design.md): an import against the flow is a bug.

Two checks: between the parts of srcgrad (``ir``, ``primitives``, ...),
imports follow ``ALLOWED``; between single modules, anywhere, there is no
cycle. Both count every import form: at module level, inside functions, and
under ``if TYPE_CHECKING:`` (a cycle a type checker follows is still a knot
a reader must untie).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "srcgrad"

#: What each part of srcgrad may import from the rest of srcgrad.
ALLOWED = {
    "ir": set(),
    "errors": {"ir"},
    "primitives": {"ir"},
    "passes": {"ir", "primitives", "errors", "settings"},
    "ad": {"ir", "primitives", "passes", "errors"},
    "codegen": {"ir", "errors", "settings"},
    "frontend": {"ir", "primitives", "errors", "wrt"},
    "wrt": {"errors"},
    "cache": set(),
    "settings": set(),
    "disk_cache": {"cache_entry"},
    "cache_entry": set(),
    # Compiled code kept beside an entry: marshal and checksums only.
    "marshalled": set(),
    # What a live function depends on: no frontend (a cache hit runs none).
    "reach": set(),
    # The disk cache's key: what names are bound to, and the settings.
    "cache_key": {"reach", "settings"},
    # Compiled code and binding it: no compiler (a cache hit runs none).
    "compiled": {
        "codegen",
        "dispatch",
        "errors",
        "ir",
        "marshalled",
        "reach",
        "reference",
    },
    "runtime": {"errors", "ir"},
    "compiler": {"ad", "ir", "passes", "errors"},
    "dispatch": {"errors", "ir", "passes", "reach", "runtime"},
    # Graphs of the IR, labelled by the code codegen writes for each rule.
    "drawing": {"codegen", "errors", "ir", "passes", "primitives", "runtime"},
    # Tools for users' tests call srcgrad as users do: `import srcgrad`.
    "testing": set(),
}


def _part(path: Path) -> str:
    relative = path.relative_to(PACKAGE)
    return relative.parts[0].removesuffix(".py")


def _imported_parts(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        names = []
        if isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        for name in names:
            if name.startswith("srcgrad."):
                found.add(name.split(".")[1])
    return found


def test_imports_flow_one_way():
    for path in sorted(PACKAGE.rglob("*.py")):
        part = _part(path)
        if part not in ALLOWED:  # api, cli, __init__ may use everything
            continue
        against = _imported_parts(path) - ALLOWED[part] - {part}
        assert not against, f"{path.relative_to(PACKAGE)} imports {sorted(against)}"


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def _imported_modules(name: str) -> set[str]:
    """The srcgrad modules ``name`` imports, in any form, anywhere in it."""
    path = MODULES[name]
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # from . import x, from ..ir import y
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            found.add(base)
            # from srcgrad.primitives import table: the submodule itself
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return {module for module in found if module in MODULES and module != name}


def _cycles(graph: dict[str, set[str]]) -> Iterator[list[str]]:
    """Each cycle of ``graph`` found by depth-first search, as a path."""
    done: set[str] = set()

    def visit(node: str, path: list[str]) -> Iterator[list[str]]:
        if node in path:
            yield path[path.index(node) :] + [node]
            return
        if node in done:
            return
        for target in sorted(graph[node]):
            yield from visit(target, path + [node])
        done.add(node)

    for start in sorted(graph):
        yield from visit(start, [])


def test_no_module_imports_itself_through_others():
    graph = {name: _imported_modules(name) for name in MODULES}
    cycles = [" -> ".join(cycle) for cycle in _cycles(graph)]
    assert not cycles, "import cycles:\n" + "\n".join(cycles)


def test_cycle_finder_sees_imports_inside_functions_and_type_checking():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert list(_cycles(graph)) == [["a", "b", "c", "a"]]
    imported = _imported_modules("srcgrad.primitives.emitter")
    # emitter imports sympy_to_ir inside a function: still an edge.
    assert "srcgrad.primitives.sympy_to_ir" in imported
