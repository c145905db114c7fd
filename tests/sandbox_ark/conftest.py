"""Fixtures of the Ark emulator tests: ``ark`` is raw HTTP to a fresh fast sandbox."""

from __future__ import annotations

import pytest
from sandbox_ark_support import Ark


@pytest.fixture
def ark(sandbox):
    return Ark(sandbox)


@pytest.fixture
def ark_for(sandbox_factory):
    """``ark_for(**SandboxOptions)`` → an Ark caller on a sandbox with those options."""

    def make(**options):
        return Ark(sandbox_factory(**options))

    return make
