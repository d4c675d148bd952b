"""A client of the dashboard's API on the seeded park, and the settings the tests serve it with."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from aiohttp.test_utils import TestClient, TestServer

from bot.config import DashboardSettings
from bot.dashboard.server import DashboardServer
from tests.dashboard.park import TOKEN, Park, init_data

PHOTO_BYTES = b"\xff\xd8\xff\xe0 a tiny jpeg"


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


@asynccontextmanager
async def open_api(park: Park, files: Mapping[str, bytes] | None = None) -> AsyncIterator[Api]:
    """Serve the dashboard on `park` in process; files are fetched from a recording fake
    (`files`: the bytes of a Telegram file id; any other id is the photo's)."""
    fetched: list[str] = []

    async def fetch(file_id: str) -> bytes:
        fetched.append(file_id)
        return (files or {}).get(file_id, PHOTO_BYTES)

    server = DashboardServer(park.services, dashboard_settings(), TOKEN, fetch_file=fetch)
    client = TestClient(TestServer(server.make_app()))
    await client.start_server()
    try:
        yield Api(client, park, fetched)
    finally:
        await client.close()
        await park.services.dashboard.aclose()
