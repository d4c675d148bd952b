"""Control side, part 2: observing what the bot did and steering faults.

sent/calls/callback_answers logs, pending update counts, statistics, fault
injection and flood-limit enforcement (mixed into TelegramSandbox).
"""

from __future__ import annotations

import asyncio
import copy
import time
from typing import Any

from sandbox.state import JSON, ControlError, SandboxState


def _matches(entry: JSON, chat_id: int | None, contains: str | None) -> bool:
    if chat_id is not None and entry["chat_id"] != chat_id:
        return False
    return contains is None or contains in (entry.get("text") or "")


class SandboxObserver:
    """Read-side and fault controls of the sandbox."""

    state: SandboxState

    def sent(self, chat_id: int | None = None, since_seq: int = 0) -> list[JSON]:
        """Everything bots sent or edited, oldest first."""
        return [
            copy.deepcopy(e)
            for e in self.state.sent_log
            if e["seq"] > since_seq and _matches(e, None if chat_id is None else int(chat_id), None)
        ]

    def calls(self, method: str | None = None, since_seq: int = 0) -> list[JSON]:
        """Every Bot API call (including refused and faulted ones)."""
        return [
            copy.deepcopy(e)
            for e in self.state.call_log
            if e["seq"] > since_seq and (method is None or e["method"] == method)
        ]

    def callback_answers(self) -> list[JSON]:
        """answerCallbackQuery calls that succeeded."""
        return copy.deepcopy(self.state.answers)

    def pending_updates(self, token: str | None = None) -> int:
        """Updates of the bot not yet acknowledged (or delivered to the webhook)."""
        return len(self.state.default_bot(token).updates)

    def last_seq(self) -> int:
        """Current sequence number: pass it as since_seq to see only new events."""
        return self.state._seq

    def stats(self) -> JSON:
        """Counters since the last reset_stats()."""
        return {
            "calls": dict(self.state.call_counts),
            "responses": {str(code): n for code, n in self.state.response_counts.items()},
            "sent_per_chat": {str(chat): n for chat, n in self.state.sent_counts.items()},
            "faults": dict(self.state.fault_counts),
            "total_calls": sum(self.state.call_counts.values()),
        }

    def reset_stats(self) -> bool:
        """Zero every counter (logs are kept)."""
        self.state.call_counts.clear()
        self.state.response_counts.clear()
        self.state.sent_counts.clear()
        self.state.fault_counts.clear()
        return True

    def set_faults(
        self,
        error_429_rate: float = 0.0,
        retry_after: int = 1,
        error_5xx_rate: float = 0.0,
        delay_ms: int = 0,
        drop_rate: float = 0.0,
        conflict: bool = False,
        methods: list[str] | None = None,
        seed: int | None = None,
    ) -> bool:
        """Replace the fault configuration; call with no arguments to heal."""
        try:
            self.state.faults.configure(
                error_429_rate=error_429_rate,
                retry_after=retry_after,
                error_5xx_rate=error_5xx_rate,
                delay_ms=delay_ms,
                drop_rate=drop_rate,
                conflict=conflict,
                methods=methods,
                seed=seed,
            )
        except ValueError as exc:
            raise ControlError(str(exc)) from None
        return True

    def set_limits(self, enforce: bool) -> bool:
        """Switch Telegram's flood limits on or off (history restarts empty)."""
        self.state.limiter.enforce = bool(enforce)
        self.state.limiter.reset()
        return True

    async def wait_sent(
        self,
        chat_id: int | None = None,
        count: int = 1,
        since_seq: int = 0,
        timeout: float = 10.0,
        contains: str | None = None,
    ) -> list[JSON]:
        """In-process twin of SandboxClient.wait_sent."""
        deadline = time.monotonic() + timeout
        while True:
            found = [e for e in self.sent(chat_id, since_seq) if _matches(e, None, contains)]
            if len(found) >= count:
                return found
            if time.monotonic() >= deadline:
                raise AssertionError(
                    describe_wait_failure(
                        count, chat_id, contains, timeout, self.sent(chat_id, since_seq)
                    )
                )
            await asyncio.sleep(0.02)


def describe_wait_failure(
    count: int, chat_id: Any, contains: str | None, timeout: float, arrived: list[JSON]
) -> str:
    """A readable timeout message listing what did arrive."""
    lines = [
        f"expected {count} sent message(s) (chat_id={chat_id}, contains={contains!r}) "
        f"within {timeout}s; {len(arrived)} arrived:"
    ]
    lines += [
        f"  #{e['seq']} {e['method']} chat={e['chat_id']} msg={e['message_id']}: {e.get('text')!r}"
        for e in arrived
    ] or ["  (nothing)"]
    return "\n".join(lines)
