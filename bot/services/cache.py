"""Keyed results computed once at a time, served stale while they are refreshed in the background.

The dashboard keeps a week's figures (most of a second to compute on a large park) this way:
every visitor after the first is answered from memory, and a result older than `fresh_seconds`
is recomputed behind the next answer instead of before it.
"""

from __future__ import annotations

import asyncio
import contextvars
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class Cache(Generic[T]):
    """Keyed results, computed once at a time; a stale one is served while it is refreshed."""

    def __init__(self, fresh_seconds: float, size: int) -> None:
        self.fresh = fresh_seconds
        self.size = size
        self.items: OrderedDict[str, tuple[float, T]] = OrderedDict()
        self.running: dict[str, asyncio.Task[T]] = {}

    def _start(self, key: str, compute: Callable[[], Awaitable[T]]) -> asyncio.Task[T]:
        task = self.running.get(key)
        if task is None:
            # A fresh context: the computation must not inherit a caller's open transaction.
            loop = asyncio.get_running_loop()
            task = loop.create_task(self._fill(key, compute), context=contextvars.Context())
            self.running[key] = task
        return task

    async def _fill(self, key: str, compute: Callable[[], Awaitable[T]]) -> T:
        try:
            value = await compute()
            self.items[key] = (time.monotonic(), value)
            self.items.move_to_end(key)
            while len(self.items) > self.size:
                self.items.popitem(last=False)
            return value
        finally:
            self.running.pop(key, None)

    async def get(self, key: str, compute: Callable[[], Awaitable[T]]) -> T:
        found = self.items.get(key)
        if found is None:
            return await asyncio.shield(self._start(key, compute))
        if time.monotonic() - found[0] > self.fresh:
            self._start(key, compute)
        return found[1]

    def clear(self) -> None:
        self.items.clear()

    async def aclose(self) -> None:
        tasks = list(self.running.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
