"""Kinds of update the bot does not ask Telegram for are ignored without an error, in case a
deployment's `allowed_updates` change: no handler runs, nothing is sent, nobody is told.

Before, a business message was taken for a private message and reported a problem, a press on
an inline message was answered, and a kind python-telegram-bot cannot read (a newer poll answer
without its new field, a kind no version knows) failed with an alert to the admins.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot.clock import FixedClock
from bot.ingest.kinds import ALLOWED_UPDATES, wanted
from storage.db import Database
from tests.ingest.park import CONTACT, GROUP, ParkApp, open_park

USER = {"id": CONTACT, "is_bot": False, "first_name": "联系人"}
GROUP_CHAT = {"id": GROUP, "type": "supergroup", "title": "陈志远群"}
PRIVATE = {"id": CONTACT, "type": "private", "first_name": "联系人"}
REPORT = {
    "message_id": 77,
    "date": 1795600000,
    "from": USER,
    "text": "/report 厂区停电了",
    "entities": [{"type": "bot_command", "offset": 0, "length": 7}],
}
CHANNEL = {"id": -1003333, "type": "channel", "title": "频道"}
MEMBER = {"status": "member", "user": USER}

UNASKED: dict[str, dict[str, Any]] = {
    "business_message": {
        "business_message": {**REPORT, "chat": PRIVATE, "business_connection_id": "bc1"}
    },
    "edited_business_message": {
        "edited_business_message": {
            **REPORT,
            "chat": PRIVATE,
            "business_connection_id": "bc1",
            "edit_date": 1795600001,
        }
    },
    "business_connection": {
        "business_connection": {
            "id": "bc1",
            "user": USER,
            "user_chat_id": CONTACT,
            "date": 1795600000,
            "is_enabled": True,
        }
    },
    "deleted_business_messages": {
        "deleted_business_messages": {
            "business_connection_id": "bc1",
            "chat": PRIVATE,
            "message_ids": [77],
        }
    },
    "channel_post": {"channel_post": {**REPORT, "chat": CHANNEL}},
    "edited_channel_post": {
        "edited_channel_post": {**REPORT, "chat": CHANNEL, "edit_date": 1795600001}
    },
    "poll_answer": {
        "poll_answer": {"poll_id": "p1", "user": USER, "option_ids": [0]}  # an older shape
    },
    "poll": {
        "poll": {
            "id": "p1",
            "question": "?",
            "options": [{"text": "是", "voter_count": 1, "persistent_id": "o1"}],
            "total_voter_count": 1,
            "is_closed": True,
            "is_anonymous": True,
            "type": "regular",
            "allows_multiple_answers": False,
        }
    },
    "inline_callback_query": {
        "callback_query": {
            "id": "cq1",
            "from": USER,
            "chat_instance": "ci",
            "inline_message_id": "im1",
            "data": "t:claim:1",
        }
    },
    "message_reaction": {
        "message_reaction": {
            "chat": GROUP_CHAT,
            "message_id": 77,
            "user": USER,
            "date": 1795600000,
            "old_reaction": [],
            "new_reaction": [{"type": "emoji", "emoji": "👍"}],
        }
    },
    "message_reaction_count": {
        "message_reaction_count": {
            "chat": GROUP_CHAT,
            "message_id": 77,
            "date": 1795600000,
            "reactions": [{"type": {"type": "emoji", "emoji": "👍"}, "total_count": 3}],
        }
    },
    "inline_query": {"inline_query": {"id": "iq1", "from": USER, "query": "停电", "offset": ""}},
    "chosen_inline_result": {
        "chosen_inline_result": {"result_id": "r1", "from": USER, "query": "停电"}
    },
    "chat_member": {
        "chat_member": {
            "chat": GROUP_CHAT,
            "from": USER,
            "date": 1795600000,
            "old_chat_member": {"status": "left", "user": USER},
            "new_chat_member": MEMBER,
        }
    },
    "chat_join_request": {
        "chat_join_request": {
            "chat": GROUP_CHAT,
            "from": USER,
            "user_chat_id": CONTACT,
            "date": 1795600000,
        }
    },
    "chat_boost": {
        "chat_boost": {
            "chat": GROUP_CHAT,
            "boost": {
                "boost_id": "b1",
                "add_date": 1795600000,
                "expiration_date": 1795700000,
                "source": {"source": "premium", "user": USER},
            },
        }
    },
    "removed_chat_boost": {
        "removed_chat_boost": {
            "chat": GROUP_CHAT,
            "boost_id": "b1",
            "remove_date": 1795600000,
            "source": {"source": "premium", "user": USER},
        }
    },
    "shipping_query": {
        "shipping_query": {
            "id": "s1",
            "from": USER,
            "invoice_payload": "x",
            "shipping_address": {
                "country_code": "CN",
                "state": "江苏",
                "city": "南通",
                "street_line1": "路",
                "street_line2": "",
                "post_code": "226000",
            },
        }
    },
    "pre_checkout_query": {
        "pre_checkout_query": {
            "id": "pc1",
            "from": USER,
            "currency": "XTR",
            "total_amount": 1,
            "invoice_payload": "x",
        }
    },
    "purchased_paid_media": {"purchased_paid_media": {"from": USER, "paid_media_payload": "x"}},
    "guest_message": {"guest_message": {**REPORT, "chat": PRIVATE, "guest_query_id": "g1"}},
    "managed_bot": {"managed_bot": {"bot": {"id": 5, "is_bot": True, "first_name": "b"}}},
    "a kind no version knows yet": {"future_kind": {"text": "/report 厂区停电了"}},
    "no kind at all": {},
}


@pytest.fixture
async def park(db: Database, clock: FixedClock) -> AsyncIterator[ParkApp]:
    async with open_park(db, clock) as started:
        yield started


@pytest.mark.parametrize("kind", sorted(UNASKED))
async def test_an_unasked_kind_is_ignored_without_an_error(park: ParkApp, kind: str) -> None:
    before = await park.last_outbox_id()
    update_id = await park.feed(UNASKED[kind])
    assert await park.status(update_id) == "done"
    sent = await park.rows("SELECT chat_id, purpose FROM outbox WHERE id > ?", before)
    assert sent == []  # no reply, no button answer, no alert to the admins
    assert await park.value("SELECT COUNT(*) FROM tickets") == 0
    # The park still answers what it asks for.
    await park.report_is_answered()


def test_the_kinds_asked_for_are_the_kinds_let_through() -> None:
    asked = {kind: {"message_id": 1} for kind in ALLOWED_UPDATES}
    assert [kind for kind, body in asked.items() if not wanted({kind: body})] == [
        "callback_query"  # a press with no message: on an inline message, never the bot's
    ]
    press = {"id": "1", "from": USER, "chat_instance": "ci", "message": {**REPORT}}
    assert wanted({"callback_query": press})
    assert not wanted({"message": REPORT, "edited_message": REPORT})  # two at once: not Telegram's
