"""``srcgrad graph`` and ``srcgrad.graph``: computational graphs with local
derivatives on their edges, and at a point each value and adjoint.

The DOT text is parsed back (``parse_dot``) and its labels checked against
the function; at a point, the inputs' adjoints the graph's own reverse
sweep ends with are checked against ``srcgrad.grad`` over the whole
control-flow corpus, and each adjoint against the sum over its outgoing
edges (the path sum the pictures teach).
"""

from __future__ import annotations

import html
import math
import os
import re
import shutil
import struct
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from calls_corpus import CASES as CALLS
from control_flow_corpus import CASES, PAIRS, WEIGHTS
from helpers import define
from test_gradient_corpus import _real_positions

import srcgrad
from srcgrad.cli import main

_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|->|[\w.#-]+|[{}\[\];=,]')


def parse_dot(
    text: str,
) -> tuple[dict[str, dict[str, str]], list[tuple[str, str, dict[str, str]]]]:
    """The nodes (id -> attributes) and edges ``(tail, head, attributes)``
    of a DOT graph, its strings unescaped: a reader of the language, not
    of srcgrad's layout of it."""
    tokens = _TOKEN.findall(text)
    nodes: dict[str, dict[str, str]] = {}
    edges: list[tuple[str, str, dict[str, str]]] = []
    at = 0

    def attributes() -> dict[str, str]:
        nonlocal at
        found: dict[str, str] = {}
        if at < len(tokens) and tokens[at] == "[":
            at += 1
            while tokens[at] != "]":
                key = tokens[at]
                assert tokens[at + 1] == "=", tokens[at : at + 3]
                found[key] = _unquoted(tokens[at + 2])
                at += 3
                if tokens[at] == ",":
                    at += 1
            at += 1
        return found

    while at < len(tokens):
        token = tokens[at]
        if token in ("digraph", "subgraph"):
            at += 3 if tokens[at + 2] == "{" else 2
        elif token in ("{", "}", ";"):
            at += 1
        elif token in ("node", "edge", "graph"):
            at += 1
            attributes()
        elif at + 1 < len(tokens) and tokens[at + 1] == "=":
            at += 3  # a graph attribute: label="..."
        elif at + 1 < len(tokens) and tokens[at + 1] == "->":
            tail, head = token, tokens[at + 2]
            at += 3
            edges.append((tail, head, attributes()))
        else:
            at += 1
            nodes[token] = attributes()
    return nodes, edges


def _unquoted(token: str) -> str:
    if not token.startswith('"'):
        return token
    body = token[1:-1]
    return re.sub(r"\\(.)", lambda m: "\n" if m.group(1) == "n" else m.group(1), body)


def _labels(text: str) -> tuple[dict[str, str], dict[tuple[str, str], str]]:
    """Node labels by id, and edge labels by (tail label's first line, head
    label's first line)."""
    nodes, edges = parse_dot(text)
    labels = {id_: attributes.get("label", "") for id_, attributes in nodes.items()}
    edge_labels = {
        (labels[tail].split("\n")[0], labels[head].split("\n")[0]): a.get("label", "")
        for tail, head, a in edges
    }
    return labels, edge_labels


def test_cos_of_a_square_is_two_operations_with_their_local_derivatives():
    f = define("def f(x):\n    return math.cos(x ** 2)\n")
    labels, edges = _labels(str(srcgrad.graph(f)))
    assert sorted(labels.values()) == ["v1 = x ** 2", "v2 = math.cos(v1)", "x"]
    assert edges == {
        ("x", "v1 = x ** 2"): "2 * x",
        ("v1 = x ** 2", "v2 = math.cos(v1)"): "-math.sin(v1)",
    }


def test_a_subexpression_written_twice_is_one_node_with_two_edges_out():
    f = define("def f(x):\n    return math.sin(x ** 2) + math.cos(x ** 2)\n")
    picture = srcgrad.graph(f, at={"x": 0.7})
    labels, edges = _labels(str(picture))
    squares = [label for label in labels.values() if label.startswith("v1 = x ** 2")]
    assert len(squares) == 1
    out = {
        head: label for (tail, head), label in edges.items() if tail == "v1 = x ** 2"
    }
    assert out == {
        "v2 = math.sin(v1)": f"math.cos(v1)\n= {math.cos(0.49):.6g}",
        "v3 = math.cos(v1)": f"-math.sin(v1)\n= {-math.sin(0.49):.6g}",
    }
    # The adjoint of x**2 is the sum over its two edges out: the path sum.
    square = next(n for n in picture.graph.nodes if n.name == "v1")
    assert square.value == 0.7**2
    assert square.adjoint == pytest.approx(math.cos(0.49) - math.sin(0.49), rel=1e-15)


def test_the_doubling_graph_has_a_node_per_line_and_its_32_paths_sum_to_the_gradient():
    f = define(
        "def f(x):\n    a = x * x\n    b = a * a\n    c = b * b\n"
        "    d = c * c\n    e = d * d\n    return e\n"
    )
    picture = srcgrad.graph(f, at=[1.05])
    graph = picture.graph
    assert [node.name for node in graph.nodes] == ["x", "a", "b", "c", "d", "e"]
    # x * x reads x twice: two edges, each x. The 2**5 = 32 paths from x to
    # e are the products along them, and they all sum to x's adjoint.
    names = {node.id: node.name for node in graph.nodes}
    assert [(names[e.tail], names[e.head], e.derivative) for e in graph.edges] == [
        (a, b, a) for a, b in zip("xabcd", "abcde", strict=True) for _ in range(2)
    ]
    paths = 2**5
    product = 1.05 * 1.05**2 * 1.05**4 * 1.05**8 * 1.05**16
    assert graph.nodes[0].adjoint == pytest.approx(paths * product, rel=1e-13)
    assert graph.nodes[0].adjoint == pytest.approx(32 * 1.05**31, rel=1e-13)
    assert graph.nodes[0].adjoint == srcgrad.grad(f)(1.05)


def _edges_out_sum(graph, node):
    """The sum, over the data edges out of ``node``, of the local
    derivative's value times the adjoint of the edge's head."""
    total = 0.0
    for edge in graph.edges:
        if edge.tail == node.id and edge.kind == "data":
            total += edge.value * graph.node(edge.head).adjoint
    return total


@pytest.mark.parametrize(
    "body",
    [
        "return math.exp(x * y) / (1.0 + x * x) - math.log(y) * x",
        "return math.atan2(x, y) * math.hypot(x, y) + x ** y",
        "t = math.tanh(x - y)\n    return t * t * x + math.sqrt(y)",
    ],
)
def test_each_adjoint_is_the_sum_over_its_edges_out(body):
    f = define(f"def f(x, y):\n    {body}\n")
    picture = srcgrad.graph(f, at=(0.6, 1.7), wrt=(0, 1))
    graph = picture.graph
    for node in graph.nodes:
        if node.output or not node.name:
            continue
        assert node.adjoint == pytest.approx(_edges_out_sum(graph, node), rel=1e-12)
    x, y = (node for node in graph.nodes if node.operation == "(input)")
    expected = srcgrad.grad(f, wrt=(0, 1))(0.6, 1.7)
    assert (x.adjoint, y.adjoint) == pytest.approx(expected, rel=1e-12)
    assert x.wrt and y.wrt


_CORPUS = [
    (name, source, inputs) for name, source, inputs in CASES if _real_positions(inputs)
]


@pytest.mark.parametrize(
    ("name", "source", "inputs"), _CORPUS, ids=[c[0] for c in _CORPUS]
)
def test_the_graphs_reverse_sweep_gives_srcgrads_gradient(name, source, inputs):
    # The graph's evaluator is a second reverse mode, record by record, with
    # nothing of srcgrad's but the rules: the two agree on every path.
    f = define(source, WEIGHTS=WEIGHTS, PAIRS=PAIRS)
    positions = _real_positions(inputs)
    try:
        gradient = srcgrad.grad(f, wrt=tuple(positions))
    except srcgrad.DifferentiationError as error:  # it returns a tuple
        assert "returns a tuple" in str(error)
        picture = srcgrad.graph(f, at=inputs[0])  # its values, no adjoints
        assert all(node.adjoint is None for node in picture.graph.nodes)
        assert any(node.value is not None for node in picture.graph.nodes)
        return
    checked = 0
    for args in inputs:
        try:
            expected = gradient(*args)
        except (ArithmeticError, ValueError):
            continue
        picture = srcgrad.graph(f, at=args, wrt=tuple(positions))
        inputs_drawn = [n for n in picture.graph.nodes if n.operation == "(input)"]
        found = [inputs_drawn[index].adjoint for index in positions]
        assert found == pytest.approx(list(expected), rel=1e-9, abs=1e-12), args
        checked += 1
    assert checked


def test_a_loop_is_drawn_once_with_its_steps_and_a_branch_as_clusters():
    f = define(
        "def f(x, w):\n    s = 0.0\n    for k in range(3):\n"
        "        s = s + math.sin(w * x + k)\n    if s > 0:\n        s = s * s\n"
        "    return s\n"
    )
    picture = srcgrad.graph(f, at=[0.4, 1.3])
    graph = picture.graph
    loop, branch, then = graph.clusters[:3]
    assert (loop.label, loop.trips) == ("for k in range(3)", 3)
    assert (branch.label, then.label, then.parent) == ("if s > 0", "then", branch.id)
    sines = [node for node in graph.nodes if node.operation == "math.sin(v3)"]
    assert len(sines) == 1 and sines[0].count == 3 and sines[0].cluster == loop.id
    assert sines[0].value == math.sin(1.3 * 0.4 + 2)  # the last step's
    text = str(picture)
    assert "subgraph cluster_0 {" in text and "(3 steps)" in text
    assert any(e.kind == "decides" for e in graph.edges)  # s > 0 decides
    assert graph.nodes[0].adjoint == srcgrad.grad(f)(0.4, 1.3)


def test_a_comparison_carries_no_derivative_and_ints_get_no_adjoint():
    f = define("def f(x):\n    n = int(x)\n    return x * n + (x > 1)\n")
    picture = srcgrad.graph(f, at=[2.5])
    nodes, edges = parse_dot(str(picture))
    labels = {id_: a["label"] for id_, a in nodes.items()}
    decided = [
        a for t, h, a in edges if labels[h].startswith("v") and "x > 1" in labels[h]
    ]
    assert decided and all(
        a.get("style") == "dashed" and a["label"] == "" for a in decided
    )
    counter = next(n for n in picture.graph.nodes if n.operation == "int(x)")
    assert counter.value == 2 and counter.adjoint is None


def _write(tmp_path, text, name="model.py"):
    path = tmp_path / name
    path.write_text(text)
    return path


def _run(*args, env=None):
    return subprocess.run(
        [sys.executable, "-m", "srcgrad", *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )


def test_the_command_prints_dot_and_never_runs_the_file(tmp_path):
    marker = tmp_path / "ran"
    path = _write(
        tmp_path,
        f"import math\nopen({str(marker)!r}, 'w').close()\nN = 3\n\n"
        "def f(x, y):\n    return math.cos(x ** 2) * y + N * x\n",
    )
    done = _run("graph", f"{path}::f", "--wrt", "x,y", "--at", "x=1.5,y=2")
    assert done.returncode == 0, done.stderr
    assert not marker.exists()
    labels, edges = _labels(done.stdout)
    assert (
        edges[("v1 = x ** 2", "v2 = math.cos(v1)")]
        == f"-math.sin(v1)\n= {-math.sin(2.25):.6g}"
    )
    x = next(label for label in labels.values() if label.startswith("x\n"))
    expected = -math.sin(2.25) * 2 * 1.5 * 2 + 3
    assert x == f"x\nvalue 1.5\nadjoint {expected:.6g}"
    assert 'label="f at x=1.5, y=2"' in done.stdout
    out = tmp_path / "f.dot"
    assert _run("graph", f"{path}::f", "-o", str(out)).returncode == 0
    assert parse_dot(out.read_text())[1]


def test_the_command_says_what_it_cannot_draw(tmp_path):
    path = _write(
        tmp_path,
        "import math\n\ndef f(x):\n    return x * M\n\n\n"
        "def g(x):\n    return x\n\n\nM = math.pi\n",
    )
    done = _run("graph", f"{path}::f", "--at", "x=1")
    assert done.returncode == 1
    assert f"{path}:4:16: error: drawing at a point reads M" in done.stderr
    assert "srcgrad.graph(f, at=...)" in done.stderr
    several = _run("graph", str(path))
    assert several.returncode == 1 and "name one, as" in several.stderr
    assert "is not NAME=VALUE" in _run("graph", f"{path}::f", "--at", "x").stderr
    missing = _run("graph", f"{path}::f", "--at", "y=1")
    assert "f has no parameter 'y'" in missing.stderr
    odd = _run("graph", f"{path}::g", "-o", str(tmp_path / "g.jpg"))
    assert odd.returncode == 1 and ".dot (or .gv), .svg, .png or .pdf" in odd.stderr


def test_without_graphviz_a_rendering_says_how_to_get_it(tmp_path, monkeypatch):
    path = _write(tmp_path, "def f(x):\n    return x * x\n")
    empty = tmp_path / "bin"
    empty.mkdir()
    env = dict(os.environ, PATH=str(empty))
    done = _run("graph", f"{path}::f", "-o", str(tmp_path / "f.svg"), env=env)
    assert done.returncode == 1 and "apt install graphviz" in done.stderr
    f = define("def f(x):\n    return x * x\n")
    monkeypatch.setattr(shutil, "which", lambda name: None)
    assert srcgrad.graph(f)._repr_svg_() is None


@pytest.mark.skipif(
    shutil.which("dot") is None, reason="Graphviz's dot is not installed"
)
def test_a_png_and_an_svg_are_rendered_by_graphviz(tmp_path):
    path = _write(
        tmp_path,
        "import math\n\ndef f(x):\n    return math.sin(x ** 2) + math.cos(x ** 2)\n",
    )
    png = tmp_path / "f.png"
    done = _run("graph", f"{path}::f", "--at", "x=0.7", "-o", str(png))
    assert done.returncode == 0, done.stderr
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    assert width > 300 and height > 100 and len(data) > 5000
    f = define("def f(x):\n    return math.sin(x ** 2) + math.cos(x ** 2)\n")
    svg = srcgrad.graph(f, at=[0.7])._repr_svg_()
    assert svg is not None and "<svg" in svg and "math.cos(v1)" in svg
    srcgrad.graph(f).save(tmp_path / "f.svg")
    assert "<svg" in (tmp_path / "f.svg").read_text()


def test_check_passes_a_right_gradient_and_fails_a_wrong_rule(tmp_path):
    path = _write(
        tmp_path,
        "import math\nimport srcgrad\n\n"
        "def f(x, y):\n    return math.exp(x) * math.sin(y) + x / y\n\n\n"
        "@srcgrad.custom_vjp\ndef wrong(x):\n    return x * x\n\n\n"
        "wrong.defvjp(lambda x: (x * x, x), lambda x, g: (3.0 * x * g,))\n\n\n"
        "def g(x):\n    return wrong(x) + x\n",
    )
    done = _run("check", f"{path}::f", "--at", "x=0.5,y=1.2")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "f at x=0.5, y=1.2"
    assert lines[1].split() == [
        "input",
        "srcgrad",
        "finite",
        "difference",
        "difference",
    ]
    x_row, y_row = (line.split() for line in lines[2:4])
    assert (
        x_row[0] == "x" and float(x_row[1]) == math.exp(0.5) * math.sin(1.2) + 1 / 1.2
    )
    assert float(x_row[2]) == pytest.approx(float(x_row[1]), rel=1e-8)
    assert x_row[4] == y_row[4] == "ok"
    bad = _run("check", f"{path}::g", "--at", "x=2")
    assert bad.returncode == 1
    row = bad.stdout.splitlines()[2].split()
    assert row[0] == "x" and float(row[1]) == 7.0 and row[-1] == "MISMATCH"
    assert float(row[2]) == pytest.approx(5.0, rel=1e-8)


def test_check_reports_a_function_that_raises_at_the_point(tmp_path):
    path = _write(tmp_path, "import math\n\ndef f(x):\n    return math.log(x)\n")
    done = _run("check", f"{path}::f", "--at", "x=-1")
    assert done.returncode == 1
    assert "raises at this point (ValueError: math domain error)" in done.stderr
    assert "Traceback" not in done.stderr
    assert _run("check", str(path), "--at", "x=1").returncode == 1


def test_main_runs_graph_in_process(tmp_path, capsys):
    path = _write(tmp_path, "def f(x):\n    return x * x * x\n")
    assert main(["graph", f"{path}::f"]) == 0
    labels, _ = _labels(capsys.readouterr().out)
    assert "v1 = x * x" in labels.values() or "v1 = x ** 3" in labels.values()


def test_at_a_point_an_int_stays_an_int_and_a_failure_is_located(tmp_path):
    path = _write(
        tmp_path,
        "import math\n\ndef f(x, n):\n    s = x\n    for i in range(n):\n"
        "        s = s * math.log(x)\n    return s\n",
    )
    done = _run("graph", f"{path}::f", "--at", "x=3,n=2")
    assert done.returncode == 0, done.stderr
    labels, _ = _labels(done.stdout)
    n = next(label for label in labels.values() if label.startswith("n\n"))
    assert n == "n\nvalue 2"  # an int: no adjoint
    x = next(label for label in labels.values() if label.startswith("x\n"))
    f = define(
        "def f(x, n):\n    s = x\n    for i in range(n):\n"
        "        s = s * math.log(x)\n    return s\n"
    )
    assert x == f"x\nvalue 3\nadjoint {srcgrad.grad(f)(3.0, 2):.6g}"
    failed = _run("graph", f"{path}::f", "--at", "x=-1,n=2")
    assert failed.returncode == 1
    assert (
        f"{path}:6:17: error: the function raises at this point, at line 6"
        in failed.stderr
    )
    assert "ValueError: math domain error" in failed.stderr


@pytest.mark.parametrize("name", ["wave", "shared", "doubling"])
def test_the_pictures_in_the_docs_are_the_graphs_srcgrad_draws(name):
    # docs/backpropagation.md shows these SVGs (a console block there checks
    # the DOT text): each says what the graph drawn today says.
    root = Path(__file__).resolve().parent.parent
    svg = (root / "docs" / "pictures" / f"{name}.svg").read_text()
    shown = [html.unescape(t) for t in re.findall(r"<text[^>]*>([^<]*)</text>", svg)]
    done = _run("graph", f"{root}/examples/tutorial.py::{name}", "--at", "x=1.1")
    nodes, edges = parse_dot(done.stdout)
    lines = [
        line
        for attributes in [*nodes.values(), *(a for _, _, a in edges)]
        for line in attributes.get("label", "").split("\n")
        if line
    ]
    assert sorted(shown) == sorted([*lines, f"{name} at x=1.1"])


def test_an_array_functions_edges_carry_its_vjps(tmp_path):
    # An array operation's local derivative is a linear map: its edge shows
    # what the adjoint g of its result gives the operand.
    path = _write(
        tmp_path,
        "import numpy as np\n\ndef loss(w, X, y):\n    z = X @ w\n"
        "    return np.mean(np.logaddexp(0.0, z) - y * z)\n",
    )
    shapes = ["--shape", "w=3", "--shape", "X=100x3", "--shape", "y=100"]
    done = _run("graph", f"{path}::loss", *shapes)
    assert done.returncode == 0, done.stderr
    _, edges = _labels(done.stdout)
    assert edges[("w", "z = X @ w")] == "X.T @ g"
    assert edges[("X", "z = X @ w")] == "np.outer(g, w)"
    assert edges[("v3 = v1 - v2", "v4 = np.mean(v3)")] == "g / v3.size"
    # a temporary read twice keeps a line of its own
    softplus = edges[("z = X @ w", "v1 = np.logaddexp(0.0, z)")].split("\n")
    assert softplus[0].startswith("t1 = ") and len(softplus) == 3
    both = _run("graph", f"{path}::loss", *shapes, "--at", "y=1")
    assert both.returncode == 1 and "srcgrad.graph(f, at=...)" in both.stderr


def test_an_array_function_at_a_point_gives_grads_arrays():
    import numpy as np

    f = define(
        "def loss(w, X, y):\n    z = X @ w\n"
        "    return np.mean(np.logaddexp(0.0, z) - y * z)\n"
    )
    rng = np.random.default_rng(1)
    w, X, y = rng.standard_normal(3), rng.standard_normal((20, 3)), rng.random(20)
    picture = srcgrad.graph(f, at={"w": w, "X": X, "y": y})
    w_node = picture.graph.nodes[0]
    assert np.allclose(w_node.adjoint, srcgrad.grad(f)(w, X, y), rtol=1e-12)
    assert "adjoint (3) [" in str(picture)


# -- from the break-it review of the first version ------------------------
@pytest.mark.parametrize(
    ("source", "at"),
    [
        # a list's adjoint was joined, not added: x's adjoint 1.4, not 2.8
        (
            "def f(x):\n    out = []\n    out.append(x)\n    out.append(2.0 * x)\n"
            "    return out[0] * out[1]\n",
            (0.7,),
        ),
        # np.sum's adjoint was not spread back to its input: 2.0, not [2 2 2]
        ("def f(x):\n    return np.sum(x * 2.0)\n", (np.ones(3),)),
        # broadcast operands' adjoints were not summed back to their shape
        ("def f(x, y):\n    return np.sum(x * y)\n", (np.arange(3.0), 3.0)),
        ("def f(X, b):\n    return np.sum(np.tanh(X + b))\n", "X42b2"),
        ("def f(X):\n    return np.sum(np.sum(X, axis=0) ** 2)\n", "X23"),
        # these raised NumPy's errors
        ("def f(x, M):\n    return np.sum(M * x[:, None])\n", "x3M33"),
        ("def f(W, x):\n    return np.sum(W @ x)\n", "W33x3"),
    ],
)
def test_adjoints_at_a_point_are_grads_of_their_values_shapes(source, at):
    rng = np.random.default_rng(3)
    shapes = {
        "X42b2": ((4, 2), (2,)),
        "X23": ((2, 3),),
        "x3M33": ((3,), (3, 3)),
        "W33x3": ((3, 3), (3,)),
    }
    if isinstance(at, str):
        at = tuple(rng.standard_normal(shape) for shape in shapes[at])
    f = define(source)
    wrt = tuple(range(len(at)))
    picture = srcgrad.graph(f, at=at, wrt=wrt)
    inputs = [node for node in picture.graph.nodes if node.operation == "(input)"]
    for node, expected in zip(inputs, srcgrad.grad(f, wrt=wrt)(*at), strict=True):
        assert np.shape(node.adjoint) == np.shape(expected)
        np.testing.assert_allclose(node.adjoint, expected, rtol=1e-12)


def test_a_carried_value_shows_its_value_at_the_start_of_the_last_step():
    f = define(
        "def f(x):\n    s = x\n    for k in range(3):\n"
        "        s = s * x\n    return s\n"
    )
    picture = srcgrad.graph(f, at=0.3)  # one parameter: its value alone
    carried = next(n for n in picture.graph.nodes if n.operation.startswith("(at"))
    assert carried.value == pytest.approx(0.3**3, rel=1e-15) and carried.count == 3
    assert picture.graph.at == ("x=0.3",)


def test_a_gradient_is_drawn_as_its_function_and_ints_to_differentiate_are_floats():
    f = define("def f(x):\n    return math.sin(x) * x\n")
    g = srcgrad.grad(f)
    picture = srcgrad.graph(g, at=(2,))
    x = picture.graph.nodes[0]
    assert x.value == 2.0 and type(x.value) is float
    assert x.adjoint == g(2.0)


def test_module_constants_bound_more_than_once_are_not_read_as_literals(tmp_path):
    path = _write(
        tmp_path,
        "N = 3\nN += 2\nS = 2.0\nif True:\n    S = 10.0\nR: float = 1.5\n\n\n"
        "def f(x):\n    return x ** N\n\n\ndef g(x):\n    return x * S\n\n\n"
        "def h(x, k=2):\n    return x * R * k\n",
    )
    for name in ("f", "g"):
        done = _run("graph", f"{path}::{name}", "--at", "x=1.1")
        assert done.returncode == 1 and "does not bind once to a literal" in done.stderr
    done = _run("graph", f"{path}::h", "--at", "x=1.1")  # k: its default
    assert done.returncode == 0, done.stderr
    labels, _ = _labels(done.stdout)
    assert "x\nvalue 1.1\nadjoint 3" in labels.values()


def test_a_helper_is_drawn_where_it_is_called_and_a_recursion_is_refused(tmp_path):
    path = _write(
        tmp_path,
        "def helper(a, b):\n    return a * b\n\n\ndef f(x, y):\n"
        "    return helper(y, x) + helper(x, x)\n\n\n"
        "def power(x, n):\n    if n == 0:\n        return 1.0\n"
        "    return x * power(x, n - 1)\n",
    )
    done = _run("graph", f"{path}::f", "--wrt", "x,y", "--at", "x=1.5,y=2.0")
    assert done.returncode == 0, done.stderr
    labels, _ = _labels(done.stdout)
    products = [label for label in labels.values() if " = " in label.split("\n")[0]]
    assert len(products) == 3  # y * x, x * x and their sum
    x = next(label for label in labels.values() if label.startswith("x\n"))
    assert x.endswith(f"adjoint {2.0 + 2 * 1.5:g}")
    done = _run("graph", f"{path}::power", "--at", "x=1.5,n=2")
    assert done.returncode == 1
    said = f"{path}:12:16: error: a graph at a point does not follow a call"
    assert said in done.stderr


def test_check_is_not_fooled_by_small_points_or_fast_functions(tmp_path):
    # A step of 1e-3 took 1/x at 0.01 and sin(300 x) for mismatches.
    path = _write(
        tmp_path,
        "import math\n\n"
        "def inv(x):\n    return 1 / x\n\n\n"
        "def fast(x):\n    return math.sin(300 * x)\n\n\n"
        "def bump(x):\n    return math.exp(-(x / 0.003) ** 2)\n\n\n"
        "def small(x):\n    return math.log(x)\n\n\n"
        "def scaled(x, y):\n    return 1e6 * y + 1e-3 * x * x\n",
    )
    for target, at in [
        ("inv", "x=0.01"),
        ("fast", "x=0.5"),
        ("bump", "x=0.002"),
        ("small", "x=1e-4"),
        ("scaled", "x=1.0,y=3.0"),
    ]:
        done = _run("check", f"{path}::{target}", "--at", at)
        assert done.returncode == 0, (target, done.stdout, done.stderr)


def test_check_checks_a_decorated_function_and_reads_the_call_as_python_does(tmp_path):
    path = _write(
        tmp_path,
        "import math\nimport srcgrad\n\n\n@srcgrad.grad\n"
        "def dec(x):\n    return math.sin(x) * x\n\n\n"
        "def kw(x, *, y=1.5):\n    return x * y\n\n\n"
        "def steps(x, n):\n    for _ in range(n):\n        x = x * 0.5\n    return x\n",
    )
    done = _run("check", f"{path}::dec", "--at", "x=1.5")
    assert done.returncode == 0, done.stderr
    row = done.stdout.splitlines()[2].split()
    assert float(row[1]) == math.sin(1.5) + 1.5 * math.cos(1.5)  # df/dx, not d2f
    assert _run("check", f"{path}::kw", "--at", "x=2.0").returncode == 0
    done = _run("check", f"{path}::steps", "--at", "x=1.0,n=3")  # n: an int
    assert done.returncode == 0, done.stderr
    assert [line.split()[0] for line in done.stdout.splitlines()[2:]] == ["x"]
    assert (
        "--rtol and --atol"
        in _run("check", f"{path}::kw", "--at", "x=2.0", "--atol", "-1").stderr
    )


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("def f(x:\n    return x\n", "raises when it runs: "),
        ("raise RuntimeError('no')\n\ndef f(x):\n    return x\n", "RuntimeError: no"),
        (
            "import numpy as np\nV = np.arange(3.0)\n\n"
            "def f(x, i):\n    return x * V[i]\n",
            "raises at this point (IndexError",
        ),
    ],
)
def test_check_reports_a_failing_file_or_function_without_a_traceback(
    tmp_path, text, said
):
    path = _write(tmp_path, text)
    done = _run("check", f"{path}::f", "--at", "x=1.5,i=5", "--wrt", "x")
    assert done.returncode == 1 and said in done.stderr
    assert "Traceback" not in done.stderr


def test_check_runs_a_file_named_like_a_library(tmp_path):
    path = _write(
        tmp_path, "import math\n\ndef f(x):\n    return math.exp(x)\n", "numpy.py"
    )
    done = _run("check", f"{path}::f", "--at", "x=0.5")
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("case", CALLS, ids=[case.name for case in CALLS])
def test_the_graph_of_a_program_of_calls_gives_grads_gradient(case):
    # Every call not recursive is written out in the picture; a recursive
    # one is refused at a point, at the call.
    function = define(case.source, case.entry if case.make is None else "make")
    if case.make is not None:
        function = function(*case.make)
    gradient = srcgrad.grad(function, wrt=case.wrt)
    for point in case.points:
        try:
            expected = gradient(*point)
        except (ArithmeticError, ValueError):
            continue
        try:
            picture = srcgrad.graph(function, at=point, wrt=case.wrt)
        except srcgrad.SrcgradError as error:
            assert "does not follow a call" in str(error)
            return
        inputs = {n.name: n for n in picture.graph.nodes if n.operation == "(input)"}
        found = [inputs[name].adjoint for name in case.wrt]
        expected = expected if isinstance(expected, tuple) else (expected,)
        assert found == pytest.approx(list(expected), rel=1e-9, abs=1e-12), point


def test_a_name_assigned_again_is_numbered_apart_from_the_sources_own_names():
    f = define(
        "def f(x):\n    s = x * 2.0\n    s_1 = s + 1.0\n    s = s_1 * s\n    return s\n"
    )
    names = [node.name for node in srcgrad.graph(f).graph.nodes]
    assert names == ["x", "s", "s_1", "s_2"]


def test_a_function_with_rules_of_its_own_is_drawn_with_its_rule():
    f = define(
        "@srcgrad.custom_jvp\ndef softplus(x):\n    return np.logaddexp(0.0, x)\n\n\n"
        "@softplus.defjvp\ndef softplus_jvp(primals, tangents):\n"
        "    (x,), (x_dot,) = primals, tangents\n"
        "    return softplus(x), x_dot / (1.0 + np.exp(-x))\n\n\n"
        "def loss(w, x):\n    return softplus(w * x) * 2.0\n",
        name="loss",
        srcgrad=srcgrad,
    )
    picture = srcgrad.graph(f, at=(0.5, 1.5))
    rule = next(n for n in picture.graph.nodes if n.operation == "(its own rules)")
    assert rule.adjoint is None
    assert not [e for e in picture.graph.edges if rule.id in (e.tail, e.head)]
    assert picture.graph.nodes[0].adjoint == pytest.approx(
        srcgrad.grad(f)(0.5, 1.5), rel=1e-12
    )


# -- from the second break-it review ----------------------------------------
@pytest.mark.parametrize(
    "source",
    [
        # one value given adjoints of two shapes: NumPy broadcast the
        # scalar term over the array one before it was summed (6, not 4)
        "def f(x):\n    return np.sum(np.ones(3) * x) + x\n",
        "def f(x):\n    return np.sum(np.arange(3.0) * x) + np.sum(x * x)\n",
        # a shape written as a tuple stopped the reverse sweep (AssertionError)
        "def f(x):\n    return np.sum(np.full((2, 3), x) ** 2)\n",
        "def f(x):\n    return np.sum(np.reshape(np.arange(6.0) * x, (2, 3)) ** 2)\n",
    ],
)
def test_adjoints_of_several_shapes_and_shapes_as_tuples(source):
    f = define(source)
    picture = srcgrad.graph(f, at=(2.0,))
    assert picture.graph.nodes[0].adjoint == pytest.approx(srcgrad.grad(f)(2.0))


def test_a_while_loops_carried_value_is_shown_at_the_start_of_its_last_step():
    f = define(
        "def f(x):\n    s = x\n    n = 0\n    while n < 3:\n"
        "        s = s * x\n        n += 1\n    return s\n"
    )
    picture = srcgrad.graph(f, at=(0.7,))
    carried = next(n for n in picture.graph.nodes if n.name == "s")
    assert carried.value == pytest.approx(0.7**3) and carried.count == 3
    assert carried.adjoint == pytest.approx(0.7)


def test_a_default_that_is_not_a_number_is_named_in_the_title(tmp_path):
    path = _write(tmp_path, "def f(x, c=None):\n    return x * 2.0\n")
    done = _run("graph", f"{path}::f", "--at", "x=0.7")
    assert done.returncode == 0, done.stderr
    assert 'label="f at x=0.7, c=None"' in done.stdout


def test_check_steps_no_wider_than_a_function_s_features_nor_past_its_domain(tmp_path):
    path = _write(
        tmp_path,
        "import math\n\ndef bump(t):\n    return math.exp(-(t - 1000) ** 2)\n\n\n"
        "def edge(x):\n    return math.acos(x)\n\n\n"
        "def lifted(x):\n    return x * x + 1e8\n",
    )
    for target, at in [("bump", "t=1000.3"), ("edge", "x=0.95"), ("lifted", "x=0.001")]:
        done = _run("check", f"{path}::{target}", "--at", at)
        assert done.returncode == 0, (target, done.stdout, done.stderr)
