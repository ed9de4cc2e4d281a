"""docs/benchmarks.md: compare.py's tables, charts and how they were made."""

from __future__ import annotations

import platform
from pathlib import Path

import report
from report import Results
from workloads import WORKLOADS

INTRODUCTION = """\
# Benchmarks: srcgrad beside other gradient systems

<!-- Written by `python benchmarks/compare.py`: change that, not this page. -->

Six workloads, each differentiated by every gradient system installed, in
one run: the time of one gradient call, how many calls of the function it
is worth, and what getting the first gradient costs. Every gradient is
compared with one written by hand before it is timed (the largest
difference over the largest magnitude, at most 1e-9); a system that refuses
a workload, or whose gradient disagrees, is shown so and never timed.

## Reproduce

```sh
pip install -e ".[bench]"   # autograd, tangent-ad and jax[cpu]
pip install torch --index-url https://download.pytorch.org/whl/cpu
python benchmarks/compare.py   # this page and its charts, 2 to 5 minutes
python benchmarks/scaling.py   # docs/scaling.md
```

PyTorch is not in the `bench` extra: a plain `pip install torch` brings a
CUDA build of several GB, and these figures are the CPU build's. A system
that is not installed is a column that says so.
"""

HOW_CALLED = """\
## How each system is called

- **primal**: the workload's function, as a user writes it (`math` for
  numbers, NumPy for arrays: [benchmarks/workloads.py](../benchmarks/workloads.py)).
- **hand-written**: the gradient a careful person writes beside it:
  shared subexpressions in locals, a loop's values kept in lists for the
  backward loop.
- **srcgrad**: `srcgrad.grad(f, wrt=...)` of the primal itself, called with
  the same arguments.
- **Tangent** (`tangent-ad`, the maintained fork of Google's Tangent):
  `tangent.grad(f, wrt=...)` of the function written with NumPy (`np.sin`:
  Tangent has no rules for `math`).
- **autograd**: `autograd.grad(f, argnum)` of the function written with
  `autograd.numpy`.
- **JAX**: `jax.grad(f, argnums)` of the function written with `jax.numpy`,
  in float64 (`jax_enable_x64`), called with JAX arrays made before timing
  and waited for with `block_until_ready`; without `jit`, JAX traces the
  function again at every call. The pendulum's loop is a
  `lax.fori_loop`, as JAX users write it: a Python loop of 500 steps is
  traced as 500 copies, which takes JAX about 17 s to compile.
  **JAX jit** is `jax.jit(jax.grad(f, argnums))`; its first call is the
  trace and the compile.
- **PyTorch**: float64 tensors (0-d for numbers) with `requires_grad`, made
  before timing; a call sets each `.grad` to `None`, runs the function,
  calls `.backward()` and returns the `.grad`s.

The peers' versions of the workloads are in
[benchmarks/peer_workloads.py](../benchmarks/peer_workloads.py): the same
code, written with each library's own array module.

Every library runs on one thread: `OMP_NUM_THREADS`,
`OPENBLAS_NUM_THREADS` and `MKL_NUM_THREADS` are 1 and XLA gets its
one-thread flags, unless they are set before compare.py runs. On a machine
of few cores the threads of one library's pool spin on after its call and
slow the next library's (NumPy's MLP gradient ran 10 to 40 times slower
right after PyTorch's, on 2 cores).

**First call** is building the gradient and calling it once, after each
library differentiated a small function of its own, so that none is
charged for its start-up (JAX's backend, PyTorch's autograd engine). For
srcgrad it is the warm build of the table above, in a fresh process,
with the disk cache off.
"""


def _targets(results: Results) -> str:
    runs = results.fresh_runs
    return f"""\
## srcgrad against its targets

{report.targets_table(results)}

- **srcgrad ÷ by hand**: the time of srcgrad's gradient over the
  hand-written one's; the target is at most {report.GRADIENT_TARGET}.
- **first build in a process**: `srcgrad.grad(f)` and its first call in
  a new process, after `import srcgrad` and the workload's module, with an
  empty `SRCGRAD_CACHE_DIR`. It counts what the first build in a process
  imports (the compiler; SymPy only for a rule not recorded).
- **build after imports**: the same in a new process that first
  differentiated two other functions (the compiler loaded), with
  `SRCGRAD_CACHE=0`: the cold compile of this function alone. Target: at
  most {report.COLD_TARGET * 1e3:.0f} ms.
- **disk-cache hit**: a second new process with the first build's
  `SRCGRAD_CACHE_DIR`, where the gradient is found on disk. Target: at
  most {report.DISK_HIT_TARGET * 1e3:.0f} ms.

Each build time is the best of {runs} new processes (`--fresh-runs`), and
counts only what srcgrad adds: the function is called once before timing
(NumPy's own first-call costs), and one later call of the gradient is
subtracted from its first. An array workload's first call builds (or
reads back) the gradient for its arguments' shapes, so that is counted.

![srcgrad's build times](benchmarks-build.svg)
"""


def _workloads(results: Results) -> str:
    sections = [
        "## Each workload\n",
        f"Times per call are the best of {results.repeat} interleaved "
        f"measurements of about {results.seconds} s each "
        "([benchmarks/timing.py](../benchmarks/timing.py)); *rel. error* is "
        "the difference from the hand-written gradient.\n",
    ]
    for workload in WORKLOADS:
        sections.append(f"### {workload.title} ({workload.size})\n")
        sections.append(report.workload_table(results, workload.title) + "\n")
    sections.append("![First gradient per system](benchmarks-first-call.svg)\n")
    return "\n".join(sections)


def _not_timed(results: Results) -> str:
    lines = []
    for name, why in results.missing.items():
        lines.append(f"- **{name}** is not installed here ({why}).")
    for title, build in results.builds.items():
        if isinstance(build, str):
            lines.append(f"- **srcgrad**, {title}: a fresh process failed: {build}")
    for title, cells in results.cells.items():
        for name, cell in cells.items():
            if cell.status in ("refused", "wrong"):
                lines.append(f"- **{name}**, {title}: {cell.status}: {cell.detail}")
    tangent = [system for system in results.systems if system.name == "Tangent"]
    if tangent and "Tangent" not in results.missing:
        lines.append(
            f"- tangent-ad installs and runs on Python {platform.python_version()}."
        )
    if not lines:
        return ""
    return "## Not timed, and notes\n\n" + "\n".join(lines) + "\n"


def page(results: Results) -> str:
    """The whole of docs/benchmarks.md."""
    parts = [
        INTRODUCTION,
        "## Machine\n\n" + report.machine() + "\n",
        _targets(results),
        "## Gradient time over primal time\n\n" + report.summary_table(results) + "\n",
        "![Gradient time over primal time](benchmarks-ratio.svg)\n",
        _workloads(results),
        HOW_CALLED,
        _not_timed(results),
        "How compile time and the generated code grow with the size of the "
        "function: [scaling.md](scaling.md).\n",
    ]
    return "\n".join(part for part in parts if part)


def write_report(results: Results, docs: Path) -> str:
    """Write docs/benchmarks.md and its charts; return the page."""
    report.write_charts(results, docs)
    text = page(results)
    (docs / "benchmarks.md").write_text(text, encoding="utf-8")
    return text
