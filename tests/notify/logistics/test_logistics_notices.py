"""The logistics exchange's messages, without a database: the outcome carries the groups, each
owner's private chat and language, and (once both accepted) the two parties; the notifier only
queues what they are told."""

from __future__ import annotations

from datetime import UTC, date, datetime

from bot.domain.logistics import (
    CargoRequest,
    CargoStatus,
    Match,
    MatchStatus,
    MatchView,
    Party,
    TruckOffer,
    TruckStatus,
)
from bot.domain.outcomes import Recipient
from bot.domain.outcomes.logistics import (
    Answered,
    Completed,
    Exchange,
    Expired,
    PostedCargo,
    PostedTruck,
)
from bot.notify.logistics import LogisticsNotifier
from tests.notify.recording import RecordingOutbox, voice

CARRIER, SHIPPER = 101, 202  # the carrier reads English, the shipper the park's Chinese
GROUPS = (Recipient(-301), Recipient(-302))
PEOPLE = {CARRIER: Recipient(CARRIER, "en"), SHIPPER: Recipient(SHIPPER)}
AT = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)

OFFER = TruckOffer(
    id=5,
    owner_id=CARRIER,
    enterprise_id=1,
    origin="海澄",
    destination="苏州",
    via=(),
    depart_date=date(2026, 11, 27),
    vehicle="box",
    length="9.6",
    capacity_tonnes=10.0,
    capacity_m3=None,
    spare_tonnes=6.0,
    spare_m3=None,
    price_note="面议 13800000000",  # a phone typed into a note: never shown in public
    contact="13900000000",
    status=TruckStatus.OPEN,
    created_at=AT,
)
REQUEST = CargoRequest(
    id=8,
    owner_id=SHIPPER,
    enterprise_id=2,
    origin="海澄",
    destination="苏州",
    ready_date=date(2026, 11, 26),
    latest_date=date(2026, 11, 28),
    cargo_name="电机",
    tonnes=2.0,
    m3=None,
    pieces=None,
    cold=False,
    price_note=None,
    contact="13700000000",
    status=CargoStatus.OPEN,
    created_at=AT,
)
VIEW = MatchView(
    Match(3, OFFER.id, REQUEST.id, MatchStatus.PROPOSED, None, None, AT, None, None),
    OFFER,
    REQUEST,
)


def notifier() -> tuple[LogisticsNotifier, RecordingOutbox]:
    outbox = RecordingOutbox()
    return LogisticsNotifier(voice(outbox)), outbox


async def test_a_new_truck_is_posted_to_each_group_without_contacts_then_proposed() -> None:
    logistics, outbox = notifier()
    await logistics.posted_truck(PostedTruck(OFFER, [VIEW], GROUPS, PEOPLE))
    first, second, to_carrier, to_shipper = outbox.calls
    assert [first.chat_id, second.chat_id] == [-301, -302]
    assert {first.purpose, second.purpose} == {"logistics_post"}
    assert "苏州" in first.text and "/cargo" in first.text
    assert "13800000000" not in first.text and "13900000000" not in first.text
    # Each side gets the match privately, in their language, with both answers as buttons.
    assert (to_carrier.chat_id, to_shipper.chat_id) == (CARRIER, SHIPPER)
    assert {to_carrier.purpose, to_shipper.purpose} == {"logistics_offer"}
    assert to_carrier.text.startswith("🤝 Match <b>#3</b>: your truck #5 can take this cargo")
    assert to_shipper.text.startswith("🤝 匹配 <b>#3</b>：您的货源 #8 有顺路的车")
    assert "13800000000" not in to_shipper.text
    assert len(to_carrier.buttons) == len(to_shipper.buttons) == 2


async def test_a_new_cargo_request_is_posted_and_proposed_the_same_way() -> None:
    logistics, outbox = notifier()
    await logistics.posted_cargo(PostedCargo(REQUEST, [VIEW], GROUPS[:1], PEOPLE))
    post, to_carrier, to_shipper = outbox.calls
    assert (post.chat_id, post.purpose) == (-301, "logistics_post")
    assert "电机" in post.text and "/truck" in post.text and "13700000000" not in post.text
    assert [to_carrier.chat_id, to_shipper.chat_id] == [CARRIER, SHIPPER]


async def test_an_answer_tells_the_other_side() -> None:
    logistics, outbox = notifier()
    await logistics.answered(Answered(VIEW, "truck", "waiting", people=PEOPLE))
    await logistics.answered(Answered(VIEW, "cargo", "declined", people=PEOPLE))
    await logistics.answered(Answered(VIEW, "cargo", "gone", people=PEOPLE))
    waiting, declined = outbox.calls  # a match that no longer fits tells nobody
    assert (waiting.chat_id, waiting.purpose) == (SHIPPER, "logistics")
    assert waiting.text == "对方已接受匹配 <b>#3</b>，等您确认。" and len(waiting.buttons) == 2
    assert (declined.chat_id, declined.purpose) == (CARRIER, "logistics")
    assert declined.text == "Match #3: the other side found it not suitable; it is closed."


async def test_an_accepted_match_exchanges_contacts_then_proposes_what_is_new() -> None:
    logistics, outbox = notifier()
    carrier = Party(CARRIER, "顺达物流", "李师傅", "13900000000", "lishifu")
    shipper = Party(SHIPPER, "海澄精工", "王先生", "13700000000", None)
    accepted = Answered(
        VIEW, "cargo", "accepted", [VIEW], people=PEOPLE, exchange=Exchange(carrier, shipper)
    )
    await logistics.answered(accepted)
    to_carrier, to_shipper, *proposed = outbox.calls
    assert (to_carrier.chat_id, to_shipper.chat_id) == (CARRIER, SHIPPER)
    assert {to_carrier.purpose, to_shipper.purpose} == {"logistics"}
    # Each side now sees the other's post as typed, and the other's contact.
    assert to_carrier.text.startswith("✅ Match <b>#3</b> is agreed")
    assert "王先生" in to_carrier.text and "Phone: 13700000000" in to_carrier.text
    assert "李师傅" in to_shipper.text and "联系电话：13900000000" in to_shipper.text
    assert "@lishifu" in to_shipper.text and "13800000000" in to_shipper.text
    assert [c.purpose for c in proposed] == ["logistics_offer", "logistics_offer"]


async def test_completed_and_expired_posts_tell_their_owners() -> None:
    logistics, outbox = notifier()
    await logistics.completed(Completed(VIEW, "truck", PEOPLE))
    await logistics.expired(Expired([OFFER], [REQUEST], PEOPLE))
    done, truck_gone, cargo_gone = outbox.calls
    assert (done.chat_id, done.text) == (SHIPPER, "匹配 #3 已由对方记录为运输完成。")
    assert (truck_gone.chat_id, cargo_gone.chat_id) == (CARRIER, SHIPPER)
    assert truck_gone.text.startswith("Truck #5 is past its departure day")
    assert cargo_gone.text == "货源 #8 已过最晚发货日期，没有匹配，已自动下架。"
    assert {c.purpose for c in outbox.calls} == {"logistics"}
