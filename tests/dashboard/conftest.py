"""Fixtures: the seeded park and a client of the dashboard's API on it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.clock import FixedClock
from bot.config import DashboardSettings
from bot.dashboard.server import DashboardServer
from storage.db import Database
from tests.dashboard.park import NOW, TOKEN, Park, init_data, seed

PHOTO_BYTES = b"\xff\xd8\xff\xe0 a tiny jpeg"


@pytest.fixture
async def park_world(db: Database) -> Park:
    return await seed(db, FixedClock(NOW))


def dashboard_settings(**changes: Any) -> DashboardSettings:
    return DashboardSettings(
        enabled=True,
        public_url="https://dashboard.example.cn/dashboard/",
        port=0,
        telegram_script="",
        **changes,
    )


@dataclass
class Api:
    client: TestClient  # type: ignore[type-arg]
    park: Park
    fetched: list[str]

    async def call(
        self, who: str, path: str, *, body: dict[str, Any] | None = None, data: str | None = None
    ) -> tuple[int, Any]:
        """Call the API as `who` (see Park.tg); `data` overrides the signed launch data."""
        if data is None:
            data = init_data(self.park.tg(who), self.park.story.clock.now())
        headers = {"Authorization": f"tma {data}"}
        url = f"/dashboard/api/{path}"
        if body is None:
            response = await self.client.get(url, headers=headers)
        else:
            response = await self.client.post(url, json=body, headers=headers)
        if response.content_type == "application/json":
            return response.status, await response.json()
        return response.status, await response.read()


@pytest.fixture
async def api(park_world: Park) -> AsyncIterator[Api]:
    fetched: list[str] = []

    async def fetch(file_id: str) -> bytes:
        fetched.append(file_id)
        return PHOTO_BYTES

    server = DashboardServer(park_world.services, dashboard_settings(), TOKEN, fetch_file=fetch)
    client = TestClient(TestServer(server.make_app()))
    await client.start_server()
    try:
        yield Api(client, park_world, fetched)
    finally:
        await client.close()
        await park_world.services.dashboard.aclose()
