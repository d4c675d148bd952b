"""The matcher: find, rank and propose truck/cargo pairs; both sides answer; complete shipments.

Design: a match is accepted only when BOTH parties press 接受; the second acceptance confirms it
(re-checking that the cargo still fits), shares both contacts, reduces the truck's spare capacity
and voids every other pending proposal of that cargo. Either party may decline; either party of
an accepted match may record it as completed with `/done`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from bot.clock import Clock
from bot.domain.contacts import contacts_in
from bot.domain.logistics import (
    FULL_BELOW_TONNES,
    CargoRequest,
    CargoStatus,
    Match,
    MatchStatus,
    MatchView,
    Party,
    TruckOffer,
    TruckStatus,
    cargo_bounds,
    cargo_move,
    fits,
    match_move,
    rank_key,
    truck_bounds,
    truck_move,
)
from bot.domain.models import Actor
from bot.domain.outcomes import Publish, discard
from bot.domain.outcomes.logistics import Answered, Completed, Exchange, People
from bot.errors import InvalidInput, NotAllowed
from bot.services.recipients import Recipients
from storage.unit import Repositories


class Matcher:
    """Apply the matching rule whenever a post is created or changed."""

    def __init__(
        self,
        repos: Repositories,
        clock: Clock,
        *,
        top: int,
        recipients: Recipients,
        publish: Publish = discard,
    ) -> None:
        self.db = repos.db
        self.clock = clock
        self.top = top
        self.publish = publish
        self.repo = repos.logistics
        self.cadres = repos.cadres
        self.enterprises = repos.enterprises
        self.recipients = recipients

    # -- finding ------------------------------------------------------------------------------
    async def trucks_for(self, request: CargoRequest) -> list[TruckOffer]:
        """Every truck the cargo fits on, best first (must run inside a transaction)."""
        found = [o for o in await self.repo.trucks_for(truck_bounds(request)) if fits(o, request)]
        return sorted(found, key=lambda o: rank_key(o, request))

    async def cargo_for(self, offer: TruckOffer) -> list[CargoRequest]:
        """Every cargo that fits on the truck, best first (must run inside a transaction)."""
        found = [r for r in await self.repo.cargo_for(cargo_bounds(offer)) if fits(offer, r)]
        return sorted(found, key=lambda r: rank_key(offer, r))

    async def propose_for_offer(self, offer: TruckOffer) -> list[MatchView]:
        """Propose the best new pairs for a truck offer (at most `top`)."""
        async with self.db.transaction():
            return await self._propose([(offer, r) for r in await self.cargo_for(offer)])

    async def propose_for_request(self, request: CargoRequest) -> list[MatchView]:
        """Propose the best new pairs for a cargo request (at most `top`)."""
        async with self.db.transaction():
            return await self._propose([(o, request) for o in await self.trucks_for(request)])

    async def _propose(self, pairs: list[tuple[TruckOffer, CargoRequest]]) -> list[MatchView]:
        now = self.clock.now()
        made: list[MatchView] = []
        for offer, request in pairs:
            if len(made) >= self.top:
                break
            match_id = await self.repo.propose(offer.id, request.id, now)
            if match_id is None:
                continue  # proposed before (maybe declined): never offer the same pair twice
            match = await self.repo.match(match_id)
            assert match is not None
            made.append(MatchView(match, offer, request))
        return made

    # -- answering ----------------------------------------------------------------------------
    async def view(self, match: Match) -> MatchView:
        offer = await self.repo.offer(match.offer_id)
        request = await self.repo.request(match.request_id)
        assert offer is not None and request is not None  # foreign keys
        return MatchView(match, offer, request)

    async def _load(self, actor: Actor, match_id: int) -> tuple[MatchView, str]:
        match = await self.repo.match(match_id)
        if match is None:
            raise InvalidInput("logistics.match_not_found", id=match_id)
        view = await self.view(match)
        if actor.telegram_id == view.offer.owner_id:
            return view, "truck"
        if actor.telegram_id == view.request.owner_id:
            return view, "cargo"
        # The same answer as for a match that does not exist: do not reveal it.
        raise NotAllowed("logistics.not_your_match", id=match_id)

    async def answer(self, actor: Actor, match_id: int, *, accept: bool) -> Answered:
        """One party accepts (接受) or declines (不合适) a proposed match.

        Args:
            actor: the presser; must own the truck offer or the cargo request of the match.
            match_id: the match (from button data: never trusted).
            accept: True for 接受, False for 不合适.

        Returns:
            The outcome: waiting for the other side, accepted (contacts may now be shared),
            declined, or gone (the cargo no longer fits).

        Raises:
            NotAllowed: the actor is neither party.
            InvalidInput: unknown match, already answered, or no longer proposed.
        """
        async with self.db.transaction():
            answered = await self._answer(actor, match_id, accept)
            offer, request = answered.view.offer, answered.view.request
            answered = replace(
                answered,
                people=await self.sides([answered.view, *answered.proposals]),
                exchange=await self._exchange(offer, request)
                if answered.outcome == "accepted"
                else None,
            )
            await self.publish(answered)
        return answered

    async def _answer(self, actor: Actor, match_id: int, accept: bool) -> Answered:
        async with self.db.transaction():
            view, side = await self._load(actor, match_id)
            match = view.match
            if match.status is not MatchStatus.PROPOSED:
                raise InvalidInput("logistics.match_closed", id=match_id)
            mine, theirs = (
                (match.truck_answer, match.cargo_answer)
                if side == "truck"
                else (match.cargo_answer, match.truck_answer)
            )
            if mine is not None:
                raise InvalidInput("logistics.already_answered", id=match_id)
            now = self.clock.now()
            column = f"{side}_answer"
            if not accept:
                status = match_move(match.status, MatchStatus.DECLINED)
                await self.repo.update_match(match_id, now, status=status, **{column: "decline"})
                return Answered(await self._reload(match_id), side, "declined")
            await self.repo.update_match(match_id, now, **{column: "accept"})
            if theirs != "accept":
                return Answered(await self._reload(match_id), side, "waiting")
            if not fits(view.offer, view.request):
                await self.repo.update_match(match_id, now, status=MatchStatus.VOID)
                return Answered(await self._reload(match_id), side, "gone")
            proposals = await self._confirm(view)
            return Answered(await self._reload(match_id), side, "accepted", proposals)

    async def _reload(self, match_id: int) -> MatchView:
        match = await self.repo.match(match_id)
        assert match is not None
        return await self.view(match)

    async def _confirm(self, view: MatchView) -> list[MatchView]:
        """Both said yes: book the space, close the cargo, then re-match the changed truck."""
        now = self.clock.now()
        offer, request = view.offer, view.request
        await self.repo.update_match(
            view.match.id,
            now,
            status=match_move(view.match.status, MatchStatus.ACCEPTED),
            accepted_at=now,
        )
        spare_tonnes = round(offer.spare_tonnes - request.tonnes, 3)
        spare_m3 = None if offer.spare_m3 is None else round(offer.spare_m3 - (request.m3 or 0), 3)
        full = spare_tonnes < FULL_BELOW_TONNES or (spare_m3 is not None and spare_m3 <= 0.05)
        target = TruckStatus.FULL if full else TruckStatus.PARTIALLY_FILLED
        await self.repo.update_offer(
            offer.id,
            now,
            spare_tonnes=max(spare_tonnes, 0.0),
            spare_m3=None if spare_m3 is None else max(spare_m3, 0.0),
            status=truck_move(offer.status, target),
        )
        await self.repo.update_request(
            request.id, now, status=cargo_move(request.status, CargoStatus.MATCHED)
        )
        for other in await self.repo.matches_of(request_id=request.id, status=MatchStatus.PROPOSED):
            await self.repo.update_match(other.id, now, status=MatchStatus.VOID)
        changed = await self.repo.offer(offer.id)
        assert changed is not None
        for other in await self.repo.matches_of(offer_id=offer.id, status=MatchStatus.PROPOSED):
            cargo = await self.repo.request(other.request_id)
            if cargo is None or not fits(changed, cargo):
                await self.repo.update_match(other.id, now, status=MatchStatus.VOID)
        if changed.status is TruckStatus.FULL:
            return []
        return await self.propose_for_offer(changed)

    # -- who is told ----------------------------------------------------------------------------
    async def sides(self, views: Iterable[MatchView]) -> People:
        """Both sides of each match, privately in their languages."""
        owners = [owner for v in views for owner in (v.offer.owner_id, v.request.owner_id)]
        return await self.recipients.persons(owners)

    async def _exchange(self, offer: TruckOffer, request: CargoRequest) -> Exchange:
        """Both parties of an accepted match, as each is shown to the other."""
        return Exchange(
            carrier=await self._party(
                offer.owner_id, offer.enterprise_id, offer.contact, offer.free_text
            ),
            shipper=await self._party(
                request.owner_id, request.enterprise_id, request.contact, request.free_text
            ),
        )

    async def _party(
        self, owner_id: int, enterprise_id: int | None, given: str | None, typed: Iterable[str]
    ) -> Party:
        """Who posted: their enterprise, name and phone (typed, else from the roster).

        The phone is the contact they gave plus any contact details typed into the post's text
        (masked in public until the match), else the roster's.
        """
        async with self.db.transaction():
            cadre = await self.cadres.cadre_by_telegram(owner_id)
            enterprise = await self.enterprises.enterprise(enterprise_id) if enterprise_id else None
            known = await self.repo.user_name(owner_id)
        found = [given] if given else []
        for text in typed:
            found += contacts_in(text)
        telegram_name = known[0] if known is not None and known[0] else str(owner_id)
        return Party(
            telegram_id=owner_id,
            company=enterprise.name if enterprise else None,
            name=cadre.name if cadre else telegram_name,
            phone="、".join(dict.fromkeys(found)) or (cadre.phone if cadre else None),
            username=known[1] if known is not None else None,
        )

    async def void_pending(
        self, *, offer_id: int | None = None, request_id: int | None = None
    ) -> None:
        """Void the proposals of a post that was withdrawn or expired (inside a transaction)."""
        now = self.clock.now()
        pending = await self.repo.matches_of(
            offer_id=offer_id, request_id=request_id, status=MatchStatus.PROPOSED
        )
        for match in pending:
            await self.repo.update_match(match.id, now, status=MatchStatus.VOID)

    async def complete(self, actor: Actor, match_id: int) -> Completed:
        """Record an accepted match as shipped (`/done`), for the actor's side.

        Raises:
            NotAllowed: the actor is neither party.
            InvalidInput: unknown match, or not accepted (or already completed).
        """
        async with self.db.transaction():
            view, side = await self._load(actor, match_id)
            if view.match.status is not MatchStatus.ACCEPTED:
                raise InvalidInput("logistics.not_accepted", id=match_id)
            now = self.clock.now()
            await self.repo.update_match(
                match_id,
                now,
                status=match_move(view.match.status, MatchStatus.COMPLETED),
                completed_at=now,
            )
            await self.repo.update_request(
                view.request.id, now, status=cargo_move(view.request.status, CargoStatus.SHIPPED)
            )
            view = await self._reload(match_id)
            completed = Completed(view, side, await self.sides([view]))
            await self.publish(completed)
        return completed
