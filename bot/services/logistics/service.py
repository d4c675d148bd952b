"""The logistics exchange: post truck offers and cargo requests, withdraw them, list them, expire.

Who may post: enterprise contacts (an enterprise that ships goods, or a carrier enterprise with
trucks: both are enterprises in the roster) and the administration's cadres, leaders and admins
(posting on behalf of an enterprise that phoned in). Anyone else is refused. Only the owner (the
Telegram user who posted) withdraws a post. Every post is matched as soon as it is created.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.domain.logistics import (
    TRUCK_ACTIVE,
    CargoForm,
    CargoRequest,
    CargoStatus,
    TruckForm,
    TruckOffer,
    TruckStatus,
    cargo_move,
    truck_move,
)
from bot.domain.models import Actor
from bot.domain.outcomes import Publish, Recipient, discard
from bot.domain.outcomes.logistics import Expired, PostedCargo, PostedTruck
from bot.errors import InvalidInput, NotAllowed
from bot.services.logistics.matching import Matcher
from bot.services.recipients import Recipients
from storage.unit import Repositories

MAX_NOTE = 40


@dataclass(frozen=True)
class LogisticsRules:
    top_matches: int = 3
    max_days_ahead: int = 60
    draft_valid_hours: int = 24


class LogisticsService:
    """Use cases of the logistics exchange (the matcher does the pairing)."""

    def __init__(
        self,
        repos: Repositories,
        clock: Clock,
        tz: ZoneInfo,
        rules: LogisticsRules,
        *,
        recipients: Recipients,
        publish: Publish = discard,
    ) -> None:
        self.db = repos.db
        self.publish = publish
        self.clock = clock
        self.tz = tz
        self.rules = rules
        self.repo = repos.logistics
        self.recipients = recipients
        self.matcher = Matcher(
            repos, clock, top=rules.top_matches, recipients=self.recipients, publish=publish
        )

    def today(self) -> date:
        """The park's local date, from the injected clock."""
        return self.clock.now().astimezone(self.tz).date()

    @staticmethod
    def require_poster(actor: Actor) -> None:
        """Refuse anyone who is neither an enterprise contact nor administration staff.

        Raises:
            NotAllowed: the actor may not post.
        """
        if actor.enterprise_id is None and not actor.is_staff:
            raise NotAllowed("logistics.not_allowed_post")

    def _check_notes(self, *notes: str | None) -> None:
        for note in notes:
            if note is not None and len(note) > MAX_NOTE:
                raise InvalidInput("logistics.too_long", limit=MAX_NOTE)

    # -- posting ------------------------------------------------------------------------------
    async def post_truck(self, actor: Actor, form: TruckForm) -> PostedTruck:
        """Record a truck offer (车源) and propose its best cargo.

        Raises:
            NotAllowed: the actor may not post.
            InvalidInput: the departure is in the past (forms are parsed earlier; this re-checks).
        """
        self.require_poster(actor)
        self._check_notes(form.price_note, form.contact)
        if form.depart_date < self.today():
            raise InvalidInput("logistics.date_past", day=form.depart_date.isoformat())
        now = self.clock.now()
        async with self.db.transaction():
            offer_id = await self.repo.insert_offer(
                owner_id=actor.telegram_id,
                enterprise_id=actor.enterprise_id,
                origin=form.origin,
                destination=form.destination,
                via=form.via,
                depart_date=form.depart_date,
                vehicle=form.vehicle,
                length=form.length,
                tonnes=form.spare_tonnes,
                m3=form.spare_m3,
                price_note=form.price_note,
                contact=form.contact,
                now=now,
            )
            offer = await self.repo.offer(offer_id)
            assert offer is not None
            proposals = await self.matcher.propose_for_offer(offer)
            truck = PostedTruck(
                offer, proposals, await self._groups(), await self.matcher.sides(proposals)
            )
            await self.publish(truck)
        return truck

    async def post_cargo(self, actor: Actor, form: CargoForm) -> PostedCargo:
        """Record a cargo request (货源) and propose its best trucks.

        Raises:
            NotAllowed: the actor may not post.
            InvalidInput: the window ended already.
        """
        self.require_poster(actor)
        self._check_notes(form.price_note, form.contact)
        if form.latest_date < self.today():
            raise InvalidInput("logistics.date_past", day=form.latest_date.isoformat())
        now = self.clock.now()
        async with self.db.transaction():
            request_id = await self.repo.insert_request(
                owner_id=actor.telegram_id,
                enterprise_id=actor.enterprise_id,
                origin=form.origin,
                destination=form.destination,
                ready_date=form.ready_date,
                latest_date=form.latest_date,
                cargo_name=form.cargo_name,
                tonnes=form.tonnes,
                m3=form.m3,
                pieces=form.pieces,
                cold=form.cold,
                price_note=form.price_note,
                contact=form.contact,
                now=now,
            )
            request = await self.repo.request(request_id)
            assert request is not None
            proposals = await self.matcher.propose_for_request(request)
            cargo = PostedCargo(
                request, proposals, await self._groups(), await self.matcher.sides(proposals)
            )
            await self.publish(cargo)
        return cargo

    async def _groups(self) -> tuple[Recipient, ...]:
        """The groups bound with /bind logistics, where new posts are announced."""
        return tuple(Recipient(chat_id) for chat_id in await self.repo.logistics_chats())

    # -- owning -------------------------------------------------------------------------------
    async def my_trucks(self, actor: Actor) -> list[TruckOffer]:
        """The actor's truck offers that are still live (open, partially filled or full)."""
        async with self.db.transaction():
            return await self.repo.offers_of(actor.telegram_id, [*TRUCK_ACTIVE, TruckStatus.FULL])

    async def my_cargo(self, actor: Actor) -> list[CargoRequest]:
        """The actor's cargo requests that are open or matched (not yet shipped)."""
        async with self.db.transaction():
            return await self.repo.requests_of(
                actor.telegram_id, [CargoStatus.OPEN, CargoStatus.MATCHED]
            )

    async def withdraw_truck(self, actor: Actor, offer_id: int) -> TruckOffer:
        """The owner takes a truck offer back; its pending proposals are voided.

        Raises:
            NotAllowed: not the owner (also when the offer does not exist).
            InvalidTransition: already departed, expired or withdrawn.
        """
        async with self.db.transaction():
            offer = await self.repo.offer(offer_id)
            if offer is None or offer.owner_id != actor.telegram_id:
                raise NotAllowed("logistics.not_your_post")
            target = truck_move(offer.status, TruckStatus.WITHDRAWN)
            await self.repo.update_offer(offer_id, self.clock.now(), status=target)
            await self.matcher.void_pending(offer_id=offer_id)
            changed = await self.repo.offer(offer_id)
            assert changed is not None
            return changed

    async def withdraw_cargo(self, actor: Actor, request_id: int) -> CargoRequest:
        """The owner takes an open cargo request back; its pending proposals are voided.

        Raises:
            NotAllowed: not the owner (also when the request does not exist).
            InvalidTransition: no longer open (matched cargo is finished with /done).
        """
        async with self.db.transaction():
            request = await self.repo.request(request_id)
            if request is None or request.owner_id != actor.telegram_id:
                raise NotAllowed("logistics.not_your_post")
            target = cargo_move(request.status, CargoStatus.WITHDRAWN)
            await self.repo.update_request(request_id, self.clock.now(), status=target)
            await self.matcher.void_pending(request_id=request_id)
            changed = await self.repo.request(request_id)
            assert changed is not None
            return changed

    # -- time ---------------------------------------------------------------------------------
    async def expire(self) -> Expired:
        """Close trucks after their departure day and cargo after its latest day.

        A truck that carried something (partially filled or full) becomes `departed`, an
        untouched one `expired`. (Conversations idle longer than the configured hours are
        dropped by the conversation engine, in the same scheduled pass.)
        """
        today = self.today()
        now = self.clock.now()
        expired = Expired()
        async with self.db.transaction():
            for offer in await self.repo.departed_before(today):
                target = (
                    TruckStatus.EXPIRED
                    if offer.status is TruckStatus.OPEN
                    else (TruckStatus.DEPARTED)
                )
                await self.repo.update_offer(offer.id, now, status=truck_move(offer.status, target))
                await self.matcher.void_pending(offer_id=offer.id)
                if target is TruckStatus.EXPIRED:
                    expired.offers.append(offer)
            for request in await self.repo.open_latest_before(today):
                target_c = cargo_move(request.status, CargoStatus.EXPIRED)
                await self.repo.update_request(request.id, now, status=target_c)
                await self.matcher.void_pending(request_id=request.id)
                expired.requests.append(request)
            if expired.offers or expired.requests:
                owners = [o.owner_id for o in expired.offers]
                owners += [r.owner_id for r in expired.requests]
                expired = Expired(
                    expired.offers, expired.requests, await self.recipients.persons(owners)
                )
                await self.publish(expired)
        return expired
