"""Several `liaison-bot run` processes on one PostgreSQL database (issue 12, several workers).

- Polling mode: one worker (the lease holder) polls and sends; when it is killed, the other
  takes the lease and a report made after the kill is acknowledged.
- Polling mode, the leader paused (SIGSTOP) past the lease's timeout: the other takes over;
  once the new leader made its first call, the old one, resumed, makes none (no poll, no send)
  and runs no scheduled job: it follows, and leads again when the new leader stops (issue 18).
- Webhook mode: two workers are each fed every update (the proxy tees each delivery); each
  report makes one ticket and gets one acknowledgement, and /healthz names the backend and
  each worker's role.
"""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path
from typing import Any

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
PAUSE_TAKEOVER_LIMIT = 90.0  # seconds: the lease's 15 s, or a write lock held by the frozen one
STEPPED_DOWN = "lost the lease"
CONFLICT = "another bot instance is polling"  # a 409 that stops a worker (exit code 3)
JOB_RAN = "runs under lease epoch"  # a scheduled job's start (logged at DEBUG)


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
        assert CONFLICT not in follower.log_text()
    finally:
        await fleet.stop()
    assert took < TAKEOVER_LIMIT


async def test_a_paused_leader_makes_no_call_once_another_took_over_and_follows(
    sandbox: TelegramSandbox, client: SandboxClient, workdir: Path
) -> None:
    url = database_url(None, "workers_paused")
    world = await build_burst_world(client, url, 3)
    fleet = await start_workers(
        2, workdir, url, sandbox, admins=[world.admin], delivery=FAST_DELIVERY, log_level="DEBUG"
    )
    old = fleet.leader
    (new,) = [w for w in fleet.workers if w is not old]

    async def report(n: int) -> list[dict[str, Any]]:
        """A report in a group is answered once; the calls that answered it."""
        group = world.groups[n % len(world.groups)]
        since = await client.last_seq()
        message = await client.send_message(
            group, world.contacts[n % len(world.groups)], report_text(n)
        )
        acks = await client.wait_sent(chat_id=group, contains=ACK_MARK, since_seq=since, timeout=60)
        assert [a["reply_to_message_id"] for a in acks] == [message["message_id"]]
        calls = await client.calls("sendMessage", since_seq=since)
        answers = [
            c
            for c in calls
            if c["ok"]
            and int(c["params"]["chat_id"]) == group
            and ACK_MARK in str(c["params"].get("text"))
        ]
        assert len(answers) == 1, answers
        return answers

    async def made_by_old_since(received: float) -> list[str]:
        calls = await client.calls()
        return [c["method"] for c in calls if old.made(c) and c["received"] >= received]

    try:
        await settle_world(client, world)
        sends = await report(0)
        assert all(old.made(c) for c in sends)

        async def all_marked() -> bool:  # else the pause may come with the write lock held
            return read_db(url, "SELECT count(*) FROM outbox WHERE status = 'pending'")[0][0] == 0

        await wait_for(all_marked, timeout=30, what="every send marked")
        paused = time.time()
        old.pause()
        try:
            assert await wait_leader(url, [new], timeout=PAUSE_TAKEOVER_LIMIT) is new
            took = time.time() - paused

            async def new_called() -> bool:
                return any(new.made(c) for c in await client.calls() if c["received"] > paused)

            await wait_for(
                new_called, timeout=PAUSE_TAKEOVER_LIMIT, interval=0.1, what="the new leader's call"
            )
            first = min(
                c["received"]
                for c in await client.calls()
                if new.made(c) and c["received"] > paused
            )
            await report(1)  # the new leader polls, handles and answers
            woke_at = len(old.log_text())
        finally:
            old.resume()
        # Woken, it would poll at once (its poll's answer came while it was frozen) and send
        # its queue beside the new leader: it must find its lease gone first.
        sends = await report(2)
        assert all(new.made(c) for c in sends)
        assert await made_by_old_since(first) == []

        async def stepped_down() -> bool:
            assert old.running(), f"the old leader exited:\n{old.log_tail()}"
            return STEPPED_DOWN in old.log_text()[woke_at:]

        await wait_for(stepped_down, timeout=30, what="the old leader to step down")
        await report(3)
        assert old.running() and new.running(), old.log_tail() + new.log_tail()
        assert await made_by_old_since(first) == []
        woke = old.log_text()[woke_at:]
        assert JOB_RAN not in woke, woke
        assert CONFLICT not in new.log_text() and CONFLICT not in woke

        # A follower may lead again: the new leader stops, the old one takes over and answers.
        await fleet.terminate([new])
        assert await wait_leader(url, [old], timeout=30) is old
        sends = await report(4)
        assert all(old.made(c) for c in sends)

        async def jobs_run_again() -> bool:
            return JOB_RAN in old.log_text()[woke_at + len(woke) :]

        await wait_for(jobs_run_again, timeout=30, what="a scheduled job of the old leader again")
        await fleet.terminate([old])
    finally:
        await fleet.stop()
    print(f"\n[workers] a leader paused: the other took the lease after {took:.1f}s")


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
