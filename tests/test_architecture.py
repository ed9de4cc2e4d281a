"""Imports flow one way (DESIGN.md): an import against the flow is a bug."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "srcgrad"

#: What each part of srcgrad may import from the rest of srcgrad.
ALLOWED = {
    "ir": set(),
    "errors": {"ir"},
    "primitives": {"ir"},
    "passes": {"ir", "primitives", "errors"},
    "ad": {"ir", "primitives", "passes", "errors"},
    "codegen": {"ir"},
    "frontend": {"ir", "primitives", "errors"},
    "cache": set(),
    "runtime": {"errors"},
    "compiler": {"ad", "ir", "passes", "errors"},
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
