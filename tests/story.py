"""Ticket history made the way people make it: through the real services, on a fixed clock.

A park is set up through the roster import and group binding (one enterprise, group and contact
per cadre, plus one enterprise without a 包联 cadre for the duty desk). Tickets are scripted step by
step with their moments, then played in time order through `TicketService`, `ExtensionService`
and friends, the clock set to each step's moment:

    story = await Story.open(db, clock, cadres=["陈志远", "王晓峰"])
    ticket = story.report("陈志远", park(16, 9))
    ticket.claim(park(16, 10)).contact(park(16, 11)).resolve(park(18, 10))
    ticket.rate(park(18, 12), "solved", "satisfied")
    await story.play()
    figures = await story.services.metrics.week(parse_week("2026-W47", TZ))

Nothing is inserted by hand, so tests see exactly the rows the running bot writes. Each script
keeps its steps (verb, moment, arguments) so a test can compute the expected figures from the
story itself, and the latest `TicketView` a step returned (due times, current assignee).
"""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bot.clock import FixedClock
from bot.config import load_settings
from bot.context import Services
from bot.domain.models import Actor, TicketView
from bot.services.roster.service import RosterService
from bot.services.tickets.intake import Report
from bot.wiring.bot import build_services
from storage.db import Database
from storage.unit import Repositories

TZ = ZoneInfo("Asia/Shanghai")
ADMIN_TG, LEADER_TG = 9000, 9001
LEADER = "黄振华"
DUTY = "无人包联"  # the enterprise without a 包联 cadre: its tickets go to the duty desk
# amenities / help / normal: sign within 2 working hours, contact within 1 working day,
# resolve within 5 working days (no urgent keyword, so no emergency deadline).
ORDINARY = "食堂网络不通"


def park(day: int, hour: int = 10, minute: int = 0, month: int = 11, year: int = 2026) -> datetime:
    """A moment in park time, November 2026 unless told otherwise."""
    return datetime(year, month, day, hour, minute, tzinfo=TZ)


@dataclass(frozen=True)
class Step:
    """One scripted action: `verb` at `at` with its arguments."""

    at: datetime
    verb: str
    args: tuple[Any, ...] = ()


@dataclass
class TicketScript:
    """One ticket's story; its steps run when the story is played."""

    story: Story
    enterprise: str  # the cadre's name, or DUTY
    text: str
    steps: list[Step] = field(default_factory=list)
    view: TicketView | None = None  # the latest view a played step returned

    @property
    def id(self) -> int:
        assert self.view is not None, "play the story first"
        return self.view.ticket.id

    def _add(self, at: datetime, verb: str, *args: Any) -> TicketScript:
        if self.steps and at < self.steps[-1].at:
            raise ValueError(f"{verb} at {at} is before the ticket's previous step")
        step = Step(at, verb, args)
        self.steps.append(step)
        self.story._pending.append((step, len(self.story._pending), self))
        return self

    def claim(self, at: datetime, by: str | None = None) -> TicketScript:
        """签收 by the assignee (or `by`, a cadre's name: needed for duty-desk tickets)."""
        return self._add(at, "claim", by)

    def contact(self, at: datetime) -> TicketScript:
        return self._add(at, "contact")

    def progress(self, at: datetime, note: str = "正在协调") -> TicketScript:
        return self._add(at, "progress", note)

    def resolve(self, at: datetime, note: str = "已处理完毕") -> TicketScript:
        return self._add(at, "resolve", note)

    def rate(self, at: datetime, solved: str, satisfaction: str) -> TicketScript:
        """The enterprise's contact rates; 未解决 or 不满意 reopens the ticket."""
        return self._add(at, "rate", solved, satisfaction)

    def transfer(self, at: datetime, to: str) -> TicketScript:
        return self._add(at, "transfer", to)

    def supervise(self, at: datetime) -> TicketScript:
        """督办 by the leader."""
        return self._add(at, "supervise")

    def extend(self, at: datetime, days: int, *, approve: bool = True) -> TicketScript:
        """The assignee asks for `days` working days; the leader decides at the same moment."""
        return self._add(at, "extend", days, approve)


class Story:
    """A park and its tickets, played through the real services."""

    def __init__(
        self,
        services: Services,
        clock: FixedClock,
        cadres: list[str],
        enterprises: dict[str, str] | None = None,
        leaders: dict[str, str] | None = None,
    ) -> None:
        self.services = services
        self.clock = clock
        self.cadres = cadres
        self.enterprises = enterprises or {}
        self.leaders = leaders or {}
        self.tickets: list[TicketScript] = []
        self._pending: list[tuple[Step, int, TicketScript | None]] = []
        # Contacts listed under a cadre's enterprise besides its own (`also_contact`).
        self._also: dict[str, list[int]] = {}
        self._message = 0

    @staticmethod
    def cadre_tg(index: int) -> int:
        return 9100 + index

    def leader_names(self) -> list[str]:
        """LEADER first, then the other leaders named in `leaders`, in order."""
        return list(dict.fromkeys([LEADER, *self.leaders.values()]))

    def leader_tg(self, name: str = LEADER) -> int:
        """LEADER is LEADER_TG; the other leaders follow it."""
        return LEADER_TG + self.leader_names().index(name)

    def leader_of(self, cadre: str) -> str:
        return self.leaders.get(cadre, LEADER)

    @staticmethod
    def contact_tg(index: int) -> int:
        return 9500 + index

    @staticmethod
    def group(index: int) -> int:
        return -1009000 - index

    @classmethod
    async def open(
        cls,
        db: Database,
        clock: FixedClock,
        *,
        cadres: list[str],
        enterprises: dict[str, str] | None = None,
        leaders: dict[str, str] | None = None,
    ) -> Story:
        """Import a roster (a leader and `cadres`), bind a group per enterprise.

        `leaders` maps a cadre to another leader than LEADER (telegram ids after LEADER_TG).

        Enterprise i is 包联 by cadre i (named `enterprises[cadre]`, or after the cadre), reported
        in group `group(i)` by contact `contact_tg(i)`; the last one (DUTY) has no cadre.
        """
        settings = load_settings(
            None,
            storage={"path": ":memory:"},
            park={"admins": [ADMIN_TG]},
            # A story scripts a week of an enterprise's reports, often many in one hour from
            # its one contact: the report limit has tests of its own.
            tickets={"reports_per_person_per_hour": 0},
        )
        story = cls(build_services(settings, db, clock), clock, list(cadres), enterprises, leaders)
        await story._import_roster(db, clock)
        admin = await story.actor(ADMIN_TG)
        for index, name in enumerate([*cadres, DUTY]):
            await story.services.onboarding.bind(
                admin, cls.group(index), f"{name}群", story.enterprise_name(name)
            )
        return story

    async def _import_roster(self, db: Database, clock: FixedClock) -> None:
        """Import the roster, as an administration's CSV files."""
        cls = type(self)
        with tempfile.TemporaryDirectory() as folder:
            cadre_rows = [
                ["姓名", "电话", "角色", "上级", "TelegramID"],
                *[[n, "", "分管领导", "", self.leader_tg(n)] for n in self.leader_names()],
                *[
                    [n, "", "干部", self.leader_of(n), cls.cadre_tg(i)]
                    for i, n in enumerate(self.cadres)
                ],
            ]
            enterprise_rows = [
                ["企业名称", "包联干部", "联系人TelegramID"],
                *[
                    [self.enterprise_name(n), n, self._contacts(i, n)]
                    for i, n in enumerate(self.cadres)
                ],
                [self.enterprise_name(DUTY), "", self._contacts(len(self.cadres), DUTY)],
            ]
            paths = [_csv(Path(folder) / "cadres.csv", cadre_rows)]
            paths.append(_csv(Path(folder) / "enterprises.csv", enterprise_rows))
            await RosterService(Repositories(db), clock).import_files(paths)

    def _contacts(self, index: int, cadre: str) -> str:
        ids = [self.contact_tg(index), *(self.contact_tg(i) for i in self._also.get(cadre, []))]
        return "，".join(str(i) for i in ids)  # the roster's own separator, as people type it

    async def also_contact(self, index: int, cadre: str) -> None:
        """List contact `index` under `cadre`'s enterprise too (a contact may serve several):
        the roster imported again, as an administration would."""
        self._also.setdefault(cadre, []).append(index)
        await self._import_roster(self.services.db, self.clock)

    def enterprise_name(self, cadre: str) -> str:
        if cadre == DUTY:
            return "无人包联企业"
        return self.enterprises.get(cadre, f"{cadre}包联企业")

    def _index(self, cadre: str) -> int:
        return len(self.cadres) if cadre == DUTY else self.cadres.index(cadre)

    async def actor(self, telegram_id: int) -> Actor:
        return await self.services.people.actor(telegram_id)

    async def cadre_actor(self, name: str) -> Actor:
        return await self.actor(self.cadre_tg(self.cadres.index(name)))

    async def cadre_id(self, name: str) -> int:
        """The roster id of the cadre called `name`."""
        cadre = (await self.cadre_actor(name)).cadre
        assert cadre is not None
        return cadre.id

    def report(self, cadre: str, at: datetime, text: str = ORDINARY) -> TicketScript:
        """An enterprise 包联 by `cadre` (or DUTY) reports a problem at `at`."""
        self._index(cadre)  # fail early on an unknown name
        script = TicketScript(self, cadre, text)
        self.tickets.append(script)
        return script._add(at, "report", text)

    def close_unrated(self, at: datetime) -> None:
        """Run the rating-window job at `at` (closes tickets resolved too long ago as 未评价)."""
        self._pending.append((Step(at, "close_unrated"), len(self._pending), None))

    async def play(self) -> None:
        """Run every scripted step not yet played, in time order (ties in script order).

        The clock ends at the later of where it was and the last step's moment.
        """
        before = self.clock.now()
        pending = sorted(self._pending, key=lambda item: (item[0].at, item[1]))
        self._pending = []
        for step, _, script in pending:
            self.clock.set(step.at)
            if script is None:
                await self.services.tickets.ratings.close_unrated()
                continue
            script.view = await self._run(script, step)
        self.clock.set(max(before, self.clock.now()))

    async def _run(self, script: TicketScript, step: Step) -> TicketView:
        services = self.services
        index = self._index(script.enterprise)
        if step.verb == "report":
            self._message += 1
            created = await services.tickets.intake.report(
                Report(self.group(index), self._message, self.contact_tg(index), step.args[0])
            )
            return created.view
        assert script.view is not None
        ticket_id = script.view.ticket.id
        if step.verb == "rate":
            rated = await services.tickets.ratings.rate(
                await self.actor(self.contact_tg(index)), ticket_id, *step.args
            )
            return rated.view
        if step.verb == "supervise":
            leader_tg = self.leader_tg(self.leader_of(script.enterprise))
            raised = await services.escalation.supervise(await self.actor(leader_tg), ticket_id)
            return raised.view
        worker = await self._worker(script, step)
        calls: dict[str, Callable[[], Awaitable[TicketView]]] = {
            "claim": lambda: services.tickets.work.claim(worker, ticket_id),
            "contact": lambda: services.tickets.work.contact(worker, ticket_id),
            "progress": lambda: services.tickets.work.progress(worker, ticket_id, *step.args),
            "resolve": lambda: services.tickets.work.resolve(worker, ticket_id, *step.args),
        }
        if step.verb in calls:
            return await calls[step.verb]()
        if step.verb == "transfer":
            return (await services.tickets.work.transfer(worker, ticket_id, step.args[0])).view
        if step.verb == "extend":
            days, approve = step.args
            asked = await services.extensions.request(worker, ticket_id, days, "等待排期")
            leader = await self.actor(self.leader_tg(self.leader_of(script.enterprise)))
            decided = await services.extensions.decide(
                leader, ticket_id, asked.request.id, approve=approve
            )
            return decided.view
        raise ValueError(f"unknown step {step.verb}")

    async def _worker(self, script: TicketScript, step: Step) -> Actor:
        """Who acts: `by` for a claim when given, else the ticket's assignee."""
        assert script.view is not None
        if step.verb == "claim" and step.args[0] is not None:
            return await self.cadre_actor(step.args[0])
        assignee = script.view.assignee
        assert assignee is not None and assignee.telegram_id is not None, "claim it by name"
        return await self.actor(assignee.telegram_id)


def _csv(path: Path, rows: list[list[Any]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path
