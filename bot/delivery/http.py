"""The HTTP transport for python-telegram-bot, on aiohttp instead of httpx.

Every Bot API call goes through `do_request`. Measured on the bundled benchmark, httpx's
per-request overhead was the largest single cost of delivering the outbox; aiohttp (already a
dependency for the webhook server and the sandbox) does the same work with less CPU. Errors map
onto python-telegram-bot's own exceptions, so the sender's retry rules are unchanged.

Every request goes through the proxy chosen by `bot.delivery.proxy.resolve_proxy` (http(s)
natively, socks through aiohttp-socks); `telegram_request` builds the transport every command
uses, so `run`, `doctor` and `invite` reach Telegram the same way.
"""

from __future__ import annotations

import asyncio
import json
import os
from base64 import b64encode
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import aiohttp
from aiohttp_socks import ProxyConnector, ProxyType
from python_socks import ProxyError
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

from bot.delivery.proxy import Proxy, resolve_proxy

if TYPE_CHECKING:
    from bot.config import TelegramSettings

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
        proxy: Proxy | None = None,
    ) -> None:
        self._connections = connections
        self.proxy = proxy
        # http(s) proxies are per request (absolute URI or CONNECT); socks is in the connector.
        self._proxy_url = proxy.url if proxy is not None and not proxy.is_socks else None
        self._proxy_auth: dict[str, str] = {}
        if self._proxy_url and proxy is not None and (proxy.username or proxy.password):
            pair = f"{proxy.username}:{proxy.password}".encode()
            self._proxy_auth = {"Proxy-Authorization": "Basic " + b64encode(pair).decode()}
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
                connector=self._connector(),
                headers={"User-Agent": user_agent()},
            )

    def _connector(self) -> aiohttp.BaseConnector:
        proxy = self.proxy
        if proxy is None or not proxy.is_socks:
            return aiohttp.TCPConnector(limit=self._connections)
        return ProxyConnector(
            proxy_type=ProxyType.SOCKS4 if proxy.scheme == "socks4" else ProxyType.SOCKS5,
            host=proxy.host,
            port=proxy.port,
            username=proxy.username or None,
            password=proxy.password or None,
            # The proxy resolves api.telegram.org: local DNS may be what blocks it.
            rdns=True,
            limit=self._connections,
        )

    async def shutdown(self) -> None:
        """Close the session (idempotent)."""
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    def _via_proxy(self, url: str) -> dict[str, Any]:
        """The request's proxy arguments; credentials go to the proxy, never to Telegram."""
        if self._proxy_url is None:
            return {}
        if url.startswith("https://"):
            # A CONNECT tunnel: the credentials belong on the CONNECT request only.
            return {"proxy": self._proxy_url, "proxy_headers": self._proxy_auth or None}
        # Plain http: the request itself goes to the proxy (absolute URI), with the header.
        return {"proxy": self._proxy_url, "headers": self._proxy_auth or None}

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
        body: Any = None
        headers: dict[str, str] | None = None
        if request_data is not None and not files and fields:
            # A JSON body, as the Bot API takes it: the parameters with their own types, and
            # UTF-8 text as is (encoding a form percent-escapes every byte of Chinese text in
            # Python, a tenth of the sender's time).
            body = json.dumps(request_data.parameters, ensure_ascii=False).encode()
            headers = {"Content-Type": "application/json"}
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
        via = self._via_proxy(url)
        if headers is not None:
            headers.update(via.pop("headers", None) or {})
            via["headers"] = headers
        try:
            async with self._session.request(
                method, url, data=body, timeout=timeout, **via
            ) as resp:
                return resp.status, await resp.read()
        except TimeoutError as exc:
            raise TimedOut(f"aiohttp: timed out ({exc})") from exc
        except (aiohttp.ClientError, asyncio.IncompleteReadError, OSError, ProxyError) as exc:
            raise NetworkError(f"aiohttp.{type(exc).__name__}: {exc}") from exc


def user_agent() -> str:
    """The User-Agent of this process's calls: which worker made a call, in a proxy's log."""
    return f"liaison-bot (pid {os.getpid()}) {BaseRequest.USER_AGENT}"


def telegram_request(
    telegram: TelegramSettings,
    *,
    connections: int,
    environ: Mapping[str, str] | None = None,
) -> AiohttpRequest:
    """The transport every command uses to reach the Bot API, through the configured proxy.

    Raises:
        ProxyConfigError: the proxy (config key or variable) is not a usable URL.
    """
    proxy = resolve_proxy(
        telegram.proxy.get_secret_value(),
        telegram.api_base_url,
        os.environ if environ is None else environ,
    )
    return AiohttpRequest(connections=connections, proxy=proxy)
