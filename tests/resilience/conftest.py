"""Registers the end-to-end fixtures (emulator, client, work dir) for the resilience tests."""

from __future__ import annotations

from tests.e2e.fixtures import client, sandbox, workdir

__all__ = ["client", "sandbox", "workdir"]
