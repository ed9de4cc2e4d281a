"""The disk cache: fresh processes find their gradients, and never a wrong one.

Each test runs real processes (``run``) on a module written to a file, with
a cache directory of its own, and checks the numbers against the
derivative worked out by hand.
"""

import importlib.util
import json
import math
import multiprocessing
import os
import stat
import subprocess
import sys
import textwrap
import warnings
from pathlib import Path

import pytest

import srcgrad
import srcgrad.compiled
from srcgrad import disk_cache, marshalled
from srcgrad.cli import main

MODEL = """
import math

SCALE = 2.0


def helper(t):
    return math.sin(t) * t


def f(x, y):
    return SCALE * helper(x * y) + math.exp(x) / (1.0 + y * y)
"""


def df(x, y, scale=2.0, helper_slope=None):
    """d/dx and d/dy of MODEL's f, by hand."""
    t = x * y
    slope = math.cos(t) * t + math.sin(t) if helper_slope is None else helper_slope(t)
    return (
        scale * slope * y + math.exp(x) / (1.0 + y * y),
        scale * slope * x - 2.0 * y * math.exp(x) / (1.0 + y * y) ** 2,
    )


SCRIPT = """
import json, sys, time
sys.path.insert(0, {directory!r})
started = time.perf_counter()
import srcgrad
import model
g = srcgrad.{transform}(model.f, wrt=("x", "y"))
value = g(0.7, 1.3)
print(json.dumps({{
    "value": value,
    "sympy": "sympy" in sys.modules,
    "black": "black" in sys.modules,
    "compiler": "srcgrad.building" in sys.modules,
    "source": {show_source} and srcgrad.source(g),
}}))
"""


def run(
    directory: Path,
    cache: Path | None,
    transform: str = "grad",
    show_source: bool = False,
    **environment: str,
) -> dict:
    """Run SCRIPT on ``directory``'s model.py in a new process."""
    script = directory / "script.py"
    script.write_text(
        SCRIPT.format(
            directory=str(directory), transform=transform, show_source=show_source
        )
    )
    env = {**os.environ, **environment}
    env.pop("SRCGRAD_CACHE", None)
    if cache is not None:
        env["SRCGRAD_CACHE_DIR"] = str(cache)
    env.update(environment)
    done = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, env=env
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    result["stderr"] = done.stderr
    return result


def entries(cache: Path) -> list[Path]:
    """The files in ``cache`` but temporary ones and compiled code (each
    entry's ``.code``, see ``srcgrad.marshalled``)."""
    return sorted(
        path
        for path in cache.iterdir()
        if not path.name.startswith(".") and path.suffix != ".code"
    )


@pytest.fixture
def project(tmp_path):
    (tmp_path / "model.py").write_text(MODEL)
    return tmp_path


def test_a_second_process_reads_the_code_and_imports_neither_sympy_nor_black(
    project,
):
    cache = project / "cache"
    cold = run(project, cache)
    assert cold["value"] == pytest.approx(df(0.7, 1.3), rel=1e-13)
    assert cold["compiler"]
    warm = run(project, cache)
    assert warm["value"] == cold["value"]
    assert not warm["sympy"] and not warm["black"] and not warm["compiler"]
    assert len(entries(cache)) == 1


def test_an_entry_is_readable_python_that_only_its_owner_can_touch(project):
    cache = project / "cache"
    run(project, cache)
    [entry] = entries(cache)
    text = entry.read_text()
    assert "for model.f" in text.splitlines()[0]
    assert "\ndef f_grad(x, y):\n" in text
    code = text.split("\n", 4)[4]
    compile(code, str(entry), "exec")  # the module itself, as compiled
    if hasattr(os, "getuid"):
        assert stat.S_IMODE(cache.stat().st_mode) == 0o700
        assert stat.S_IMODE(entry.stat().st_mode) & 0o077 == 0


def test_editing_the_function_or_a_helper_it_calls_builds_again(project):
    cache = project / "cache"
    run(project, cache)
    model = project / "model.py"
    model.write_text(MODEL.replace("math.sin(t) * t", "math.sin(t) * t * t"))
    edited = run(project, cache)
    assert edited["compiler"]  # not the old entry
    expected = df(
        0.7, 1.3, helper_slope=lambda t: math.cos(t) * t * t + 2 * t * math.sin(t)
    )
    assert edited["value"] == pytest.approx(expected, rel=1e-13)
    model.write_text(MODEL.replace("1.0 + y * y", "3.0 + y * y"))
    again = run(project, cache)
    assert again["compiler"]
    x, y = 0.7, 1.3
    assert again["value"][0] == pytest.approx(
        df(x, y)[0] - math.exp(x) / (1 + y * y) + math.exp(x) / (3 + y * y), rel=1e-13
    )
    assert len(entries(cache)) == 3


def test_a_comment_moving_the_function_down_builds_code_quoting_the_new_lines(
    project,
):
    cache = project / "cache"
    first = run(project, cache, show_source=True)
    (project / "model.py").write_text("# a new first line\n" + MODEL)
    moved = run(project, cache, show_source=True)
    assert moved["compiler"]
    assert "# line 12:" in first["source"] and "# line 13:" in moved["source"]
    assert moved["value"] == first["value"]


def test_globals_are_read_when_the_code_runs_not_kept(project):
    cache = project / "cache"
    run(project, cache)
    (project / "model.py").write_text(MODEL.replace("SCALE = 2.0", "SCALE = 5.0"))
    warm = run(project, cache)
    assert not warm["compiler"]  # the code does not depend on the value...
    assert warm["value"] == pytest.approx(df(0.7, 1.3, scale=5.0), rel=1e-13)


def test_what_is_asked_for_is_part_of_the_key(project):
    cache = project / "cache"
    gradient = run(project, cache)
    both = run(project, cache, transform="value_and_grad")
    assert both["compiler"]
    assert both["value"][1] == gradient["value"]
    assert len(entries(cache)) == 2
    again = run(project, cache, transform="value_and_grad")
    assert not again["compiler"] and again["value"] == both["value"]


@pytest.mark.parametrize(
    "damage",
    [
        lambda text: text.replace("math.exp(x)", "math.exp(y)"),  # edited code
        lambda text: text[: len(text) // 2],  # truncated
        lambda text: text.replace("# key: ", "# key: 0"),  # another key
        lambda text: "",  # empty
    ],
    ids=["edited", "truncated", "rekeyed", "empty"],
)
def test_a_damaged_entry_is_discarded_and_built_again_never_run(project, damage):
    cache = project / "cache"
    cold = run(project, cache)
    [entry] = entries(cache)
    entry.write_text(damage(entry.read_text()))
    again = run(project, cache)
    assert again["compiler"]
    assert again["value"] == cold["value"]
    [rebuilt] = entries(cache)
    assert disk_cache.parse(rebuilt.read_text(), rebuilt.stem) is not None


def test_a_garbled_entry_is_discarded(project):
    cache = project / "cache"
    cold = run(project, cache)
    [entry] = entries(cache)
    entry.write_bytes(b"\xff\xfe" + os.urandom(64))
    again = run(project, cache)
    assert again["compiler"] and again["value"] == cold["value"]


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="POSIX permissions")
def test_a_directory_others_can_write_is_refused_with_a_warning(project):
    cache = project / "cache"
    cache.mkdir(mode=0o700)
    cache.chmod(0o777)
    result = run(project, cache)
    assert (
        "CacheWarning" in result["stderr"] and "written by others" in result["stderr"]
    )
    assert "script.py" in result["stderr"]  # the warning points at the user's line
    assert result["value"] == pytest.approx(df(0.7, 1.3), rel=1e-13)
    assert entries(cache) == []  # memory only


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="POSIX ownership")
def test_a_directory_of_another_user_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(os, "getuid", lambda: os.stat(tmp_path).st_uid + 1)
    cache = disk_cache.DiskCache(tmp_path)
    with pytest.warns(disk_cache.CacheWarning, match="belongs to another user"):
        assert not cache.usable()
    assert cache.load("0" * 64) is None


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="symbolic links")
def test_an_entry_that_is_a_link_is_not_followed(project):
    cache = project / "cache"
    cold = run(project, cache)
    [entry] = entries(cache)
    elsewhere = project / "elsewhere.py"
    elsewhere.write_text(entry.read_text())
    entry.unlink()
    entry.symlink_to(elsewhere)
    again = run(project, cache)
    assert again["compiler"] and again["value"] == cold["value"]


def test_srcgrad_cache_0_turns_it_off(project):
    cache = project / "cache"
    result = run(project, cache, SRCGRAD_CACHE="0")
    assert result["value"] == pytest.approx(df(0.7, 1.3), rel=1e-13)
    assert not cache.exists()


def _build_in_a_process(directory: str) -> list[float]:
    sys.path.insert(0, directory)
    import model

    return list(srcgrad.grad(model.f, wrt=("x", "y"))(0.7, 1.3))


def test_processes_building_at_once_leave_one_sound_entry(project, monkeypatch):
    cache = project / "cache"
    monkeypatch.setenv("SRCGRAD_CACHE_DIR", str(cache))
    with multiprocessing.get_context("spawn").Pool(6) as pool:
        results = pool.map(_build_in_a_process, [str(project)] * 12)
    assert all(result == results[0] for result in results)
    assert results[0] == pytest.approx(df(0.7, 1.3), rel=1e-13)
    [entry] = entries(cache)
    assert disk_cache.parse(entry.read_text(), entry.stem) is not None
    assert [path.name for path in cache.iterdir() if path.name.startswith(".")] == []
    warm = run(project, cache)
    assert not warm["compiler"] and warm["value"] == results[0]


def test_a_default_that_is_an_object_keeps_the_gradient_in_memory(project):
    (project / "model.py").write_text(
        MODEL + "\n\nclass Box:\n    pass\n\n\ndef f(x, y, box=Box()):\n"
        "    return x * y\n"
    )
    cache = project / "cache"
    first = run(project, cache)
    assert first["value"] == [1.3, 0.7]
    assert not cache.exists() or entries(cache) == []


def test_cli_cache_info_and_clear(project, monkeypatch, capsys):
    cache = project / "cache"
    run(project, cache)
    run(project, cache, transform="value_and_grad")
    keep = cache / "notes.py"  # not srcgrad's: clear leaves it
    keep.write_text("x = 1\n")
    (cache / ".tmp-notes.py").write_text("y = 2\n")
    monkeypatch.setenv("SRCGRAD_CACHE_DIR", str(cache))
    assert main(["cache", "info"]) == 0
    out = capsys.readouterr().out
    assert f"location: {cache}" in out and "entries:  2" in out and "kB" in out
    assert main(["cache", "clear"]) == 0
    assert "removed 2 entries" in capsys.readouterr().out
    assert entries(cache) == [keep]
    assert (cache / ".tmp-notes.py").exists()
    monkeypatch.setenv("SRCGRAD_CACHE", "0")
    assert main(["cache", "info"]) == 0
    assert "off" in capsys.readouterr().out


def test_cli_cache_runs_as_a_command(project):
    cache = project / "cache"
    run(project, cache)
    env = {**os.environ, "SRCGRAD_CACHE_DIR": str(cache)}
    done = subprocess.run(
        [sys.executable, "-m", "srcgrad", "cache", "info"],
        capture_output=True, text=True, env=env,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "entries:  1" in done.stdout


def test_in_process_a_rebuilt_gradient_comes_from_disk_and_formats_on_reading(
    tmp_path, monkeypatch
):
    monkeypatch.setenv("SRCGRAD_CACHE_DIR", str(tmp_path / "cache"))
    disk_cache.reset()
    try:
        (tmp_path / "inproc_model.py").write_text(MODEL)
        monkeypatch.syspath_prepend(str(tmp_path))
        import inproc_model

        first = srcgrad.grad(inproc_model.f, wrt=("x", "y"))
        srcgrad.clear_cache()
        second = srcgrad.grad(inproc_model.f, wrt=("x", "y"))
        assert second(0.7, 1.3) == first(0.7, 1.3)
        assert srcgrad.source(second) == srcgrad.source(first)
        assert "helper(x * y)" in srcgrad.source(second)
    finally:
        disk_cache.reset()


def test_entries_round_trip_every_kind_of_binding(tmp_path):
    # A closure variable, a helper kept as a call, the dispatcher for arrays.
    text = textwrap.dedent("""
        import math
        import numpy as np


        def make(k):
            def helper(t):
                out = t
                for _ in range(3):
                    out = math.sin(out) * k + out * out * 0.5
                return out + np.float64(0.0)

            def f(x):
                return helper(x) * k

            return f
        """)
    path = tmp_path / "closures.py"
    path.write_text(text)
    sys.path.insert(0, str(tmp_path))
    try:
        import closures
    finally:
        sys.path.remove(str(tmp_path))
    f = closures.make(1.5)
    g = srcgrad.grad(f)
    compiled = g.__srcgrad__.compiled
    again = type(compiled).from_meta(compiled.meta(), compiled.text, f.__code__)
    assert again is not None and again.generated == compiled.generated
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        from srcgrad.compiled import bind

        rebound = bind(again, f, None)
    assert rebound(0.3) == g(0.3)


def test_importing_srcgrad_imports_no_compiler_sympy_or_black():
    code = (
        "import sys, srcgrad\n"
        "heavy = ['sympy', 'black', 'srcgrad.building', 'srcgrad.frontend.lower',\n"
        "         'srcgrad.passes', 'srcgrad.ad', 'srcgrad.codegen.emit']\n"
        "print([name for name in heavy if name in sys.modules])\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "[]"


def test_past_its_bound_the_least_recently_used_entries_are_removed(tmp_path):
    cache = disk_cache.DiskCache(tmp_path)
    keys = [f"{index:064x}" for index in range(12)]
    for age, key in enumerate(keys):
        cache.store(key, disk_cache.Entry("x = 1\n", {"label": "m.f"}))
        os.utime(cache.path(key), ns=(age * 10**9, age * 10**9))
    assert cache.load(keys[0]) is not None  # used now: the most recent
    assert cache.prune(10) == 4  # down to 8
    kept = {path.stem for path in entries(tmp_path)}
    assert kept == {keys[0], *keys[5:]}
    assert cache.prune(10) == 0


def test_a_hit_runs_the_code_kept_beside_its_entry(tmp_path, monkeypatch):
    # An entry's compiled code is kept beside it (marshalled, this Python's,
    # for the entry's text as it is): a hit compiles nothing. Kept code that
    # is damaged, or another Python's, is compiled again, as it was before
    # any was kept, and kept again.
    monkeypatch.setenv("SRCGRAD_CACHE_DIR", str(tmp_path / "cache"))
    disk_cache.reset()
    try:
        (tmp_path / "kept_model.py").write_text(MODEL)
        monkeypatch.syspath_prepend(str(tmp_path))
        import kept_model

        expected = srcgrad.grad(kept_model.f, wrt=("x", "y"))(0.7, 1.3)
        [entry] = entries(tmp_path / "cache")
        code = entry.with_suffix(".code")
        kept = code.read_bytes()
        compiled = []
        compile_module = srcgrad.compiled.compile_module
        monkeypatch.setattr(
            srcgrad.compiled,
            "compile_module",
            lambda *args: compiled.append(args) or compile_module(*args),
        )
        srcgrad.clear_cache()
        assert srcgrad.grad(kept_model.f, wrt=("x", "y"))(0.7, 1.3) == expected
        assert compiled == []
        other_python = kept.replace(b"# python ", b"# python 2.7 ", 1)
        for damaged in (kept[:-9], other_python, b"", kept[:200] + b"!" + kept[201:]):
            code.write_bytes(damaged)
            srcgrad.clear_cache()
            assert srcgrad.grad(kept_model.f, wrt=("x", "y"))(0.7, 1.3) == expected
            assert code.read_bytes() == kept
        assert len(compiled) == 4
    finally:
        disk_cache.reset()
        srcgrad.clear_cache()


def test_kept_code_is_read_only_for_its_text_and_this_python():
    text = "def f_grad(x):\n    return x\n"
    code = compile(text, "<srcgrad m.f 0>", "exec")
    data = marshalled.dump(text, (code, {}, "<srcgrad m.f 0>"))
    assert marshalled.load(data, text) == (code, {}, "<srcgrad m.f 0>")
    assert marshalled.load(data, text.replace("x\n", "-x\n")) is None
    magic = importlib.util.MAGIC_NUMBER.hex().encode()
    assert marshalled.load(data.replace(magic, b"0d0d0d0d"), text) is None
    flipped = data[:-3] + bytes([data[-3] ^ 1]) + data[-2:]
    assert marshalled.load(flipped, text) is None
    level = f"-O{sys.flags.optimize}".encode()
    assert marshalled.load(data.replace(level, b"-O2"), text) is None
    assert marshalled.load(None, text) is None
    assert data.decode(errors="replace").splitlines()[0].startswith("# srcgrad")


def test_clearing_and_pruning_remove_the_kept_code_with_its_entry(tmp_path):
    cache = disk_cache.DiskCache(tmp_path)
    keys = [f"{index:064x}" for index in range(4)]
    for age, key in enumerate(keys):
        cache.store(key, disk_cache.Entry("x = 1\n", {"label": "m.f"}))
        cache.store_code(key, b"code")
        (tmp_path / f"{key}.opt-1.code").write_bytes(b"code at -O")
        os.utime(cache.path(key), ns=(age * 10**9, age * 10**9))
    assert cache.load_code(keys[0]) == b"code"
    assert cache.prune(2) == 3  # down to 80% of 2: the newest
    assert sorted(path.name for path in tmp_path.iterdir()) == [
        f"{keys[3]}.code",
        f"{keys[3]}.opt-1.code",
        f"{keys[3]}.py",
    ]
    assert cache.clear() == (1, 0)
    assert list(tmp_path.iterdir()) == []


def test_each_optimisation_level_keeps_its_own_code(tmp_path):
    # One entry serves python and python -O (the same text), each with its
    # code kept beside it: switching levels rewrites neither.
    (tmp_path / "levels_model.py").write_text(MODEL)
    script = (
        "import levels_model, srcgrad\n"
        "print(srcgrad.grad(levels_model.f, wrt=('x', 'y'))(0.7, 1.3))\n"
    )
    environment = {
        **os.environ,
        "SRCGRAD_CACHE_DIR": str(tmp_path / "cache"),
        "PYTHONPATH": os.pathsep.join([str(tmp_path), *sys.path]),
    }

    def run(*flags: str) -> str:
        return subprocess.run(
            [sys.executable, *flags, "-c", script],
            env=environment, capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip

    printed = {run(), run("-O")}
    [entry] = entries(tmp_path / "cache")
    key = entry.name[: -len(".py")]
    codes = {path.name: path.stat().st_mtime_ns for path in entry.parent.glob("*.code")}
    assert set(codes) == {f"{key}.code", f"{key}.opt-1.code"}
    printed |= {run(), run("-O")}
    again = {path.name: path.stat().st_mtime_ns for path in entry.parent.glob("*.code")}
    assert again == codes
    assert len(printed) == 1
