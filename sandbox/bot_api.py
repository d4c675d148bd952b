"""HTTP front of the Bot API: ``/bot<token>/<method>`` and file downloads.

Parses parameters from the query string and any body encoding the real
server accepts, applies injected faults before anything else can happen,
dispatches to the method handlers and logs every call.
"""

from __future__ import annotations

import asyncio
import json
import time
from functools import partial
from typing import Any

from aiohttp import BodyPartReader, web

from sandbox import chats_api, extra_api, messages_api, updates_api
from sandbox.registry import Ctx, Handler
from sandbox.schema import ApiError, Upload, decode_params, load_schema, method_index
from sandbox.state import SandboxState
from sandbox.webhook import WebhookManager

HANDLERS: dict[str, Handler] = {
    **updates_api.registry.handlers,
    **messages_api.registry.handlers,
    **chats_api.registry.handlers,
    **extra_api.registry.handlers,
}
_dumps = partial(json.dumps, ensure_ascii=False)


def _answer(code: int, payload: dict[str, Any]) -> web.Response:
    return web.json_response(payload, status=code, dumps=_dumps)


def _error(exc: ApiError) -> web.Response:
    payload: dict[str, Any] = {"ok": False, "error_code": exc.code, "description": exc.description}
    parameters = exc.parameters()
    if parameters is not None:
        payload["parameters"] = parameters
    return _answer(exc.code, payload)


async def _read_params(
    request: web.Request, fields: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Upload]]:
    """Merge query string and body into raw params plus uploaded files."""
    raw: dict[str, Any] = dict(request.query)
    uploads: dict[str, Upload] = {}
    if request.method != "POST" or not request.can_read_body:
        return raw, uploads
    ctype = request.content_type
    if ctype == "application/json":
        try:
            body = await request.json()
        except ValueError:
            raise ApiError(400, "Bad Request: can't parse JSON object") from None
        if not isinstance(body, dict):
            raise ApiError(400, "Bad Request: can't parse JSON object")
        raw.update(body)
    elif ctype == "multipart/form-data":
        reader = await request.multipart()
        while True:
            part = await reader.next()
            if part is None:
                break
            if not isinstance(part, BodyPartReader) or part.name is None:
                continue
            if part.filename is not None:
                data = await part.read(decode=False)
                upload = Upload(part.filename, part.headers.get("Content-Type", ""), bytes(data))
                uploads[part.name] = upload
                # Parts referenced via attach://name are not parameters themselves.
                if part.name in fields:
                    raw[part.name] = upload
            else:
                raw[part.name] = await part.text()
    else:
        form = await request.post()
        raw.update({k: v for k, v in form.items() if isinstance(v, str)})
    return raw, uploads


def _loggable(params: dict[str, Any]) -> dict[str, Any]:
    return {
        k: ({"upload": v.filename, "size": len(v.data)} if isinstance(v, Upload) else v)
        for k, v in params.items()
    }


class BotApi:
    """aiohttp handlers bound to one sandbox state."""

    def __init__(self, state: SandboxState, webhooks: WebhookManager) -> None:
        self.state = state
        self.webhooks = webhooks

    def routes(self) -> list[web.RouteDef]:
        """Routes to add to the application."""
        return [
            web.route("*", "/bot{token}/{method}", self.handle),
            web.get("/file/bot{token}/{path:.+}", self.download),
        ]

    def _log(
        self,
        request: web.Request,
        received: float,
        method: str,
        params: dict[str, Any],
        code: int,
        description: str | None,
    ) -> None:
        self.state.call_counts[method] += 1
        self.state.response_counts[code] += 1
        self.state.call_log.append(
            {
                "seq": self.state.next_seq(),
                "method": method,
                "params": _loggable(params),
                "ok": code == 200,
                "error_code": None if code == 200 else code,
                "description": description,
                # When the call arrived (a long poll is logged when it ends, `timestamp`) and
                # who made it: the client's User-Agent tells processes with one token apart.
                "received": received,
                "agent": request.headers.get("User-Agent", ""),
                "timestamp": time.time(),
            }
        )

    async def handle(self, request: web.Request) -> web.StreamResponse:
        """One Bot API call."""
        received = time.time()
        if request.method not in ("GET", "POST"):
            return _error(ApiError(405, "Method Not Allowed"))
        name = request.match_info["method"]
        bot = self.state.bot(request.match_info["token"])
        if bot is None:
            self._log(request, received, name, {}, 401, "Unauthorized")
            return _error(ApiError(401, "Unauthorized"))
        method = method_index().get(name.lower())
        if method is None:
            self._log(request, received, name, {}, 404, "Not Found")
            return _error(ApiError(404, "Not Found"))
        params: dict[str, Any] = {}
        try:
            raw, uploads = await _read_params(request, load_schema()["methods"][method])
            params = raw
            fault = self.state.faults.decide(method)
            if fault.delay_s:
                await asyncio.sleep(fault.delay_s)
            if fault.drop:
                self.state.fault_counts["drop"] += 1
                self._log(request, received, method, params, 0, "connection dropped")
                if request.transport is not None:
                    request.transport.close()
                return web.Response(status=500)  # never reaches the closed socket
            if fault.error_code == 429:
                self.state.fault_counts["429"] += 1
                raise ApiError(
                    429,
                    f"Too Many Requests: retry after {fault.retry_after}",
                    retry_after=fault.retry_after,
                )
            if fault.error_code is not None:
                self.state.fault_counts["5xx"] += 1
                text = "Bad Gateway" if fault.error_code == 502 else "Internal Server Error"
                raise ApiError(fault.error_code, text)
            if fault.conflict:
                self.state.fault_counts["conflict"] += 1
                raise ApiError(409, updates_api.CONFLICT_OTHER)
            params = decode_params(method, raw, uploads)
            handler = HANDLERS.get(method)
            if handler is None:
                raise ApiError(501, f"Not Implemented: the sandbox does not emulate {method}")
            result = await handler(Ctx(self.state, bot, method, self.webhooks), params)
        except ApiError as exc:
            self._log(request, received, method, params, exc.code, exc.description)
            return _error(exc)
        self._log(request, received, method, params, 200, None)
        return _answer(200, {"ok": True, "result": result})

    async def download(self, request: web.Request) -> web.StreamResponse:
        """Serve file content like api.telegram.org/file/bot<token>/<path>."""
        if self.state.bot(request.match_info["token"]) is None:
            return _error(ApiError(401, "Unauthorized"))
        record = self.state.files_by_path.get(request.match_info["path"])
        if record is None:
            return _error(ApiError(404, "Not Found"))
        return web.Response(
            body=record.data, content_type=record.mime_type or "application/octet-stream"
        )
