"""Registers the end-to-end fixtures (emulator, client, work dir; defined in fixtures.py)."""

from __future__ import annotations

from tests.e2e.fixtures import client, sandbox, workdir

__all__ = ["client", "sandbox", "workdir"]
