"""Test configuration: Hypothesis profiles, and fixtures many modules use.

The default profile keeps the suite fast; ``HYPOTHESIS_PROFILE=stress``
runs the property tests with many more examples before a release.
"""

import os

import pytest
from hypothesis import HealthCheck, settings

import srcgrad

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
    monkeypatch.setattr("srcgrad.passes.inline.INLINE_LIMIT", request.param)
    srcgrad.clear_cache()  # the cache does not know the limit
    yield
    srcgrad.clear_cache()
