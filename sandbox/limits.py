"""Fault injection and Telegram's flood limits.

Both are decided *before* a call has any side effect, so a faulted or
rate-limited request leaves the world unchanged, exactly like a request the
real server refused.
"""

from __future__ import annotations

import math
import random
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

# Which sends count against flood limits (edits and callbacks do not).
COUNTED_METHODS = frozenset({"sendMessage", "sendPhoto", "sendDocument"})


@dataclass
class FaultDecision:
    """What the injector decided for one call."""

    delay_s: float = 0.0
    drop: bool = False
    error_code: int | None = None
    retry_after: int | None = None
    conflict: bool = False


@dataclass
class FaultInjector:
    """Seedable random faults, optionally restricted to some methods."""

    error_429_rate: float = 0.0
    retry_after: int = 1
    error_5xx_rate: float = 0.0
    delay_ms: int = 0
    drop_rate: float = 0.0
    conflict: bool = False
    methods: frozenset[str] | None = None
    rng: random.Random = field(default_factory=random.Random)

    def configure(
        self,
        error_429_rate: float = 0.0,
        retry_after: int = 1,
        error_5xx_rate: float = 0.0,
        delay_ms: int = 0,
        drop_rate: float = 0.0,
        conflict: bool = False,
        methods: list[str] | None = None,
        seed: int | None = None,
    ) -> None:
        """Replace the whole configuration (unset values go back to no fault)."""
        for name, rate in (
            ("error_429_rate", error_429_rate),
            ("error_5xx_rate", error_5xx_rate),
            ("drop_rate", drop_rate),
        ):
            if not 0.0 <= rate <= 1.0:
                raise ValueError(f"{name} must be within [0, 1]")
        self.error_429_rate = error_429_rate
        self.retry_after = max(1, int(retry_after))
        self.error_5xx_rate = error_5xx_rate
        self.delay_ms = max(0, int(delay_ms))
        self.drop_rate = drop_rate
        self.conflict = conflict
        self.methods = frozenset(methods) if methods else None
        self.rng = random.Random(seed)

    def decide(self, method: str) -> FaultDecision:
        """Roll the dice for one call of *method*."""
        decision = FaultDecision()
        if self.methods is not None and method not in self.methods:
            return decision
        decision.delay_s = self.delay_ms / 1000.0
        # Always draw the same number of values so a seed gives one sequence
        # regardless of which rates are zero.
        drop, r429, r5xx, pick = (self.rng.random() for _ in range(4))
        if drop < self.drop_rate:
            decision.drop = True
        elif r429 < self.error_429_rate:
            decision.error_code = 429
            decision.retry_after = self.retry_after
        elif r5xx < self.error_5xx_rate:
            decision.error_code = 502 if pick < 0.5 else 500
        elif self.conflict and method == "getUpdates":
            decision.conflict = True
        return decision


def _window_wait(stamps: deque[float], limit: int, window: float, now: float) -> float:
    """Seconds until *stamps* has room for one more event (0 if it has now)."""
    while stamps and stamps[0] <= now - window:
        stamps.popleft()
    if len(stamps) < limit:
        return 0.0
    return stamps[-limit] + window - now


@dataclass
class FloodLimiter:
    """Sliding-window flood limits per bot, like Telegram's documented ones."""

    enforce: bool = False
    global_per_second: int = 30
    group_per_minute: int = 20
    private_per_second: int = 1
    clock: Callable[[], float] = time.monotonic
    _global: dict[str, deque[float]] = field(default_factory=dict)
    _chats: dict[tuple[str, int], deque[float]] = field(default_factory=dict)

    def reset(self) -> None:
        """Forget past sends (e.g. when switching enforcement on)."""
        self._global.clear()
        self._chats.clear()

    def check(self, token: str, chat_id: int, chat_type: str) -> int | None:
        """Retry-after seconds if a send now would exceed a limit, else None.

        A send that passes is recorded immediately: the caller commits it.
        """
        if not self.enforce:
            return None
        now = self.clock()
        glob = self._global.setdefault(token, deque())
        chat = self._chats.setdefault((token, chat_id), deque())
        if chat_type == "private":
            limit, window = self.private_per_second, 1.0
        else:
            limit, window = self.group_per_minute, 60.0
        wait = max(
            _window_wait(glob, self.global_per_second, 1.0, now),
            _window_wait(chat, limit, window, now),
        )
        if wait > 0:
            # Honest: the caller may retry after this many whole seconds.
            return max(1, math.ceil(wait))
        glob.append(now)
        chat.append(now)
        return None
