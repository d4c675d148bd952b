"""The flood limiter on an injected clock: Telegram's limits hold whatever the stamp's jitter."""

from __future__ import annotations

import itertools

from bot.delivery.limiter import FloodLimiter, Limits

GROUP, OTHER_GROUP, PRIVATE = -100, -200, 42


class Ticks:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def limiter(ticks: Ticks, **overrides: float) -> FloodLimiter:
    limits = {
        "global_per_second": 28.0,
        "group_per_minute": 19,
        "private_interval_seconds": 1.05,
        "margin_seconds": 0.01,
        "lost_grace_seconds": 5.0,
    }
    limits.update(overrides)
    return FloodLimiter(Limits(**limits), clock=ticks)  # type: ignore[arg-type]


def send(flood: FloodLimiter, ticks: Ticks, chat: int, took: float = 0.0, **kw: bool) -> None:
    """One counted send: it must be allowed now; its answer comes `took` seconds later."""
    assert flood.wait(chat) == 0.0, (chat, ticks.now)
    flood.start(chat)
    ticks.now += took
    flood.finish(chat, **kw)


def test_sends_are_paced_evenly_under_the_global_rate() -> None:
    ticks = Ticks()
    flood = limiter(ticks)
    chats = [-i for i in range(1, 100)]
    starts = []
    for chat in chats[:56]:
        ticks.now += flood.wait(chat)
        starts.append(ticks.now)
        send(flood, ticks, chat)
    gaps = [round(b - a, 6) for a, b in itertools.pairwise(starts)]
    assert set(gaps[:27]) == {round(1 / 28, 6)}  # the first second: evenly paced
    # Then the window is full: the 29th waits for the first answer's second and the margin.
    assert gaps[27] == round(1.0 + 0.01 - 27 / 28, 6)
    assert min(gaps) >= round(1 / 28, 6)


def test_a_full_second_waits_for_the_oldest_answer_plus_the_margin() -> None:
    ticks = Ticks()
    # 28 sends go out within the first second, and all are still in flight.
    flood = limiter(ticks, global_per_second=28.0)
    for chat in range(-1, -29, -1):
        ticks.now += flood.wait(chat)  # evenly paced, each still in flight
        flood.start(chat)
    ticks.now = 1001.0
    assert flood.wait(-99) > 0  # every place is held by a send in flight
    ticks.now += 0.4
    for chat in range(-1, -29, -1):
        flood.finish(chat)
    # The answers came at 1001.4: Telegram may have stamped them as late as that, so the next
    # send waits until a second after the answers, plus the margin.
    assert round(flood.global_wait(), 6) == 1.0 + 0.01
    ticks.now += 1.01
    assert flood.global_wait() == 0.0


def test_the_twentieth_message_to_a_group_waits_a_minute_after_the_first_answer() -> None:
    ticks = Ticks()
    flood = limiter(ticks, global_per_second=1000.0)
    for _ in range(19):
        ticks.now += flood.wait(GROUP)
        send(flood, ticks, GROUP, took=0.2)
    first_answer = 1000.0 + 0.2
    wait = flood.wait(GROUP)
    assert round(ticks.now + wait, 6) == round(first_answer + 60.0 + 0.01, 6)
    assert flood.wait(OTHER_GROUP) == 0.0  # other groups are not held


def test_a_private_chat_gets_one_message_per_interval_after_the_answer() -> None:
    ticks = Ticks()
    flood = limiter(ticks, global_per_second=1000.0)
    flood.start(PRIVATE)
    assert flood.wait(PRIVATE) > 0  # one at a time
    ticks.now += 0.3
    flood.finish(PRIVATE)
    assert round(flood.wait(PRIVATE), 6) == round(1.05 + 0.01, 6)
    ticks.now += 1.1
    assert flood.wait(PRIVATE) == 0.0


def test_a_send_lost_on_the_way_keeps_its_place_for_the_grace() -> None:
    ticks = Ticks()
    flood = limiter(ticks, global_per_second=1000.0, group_per_minute=1)
    send(flood, ticks, GROUP, took=10.0, answered=False)  # a timeout: the server may stamp it late
    assert round(flood.wait(GROUP), 6) == round(60.0 + 0.01 + 5.0, 6)


def test_a_429_pauses_the_chat_and_edits_only_respect_the_pause() -> None:
    ticks = Ticks()
    flood = limiter(ticks, global_per_second=1000.0)
    flood.pause(GROUP, 7.0)
    assert flood.wait(GROUP) == 7.0
    assert flood.wait(GROUP, counted=False) == 7.0
    assert flood.wait(OTHER_GROUP, counted=False) == 0.0
    ticks.now += 7.0
    assert flood.wait(GROUP) == 0.0


def test_no_window_at_telegram_ever_holds_more_than_the_limit() -> None:
    """Whatever the stamp between request and answer, no second holds more than 28 sends."""
    ticks = Ticks()
    flood = limiter(ticks, global_per_second=28.0, group_per_minute=1000)
    spans: list[tuple[float, float]] = []
    latencies = [0.01, 0.4, 0.05, 0.9, 0.2, 0.02]
    pending: list[tuple[float, int, float]] = []  # (answer time, chat, start)
    for n in range(600):
        chat = -(n % 50) - 1
        while True:
            pending.sort()
            while pending and pending[0][0] <= ticks.now:
                _, done_chat, started = pending.pop(0)
                flood.finish(done_chat)
                spans.append((started, ticks.now))
            wait = flood.wait(chat)
            if wait == 0.0:
                break
            ticks.now += min(wait, pending[0][0] - ticks.now) if pending else wait
        flood.start(chat)
        pending.append((ticks.now + latencies[n % len(latencies)], chat, ticks.now))
    # Worst case at Telegram: each send stamped at whichever end of its span crowds a window.
    for stamps in ([a for a, _ in spans], [b for _, b in spans]):
        stamps.sort()
        crowded = max(sum(1 for t in stamps if s <= t < s + 1.0) for s in stamps)
        assert crowded <= 28
