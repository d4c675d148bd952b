"""The 服务驾驶舱 web server: the page, its static files and a JSON API, in the bot's process.

Every API request carries Telegram's signed launch data (`Authorization: tma <initData>`); it is
checked (bot.dashboard.auth), the user id is resolved into an Actor exactly as for a chat update,
and the services decide what that actor may see or do. Nothing here reads the database.
Actions (督办, an extension decision, the ledger export) call the same services as the chat
buttons; each queues the messages it owes in its own transaction.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from importlib import resources
from typing import Any

from aiohttp import web

from bot.config import DashboardSettings
from bot.context import Services
from bot.dashboard import attachments, views
from bot.dashboard.auth import InitDataError, verify_init_data
from bot.domain import numbers
from bot.domain.models import Actor
from bot.errors import DomainError, InvalidInput, NotAllowed, TicketNotFound
from bot.i18n import LOCALES, Translator, catalog, normalize_locale
from bot.services.dashboard import TicketFilter
from bot.services.ledger import default_range, parse_day
from bot.services.metrics import Week, parse_week
from bot.services.tickets.access import leads

log = logging.getLogger(__name__)

FileFetcher = Callable[[str], Awaitable[bytes]]
STATIC = ("app.js", "app.css", "telegram-web-app.js")
CONTENT_TYPES = {".js": "text/javascript", ".css": "text/css"}
ROOT = "/dashboard"
TRANSLATOR = web.RequestKey("translator", Translator)


class DashboardServer:
    """An aiohttp server for the Mini App; `make_app` also serves tests and embedding."""

    def __init__(
        self,
        services: Services,
        settings: DashboardSettings,
        token: str,
        *,
        fetch_file: FileFetcher | None = None,
    ) -> None:
        self.services = services
        self.settings = settings
        self._token = token
        self.fetch_file = fetch_file
        self._runner: web.AppRunner | None = None
        self._port: int | None = None
        self._page = _page(services.settings.park.locale, settings.telegram_script)

    # -- lifecycle ------------------------------------------------------------------------------
    def make_app(self) -> web.Application:
        app = web.Application(middlewares=[self._errors], client_max_size=64 * 1024)
        api = f"{ROOT}/api"
        app.add_routes(
            [
                web.get(ROOT, self._redirect),
                web.get(f"{ROOT}/", self._index),
                web.get(ROOT + "/static/{name}", self._static),
                web.get(f"{api}/me", self._me),
                web.get(f"{api}/overview", self._overview),
                web.get(f"{api}/cadres", self._cadres),
                web.get(f"{api}/tickets", self._tickets),
                # Any segment routes; the handler reads it as a number (400 if it is none).
                web.get(api + "/tickets/{id}", self._ticket),
                web.get(api + "/tickets/{id}/files/{file}", self._file),
                web.post(api + "/tickets/{id}/supervise", self._supervise),
                web.post(api + "/tickets/{id}/extension", self._extension),
                web.post(f"{api}/export", self._export),
            ]
        )
        return app

    async def start(self) -> None:
        """Listen on the configured address (port 0 picks a free one)."""
        runner = web.AppRunner(self.make_app(), access_log=None, shutdown_timeout=3.0)
        await runner.setup()
        try:
            await web.TCPSite(runner, self.settings.listen, self.settings.port).start()
        except BaseException:
            await runner.cleanup()
            raise
        self._port = int(runner.addresses[0][1])
        self._runner = runner
        log.info("dashboard listening on %s:%d%s/", self.settings.listen, self._port, ROOT)

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        await self.services.dashboard.aclose()

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("dashboard server not started")
        return self._port

    # -- plumbing -------------------------------------------------------------------------------
    @web.middleware
    async def _errors(
        self, request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        """Turn refusals into JSON with a status and a message in the reader's words."""
        try:
            return await handler(request)
        except InitDataError as exc:
            # The reason only: the launch data itself identifies a person.
            log.info("dashboard: %s launch data from %s", exc.reason, request.remote)
            tr = Translator(self.services.settings.park.locale)
            return _json(
                {"error": "unauthorized", "message": tr.plain("dashboard.unauthorized")}, 401
            )
        except DomainError as exc:
            tr = request.get(TRANSLATOR) or Translator(self.services.settings.park.locale)
            status = (
                403
                if isinstance(exc, NotAllowed)
                else 404
                if isinstance(exc, TicketNotFound)
                else 400
            )
            return _json({"error": exc.key, "message": exc.message(tr.plain)}, status)

    async def _who(self, request: web.Request) -> tuple[Actor, Translator]:
        """Check the launch data and resolve the user, every request.

        Raises:
            InitDataError: missing, forged or stale launch data.
        """
        header = request.headers.get("Authorization", "")
        scheme, _, data = header.partition(" ")
        if scheme.lower() != "tma":
            raise InitDataError("missing")
        services = self.services
        user = verify_init_data(
            data.strip(),
            self._token,
            max_age=self.settings.init_data_max_age,
            now=services.clock.now(),
        )
        default = normalize_locale(user.language_code, services.settings.park.locale)
        tr = Translator(await services.people.locale_of(user.id, default))
        request[TRANSLATOR] = tr
        return await services.people.actor(user.id), tr

    def _week(self, request: web.Request) -> Week:
        text = request.query.get("week")
        if not text:
            return self.services.dashboard.default_week()
        return parse_week(text[:12], self.services.settings.park.tz)

    @property
    def _tz(self) -> Any:
        return self.services.settings.park.tz

    # -- pages ----------------------------------------------------------------------------------
    async def _redirect(self, request: web.Request) -> web.StreamResponse:
        raise web.HTTPFound(f"{ROOT}/")

    async def _index(self, request: web.Request) -> web.Response:
        return web.Response(
            text=self._page, content_type="text/html", headers=_page_headers(self.settings)
        )

    async def _static(self, request: web.Request) -> web.Response:
        name = request.match_info["name"]
        if name not in STATIC:
            raise web.HTTPNotFound()
        body = resources.files("bot.dashboard").joinpath("static", name).read_bytes()
        content_type = CONTENT_TYPES["." + name.rsplit(".", 1)[1]]
        return web.Response(body=body, content_type=content_type, charset="utf-8")

    # -- reading --------------------------------------------------------------------------------
    async def _me(self, request: web.Request) -> web.Response:
        actor, tr = await self._who(request)
        scope = await self.services.dashboard.scope(actor)
        staff = scope.role != "enterprise"
        latest = self.services.dashboard.default_week()
        start, end = default_range(self.services.ledger.today())
        return _json(
            {
                "role": scope.role,
                "locale": tr.locale,
                "pages": ["overview", "cadres", "tickets"] if staff else ["mine"],
                "can_supervise": scope.role in ("admin", "leader"),
                "can_export": leads(actor),
                "week": latest.label,
                "weeks": [views.week_json(latest.shifted(-back), tr) for back in range(8)],
                "labels": views.labels_json(tr),
                "export": {"from": start.isoformat(), "to": end.isoformat()},
            }
        )

    async def _overview(self, request: web.Request) -> web.Response:
        actor, tr = await self._who(request)
        dashboard = self.services.dashboard
        overview = await dashboard.overview(actor, self._week(request))
        return _json(views.overview_json(overview, tr, self._tz, dashboard.default_week()))

    async def _cadres(self, request: web.Request) -> web.Response:
        actor, tr = await self._who(request)
        dashboard = self.services.dashboard
        standings = await dashboard.standings(actor, self._week(request))
        return _json(views.standings_json(standings, tr, dashboard.default_week()))

    async def _tickets(self, request: web.Request) -> web.Response:
        actor, tr = await self._who(request)
        q = request.query
        wanted = TicketFilter(
            status=q.get("status") or None,
            overdue=q.get("overdue") == "1",
            supervised=q.get("supervised") == "1",
            enterprise_id=_query_number(request, "enterprise", numbers.ENTERPRISE),
            category=q.get("category") or None,
            week=self._week(request) if q.get("week") else None,
            cadre_id=_query_number(request, "cadre", numbers.CADRE),
            offset=_query_number(request, "offset", numbers.OFFSET) or 0,
        )
        page = await self.services.dashboard.ticket_page(actor, wanted)
        return _json(views.ticket_page_json(page, tr, self._tz))

    async def _ticket(self, request: web.Request) -> web.Response:
        actor, tr = await self._who(request)
        detail = await self.services.dashboard.ticket(actor, _ticket_id(request))
        return _json(views.ticket_detail_json(detail, tr, self._tz))

    async def _file(self, request: web.Request) -> web.Response:
        """A ticket's photo or file, fetched from Telegram for a reader who may see the ticket."""
        actor, _ = await self._who(request)
        ticket_id, file_id = _ticket_id(request), _path_number(request, "file", numbers.ATTACHMENT)
        view = await self.services.tickets.lookup.view(actor, ticket_id)
        found = [a for a in view.attachments if a.id == file_id]
        if not found or self.fetch_file is None:
            raise web.HTTPNotFound()
        # Shown inline only as an image; anything else (HTML, SVG, ...) is a download.
        return attachments.response(found[0], await self.fetch_file(found[0].file_id))

    # -- acting ---------------------------------------------------------------------------------
    async def _body(self, request: web.Request) -> dict[str, Any]:
        try:
            body = await request.json()
        except (ValueError, UnicodeDecodeError):
            raise InvalidInput("dashboard.bad_filter") from None
        return body if isinstance(body, dict) else {}

    async def _supervise(self, request: web.Request) -> web.Response:
        """督办, as the chat button does: flag it and tell the assignee (and leader)."""
        actor, tr = await self._who(request)
        services = self.services
        # The service queues the assignee's (and leader's) notices with the flag.
        await services.escalation.supervise(actor, _ticket_id(request))
        services.dashboard.forget()
        return _json({"message": tr.plain("dashboard.supervised_done")})

    async def _extension(self, request: web.Request) -> web.Response:
        """Approve or refuse a waiting extension, as the leader's chat buttons do."""
        actor, tr = await self._who(request)
        body = await self._body(request)
        request_id = body.get("request_id")
        if not isinstance(request_id, int) or not isinstance(body.get("approve"), bool):
            raise InvalidInput("dashboard.bad_filter")
        services = self.services
        decided = await services.extensions.decide(
            actor, _ticket_id(request), request_id, approve=body["approve"]
        )
        services.dashboard.forget()
        if decided.approved:
            deadline = views.when(decided.view.ticket.deadline_at, self._tz, tr)
            return _json({"message": tr.plain("dashboard.approved", deadline=deadline)})
        return _json({"message": tr.plain("dashboard.refused")})

    async def _export(self, request: web.Request) -> web.Response:
        """Send the ledger to the asker's private chat, as /export does."""
        actor, tr = await self._who(request)
        body = await self._body(request)
        services = self.services
        start, end = default_range(services.ledger.today())
        if body.get("from") or body.get("to"):
            start, end = parse_day(str(body.get("from", ""))), parse_day(str(body.get("to", "")))
        # Made afterwards by the deferred worker (read on a reader, rendered in a thread).
        await services.deferred.export(actor, start, end, tr.locale)
        return _json({"message": tr.plain("dashboard.export_queued")})


def bot_file_fetcher(bot: Any) -> FileFetcher:
    """Fetch a Telegram file's bytes with the bot (getFile, then the download)."""

    async def fetch(file_id: str) -> bytes:
        found = await bot.get_file(file_id)
        return bytes(await found.download_as_bytearray())

    return fetch


def _query_number(request: web.Request, name: str, kind: numbers.NumberKind) -> int | None:
    """A number in the query string, None if absent or empty (the page leaves out unset filters).

    Raises:
        BadNumber: anything else that is not a `kind` number (answered with 400).
    """
    text = request.query.get(name)
    return kind.parse(text) if text else None


def _path_number(request: web.Request, name: str, kind: numbers.NumberKind) -> int:
    """A number in the path.

    Raises:
        BadNumber: not a `kind` number (answered with 400).
    """
    return kind.parse(request.match_info[name])


def _ticket_id(request: web.Request) -> int:
    return _path_number(request, "id", numbers.TICKET)


def _json(body: dict[str, Any], status: int = 200) -> web.Response:
    return web.json_response(
        body,
        status=status,
        dumps=lambda value: json.dumps(value, ensure_ascii=False),
        headers={"Cache-Control": "no-store"},
    )


def _page(locale: str, script: str) -> str:
    """index.html with the page texts of every locale and Telegram's script filled in."""
    texts = {
        code: {
            key.removeprefix("dashboard."): value
            for key, value in catalog(code).items()
            if key.startswith("dashboard.")
        }
        for code in LOCALES
    }
    strings = json.dumps({"locale": locale, "texts": texts}, ensure_ascii=False)
    template = resources.files("bot.dashboard").joinpath("static", "index.html").read_text("utf-8")
    # Inside <script type="application/json">: "<" must not close the element.
    page = template.replace("{{strings}}", strings.replace("<", "\\u003c"))
    return page.replace("{{telegram_script}}", script or "static/telegram-web-app.js")


def _page_headers(settings: DashboardSettings) -> dict[str, str]:
    script = settings.telegram_script
    origin = "/".join(script.split("/")[:3]) if script.startswith("https://") else ""
    policy = (
        f"default-src 'self'; script-src 'self' {origin}; img-src 'self' blob: data:;"
        " style-src 'self'; connect-src 'self'; frame-ancestors https://web.telegram.org"
        " https://*.telegram.org"
    )
    return {"Content-Security-Policy": policy, "Cache-Control": "no-cache"}
