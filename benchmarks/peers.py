"""The systems compare.py times, each through its own idiomatic API.

A system turns a workload into a gradient function and the arguments it is
called with, in the system's own types (made once, before anything is
timed: a PyTorch user keeps tensors, a JAX user device arrays). Each is
imported only when asked for; one that does not import is reported as not
installed, never as an error.
"""

from __future__ import annotations

import importlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType

import numpy as np
from peer_workloads import warm_up, written_for_jax, written_with
from workloads import Workload, as_tuple

import srcgrad

#: A system's gradient of a workload and the arguments it takes.
Built = tuple[Callable[..., object], tuple]


@dataclass(frozen=True)
class System:
    """How one system differentiates a workload.

    ``build(workload, modules)`` makes the gradient and its arguments;
    ``modules`` are the ones ``imports`` names, imported.
    """

    name: str
    distribution: str
    imports: tuple[str, ...]
    build: Callable[[Workload, dict[str, ModuleType]], Built]
    to_numpy: Callable[[object], np.ndarray] = np.asarray


@dataclass(frozen=True)
class Prepared:
    """A gradient ready to time, with its first call's time and result."""

    gradient: Callable[..., object]
    arguments: tuple
    first_call_seconds: float
    result: tuple[np.ndarray, ...]


def load(system: System) -> dict[str, ModuleType] | str:
    """The system's modules, or why they do not import."""
    try:
        modules = {name: importlib.import_module(name) for name in system.imports}
    except Exception as error:  # an installed but broken library is missing too
        return f"{type(error).__name__}: {error}"
    if "jax" in modules:
        modules["jax"].config.update("jax_enable_x64", True)
    return modules


def prepare(
    system: System, workload: Workload, modules: dict[str, ModuleType]
) -> Prepared:
    """Build the system's gradient of ``workload`` and call it once, timing both."""
    started = time.perf_counter()
    gradient, arguments = system.build(workload, modules)
    result = gradient(*arguments)
    seconds = time.perf_counter() - started
    as_numpy = tuple(system.to_numpy(item) for item in as_tuple(result))
    return Prepared(gradient, arguments, seconds, as_numpy)


def warm(system: System, modules: dict[str, ModuleType]) -> None:
    """Differentiate a small function once, so no workload pays for start-up."""
    warm_workload = Workload("warm-up", "", warm_up, warm_up, (0,), lambda: (0.5,))
    prepare(system, warm_workload, modules)


def _primal(workload: Workload, modules: dict) -> Built:
    return workload.function, workload.inputs()


def _by_hand(workload: Workload, modules: dict) -> Built:
    return workload.by_hand, workload.inputs()


def _srcgrad(workload: Workload, modules: dict) -> Built:
    return srcgrad.grad(workload.function, wrt=workload.wrt), workload.inputs()


def _peer_function(workload: Workload, module: ModuleType) -> Callable:
    if workload.function is warm_up:
        return warm_up
    return written_with(module)[workload.title]


def _tangent(workload: Workload, modules: dict) -> Built:
    function = _peer_function(workload, np)
    gradient = modules["tangent"].grad(function, wrt=workload.wrt, verbose=0)
    return gradient, workload.inputs()


def _autograd(workload: Workload, modules: dict) -> Built:
    function = _peer_function(workload, modules["autograd.numpy"])
    return modules["autograd"].grad(function, workload.wrt), workload.inputs()


def _jax_gradient(workload: Workload, modules: dict) -> Built:
    jax, jnp = modules["jax"], modules["jax.numpy"]
    if workload.function is warm_up:
        function = warm_up
    else:
        function = written_for_jax(jnp, modules["jax.lax"])[workload.title]
    arguments = tuple(
        (
            jnp.asarray(item, dtype=jnp.float64)
            if isinstance(item, float | np.ndarray)
            else item
        )
        for item in workload.inputs()
    )
    return jax.grad(function, argnums=workload.wrt), arguments


def _jax(workload: Workload, modules: dict) -> Built:
    gradient, arguments = _jax_gradient(workload, modules)
    block = modules["jax"].block_until_ready
    return lambda *args: block(gradient(*args)), arguments


def _jax_jit(workload: Workload, modules: dict) -> Built:
    gradient, arguments = _jax_gradient(workload, modules)
    jax = modules["jax"]
    compiled = jax.jit(gradient)
    return lambda *args: jax.block_until_ready(compiled(*args)), arguments


def _torch(workload: Workload, modules: dict) -> Built:
    torch = modules["torch"]
    function = _peer_function(workload, torch)
    arguments = tuple(
        (
            torch.tensor(item, dtype=torch.float64, requires_grad=index in workload.wrt)
            if isinstance(item, float | np.ndarray)
            else item
        )
        for index, item in enumerate(workload.inputs())
    )
    leaves = [arguments[index] for index in workload.wrt]

    def gradient(*args):
        for leaf in leaves:
            leaf.grad = None
        function(*args).backward()
        return tuple(leaf.grad for leaf in leaves)

    return gradient, arguments


def _torch_to_numpy(tensor: object) -> np.ndarray:
    return tensor.detach().numpy()  # type: ignore[attr-defined]


PRIMAL = System("primal", "", (), _primal)
BY_HAND = System("hand-written", "", (), _by_hand)
SRCGRAD = System("srcgrad", "srcgrad", (), _srcgrad)
PEERS: tuple[System, ...] = (
    System("Tangent", "tangent-ad", ("tangent",), _tangent),
    System("autograd", "autograd", ("autograd", "autograd.numpy"), _autograd),
    System("JAX", "jax", ("jax", "jax.numpy", "jax.lax"), _jax),
    System("JAX jit", "jax", ("jax", "jax.numpy", "jax.lax"), _jax_jit),
    System("PyTorch", "torch", ("torch",), _torch, _torch_to_numpy),
)
