"""Shared plumbing for Bot API method handlers: call context and registry."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sandbox.state import BotState, SandboxState

if TYPE_CHECKING:
    from sandbox.webhook import WebhookManager

JSON = dict[str, Any]


@dataclass
class Ctx:
    """Everything a handler may touch during one Bot API call."""

    state: SandboxState
    bot: BotState
    method: str
    webhooks: WebhookManager


Handler = Callable[[Ctx, JSON], Awaitable[Any]]


class Registry:
    """Name -> handler table filled with the :meth:`method` decorator."""

    def __init__(self) -> None:
        self.handlers: dict[str, Handler] = {}

    def method(self, *names: str) -> Callable[[Handler], Handler]:
        """Register the decorated coroutine for every name in *names*."""

        def wrap(func: Handler) -> Handler:
            for name in names:
                self.handlers[name] = func
            return func

        return wrap
