"""Fixtures: the seeded park (park.py) and a client of the dashboard's API on it (api.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.clock import FixedClock
from storage.db import Database
from tests.dashboard.api import Api, open_api
from tests.dashboard.park import NOW, Park, seed


@pytest.fixture
async def park_world(db: Database) -> Park:
    return await seed(db, FixedClock(NOW))


@pytest.fixture
async def api(park_world: Park) -> AsyncIterator[Api]:
    async with open_api(park_world) as client:
        yield client
