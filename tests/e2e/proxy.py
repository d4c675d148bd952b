"""A tiny HTTP proxy on 127.0.0.1 for tests: it forwards and counts what goes through it.

Two kinds of request, as a real proxy sees them:
- an absolute-URI request (`POST http://127.0.0.1:8081/bot.../getMe HTTP/1.1`, what a client
  sends through HTTP_PROXY for an http:// URL) is forwarded to its host, one per connection;
- `CONNECT host:443` (what a client sends through HTTPS_PROXY for an https:// URL) opens a
  tunnel. With `tls_hosts`, the proxy answers TLS itself for those hosts with the test
  certificate in `certs/` and forwards the decrypted bytes to the mapped plain-http address
  (how the bot reaches the plain-http sandbox as `https://api.telegram.example`).
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

CERTS = Path(__file__).resolve().parent / "certs"
CA_FILE = CERTS / "ca.pem"
TLS_HOST = "api.telegram.example"


@dataclass
class CountingProxy:
    """Counts forwarded requests and tunnels; remembers the Proxy-Authorization it saw."""

    tls_hosts: dict[str, tuple[str, int]] = field(default_factory=dict)
    requests: Counter[str] = field(default_factory=Counter)  # "METHOD host:port/path"
    tunnels: Counter[str] = field(default_factory=Counter)  # "host:port"
    auth_headers: list[str] = field(default_factory=list)
    port: int = 0
    _server: asyncio.Server | None = None
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            method, target, version = lines[0].split(" ", 2)
            headers = [line for line in lines[1:] if line]
            for line in headers:
                if line.lower().startswith("proxy-authorization:"):
                    self.auth_headers.append(line.split(":", 1)[1].strip())
            if method == "CONNECT":
                await self._tunnel(target, reader, writer)
            else:
                await self._forward(method, target, version, headers, reader, writer)
        except (asyncio.IncompleteReadError, ConnectionError, ssl.SSLError):
            pass
        finally:
            self._tasks.discard(task)
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    async def _forward(
        self,
        method: str,
        target: str,
        version: str,
        headers: list[str],
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
    ) -> None:
        url = urlsplit(target)
        assert url.scheme == "http" and url.hostname, f"not an absolute URI: {target}"
        port = url.port or 80
        self.requests[f"{method} {url.hostname}:{port}{url.path}"] += 1
        length = 0
        kept: list[str] = []
        for line in headers:
            name = line.split(":", 1)[0].strip().lower()
            if name == "content-length":
                length = int(line.split(":", 1)[1])
            if name not in ("proxy-authorization", "proxy-connection", "connection"):
                kept.append(line)
        body = await reader.readexactly(length) if length else b""
        path = url.path + (f"?{url.query}" if url.query else "")
        up_reader, up_writer = await asyncio.open_connection(url.hostname, port)
        request = f"{method} {path} {version}\r\n" + "".join(f"{h}\r\n" for h in kept)
        up_writer.write(request.encode("latin-1") + b"Connection: close\r\n\r\n" + body)
        await up_writer.drain()
        # One request per connection: the upstream closes after its answer, and so do we.
        writer.write(await up_reader.read())
        await writer.drain()
        up_writer.close()

    async def _tunnel(
        self, target: str, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        self.tunnels[target] += 1
        host, _, port = target.rpartition(":")
        upstream = self.tls_hosts.get(host)
        writer.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
        await writer.drain()
        if upstream is not None:
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(CERTS / "server.pem", CERTS / "server.key")
            await writer.start_tls(context)
            address = upstream
        else:
            address = (host, int(port))
        up_reader, up_writer = await asyncio.open_connection(*address)

        async def pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
            with contextlib.suppress(ConnectionError, ssl.SSLError):
                while data := await src.read(65536):
                    dst.write(data)
                    await dst.drain()
            with contextlib.suppress(Exception):
                dst.close()

        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))


@dataclass
class CountingSocks5:
    """A SOCKS5 proxy (RFC 1928, with user/password auth, RFC 1929) that counts its tunnels."""

    tunnels: Counter[str] = field(default_factory=Counter)  # "host:port" as the client named it
    credentials: list[tuple[str, str]] = field(default_factory=list)
    port: int = 0
    _server: asyncio.Server | None = None

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            _version, count = await reader.readexactly(2)
            methods = await reader.readexactly(count)
            if 2 in methods:
                writer.write(b"\x05\x02")
                await reader.readexactly(1)
                user = await reader.readexactly((await reader.readexactly(1))[0])
                password = await reader.readexactly((await reader.readexactly(1))[0])
                self.credentials.append((user.decode(), password.decode()))
                writer.write(b"\x01\x00")
            else:
                writer.write(b"\x05\x00")
            _version, _command, _reserved, kind = await reader.readexactly(4)
            if kind == 3:  # a host name: the proxy resolves it
                host = (await reader.readexactly((await reader.readexactly(1))[0])).decode()
            else:
                host = ".".join(str(b) for b in await reader.readexactly(4))
            port = int.from_bytes(await reader.readexactly(2), "big")
            self.tunnels[f"{host}:{port}"] += 1
            up_reader, up_writer = await asyncio.open_connection(host, port)
            writer.write(b"\x05\x00\x00\x01\x00\x00\x00\x00\x00\x00")
            await writer.drain()

            async def pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
                with contextlib.suppress(ConnectionError):
                    while data := await src.read(65536):
                        dst.write(data)
                        await dst.drain()
                with contextlib.suppress(Exception):
                    dst.close()

            await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()
