"""Webhook delivery: POST queued updates to the bot, one at a time, in order.

Like Telegram, an update leaves the queue only once the webhook answered 2xx;
any other answer (or a connection error) is retried with exponential backoff.
"""

from __future__ import annotations

import asyncio
import contextlib
import time

import aiohttp

from sandbox.state import BotState, Webhook


class WebhookManager:
    """Owns one delivery task per bot with a webhook set."""

    def __init__(self, base_delay: float = 0.1, max_delay: float = 5.0) -> None:
        self.base_delay = base_delay
        self.max_delay = max_delay
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._session: aiohttp.ClientSession | None = None

    def start(self, bot: BotState) -> None:
        """(Re)start delivery for *bot*'s current webhook."""
        self.stop(bot)
        if bot.webhook is not None:
            self._tasks[bot.token] = asyncio.create_task(self._run(bot, bot.webhook))

    def stop(self, bot: BotState) -> None:
        """Stop delivering for *bot* (pending updates stay queued)."""
        task = self._tasks.pop(bot.token, None)
        if task is not None:
            task.cancel()

    async def close(self) -> None:
        """Cancel every task and close the HTTP session."""
        tasks = list(self._tasks.values())
        self._tasks.clear()
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        if self._session is not None:
            await self._session.close()
            self._session = None

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30))
        return self._session

    async def _run(self, bot: BotState, hook: Webhook) -> None:
        delay = self.base_delay
        while bot.webhook is hook:
            if not bot.updates:
                bot.webhook_wake.clear()
                await bot.webhook_wake.wait()
                continue
            update = bot.updates[0]
            headers = {"Content-Type": "application/json"}
            if hook.secret_token:
                headers["X-Telegram-Bot-Api-Secret-Token"] = hook.secret_token
            error: str | None = None
            try:
                async with self._client().post(hook.url, json=update, headers=headers) as resp:
                    await resp.read()
                    if not 200 <= resp.status < 300:
                        error = f"Wrong response from the webhook: {resp.status} {resp.reason}"
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # any transport failure counts as a failed delivery
                error = f"Connection failed: {exc.__class__.__name__}"
            if error is None:
                if bot.updates and bot.updates[0] is update:
                    bot.updates.pop(0)
                delay = self.base_delay
                continue
            hook.last_error_date = int(time.time())
            hook.last_error_message = error
            await asyncio.sleep(delay)
            delay = min(delay * 2, self.max_delay)
