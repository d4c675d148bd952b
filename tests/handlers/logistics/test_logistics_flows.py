"""The logistics exchange through the real Application and the emulator."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest

from bot.clock import FixedClock, SystemClock
from bot.domain.textnorm import fold
from bot.runtime.process import Runtime
from tests.handlers.world import ENTERPRISE, OTHER_ENTERPRISE, World

TRUCK_PHONE = "13900001111"
CARGO_PHONE = "13800002222"


async def logistics_group(world: World) -> int:
    group = (await world.client.create_chat("supergroup", title="工业物流群"))["id"]
    since = await world.seq()
    await world.say(group, world.admin, "/bind logistics")
    await world.expect(group, "物流", since=since)
    return group


def match_id(message: dict[str, Any]) -> int:
    found = re.search(r"匹配 <b>#(\d+)</b>|匹配 #(\d+)", message["text"])
    assert found, message["text"]
    return int(found[1] or found[2])


async def everything_sent(world: World, since: int) -> str:
    return "\n".join(m.get("text") or "" for m in await world.client.sent(since_seq=since))


async def press(world: World, chat: int, message: dict[str, Any], user: int, data: str) -> None:
    await world.client.press_button(chat, message["message_id"], user, data)


async def test_truck_and_cargo_match_accept_and_exchange_contacts(world: World) -> None:
    group = await logistics_group(world)
    since = await world.seq()
    carrier, shipper = world.other_contact, world.contact
    await world.say(
        carrier, carrier, f"/truck 海门 常州 明天 3t 厢式 6.8m 经 南通,无锡 {TRUCK_PHONE}"
    )
    await world.expect(carrier, "车源已发布", since=since)
    post = (await world.expect(group, "车源", since=since))[0]
    assert "海门 → 常州" in post["text"] and TRUCK_PHONE not in post["text"]

    # How fast a match is found is bench/bench_matching.py's goal, not this test's.
    await world.say(shipper, shipper, f"/cargo 海门 无锡 明天~后天 2t 1.5m3 电子元件 {CARGO_PHONE}")
    to_shipper = (await world.expect(shipper, "有顺路的车", since=since))[0]
    to_carrier = (await world.expect(carrier, "可以捎带", since=since))[0]
    number = match_id(to_carrier)
    assert match_id(to_shipper) == number
    assert "接受" in str(to_shipper["reply_markup"])
    text = await everything_sent(world, since)
    assert CARGO_PHONE not in text.replace(
        f"/cargo 海门 无锡 明天~后天 2t 1.5m3 电子元件 {CARGO_PHONE}", ""
    )
    assert (
        TRUCK_PHONE not in (await world.client.sent(chat_id=shipper, since_seq=since))[-1]["text"]
    )

    await press(world, carrier, to_carrier, carrier, f"lg:a:{number}")
    await world.expect(shipper, "对方已接受", since=since)
    for chat in (shipper, group):
        assert all(
            TRUCK_PHONE not in (m.get("text") or "")
            for m in await world.client.sent(chat_id=chat, since_seq=since)
        )
    await press(world, shipper, to_shipper, shipper, f"lg:a:{number}")
    got_truck = (await world.expect(shipper, "已达成", since=since))[0]
    got_cargo = (await world.expect(carrier, "已达成", since=since))[0]
    assert TRUCK_PHONE in got_truck["text"] and CARGO_PHONE not in got_truck["text"]
    assert CARGO_PHONE in got_cargo["text"] and TRUCK_PHONE not in got_cargo["text"]
    # Each side sees the other's company and contact name with the phone.
    assert f"对方：{OTHER_ENTERPRISE}，other_contact" in got_truck["text"]
    assert f"对方：{ENTERPRISE}，contact" in got_cargo["text"]

    await world.say(carrier, carrier, "/mytrucks")
    listing = (await world.expect(carrier, "我的车源", since=since))[0]
    assert "部分装载" in listing["text"] and "余 1 吨" in listing["text"]
    await world.say(shipper, shipper, f"/done {number}")
    await world.expect(shipper, "运输完成", since=since)
    await world.expect(carrier, "由对方记录为运输完成", since=since)
    await world.say(shipper, shipper, "/mycargo")
    await world.expect(shipper, "没有发布中的货源", since=since)


async def test_permissions_forgery_and_decline(world: World) -> None:
    since = await world.seq()
    await world.say(world.stranger, world.stranger, "/truck 海门 常州 明天 3t 厢式")
    await world.expect(world.stranger, "只有园区企业联系人和干部", since=since)
    await world.say(world.other_contact, world.other_contact, "/truck 海门 常州 明天 3t 冷藏")
    await world.say(world.contact, world.contact, "/cargo 海门 常州 明天 2t 冻肉 冷链")
    offer = (await world.expect(world.other_contact, "可以捎带", since=since))[0]
    number = match_id(offer)
    # A stranger forging the accept button on the carrier's message is refused; nothing changes.
    before = await world.answers()
    await world.client.press_button(
        world.other_contact, offer["message_id"], world.stranger, f"lg:a:{number}", forge=True
    )
    assert "不是您的" in (await world.answer(before, with_text=True))["text"]
    await world.say(world.contact, world.contact, f"/done {number}")
    await world.expect(world.contact, "尚未被双方接受", since=since)
    # Only the owner withdraws: the shipper cannot withdraw the carrier's truck.
    await world.say(world.other_contact, world.other_contact, "/mytrucks")
    listing = (await world.expect(world.other_contact, "我的车源", since=since))[0]
    before = await world.answers()
    await world.client.press_button(
        world.other_contact, listing["message_id"], world.contact, "lg:wt:1", forge=True
    )
    assert "不是您发布的" in (await world.answer(before, with_text=True))["text"]
    # The carrier declines: the shipper is told, and the match can no longer be accepted.
    await press(world, world.other_contact, offer, world.other_contact, f"lg:d:{number}")
    await world.expect(world.contact, "对方认为不合适", since=since)
    await press(world, world.other_contact, listing, world.other_contact, "lg:wt:1")
    await world.expect(world.other_contact, "已撤回车源 #1", since=since)
    await world.say(world.other_contact, world.other_contact, "/mytrucks")
    await world.expect(world.other_contact, "没有发布中的车源", since=since)
    await world.say(world.contact, world.contact, "/truck 海门 常州 明天 3t 香蕉")
    await world.expect(world.contact, "无法识别“香蕉”", since=since)


async def test_guided_cargo_survives_a_restart(world: World) -> None:
    since = await world.seq()
    user = world.contact
    await world.say(user, user, "/cargo")
    await world.expect(user, "货从哪个城市发出", since=since)
    await world.say(user, user, "海门")
    await world.expect(user, "送到哪个城市", since=since)
    await world.say(user, user, "常州")
    date_prompt = (await world.expect(user, "哪天可以发货", since=since))[0]

    old = world.runtime
    await old.stop()
    world.runtime = Runtime(old.settings)
    await world.runtime.start()
    # The fixture stops the runtime it started; this test stops the one it started instead.
    old.stop = world.runtime.stop  # type: ignore[method-assign]

    await press(world, user, date_prompt, user, "lg:s:date:1")
    await world.expect(user, "货物名称", since=since)
    # A press on the old date question now is stale and refused.
    before = await world.answers()
    await press(world, user, date_prompt, user, "lg:s:date:2")
    assert "已过期" in (await world.answer(before, with_text=True))["text"]
    for answer_text, next_question in [
        ("纺织面料", "多少吨"),
        ("两吨", "重量“两吨”不对"),
        ("2", "多少方"),
    ]:
        await world.say(user, user, answer_text)
        await world.expect(user, next_question, since=since)
    skip_m3 = (await world.expect(user, "多少方", since=since))[0]
    await press(world, user, skip_m3, user, "lg:s:m3:skip")
    pieces = (await world.expect(user, "多少件", since=since))[0]
    await press(world, user, pieces, user, "lg:s:pieces:skip")
    cold = (await world.expect(user, "需要冷链", since=since))[0]
    await press(world, user, cold, user, "lg:s:cold:no")
    price = (await world.expect(user, "运价说明", since=since))[0]
    await press(world, user, price, user, "lg:s:price:skip")
    await world.expect(user, "联系方式（可选", since=since)
    await world.say(user, user, CARGO_PHONE)
    confirm = (await world.expect(user, "请确认", since=since))[0]
    assert "纺织面料 2 吨" in confirm["text"] and CARGO_PHONE in confirm["text"]
    await press(world, user, confirm, user, "lg:s:confirm:ok")
    await world.expect(user, "货源已发布", since=since)
    await world.say(user, user, "/mycargo")
    await world.expect(user, "纺织面料", since=since)


async def test_guided_truck_cancel_and_buttons(world: World) -> None:
    since = await world.seq()
    user = world.cadre
    await world.say(user, user, "/truck")
    await world.expect(user, "从哪里出发", since=since)
    await world.say(user, user, "/cancel")
    await world.expect(user, "已取消", since=since)
    await world.say(user, user, "海门")
    await world.expect(user, "/help", since=since)  # no draft any more: the usual fallback
    since = await world.seq()
    await world.say(user, user, "/truck")
    await world.expect(user, "（1/5）", since=since)
    await world.say(user, user, "海门 常州")
    when = (await world.expect(user, "哪天发车", since=since))[0]
    await press(world, user, when, user, "lg:s:date:0")
    vehicle = (await world.expect(user, "车型", since=since))[0]
    assert "冷藏" in str(vehicle["reply_markup"])
    await press(world, user, vehicle, user, "lg:s:vehicle:flat")
    await world.expect(user, "还能装多少吨", since=since)
    await world.say(user, user, "5吨 20方")
    confirm = (await world.expect(user, "请确认", since=since))[0]
    assert "（5/5）" in confirm["text"]
    # The optional fields are shown with their defaults, each behind a button.
    for default in ("途经城市：无", "车长：未填", "运价：面议", "您的 Telegram 账号"):
        assert default in confirm["text"], confirm["text"]
    questions = [
        m for m in await world.client.sent(chat_id=user, since_seq=since) if "发布车源" in m["text"]
    ]
    assert len(questions) == 5
    await press(world, user, confirm, user, "lg:s:confirm:length")
    length = (await world.expect(user, "车长？", since=since))[0]
    await press(world, user, length, user, "lg:s:length:9.6")
    confirm = (await world.expect(user, "请确认", since=since, count=2))[-1]
    await press(world, user, confirm, user, "lg:s:confirm:price")
    await world.expect(user, "运价说明", since=since)
    await world.say(user, user, "面议")
    confirm = (await world.expect(user, "请确认", since=since, count=3))[-1]
    assert "平板 9.6米 · 余 5 吨 / 20 方 · 面议" in confirm["text"]
    await press(world, user, confirm, user, "lg:x")
    await world.expect(user, "已取消，没有发布", since=since)
    await world.say(user, user, "/mytrucks")
    await world.expect(user, "没有发布中的车源", since=since)


async def test_guided_truck_in_five_typed_answers(world: World) -> None:
    """Typed answers work at every step: route with stops, date, vehicle with length, load."""
    since = await world.seq()
    user = world.other_contact
    await world.say(user, user, "/truck")
    for text, next_question in (
        ("海门到常州 经 南通,无锡", "哪天发车"),
        ("明天", "车型"),
        ("厢式 6.8m", "还能装多少吨"),
        ("3", "请确认"),
    ):
        await world.say(user, user, text)
        await world.expect(user, next_question, since=since)
    confirm = (await world.expect(user, "请确认", since=since))[0]
    assert "海门 → 常州" in confirm["text"] and "途经城市：南通、无锡" in confirm["text"]
    assert "厢式 6.8米 · 余 3 吨" in confirm["text"]
    await press(world, user, confirm, user, "lg:s:confirm:ok")
    await world.expect(user, "车源已发布", since=since)


async def test_agreed_match_names_a_cadre_with_the_roster_phone(world: World) -> None:
    """Nobody typed a phone: a cadre's comes from the roster, a contact's Telegram is linked."""
    since = await world.seq()
    await world.say(world.cadre, world.cadre, "/truck 海门 常州 明天 3t 厢式")
    await world.expect(world.cadre, "车源已发布", since=since)
    await world.say(world.contact, world.contact, "/cargo 海门 常州 明天 1t 五金件")
    offer = (await world.expect(world.cadre, "可以捎带", since=since))[0]
    wanted = (await world.expect(world.contact, "有顺路的车", since=since))[0]
    number = match_id(offer)
    await press(world, world.cadre, offer, world.cadre, f"lg:a:{number}")
    await press(world, world.contact, wanted, world.contact, f"lg:a:{number}")
    to_shipper = (await world.expect(world.contact, "已达成", since=since))[0]
    to_cadre = (await world.expect(world.cadre, "已达成", since=since))[0]
    assert "对方：园区管委会，陈志远" in to_shipper["text"]
    assert "联系电话：13985907963" in to_shipper["text"]
    assert f"对方：{ENTERPRISE}，contact" in to_cadre["text"]
    assert "Telegram：contact" in to_cadre["text"] and "联系电话" not in to_cadre["text"]
    links = [e.get("url") for e in to_cadre["entities"] if e["type"] == "text_link"]
    assert links == [f"tg://user?id={world.contact}"]


async def guided_cargo(world: World, shipper: int, since: int, *, name: str, price: str) -> None:
    """Post a cargo request 海门 → 常州 tomorrow, 2 t, through the guided questions, typing
    `name` and `price` as its free texts and skipping the rest."""
    await world.say(shipper, shipper, "/cargo")
    await world.expect(shipper, "货从哪个城市发出", since=since)
    await world.say(shipper, shipper, "海门")
    await world.expect(shipper, "送到哪个城市", since=since)
    await world.say(shipper, shipper, "常州")
    when = (await world.expect(shipper, "哪天可以发货", since=since))[0]
    await press(world, shipper, when, shipper, "lg:s:date:1")
    await world.expect(shipper, "货物名称", since=since)
    await world.say(shipper, shipper, name)
    await world.expect(shipper, "多少吨", since=since)
    await world.say(shipper, shipper, "2")
    for step, data in (("多少方", "m3:skip"), ("多少件", "pieces:skip"), ("冷链", "cold:no")):
        asked = (await world.expect(shipper, step, since=since))[0]
        await press(world, shipper, asked, shipper, f"lg:s:{data}")
    await world.expect(shipper, "运价说明", since=since)
    await world.say(shipper, shipper, price)
    contact = (await world.expect(shipper, "联系方式（可选", since=since))[0]
    await press(world, shipper, contact, shipper, "lg:s:contact:skip")
    confirm = (await world.expect(shipper, "请确认", since=since))[0]
    await press(world, shipper, confirm, shipper, "lg:s:confirm:ok")


def digits(text: str) -> str:
    return re.sub(r"\D", "", text)


async def test_contacts_typed_into_free_text_stay_private_until_both_accept(world: World) -> None:
    """Phones and WeChat/QQ ids in any field, in any spelling, are masked in the group post and
    in the proposals; both parties get them in the exchange."""
    group = await logistics_group(world)
    since = await world.seq()
    carrier, shipper = world.other_contact, world.contact
    # One line: a spaced +86 phone and a V信 id after the price note; no contact field.
    await world.say(
        carrier, carrier, "/truck 海门 常州 明天 3t 厢式 运费800 ＋86 139 0000 1111 V信:trucker_01"
    )
    await world.expect(carrier, "车源已发布", since=since)
    truck_post = (await world.expect(group, "车源", since=since))[0]["text"]
    assert "13900001111" not in digits(truck_post) and "trucker_01" not in truck_post
    # Guided: the contacts hide in the cargo name and the price note.
    await guided_cargo(
        world, shipper, since, name="电子元件 微信 ship_er88", price="运费300 电话 138-0000-2222"
    )
    cargo_post = (await world.expect(group, "电子元件", since=since))[0]["text"]
    to_carrier = (await world.expect(carrier, "可以捎带", since=since))[0]
    to_shipper = (await world.expect(shipper, "有顺路的车", since=since))[0]
    for public in (cargo_post, to_carrier["text"]):
        assert "电子元件" in public and "联系方式已隐藏" in public, public
        assert "13800002222" not in digits(public) and "ship_er88" not in public, public
    assert (
        "13900001111" not in digits(to_shipper["text"]) and "trucker_01" not in to_shipper["text"]
    )

    number = match_id(to_carrier)
    await press(world, carrier, to_carrier, carrier, f"lg:a:{number}")
    await world.expect(shipper, "对方已接受", since=since)
    await press(world, shipper, to_shipper, shipper, f"lg:a:{number}")
    to_carrier_done = (await world.expect(carrier, "已达成", since=since))[0]["text"]
    to_shipper_done = (await world.expect(shipper, "已达成", since=since))[0]["text"]
    assert "138-0000-2222" in to_carrier_done and "ship_er88" in to_carrier_done
    assert "139 0000 1111" in to_shipper_done and "trucker_01" in to_shipper_done
    group_texts = await world.outbox_texts(group)  # all it was ever owed, sent or not
    assert not any("ship_er88" in t or "trucker_01" in t for t in group_texts)


async def test_phones_hidden_by_any_junk_or_digit_spelling_stay_private(world: World) -> None:
    """A phone split by junk no separator list knows (，*★) or spelled in keycaps, typed into a
    price note or a cargo name, reaches neither the group nor the proposals."""
    group = await logistics_group(world)
    since = await world.seq()
    carrier, shipper = world.other_contact, world.contact
    keycaps = "".join(f"{d}\ufe0f\u20e3" for d in "139")
    await world.say(
        carrier, carrier, f"/truck 海门 常州 明天 3t 厢式 运费800，联系{keycaps}★0000★6666"
    )
    await world.expect(carrier, "车源已发布", since=since)
    truck_post = (await world.expect(group, "车源", since=since))[0]["text"]
    # Guided, so the cargo name is kept as typed and masked where it is shown.
    await guided_cargo(
        world, shipper, since, name="电子元件137，0000，7777", price="面议，或电联0513*8123*4567"
    )
    cargo_post = (await world.expect(group, "电子元件", since=since))[0]["text"]
    to_carrier = (await world.expect(carrier, "可以捎带", since=since))[0]["text"]
    to_shipper = (await world.expect(shipper, "有顺路的车", since=since))[0]["text"]

    for public in (truck_post, cargo_post, to_carrier, to_shipper):
        shown = digits(fold(public).text)
        for phone in ("1390000666", "1370000777", "051381234567"):
            assert phone not in shown, (phone, public)
    assert "海门 → 常州" in truck_post and "运费800" in truck_post
    for public in (cargo_post, to_carrier):
        assert "电子元件" in public and "面议" in public and "联系方式已隐藏" in public, public


async def test_a_refusal_names_the_truck_status_in_words(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A departed or expired truck is refused in words (已发车, 已过期), never its code."""
    fixed = FixedClock(SystemClock().now())
    monkeypatch.setattr(world.runtime.clock, "now", fixed.now)
    since = await world.seq()
    carrier, shipper = world.other_contact, world.contact
    await world.say(carrier, carrier, "/truck 海门 常州 明天 3t 厢式")  # #1: carries a match
    await world.say(carrier, carrier, "/truck 海门 苏州 明天 3t 厢式")  # #2: nothing
    await world.expect(carrier, "车源已发布", since=since, count=2)
    await world.say(shipper, shipper, "/cargo 海门 常州 明天 2t 电子元件")
    to_shipper = (await world.expect(shipper, "有顺路的车", since=since))[0]
    to_carrier = (await world.expect(carrier, "可以捎带", since=since))[0]
    number = match_id(to_carrier)
    await press(world, carrier, to_carrier, carrier, f"lg:a:{number}")
    await press(world, shipper, to_shipper, shipper, f"lg:a:{number}")
    await world.expect(carrier, "已达成", since=since)
    await world.say(carrier, carrier, "/mytrucks")
    listing = (await world.expect(carrier, "我的车源", since=since))[0]
    # Two days on, the expiry job closes both: the one that carried cargo departed.
    fixed.advance(timedelta(days=2))
    await world.runtime.services.logistics.expire()
    for offer, word in ((1, "已发车"), (2, "已过期")):
        before = await world.answers()
        await press(world, carrier, listing, carrier, f"lg:wt:{offer}")
        refused = (await world.answer(before, with_text=True))["text"]
        assert refused == f"该车源当前状态为「{word}」，不能执行该操作。"
    await world.say(carrier, carrier, "/mytrucks")
    await world.expect(carrier, "没有发布中的车源", since=since)
    text = await everything_sent(world, since)
    assert not re.search(r"\b(departed|expired|partially_filled)\b", text)
