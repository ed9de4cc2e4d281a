"""The documentation shows what srcgrad really prints."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from srcgrad.cli import main

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def _console_blocks():
    for document in DOCUMENTS:
        for block in re.findall(r"```console\n(.*?)```", document.read_text(), re.S):
            command, _, output = block.partition("\n")
            yield pytest.param(command, output, id=f"{document.name}: {command}")


@pytest.mark.parametrize(("command", "output"), list(_console_blocks()))
def test_console_examples_print_what_the_docs_say(command, output, capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    words = shlex.split(command)
    assert words[0] == "$" and words[1] in ("srcgrad", "python"), command
    if words[1] == "python":
        ran = subprocess.run(
            [sys.executable, *words[2:]], capture_output=True, text=True, check=True
        )
        assert ran.stdout == output
        return
    assert main(words[2:]) == 0
    assert capsys.readouterr().out == output


def test_readme_quick_example_is_the_example_file():
    readme = (ROOT / "README.md").read_text()
    block = re.search(r"## Thirty seconds\n.*?```python\n(.*?)```", readme, re.S).group(
        1
    )
    assert block in (ROOT / "examples" / "quickstart.py").read_text()


def test_readme_has_exactly_two_setup_commands_and_ci_runs_them():
    readme = (ROOT / "README.md").read_text()
    setup = re.search(r"## Setup\n.*?```sh\n(.*?)```", readme, re.S).group(1)
    commands = [line for line in setup.splitlines() if line.strip()]
    assert len(commands) == 2
    assert "README.md" in (ROOT / ".ci" / "run").read_text()
