"""No update stalls the bot: updates built from the Bot API's description, at its edges and past
them, go through the processor and the real Application one by one; each ends handled (done,
perhaps answered with a refusal; or failed, its sender told of the error) or quarantined (set
aside, the admins told), and a normal report sent after each one is answered: a ticket made and
its acknowledgement queued.

Fixed examples (`derandomize`), the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.clock import FixedClock
from storage.db import Database
from tests.ingest.park import CONTACT, GROUP, ParkApp, open_park
from tests.ingest.updates import Park, park_update, schema_update
from tests.story import LEADER_TG, Story

# Optional fields of the schema include some python-telegram-bot has deprecated the type of.
pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
# Never the admin: an admin may rebind the group, and the report after each update needs it.
PARK = Park(
    group=GROUP,
    unbound_group=-1007777,
    people=(CONTACT, Story.contact_tg(1), Story.cadre_tg(0), LEADER_TG, 4242),
)
ENDS = {"done", "failed", "quarantined"}


@pytest.fixture
async def fuzz(db: Database, clock: FixedClock) -> AsyncIterator[ParkApp]:
    async with open_park(db, clock) as park:
        yield park


@settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,  # one park for every example, on purpose
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
)
@given(body=st.one_of(schema_update(), park_update(PARK)))
async def test_no_update_stalls_the_bot(fuzz: ParkApp, body: dict[str, Any]) -> None:
    update_id = await fuzz.feed(body)
    status = await fuzz.status(update_id)
    assert status in ENDS, (status, json.dumps(body, ensure_ascii=True)[:2000])
    # An hour between examples: the park's limits on reports per person never come into it.
    fuzz.clock.advance(timedelta(hours=1))
    await fuzz.report_is_answered()
