"""The dashboard's API: who sees what (each role x each resource), and the figures are the airing's.

The park (tests/dashboard/park.py): admin; leader 黄振华 (陈志远, 王晓峰, 赵敏); other_leader 周国强
(李娜); cadres; contact_0 (陈志远's enterprise), contact_1 (王晓峰's); a stranger.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from bot.offload.worker import DeferredWorker
from bot.services.metrics import parse_week
from tests.dashboard.api import PHOTO_BYTES, Api
from tests.dashboard.park import NOW, PHOTO_FILE, TOKEN, init_data
from tests.story import TZ

STAFF = ("admin", "leader", "other_leader", "陈志远", "李娜")
NOBODY = ("stranger",)


def rates(figures: dict[str, Any]) -> dict[str, Any]:
    keys = ("response", "closure", "closure_ytd", "on_time", "solved", "satisfaction", "reopen")
    return {k: (figures[k]["num"], figures[k]["den"], figures[k]["pct"]) for k in keys}


async def cadre_id(api: Api, name: str) -> int:
    return await api.park.story.cadre_id(name)


async def ids(api: Api, who: str, query: str = "") -> set[int]:
    status, body = await api.call(who, f"tickets?{query}")
    assert status == 200, body
    return {t["id"] for t in body["tickets"]}


async def test_me_names_each_role_and_refuses_strangers(api: Api) -> None:
    expected = {
        "admin": ("admin", ["overview", "cadres", "tickets"]),
        "leader": ("leader", ["overview", "cadres", "tickets"]),
        "陈志远": ("cadre", ["overview", "cadres", "tickets"]),
        "contact_0": ("enterprise", ["mine"]),
    }
    for who, (role, pages) in expected.items():
        status, body = await api.call(who, "me")
        assert status == 200, who
        assert (body["role"], body["pages"]) == (role, pages), who
        assert body["week"] == "2026-W47"
    status, body = await api.call("stranger", "me")
    assert status == 403 and "暂无可查看" in body["message"]


async def test_overview_figures_are_the_airings_board(api: Api) -> None:
    services = api.park.services
    week = parse_week("2026-W47", TZ)
    board = await services.airing.board(week)
    status, body = await api.call("admin", "overview")
    assert status == 200
    park = board.metrics.park
    assert body["figures"]["received"] == park.received == 8
    assert body["figures"]["score"] == park.score
    assert rates(body["figures"]) == {
        k: (getattr(park, k).num, getattr(park, k).den, getattr(park, k).pct)
        for k in ("response", "closure", "closure_ytd", "on_time", "solved", "satisfaction")
    } | {"reopen": (park.reopen.num, park.reopen.den, park.reopen.pct)}
    assert body["counts"] == {"overdue": 1, "supervised": 1, "reopened": 1}
    # The trend's 办结率 is the airing's own series; 满意率 each week's own figure.
    assert [p["week"] for p in body["trend"]] == [w.label for w, _ in board.trend]
    assert [p["closure"]["pct"] for p in body["trend"]] == [r.pct for _, r in board.trend]
    for point in body["trend"]:
        figures = await services.metrics.week(parse_week(point["week"], TZ))
        assert point["satisfaction"]["pct"] == figures.park.satisfaction.pct
    assert 'data-chart="trend"' in body["chart"]


async def test_overview_by_role(api: Api) -> None:
    board = await api.park.services.airing.board(parse_week("2026-W47", TZ))
    chen = next(c for c in board.metrics.cadres if c.name == "陈志远")
    status, body = await api.call("陈志远", "overview?week=2026-W47")
    assert status == 200 and body["scope"] == "cadre"
    assert body["figures"]["score"] == chen.metrics.score
    assert body["figures"]["received"] == chen.metrics.received
    assert body["counts"] == {"overdue": 0, "supervised": 0, "reopened": 0}
    # The leader sees the park as aired, and the counts of the cadres they lead.
    status, body = await api.call("leader", "overview")
    assert body["figures"]["score"] == board.metrics.park.score
    assert body["counts"] == {"overdue": 1, "supervised": 1, "reopened": 1}
    status, body = await api.call("other_leader", "overview")
    assert body["counts"] == {"overdue": 0, "supervised": 0, "reopened": 0}
    for who in ("contact_0", "stranger"):
        status, body = await api.call(who, "overview")
        assert status == 403, who
    status, body = await api.call("admin", "overview?week=2027-W10")
    assert status == 400 and "2027-W10" in body["message"]


async def test_cadres_ranking_within_scope(api: Api) -> None:
    board = await api.park.services.airing.board(parse_week("2026-W47", TZ))
    status, body = await api.call("admin", "cadres")
    assert status == 200
    assert [(c["name"], c["rank"], c["metrics"]["score"]) for c in body["ranked"]] == [
        (s.cadre.name, s.rank, s.cadre.metrics.score) for s in board.ranked
    ]
    assert [c["name"] for c in body["insufficient"]] == ["赵敏"]
    boards = {c["name"]: c["board"] for c in body["ranked"]}
    assert {n for n, b in boards.items() if b == "red"} == {s.cadre.name for s in board.red}
    seen = {
        "leader": ({"王晓峰", "陈志远"}, {"赵敏"}),
        "other_leader": ({"李娜"}, set()),
        "陈志远": ({"陈志远"}, set()),
        "赵敏": (set(), {"赵敏"}),
    }
    for who, (ranked, apart) in seen.items():
        status, body = await api.call(who, "cadres")
        assert status == 200, who
        assert {c["name"] for c in body["ranked"]} == ranked, who
        assert {c["name"] for c in body["insufficient"]} == apart, who
    for who in ("contact_0", "stranger"):
        assert (await api.call(who, "cadres"))[0] == 403, who


async def test_ticket_lists_within_scope(api: Api) -> None:
    t = {k: s.id for k, s in api.park.tickets.items()}
    photo = api.park.photo_ticket
    everything = await ids(api, "admin")
    assert {t["duty"], t["li1"], photo} <= everything
    leader = await ids(api, "leader")
    assert {t["chen1"], t["wang1"], t["zhao1"], photo} <= leader
    assert t["li1"] not in leader and t["duty"] not in leader
    assert await ids(api, "other_leader") == {t["li1"], t["li2"]}
    chen = await ids(api, "陈志远")
    assert t["chen1"] in chen and t["wang1"] not in chen
    assert await ids(api, "contact_1") == {t["wang1"], t["wang2"], t["stuck"]}
    # Another leader's cadre, another enterprise, another cadre: refused, not emptied.
    li = await cadre_id(api, "李娜")
    assert (await api.call("leader", f"tickets?cadre={li}"))[0] == 403
    assert (await api.call("陈志远", f"tickets?cadre={li}"))[0] == 403
    other = api.park.tickets["chen1"].view
    assert other is not None
    enterprise = other.enterprise.id
    assert (await api.call("contact_1", f"tickets?enterprise={enterprise}"))[0] == 403
    assert (await api.call("stranger", "tickets"))[0] == 403
    wang = await cadre_id(api, "王晓峰")
    assert await ids(api, "leader", f"cadre={wang}") == {t["wang1"], t["wang2"], t["stuck"]}


async def test_a_contact_of_two_enterprises_sees_both_and_no_third(api: Api) -> None:
    """A contact may serve several enterprises (the roster lists them under each): the
    dashboard shows every one of theirs, not just the first, and still nobody else's."""
    t = {k: s.id for k, s in api.park.tickets.items()}
    await api.park.story.also_contact(1, "陈志远")  # contact_1: 王晓峰's enterprise and 陈志远's
    chen = api.park.tickets["chen1"].view
    li = api.park.tickets["li1"].view
    assert chen is not None and li is not None
    both = await ids(api, "contact_1")
    assert {t["wang1"], t["wang2"], t["stuck"], t["chen1"], t["chen2"]} <= both
    assert api.park.photo_ticket in both  # reported in 陈志远's enterprise's group
    assert t["li1"] not in both and t["duty"] not in both
    only_chen = await ids(api, "contact_1", f"enterprise={chen.enterprise.id}")
    assert t["chen1"] in only_chen and t["wang1"] not in only_chen
    assert (await api.call("contact_1", f"tickets?enterprise={li.enterprise.id}"))[0] == 403
    status, body = await api.call("contact_1", "tickets")
    assert status == 200
    assert {e["id"] for e in body["enterprises"]} == {
        chen.enterprise.id,
        api.park.tickets["wang1"].view.enterprise.id,  # type: ignore[union-attr]
    }
    # contact_0 is still a contact of 陈志远's enterprise alone.
    assert t["wang1"] not in await ids(api, "contact_0")


async def test_ticket_filters(api: Api) -> None:
    t = {k: s.id for k, s in api.park.tickets.items()}
    assert await ids(api, "admin", "overdue=1") == {t["stuck"]}
    assert await ids(api, "admin", "supervised=1") == {t["stuck"]}
    assert t["wang2"] in await ids(api, "admin", "status=claimed")
    assert t["chen1"] not in await ids(api, "admin", "status=claimed")
    week = await ids(api, "admin", "week=2026-W47")
    assert t["chen1"] in week and t["stuck"] not in week
    assert api.park.photo_ticket not in week
    assert (await api.call("admin", "tickets?category=nonsense"))[0] == 400


@pytest.mark.parametrize(
    ("query", "says"),
    [
        ("offset=²", "「²」不是有效的列表起始位置"),
        ("offset=-1", "「-1」不是有效的列表起始位置"),
        ("offset=1e3", "「1e3」不是有效的列表起始位置"),
        ("offset=1000001", "列表起始位置应在 0 至 1000000 之间"),
        ("offset=" + "9" * 5000, "列表起始位置应在 0 至 1000000 之间"),
        ("enterprise=①", "「①」不是有效的企业编号"),
        ("cadre=٣", "「٣」不是有效的干部编号"),
    ],
)
async def test_an_odd_number_in_the_query_is_refused_with_400(
    api: Api, query: str, says: str
) -> None:
    status, body = await api.call("admin", f"tickets?{query}")
    assert status == 400, body
    assert body["error"].startswith("numbers.") and says in body["message"], body


async def test_numbers_in_the_query_and_path_follow_the_one_rule(api: Api) -> None:
    wide = str.maketrans("0123456789", "０１２３４５６７８９")
    first = await api.call("admin", "tickets?offset=2")
    assert first[0] == 200
    assert await api.call("admin", "tickets?offset=" + "2".translate(wide)) == first
    ticket = api.park.tickets["chen1"].id
    status, body = await api.call("admin", "tickets/" + str(ticket).translate(wide))
    assert status == 200 and body["id"] == ticket
    for path in ("tickets/٣", "tickets/x", f"tickets/{ticket}/files/²", "tickets/0/supervise"):
        status, body = await api.call("admin", path, body={} if "supervise" in path else None)
        assert status == 400 and body["error"].startswith("numbers."), (path, body)


async def test_ticket_detail_each_role(api: Api) -> None:
    t = {k: s.id for k, s in api.park.tickets.items()}
    allowed = {
        "admin": {t["li1"], t["duty"], t["chen1"]},
        "leader": {t["chen1"], t["wang1"]},
        "other_leader": {t["li1"]},
        "陈志远": {t["chen1"]},
        "contact_0": {t["chen1"], api.park.photo_ticket},
        "contact_1": {t["wang1"]},
    }
    refused = {
        "leader": {t["li1"], t["duty"]},  # another leader's cadre; the duty desk
        "other_leader": {t["chen1"]},
        "陈志远": {t["wang1"], t["li1"]},
        "contact_0": {t["wang1"], t["duty"]},  # another enterprise's ticket
        "contact_1": {t["chen1"], api.park.photo_ticket},
    }
    for who, tickets in allowed.items():
        for ticket_id in tickets:
            status, body = await api.call(who, f"tickets/{ticket_id}")
            assert status == 200 and body["id"] == ticket_id, (who, ticket_id)
    for who, tickets in refused.items():
        for ticket_id in tickets:
            status, body = await api.call(who, f"tickets/{ticket_id}")
            assert status == 404, (who, ticket_id)
    assert (await api.call("stranger", f"tickets/{t['chen1']}"))[0] == 403


async def test_ticket_history_in_words(api: Api) -> None:
    wang1 = api.park.tickets["wang1"].id
    _, body = await api.call("leader", f"tickets/{wang1}")
    texts = [h["text"] for h in body["history"]]
    assert texts[:3] == ["登记", "分派", "签收"]
    assert "重办" in texts and texts[-1] == "评价"
    assert body["rating"] == "已解决 / 满意"
    assert body["reopens"] == 1
    # The enterprise follows its progress, without the internal steps.
    _, body = await api.call("contact_1", f"tickets/{wang1}")
    assert "分派" not in [h["text"] for h in body["history"]]


async def test_photos_only_for_those_who_see_the_ticket(api: Api) -> None:
    ticket, attachment = api.park.photo_ticket, api.park.photo_attachment
    path = f"tickets/{ticket}/files/{attachment}"
    _, body = await api.call("contact_0", f"tickets/{ticket}")
    assert body["files"] == [{"id": attachment, "kind": "photo", "name": "附件"}]
    assert await api.call("contact_0", path) == (200, PHOTO_BYTES)
    assert await api.call("leader", path) == (200, PHOTO_BYTES)
    for who in ("contact_1", "other_leader", "李娜"):
        assert (await api.call(who, path))[0] == 404, who
    assert api.fetched == [PHOTO_FILE, PHOTO_FILE]


@pytest.mark.parametrize(
    "data",
    [
        "",  # missing
        "user=%7B%22id%22%3A9000%7D&auth_date=1&hash=00",  # forged
        init_data(9000, NOW, "1:OTHER-token"),
    ],
    ids=["missing", "forged", "other-bot"],
)
async def test_bad_launch_data_is_401_in_chinese(api: Api, data: str) -> None:
    for path in ("me", "overview", "tickets", "cadres"):
        status, body = await api.call("admin", path, data=data)
        assert status == 401, path
        assert "身份校验未通过" in body["message"]


async def test_stale_launch_data_is_401(api: Api) -> None:
    now = api.park.story.clock.now()
    fresh = init_data(9000, now - timedelta(seconds=3500))
    stale = init_data(9000, now - timedelta(seconds=3700))
    assert (await api.call("admin", "me", data=fresh))[0] == 200
    assert (await api.call("admin", "me", data=stale))[0] == 401
    tampered = fresh.replace("9000", "9001")
    assert (await api.call("admin", "me", data=tampered))[0] == 401
    assert TOKEN not in str(await api.call("admin", "me", data=stale))


async def test_supervise_from_the_dashboard(api: Api) -> None:
    t = {k: s.id for k, s in api.park.tickets.items()}
    status, body = await api.call("陈志远", f"tickets/{t['chen1']}/supervise", body={})
    assert status == 403
    status, body = await api.call("contact_1", f"tickets/{t['wang2']}/supervise", body={})
    assert status == 403
    status, body = await api.call("leader", f"tickets/{t['wang2']}/supervise", body={})
    assert status == 200 and "已督办" in body["message"]
    status, body = await api.call("leader", f"tickets/{t['wang2']}", body=None)
    assert body["supervision"] == 1
    assert t["wang2"] in await ids(api, "leader", "supervised=1")
    status, body = await api.call("leader", f"tickets/{t['wang2']}/supervise", body={})
    assert status == 400  # already supervised: the service's answer
    # The assignee is told, through the outbox, as from the chat button.
    services = api.park.services
    async with services.db.transaction():
        told = await services.db.fetchval(
            "SELECT COUNT(*) FROM outbox WHERE purpose = 'escalate' AND ticket_id = ?",
            (t["wang2"],),
        )
    assert told >= 1


async def test_other_leaders_cannot_supervise_outside_their_team(api: Api) -> None:
    wang2 = api.park.tickets["wang2"].id
    status, _ = await api.call("other_leader", f"tickets/{wang2}/supervise", body={})
    assert status == 403


async def test_extension_decided_by_the_leader_only(api: Api) -> None:
    wang2, request = api.park.tickets["wang2"].id, api.park.pending_request
    status, body = await api.call("leader", f"tickets/{wang2}")
    assert body["pending"]["request_id"] == request
    status, body = await api.call("contact_1", f"tickets/{wang2}")
    assert body["pending"] is None
    path = f"tickets/{wang2}/extension"
    decision = {"request_id": request, "approve": True}
    for who in ("other_leader", "王晓峰", "contact_1"):
        assert (await api.call(who, path, body=decision))[0] == 403, who
    assert (await api.call("leader", path, body={"request_id": "x"}))[0] == 400
    status, body = await api.call("leader", path, body=decision)
    assert status == 200 and "已同意延期" in body["message"]
    status, body = await api.call("leader", f"tickets/{wang2}")
    assert body["pending"] is None
    assert (await api.call("leader", path, body=decision))[0] == 400


async def test_export_goes_to_the_private_chat(api: Api) -> None:
    services = api.park.services
    for who in ("陈志远", "contact_0", "stranger"):
        assert (await api.call(who, "export", body={}))[0] == 403, who
    span = {"from": "2026-11-01", "to": "2026-11-30"}
    status, body = await api.call("leader", "export", body=span)
    assert status == 200 and "私聊" in body["message"]
    assert await DeferredWorker(services).drain() == 1  # the bot's worker makes it afterwards
    async with services.db.transaction():
        row = await services.db.fetchone(
            "SELECT chat_id, method FROM outbox WHERE purpose = 'export'"
        )
    assert row is not None and (row["chat_id"], row["method"]) == (
        api.park.tg("leader"),
        "sendDocument",
    )
    backwards = {"from": "2026-12-01", "to": "2026-11-01"}
    assert (await api.call("admin", "export", body=backwards))[0] == 400


async def test_page_and_static_files_need_no_login_and_carry_no_secret(api: Api) -> None:
    response = await api.client.get("/dashboard/")
    page = await response.text()
    assert response.status == 200 and "服务驾驶舱" in page
    assert "static/telegram-web-app.js" in page and "telegram.org" not in page
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert TOKEN not in page
    for name in ("app.js", "app.css", "telegram-web-app.js"):
        assert (await api.client.get(f"/dashboard/static/{name}")).status == 200
    assert (await api.client.get("/dashboard/static/..%2Fserver.py")).status == 404
