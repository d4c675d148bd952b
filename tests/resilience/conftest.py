"""Resilience tests share the end-to-end fixtures (emulator, client, work dir)."""

from __future__ import annotations

from e2e.conftest import client, sandbox, workdir

__all__ = ["client", "sandbox", "workdir"]
