"""Test configuration: Hypothesis profiles, and fixtures many modules use.

The default profile keeps the suite fast; ``HYPOTHESIS_PROFILE=stress``
runs the property tests with many more examples before a release.
"""

import os
import shutil
import tempfile

# The session's disk cache: a directory of its own (subprocesses inherit
# it), never the user's; removed at the end.
_DISK_CACHE = tempfile.mkdtemp(prefix="srcgrad-tests-")
os.environ["SRCGRAD_CACHE_DIR"] = _DISK_CACHE

import pytest  # noqa: E402
from hypothesis import HealthCheck, settings  # noqa: E402

import srcgrad  # noqa: E402


def pytest_sessionfinish(session, exitstatus):
    shutil.rmtree(_DISK_CACHE, ignore_errors=True)


settings.register_profile(
    "default",
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
settings.register_profile(
    "stress", parent=settings.get_profile("default"), max_examples=2000
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


@pytest.fixture(params=[16, -1], ids=["inlined", "called"])
def inlining(request, monkeypatch):
    """Small helpers written out at their calls (the default), or every call
    kept (a forward/backward pair per callee)."""
    monkeypatch.setattr("srcgrad.settings.INLINE_LIMIT", request.param)
    srcgrad.clear_cache()  # the cache does not know the limit
    yield
    srcgrad.clear_cache()
