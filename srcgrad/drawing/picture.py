"""A graph as a picture: DOT text, rendered by Graphviz's ``dot``.

``dot`` is run as a program (Debian's and Homebrew's ``graphviz``
package), not through a Python binding: the DOT text is all it needs, and
srcgrad then depends on nothing more to draw.
"""

from __future__ import annotations

import os
import shutil
import subprocess

from srcgrad.drawing.dot import to_dot
from srcgrad.drawing.model import Graph
from srcgrad.errors import SrcgradError

#: What ``dot`` renders to, by the suffix of the file written.
FORMATS = {".svg": "svg", ".png": "png", ".pdf": "pdf"}


class Picture:
    """A function's computational graph (``srcgrad.graph``).

    In Jupyter it displays itself (``_repr_svg_``, where ``dot`` is
    installed); ``save("f.svg")`` writes it (``.dot``, ``.svg``, ``.png``
    or ``.pdf``), ``str()`` of it is its DOT text, and ``graph`` its nodes,
    edges and clusters as data.
    """

    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        self.dot = to_dot(graph)

    def __str__(self) -> str:
        return self.dot

    def __repr__(self) -> str:
        return (
            f"<srcgrad graph of {self.graph.name}: {len(self.graph.nodes)} nodes, "
            f"{len(self.graph.edges)} edges>"
        )

    def _repr_svg_(self) -> str | None:
        if shutil.which("dot") is None:
            return None  # Jupyter shows the repr instead
        return render(self.dot, "svg").decode()

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the picture to ``path``, in the format its suffix names."""
        write(self.dot, os.fspath(path))


def write(dot: str, path: str) -> None:
    """Write ``dot`` to ``path``: as it is for ``.dot`` (or ``.gv``), else
    rendered by Graphviz in the format the suffix names."""
    suffix = os.path.splitext(path)[1].lower()
    if suffix in (".dot", ".gv"):
        with open(path, "w", encoding="utf-8") as file:
            file.write(dot)
        return
    if suffix not in FORMATS:
        raise SrcgradError(
            f"{path}: a graph is written as .dot (or .gv), .svg, .png or .pdf, "
            "by its suffix"
        )
    data = render(dot, FORMATS[suffix])
    with open(path, "wb") as file:
        file.write(data)


def render(dot: str, form: str) -> bytes:
    """``dot`` rendered by Graphviz as ``form`` (``svg``, ``png``)."""
    program = shutil.which("dot")
    if program is None:
        raise SrcgradError(
            f"drawing a graph as {form} needs Graphviz's `dot` program, which is "
            "not installed (Debian or Ubuntu: apt install graphviz; macOS: brew "
            "install graphviz); write the graph to a .dot file to get its text"
        )
    done = subprocess.run(  # noqa: S603 - dot, found on PATH, reads stdin
        [program, f"-T{form}"],
        input=dot.encode(),
        capture_output=True,
        timeout=120,
        check=False,
    )
    if done.returncode != 0:
        raise SrcgradError(f"Graphviz's dot failed: {done.stderr.decode().strip()}")
    return done.stdout
