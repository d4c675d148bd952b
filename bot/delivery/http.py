"""The HTTP transport for python-telegram-bot, on aiohttp instead of httpx.

Every Bot API call goes through `do_request`. Measured on the bundled benchmark, httpx's
per-request overhead was the largest single cost of delivering the outbox; aiohttp (already a
dependency for the webhook server and the sandbox) does the same work with less CPU. Errors map
onto python-telegram-bot's own exceptions, so the sender's retry rules are unchanged.
"""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

_UNSET = BaseRequest.DEFAULT_NONE


class AiohttpRequest(BaseRequest):
    """A pooled aiohttp session speaking the Bot API's form and multipart encodings."""

    def __init__(
        self,
        *,
        connections: int = 64,
        read_timeout: float = 10.0,
        connect_timeout: float = 10.0,
        media_timeout: float = 60.0,
    ) -> None:
        self._connections = connections
        self._read_timeout = read_timeout
        self._connect_timeout = connect_timeout
        self._media_timeout = media_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        return self._read_timeout

    async def initialize(self) -> None:
        """Open the session (idempotent)."""
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._connections),
                headers={"User-Agent": self.USER_AGENT},
            )

    async def shutdown(self) -> None:
        """Close the session (idempotent)."""
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = _UNSET,
        write_timeout: Any = _UNSET,
        connect_timeout: Any = _UNSET,
        pool_timeout: Any = _UNSET,
    ) -> tuple[int, bytes]:
        """Send one request; return the status code and the raw body."""
        if self._session is None or self._session.closed:
            await self.initialize()
        assert self._session is not None
        fields = request_data.json_parameters if request_data else {}
        files = request_data.multipart_data if request_data else {}
        body: Any = fields or None
        if files:
            form = aiohttp.FormData()
            for name, value in fields.items():
                form.add_field(name, value)
            for name, (filename, content, mime) in files.items():
                form.add_field(name, content, filename=filename, content_type=mime)
            body = form
        read = self._read_timeout if isinstance(read_timeout, type(_UNSET)) else read_timeout
        connect = (
            self._connect_timeout if isinstance(connect_timeout, type(_UNSET)) else connect_timeout
        )
        if files and isinstance(read_timeout, type(_UNSET)):
            read = self._media_timeout
        timeout = aiohttp.ClientTimeout(total=None, sock_connect=connect, sock_read=read)
        try:
            async with self._session.request(method, url, data=body, timeout=timeout) as resp:
                return resp.status, await resp.read()
        except TimeoutError as exc:
            raise TimedOut(f"aiohttp: timed out ({exc})") from exc
        except (aiohttp.ClientError, asyncio.IncompleteReadError, OSError) as exc:
            raise NetworkError(f"aiohttp.{type(exc).__name__}: {exc}") from exc
