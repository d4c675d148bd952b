"""Several `liaison-bot run` processes on one PostgreSQL database (issue 12, several workers).

- Polling mode: one worker (the lease holder) polls and sends; when it is killed, the other
  takes the lease and a report made after the kill is acknowledged.
- Webhook mode: two workers are each fed every update (the proxy tees each delivery); each
  report makes one ticket and gets one acknowledgement, and /healthz names the backend and
  each worker's role.
"""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

import pytest

from sandbox.client import SandboxClient
from sandbox.server import TelegramSandbox
from tests.databases import database_url, needs_postgres
from tests.e2e.harness import (
    ACK_MARK,
    FAST_DELIVERY,
    acks_by_source,
    build_burst_world,
    duplicate_sends,
    inject_reports,
    read_db,
    report_text,
    settle_world,
    wait_for,
)
from tests.e2e.workers import leader_pid, start_workers, wait_leader

pytestmark = [needs_postgres, pytest.mark.e2e, pytest.mark.timeout(240)]

TAKEOVER_LIMIT = 30.0  # seconds: issue 12


async def test_the_lease_moves_to_the_other_worker_when_the_leader_is_killed(
    sandbox: TelegramSandbox, client: SandboxClient, workdir: Path
) -> None:
    url = database_url(None, "workers_takeover")
    world = await build_burst_world(client, url, 2)
    fleet = await start_workers(
        2, workdir, url, sandbox, admins=[world.admin], delivery=FAST_DELIVERY
    )
    try:
        leader = fleet.leader
        (follower,) = [w for w in fleet.workers if w is not leader]
        await settle_world(client, world)  # the /starts were polled, handled and answered
        await client.send_message(world.groups[0], world.contacts[0], report_text(1))
        await client.wait_sent(chat_id=world.groups[0], contains=ACK_MARK, timeout=30)

        began = time.monotonic()
        await leader.kill()
        assert await wait_leader(url, [follower], timeout=TAKEOVER_LIMIT) is follower
        took = time.monotonic() - began
        # The new leader polls, handles and sends: a report made after the kill is answered.
        message = await client.send_message(world.groups[1], world.contacts[1], report_text(2))
        acks = await client.wait_sent(chat_id=world.groups[1], contains=ACK_MARK, timeout=30)
        answered = time.monotonic() - began
        print(
            f"\n[workers] polling leader killed: the lease moved after {took:.2f}s, "
            f"a report made then was acknowledged {answered:.2f}s after the kill"
        )
        assert [a["reply_to_message_id"] for a in acks] == [message["message_id"]]
        # One poller at a time: the survivor never met a 409 (it would exit with code 3).
        await fleet.terminate([follower])
        assert "409" not in follower.log_text()
    finally:
        await fleet.stop()
    assert took < TAKEOVER_LIMIT


async def test_two_webhook_workers_fed_the_same_updates_make_each_ticket_once(
    sandbox: TelegramSandbox, client: SandboxClient, workdir: Path
) -> None:
    url = database_url(None, "workers_tee")
    world = await build_burst_world(client, url, 10)
    fleet = await start_workers(
        2, workdir, url, sandbox, admins=[world.admin], webhook="tee", delivery=FAST_DELIVERY
    )
    workers, proxy, leader = fleet.workers, fleet.proxy, fleet.leader
    assert proxy is not None
    try:
        await settle_world(client, world)
        injected = await inject_reports(client, world, 200)
        expected = {(r.chat_id, r.message_id) for r in injected}

        async def acknowledged() -> bool:
            return expected <= set(acks_by_source(await client.sent()))

        await wait_for(acknowledged, timeout=120, interval=0.5, what="every report acknowledged")
        health = {w.pid: await w.health() for w in workers}
        sent = await client.sent()
        await fleet.terminate()
    finally:
        await fleet.stop()

    tickets = Counter(read_db(url, "SELECT chat_id, source_message_id FROM tickets"))
    assert set(tickets) == expected and set(tickets.values()) == {1}
    acks = acks_by_source(sent)
    assert set(acks.values()) == {1} and duplicate_sends(sent) == 0
    # Each worker was fed every delivery; each update was handled by one of them.
    fed = list(proxy.fed.values())
    assert len(fed) == 2 and fed[0] == fed[1]
    deliveries = len(fed[0])
    done = read_db(url, "SELECT count(*) FROM inbox WHERE status = 'done'")[0][0]
    assert done == deliveries
    roles = {pid: (h or {}).get("role") for pid, h in health.items()}
    assert roles == {w.pid: ("leader" if w is leader else "follower") for w in workers}
    assert {(h or {}).get("backend") for h in health.values()} == {"postgresql"}
    handled = [(h or {}).get("handled", 0) for h in health.values()]
    print(
        f"\n[workers] tee: {len(expected)} reports, {deliveries} deliveries to each of 2 "
        f"workers, handled per worker {handled}, tickets {sum(tickets.values())}"
    )
    assert sum(handled) == done
    assert await leader_pid(url) is None  # both stopped: the lease is free
