"""Telegram's flood limits as a pure schedule: when may the next send to a chat start.

Kept apart from the sender (as python-telegram-bot keeps `AIORateLimiter` apart from the bot),
with the clock injected, so every rule is tested without sleeping. Telegram allows about 30
messages a second overall, 20 a minute per group and one a second per private chat; the
configured values stay a little under those.

Telegram stamps a send somewhere between our request and its response, and we cannot see where.
So a send occupies its place in a window from the moment its request actually goes out (`start`)
until its response is back (`finish`) plus the window plus a margin for jitter: whatever the
stamp, it lies inside that span, and no one-second (or one-minute) window at Telegram can hold
more sends than the limit. A send that ended without an answer (a timeout, a dropped connection)
may still be stamped later, when the server gets to it: its place is held for `lost_grace` more.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

MINUTE = 60.0


@dataclass(frozen=True)
class Limits:
    global_per_second: float
    group_per_minute: int
    private_interval_seconds: float
    # Extra time each finished send keeps its place, for jitter between our clock and Telegram's.
    margin_seconds: float = 0.01
    # Extra time a send that got no answer keeps its place: the server may still stamp it.
    lost_grace_seconds: float = 5.0


class FloodLimiter:
    """Decide when a send may start; record when it starts and finishes. No I/O, no sleeping."""

    def __init__(self, limits: Limits, clock: Callable[[], float] = time.monotonic) -> None:
        self.limits = limits
        self.clock = clock
        # Sends whose request went out and whose answer is not back, overall and per chat.
        self._in_flight = 0
        self._chat_in_flight: dict[int, int] = {}
        # When each finished send stops counting, overall and per chat (ascending).
        self._global_until: deque[float] = deque()
        self._group_until: dict[int, deque[float]] = {}
        self._private_free_at: dict[int, float] = {}
        self._paused_until: dict[int, float] = {}
        # Even pacing: the earliest start of the next send overall.
        self._next_start = 0.0

    # -- asking ------------------------------------------------------------------------------
    def wait(self, chat_id: int, *, counted: bool = True) -> float:
        """Seconds until a send to `chat_id` may start (0: now).

        Uncounted calls (edits, button answers) only respect a 429 pause of their chat.
        """
        now = self.clock()
        paused = self._paused_until.get(chat_id, 0.0) - now
        if not counted:
            return max(paused, 0.0)
        return max(paused, self._chat_wait(chat_id, now), self._global_wait(now), 0.0)

    def global_wait(self) -> float:
        """Seconds until any counted send may start, whatever its chat (0: now)."""
        return max(self._global_wait(self.clock()), 0.0)

    def _global_wait(self, now: float) -> float:
        window = self._global_until
        while window and window[0] <= now:
            window.popleft()
        pace = self._next_start - now
        if len(window) + self._in_flight < self.limits.global_per_second:
            return pace
        # Full: room comes when the earliest finished send stops counting (or, with every place
        # held by sends in flight, when one finishes: the caller is woken by that).
        return max(pace, window[0] - now if window else 0.005)

    def _chat_wait(self, chat_id: int, now: float) -> float:
        if chat_id > 0:  # a private chat: one at a time, an interval after the last one
            if self._chat_in_flight.get(chat_id):
                return 0.005
            return self._private_free_at.get(chat_id, 0.0) - now
        window = self._group_until.get(chat_id)
        if window is not None:
            while window and window[0] <= now:
                window.popleft()
        held = (len(window) if window else 0) + self._chat_in_flight.get(chat_id, 0)
        if held < self.limits.group_per_minute:
            return 0.0
        return window[0] - now if window else 0.005

    # -- recording ---------------------------------------------------------------------------
    def start(self, chat_id: int) -> None:
        """A counted send to `chat_id` goes out now (call it right before the request)."""
        now = self.clock()
        self._in_flight += 1
        self._chat_in_flight[chat_id] = self._chat_in_flight.get(chat_id, 0) + 1
        self._next_start = max(now, self._next_start) + 1.0 / self.limits.global_per_second

    def finish(self, chat_id: int, *, answered: bool = True) -> None:
        """The counted send to `chat_id` is over: answered (any status), or lost on the way."""
        now = self.clock()
        self._in_flight = max(self._in_flight - 1, 0)
        left = self._chat_in_flight.get(chat_id, 0) - 1
        if left > 0:
            self._chat_in_flight[chat_id] = left
        else:
            self._chat_in_flight.pop(chat_id, None)
        limits = self.limits
        held = limits.margin_seconds + (0.0 if answered else limits.lost_grace_seconds)
        _insert(self._global_until, now + 1.0 + held)
        if chat_id > 0:
            free_at = now + limits.private_interval_seconds + held
            self._private_free_at[chat_id] = max(self._private_free_at.get(chat_id, 0.0), free_at)
        else:
            _insert(self._group_until.setdefault(chat_id, deque()), now + MINUTE + held)

    def recall(self, chat_id: int, ago: float) -> None:
        """A counted send to `chat_id` ended `ago` seconds ago, made by an earlier sender (the
        worker that held the lease before, or this process before a crash): it still counts."""
        end = self.clock() - ago + self.limits.margin_seconds
        _insert(self._global_until, end + 1.0)
        if chat_id > 0:
            free_at = end + self.limits.private_interval_seconds
            self._private_free_at[chat_id] = max(self._private_free_at.get(chat_id, 0.0), free_at)
        else:
            _insert(self._group_until.setdefault(chat_id, deque()), end + MINUTE)

    def hold(self, seconds: float) -> None:
        """No counted send starts for `seconds` (an earlier sender's last sends are unknown)."""
        self._next_start = max(self._next_start, self.clock() + seconds)

    def pause(self, chat_id: int, seconds: float) -> None:
        """Telegram answered 429: nothing more to this chat for `seconds`."""
        until = self.clock() + seconds
        self._paused_until[chat_id] = max(self._paused_until.get(chat_id, 0.0), until)

    def forget_idle(self) -> None:
        """Drop the bookkeeping of chats that no longer constrain anything (bounded memory)."""
        now = self.clock()
        for chat_id in [c for c, w in self._group_until.items() if not w or w[-1] <= now]:
            del self._group_until[chat_id]
        for table in (self._private_free_at, self._paused_until):
            for chat_id in [c for c, until in table.items() if until <= now]:
                del table[chat_id]


def _insert(window: deque[float], until: float) -> None:
    """Keep `window` ascending (a lost send's place may outlast later finished ones)."""
    if not window or window[-1] <= until:
        window.append(until)
        return
    items = sorted([*window, until])
    window.clear()
    window.extend(items)
