"""A seeded park for the dashboard tests, made through the services (tests/story.py).

Two leaders: 黄振华 leads 陈志远, 王晓峰 and 赵敏; 周国强 leads 李娜. The clock stands at
Wednesday 25 November 2026, 10:00 park time, so the airing's week is 2026-W47 (16-22 November).
陈志远 has a resolved ticket in each of the seven weeks before, for the 8-week trend.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.clock import FixedClock
from bot.context import Services
from bot.dashboard.auth import sign_init_data
from bot.services.tickets.intake import IncomingFile, Report
from storage.db import Database
from tests.story import ADMIN_TG, DUTY, Story, TicketScript, park

TOKEN = "200002:TEST-token-dashboard-0000000000"
NOW = park(25, 10)
CADRES = ["陈志远", "王晓峰", "李娜", "赵敏"]
OTHER_LEADER = "周国强"
STRANGER_TG = 4242
PHOTO_FILE = "AgACAgIAAxkBAAI-dashboard-photo"


@dataclass
class Park:
    story: Story
    tickets: dict[str, TicketScript]
    photo_ticket: int
    photo_attachment: int
    pending_request: int

    @property
    def services(self) -> Services:
        return self.story.services

    def tg(self, who: str) -> int:
        """Telegram id of admin, leader, other_leader, a cadre's name, contact_<i>, stranger."""
        story = self.story
        if who == "admin":
            return ADMIN_TG
        if who == "leader":
            return story.leader_tg()
        if who == "other_leader":
            return story.leader_tg(OTHER_LEADER)
        if who == "stranger":
            return STRANGER_TG
        if who.startswith("contact_"):
            return story.contact_tg(int(who.removeprefix("contact_")))
        return story.cadre_tg(CADRES.index(who))


def init_data(user_id: int, at: datetime, token: str = TOKEN, language: str = "zh-hans") -> str:
    """Launch data as Telegram signs it for `user_id` at `at`."""
    user = {"id": user_id, "first_name": "测试", "language_code": language}
    fields = {
        "query_id": "AAHdF6IQAAAAAN0XohDhrOrc",
        "user": json.dumps(user, ensure_ascii=False, separators=(",", ":")),
        "auth_date": str(int(at.timestamp())),
    }
    return sign_init_data(fields, token)


def _resolved(script: TicketScript, day: datetime, verdict: tuple[str, str]) -> None:
    script.claim(day).contact(day + timedelta(hours=1)).resolve(day + timedelta(days=1))
    script.rate(day + timedelta(days=1, hours=2), *verdict)


async def seed(db: Database, clock: FixedClock) -> Park:
    """Build the park and its history; leave the clock at NOW."""
    story = await Story.open(db, clock, cadres=CADRES, leaders={"李娜": OTHER_LEADER})
    verdicts = [("solved", "satisfied"), ("solved", "basic"), ("partly", "satisfied")]
    for back in range(7, 0, -1):
        tuesday = park(17, 10) - timedelta(weeks=back)
        _resolved(story.report("陈志远", tuesday), tuesday, verdicts[back % 3])
    t = {}
    t["stuck"] = story.report("王晓峰", park(9, 10), "园区道路积水严重，影响货车通行")
    t["stuck"].claim(park(9, 11)).supervise(park(17, 9))
    t["chen1"] = story.report("陈志远", park(16, 9), "食堂网络不通，需协调运营商")
    _resolved(t["chen1"], park(16, 10), ("solved", "satisfied"))
    t["chen2"] = story.report("陈志远", park(17, 10), "申请稳岗补贴，咨询材料")
    _resolved(t["chen2"], park(17, 11), ("partly", "basic"))
    t["wang1"] = story.report("王晓峰", park(16, 10), "厂房屋顶漏水")
    t["wang1"].claim(park(16, 11)).contact(park(16, 12)).resolve(park(17, 10))
    t["wang1"].rate(park(17, 12), "unsolved", "dissatisfied").resolve(park(19, 10))
    t["wang1"].rate(park(19, 12), "solved", "satisfied")
    t["wang2"] = story.report("王晓峰", park(18, 10), "招工需求：普工二十名")
    t["wang2"].claim(park(18, 11))
    t["li1"] = story.report("李娜", park(16, 10), "用电增容审批")
    _resolved(t["li1"], park(16, 11), ("solved", "satisfied"))
    t["li2"] = story.report("李娜", park(17, 10), "环评手续咨询")
    _resolved(t["li2"], park(17, 11), ("solved", "basic"))
    t["zhao1"] = story.report("赵敏", park(18, 10), "消防验收预约")
    t["duty"] = story.report(DUTY, park(18, 10), "园区路灯不亮")
    await story.play()
    services = story.services
    clock.set(NOW - timedelta(hours=1))
    photo = await services.tickets.intake.report(
        Report(
            story.group(0),
            9999,
            story.contact_tg(0),
            "围墙倒塌，见照片",
            files=[IncomingFile("photo", PHOTO_FILE, "photo-unique-1", None, "image/jpeg")],
        )
    )
    clock.set(NOW)
    wang = await story.cadre_actor("王晓峰")
    asked = await services.extensions.request(wang, t["wang2"].id, 3, "等待设备到货")
    attachments = photo.view.attachments
    return Park(story, t, photo.view.ticket.id, attachments[0].id, asked.request.id)
