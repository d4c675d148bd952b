"""The one engine of guided conversations: start, answer, press, reopen, confirm, cancel.

A dialogue (`Dialogue`: /job, /truck and /cargo today) says what its steps ask and how an answer
is read; the engine keeps the conversation in `conversations`, one row per user and topic, and
checks what every dialogue needs checked the same way: an answer needs an open conversation, a
button must answer the question the conversation is at (a press on an older prompt changes
nothing), and a finished conversation is gone in the same transaction as what it made. Nothing
lives in memory, so a restart mid-way continues from the row.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Generic, Protocol, TypeVar

from bot.clock import Clock
from bot.domain.conversation import Conversation
from bot.domain.models import Actor
from bot.errors import InvalidInput
from storage.unit import Repositories

View = TypeVar("View")
Done = TypeVar("Done")
View_co = TypeVar("View_co", covariant=True)
Done_co = TypeVar("Done_co", covariant=True)


class Dialogue(Protocol[View_co, Done_co]):
    """One guided dialogue: its steps, how each answer is read, what finishing makes."""

    topic: str  # the conversation's row key beside the user: one open per user and topic
    no_conversation: str  # the error key of an answer with nothing open
    stale: str  # the error key of a press on another step's button
    idle: timedelta  # how long a conversation nobody touches is kept

    def step_of(self, conversation: Conversation) -> str | None:
        """The question the conversation is at; None if an older version left an unknown one."""
        ...

    async def begin(self, actor: Actor, kind: str, *, form: str, edit: int | None) -> Conversation:
        """A new conversation of `kind` (from a one-line `form`, or editing item `edit`)."""
        ...

    async def answer(
        self, actor: Actor, conversation: Conversation, text: str
    ) -> Conversation | Done_co:
        """Apply typed text to the current step."""
        ...

    async def press(
        self, actor: Actor, conversation: Conversation, value: int | str
    ) -> Conversation | Done_co:
        """Apply a button's value to the current step (the engine checked the step)."""
        ...

    async def reopen(self, actor: Actor, conversation: Conversation, name: str) -> Conversation:
        """From the summary, ask for the field `name` again."""
        ...

    async def finish(self, actor: Actor, conversation: Conversation) -> Done_co:
        """Make what the confirmed conversation describes."""
        ...

    async def view(self, actor: Actor, conversation: Conversation) -> View_co:
        """What the next question shows (the conversation with what it needs to be asked)."""
        ...


class Conversations(Generic[View, Done]):
    """Run one dialogue's conversations, each stored as it moves."""

    def __init__(self, repos: Repositories, clock: Clock, dialogue: Dialogue[View, Done]) -> None:
        self.db = repos.db
        self.clock = clock
        self.dialogue = dialogue
        self.repo = repos.conversations

    async def current(self, actor: Actor) -> View | None:
        """The actor's open conversation of this dialogue, if any."""
        async with self.db.transaction():
            found = await self.repo.get(actor.telegram_id, self.dialogue.topic)
            return await self.dialogue.view(actor, found) if found is not None else None

    async def start(
        self, actor: Actor, kind: str, *, form: str = "", edit: int | None = None
    ) -> View:
        """Open a conversation, replacing an unfinished one of the same topic.

        Raises:
            NotAllowed: the actor may not start it (the dialogue says why).
            InvalidInput: the one-line form cannot be read or breaks a rule.
        """
        async with self.db.transaction():
            conversation = await self.dialogue.begin(actor, kind, form=form, edit=edit)
            return await self._save(actor, conversation)

    async def answer(self, actor: Actor, text: str) -> View | Done:
        """Apply a typed answer to the question the conversation is at.

        Raises:
            InvalidInput: nothing open, or the answer does not fit (the message says why).
            NotAllowed: the actor may no longer do what the answer asks.
        """
        async with self.db.transaction():
            conversation = await self._open(actor)
            return await self._after(actor, await self.dialogue.answer(actor, conversation, text))

    async def press(self, actor: Actor, step: str, value: int | str) -> View | Done:
        """Apply a button's choice; the button must belong to the current question.

        Raises:
            InvalidInput: nothing open, a button of another question, or a value not offered.
            NotAllowed: the actor may no longer do what the choice asks.
        """
        async with self.db.transaction():
            conversation = await self._open(actor)
            if self.dialogue.step_of(conversation) != step:
                raise InvalidInput(self.dialogue.stale)
            return await self._after(actor, await self.dialogue.press(actor, conversation, value))

    async def reopen(self, actor: Actor, name: str) -> View:
        """From the summary, ask for one field again.

        Raises:
            InvalidInput: nothing open, or not at the summary, or no such field.
        """
        async with self.db.transaction():
            conversation = await self._open(actor)
            return await self._save(actor, await self.dialogue.reopen(actor, conversation, name))

    async def confirm(self, actor: Actor) -> Done:
        """Finish the conversation at its summary: make what it describes, then forget it.

        Raises:
            InvalidInput: nothing open, not at the summary yet, or a rule fails.
            NotAllowed: the actor may no longer do it.
        """
        async with self.db.transaction():
            conversation = await self._open(actor)
            done = await self.dialogue.finish(actor, conversation)
            await self.repo.drop(actor.telegram_id, self.dialogue.topic)
            return done

    async def cancel(self, actor: Actor) -> bool:
        """Drop the open conversation; False when there was none."""
        async with self.db.transaction():
            return await self.repo.drop(actor.telegram_id, self.dialogue.topic)

    async def purge_stale(self) -> int:
        """Forget this dialogue's conversations nobody touched for its `idle` time."""
        async with self.db.transaction():
            before = self.clock.now() - self.dialogue.idle
            return await self.repo.purge(self.dialogue.topic, before)

    async def _open(self, actor: Actor) -> Conversation:
        conversation = await self.repo.get(actor.telegram_id, self.dialogue.topic)
        if conversation is None:
            raise InvalidInput(self.dialogue.no_conversation)
        if self.dialogue.step_of(conversation) is None:
            # A conversation saved by an older version with other steps: start again.
            await self.repo.drop(actor.telegram_id, self.dialogue.topic)
            raise InvalidInput(self.dialogue.no_conversation)
        return conversation

    async def _save(self, actor: Actor, conversation: Conversation) -> View:
        await self.repo.save(conversation, self.clock.now())
        return await self.dialogue.view(actor, conversation)

    async def _after(self, actor: Actor, moved: Conversation | Done) -> View | Done:
        """Store a conversation that moved on; forget one that finished."""
        if isinstance(moved, Conversation):
            return await self._save(actor, moved)
        await self.repo.drop(actor.telegram_id, self.dialogue.topic)
        return moved
