"""What the caches key a gradient on: every binding its code was built
from. Each test changes one binding and checks the numbers against
central differences, in one process and across processes."""

import math
import os
import subprocess
import sys
import textwrap
from unittest import mock

import pytest

import srcgrad
from srcgrad import cache_key, disk_cache


def central(f, x, h=1e-6):
    return (f(x + h) - f(x - h)) / (2 * h)


@pytest.fixture
def own_cache(tmp_path, monkeypatch):
    """A disk cache of the test's own, read from the environment again."""
    monkeypatch.setenv("SRCGRAD_CACHE_DIR", str(tmp_path / "cache"))
    disk_cache.reset()
    srcgrad.clear_cache()
    yield tmp_path / "cache"
    disk_cache.reset()
    srcgrad.clear_cache()


def write(directory, name, text):
    (directory / f"{name}.py").write_text(textwrap.dedent(text))


ACTS = """
    import math
    import os

    def tanh_act(t):
        return math.tanh(t)

    def square_act(t):
        return t * t

    _choice = {"tanh": tanh_act, "square": square_act}
    names = os.environ.get("LAYERS", "tanh,tanh,square").split(",")
    layer1, layer2, layer3 = (_choice[name] for name in names)
"""

MAIN = """
    import json
    import sys

    sys.path.insert(0, {directory!r})
    import srcgrad
    import acts

    def f(x):
        return acts.layer1(x) + acts.layer2(x) + acts.layer3(x)

    h = 1e-6
    print(json.dumps([srcgrad.grad(f)(0.7), (f(0.7 + h) - f(0.7 - h)) / (2 * h)]))
"""


def test_which_function_each_attribute_of_a_module_holds_is_in_the_key(tmp_path):
    # Three names, two functions: the set of functions reached is the same,
    # which name holds which is not.
    write(tmp_path, "acts", ACTS)
    write(tmp_path, "main", MAIN.format(directory=str(tmp_path)))
    env = {**os.environ, "SRCGRAD_CACHE_DIR": str(tmp_path / "cache")}
    for layers in ("tanh,tanh,square", "tanh,square,square", "square,tanh,tanh"):
        done = subprocess.run(
            [sys.executable, str(tmp_path / "main.py")],
            capture_output=True, text=True, env={**env, "LAYERS": layers},
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        exact, difference = eval(done.stdout)
        assert exact == pytest.approx(difference, rel=1e-7), layers


def test_rebinding_an_attribute_of_a_module_builds_again_in_process(
    tmp_path, monkeypatch
):
    write(tmp_path, "acts_inproc", ACTS)
    monkeypatch.syspath_prepend(str(tmp_path))
    import acts_inproc as acts

    def f(x):
        return acts.layer1(x) + acts.layer2(x) + acts.layer3(x)

    before = srcgrad.grad(f)(0.7)
    assert before == pytest.approx(central(f, 0.7), rel=1e-7)
    monkeypatch.setattr(acts, "layer2", acts.square_act)
    after = srcgrad.grad(f)(0.7)
    assert after != before
    assert after == pytest.approx(central(f, 0.7), rel=1e-7)


def test_functions_of_one_name_are_told_apart_on_disk(own_cache):
    square = lambda t: t * t  # noqa: E731
    cube = lambda t: t * t * t  # noqa: E731

    def make_loss(a, b, c):
        def loss(x):
            return a(x) + b(x) + c(x)

        return loss

    for layers in [(square, square, cube), (square, cube, cube), (cube, cube, cube)]:
        loss = make_loss(*layers)
        assert srcgrad.grad(loss)(0.7) == pytest.approx(central(loss, 0.7), rel=1e-7)
        srcgrad.clear_cache()  # the next comes from disk, if the key says so


@pytest.mark.parametrize(
    "replacement",
    [lambda t: t - t**3 / 6, math.cos, mock.Mock(wraps=math.sin)],
    ids=["a function", "another primitive", "a mock"],
)
def test_a_replaced_library_function_is_refused_never_differentiated(
    replacement, monkeypatch
):
    def f(x):
        return math.sin(x) * 2.0

    srcgrad.clear_cache()
    with monkeypatch.context() as patched:
        patched.setattr(math, "sin", replacement)
        with pytest.raises(srcgrad.DifferentiationError, match="math.sin holds"):
            srcgrad.grad(f)
    srcgrad.clear_cache()
    assert srcgrad.grad(f)(0.7) == pytest.approx(2 * math.cos(0.7), rel=1e-15)


def test_mocking_during_a_first_build_leaves_nothing_behind():
    def g(x):
        return math.exp(x) * 2.0

    srcgrad.clear_cache()
    with (
        mock.patch("math.exp", wraps=math.exp),
        pytest.raises(srcgrad.DifferentiationError, match="math.exp holds"),
    ):
        srcgrad.grad(g)
    assert srcgrad.grad(g)(0.3) == pytest.approx(2 * math.exp(0.3), rel=1e-15)


def test_changing_a_setting_builds_again_in_process(monkeypatch):
    def helper(t):
        return math.sin(t) * t

    def f(x):
        return helper(x) * x

    inlined = srcgrad.source(srcgrad.grad(f))
    monkeypatch.setattr("srcgrad.settings.INLINE_LIMIT", -1)
    called = srcgrad.source(srcgrad.grad(f))
    assert "helper_backward" in called and "helper_backward" not in inlined


def test_a_relative_cache_directory_stays_where_it_was_named(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SRCGRAD_CACHE_DIR", "relative")
    disk_cache.reset()
    try:

        def f(x):
            return math.sin(x) * x

        def g(x):
            return math.cos(x) * x

        srcgrad.clear_cache()
        srcgrad.grad(f)
        (tmp_path / "elsewhere").mkdir()
        monkeypatch.chdir(tmp_path / "elsewhere")
        assert srcgrad.grad(g)(0.5) == pytest.approx(central(g, 0.5), rel=1e-7)
        assert len(list((tmp_path / "relative").glob("*.py"))) == 2
        assert not (tmp_path / "elsewhere" / "relative").exists()
    finally:
        disk_cache.reset()


def test_a_directory_that_cannot_be_written_warns_and_keeps_memory_only(
    own_cache, monkeypatch
):
    own_cache.mkdir(mode=0o700)
    monkeypatch.setattr(os, "access", lambda path, mode: False)

    def f(x):
        return math.tanh(x) * x

    with pytest.warns(disk_cache.CacheWarning, match="can't be written"):
        g = srcgrad.grad(f)
    assert g(0.4) == pytest.approx(central(f, 0.4), rel=1e-7)
    assert list(own_cache.iterdir()) == []


def test_a_failing_write_leaves_the_cache_as_it_was(own_cache, monkeypatch):
    import tempfile

    def refuse(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(tempfile, "mkstemp", refuse)

    def f(x):
        return math.atan(x) * x

    assert srcgrad.grad(f)(0.4) == pytest.approx(central(f, 0.4), rel=1e-7)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes")
def test_an_entry_that_is_a_pipe_does_not_hang(tmp_path):
    write(tmp_path, "piped", "import math\n\ndef f(x):\n    return math.sin(x)\n")
    script = (
        f"import sys; sys.path.insert(0, {str(tmp_path)!r})\n"
        "import srcgrad, piped\n"
        "print(srcgrad.grad(piped.f)(0.5))\n"
    )
    env = {**os.environ, "SRCGRAD_CACHE_DIR": str(tmp_path / "cache")}
    run = [sys.executable, "-c", script]
    subprocess.run(run, env=env, check=True, capture_output=True)
    [entry] = (tmp_path / "cache").glob("*.py")
    entry.unlink()
    os.mkfifo(entry)
    done = subprocess.run(run, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert float(done.stdout) == pytest.approx(math.cos(0.5), rel=1e-15)


def test_cache_info_says_why_a_directory_under_a_file_is_refused(
    tmp_path, monkeypatch, capsys
):
    from srcgrad.cli import main

    (tmp_path / "file").write_text("")
    monkeypatch.setenv("SRCGRAD_CACHE_DIR", str(tmp_path / "file" / "cache"))
    assert main(["cache", "info"]) == 0
    assert "refused" in capsys.readouterr().out


def _entries(cache):
    """The entries in ``cache``, each as its path and ``disk_cache.Entry``."""
    found = []
    for path in sorted(cache.glob("*.py")):
        key = path.name.removesuffix(".py")
        found.append((path, key, disk_cache.parse(path.read_text(), key)))
    return found


def test_an_entry_records_the_libraries_its_build_had_loaded(own_cache):
    # The key leaves NumPy and SymPy out (a scalar gradient owes them
    # nothing): the entry says where each loaded one was installed.
    srcgrad.grad(lambda x: math.sin(x) * x)(0.5)
    ((_, _, entry),) = _entries(own_cache)
    assert entry.meta["libraries"] == cache_key.libraries_loaded()
    assert set(entry.meta["libraries"]) == {"numpy", "sympy"} & set(sys.modules)
    assert cache_key.same_libraries(entry.meta["libraries"])
    assert cache_key.same_libraries({})  # none loaded: owes them nothing
    assert not cache_key.same_libraries(None)  # an entry that says nothing
    assert not cache_key.same_libraries({"torch": ["torch", None]})


def test_an_entry_whose_library_changed_is_built_again(own_cache, monkeypatch):
    def f(x):
        return math.exp(x) / (1.0 + x * x)

    srcgrad.grad(f)(0.5)
    ((path, key, entry),) = _entries(own_cache)
    moved = ["sympy", "/elsewhere/sympy/__init__.py", 1, 2]
    meta = {**entry.meta, "libraries": {"sympy": moved}}
    path.write_text(disk_cache.render(key, disk_cache.Entry(entry.text, meta)))
    builds = []
    import srcgrad.building as building

    build = building.compile_transform
    monkeypatch.setattr(
        building,
        "compile_transform",
        lambda *a, **k: builds.append(1) or build(*a, **k),
    )
    srcgrad.clear_cache()
    g = srcgrad.grad(f)
    assert g(0.5) == pytest.approx(central(f, 0.5), rel=1e-7)
    assert builds == [1]  # not read: SymPy is not installed as it recorded
    ((_, _, again),) = _entries(own_cache)
    assert again.meta["libraries"] == cache_key.libraries_loaded()
    srcgrad.clear_cache()
    srcgrad.grad(f)
    assert builds == [1]  # the entry written again is read


def test_editing_a_file_of_srcgrad_changes_the_environment():
    # One stat per file: an edit in place changes its modification time
    # (a directory's does not change), and with it every key.
    path = os.path.join(os.path.dirname(srcgrad.__file__), "errors.py")
    before = os.stat(path)
    digest = cache_key.environment.__wrapped__()
    try:
        os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns + 1000))
        assert cache_key.environment.__wrapped__() != digest
    finally:
        os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert cache_key.environment.__wrapped__() == digest
