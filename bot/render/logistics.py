"""Logistics texts and buttons. Every user-supplied string is HTML-escaped here.

Contact details typed into free text (a cargo name, a price note, a place) are masked in every
line others see; only the owner's own lists and the two parties of an accepted match (the
contact exchange) get the text as typed, with `reveal=True`.

Buttons carry typed presses from `keyboards.logistics` (`lg:...`); the services re-check the
presser and the state for every press.
"""

from __future__ import annotations

from datetime import date

from markupsafe import Markup

from bot.domain.buttons import Button, Keyboard
from bot.domain.contacts import mask_contacts
from bot.domain.logistics import CargoForm, CargoRequest, MatchView, Party, TruckForm, TruckOffer
from bot.i18n import Translator
from bot.render.keyboards import logistics as keys


def day(value: date, tr: Translator) -> str:
    return tr("logistics.date", month=value.month, day=value.day)


def _number(value: float) -> str:
    return f"{value:g}"


def shown(text: str, tr: Translator, *, reveal: bool = False) -> str:
    """Free text as others may see it: contact details masked, unless `reveal`."""
    return text if reveal else mask_contacts(text, tr.plain("logistics.contact_hidden"))


def truck_line(offer: TruckOffer, tr: Translator, *, reveal: bool = False) -> str:
    """One truck offer without its contact (what groups and the other side see)."""
    return tr("logistics.truck_line", id=offer.id, body=truck_body(offer, tr, reveal=reveal))


def truck_body(offer: TruckOffer | TruckForm, tr: Translator, *, reveal: bool = False) -> str:
    """Route, date, vehicle and spare capacity of a truck offer (or of a draft of one)."""
    cities = "、".join(shown(c, tr, reveal=reveal) for c in offer.via)
    via = tr("logistics.via", cities=cities) if offer.via else ""
    m3 = tr("logistics.m3", value=_number(offer.spare_m3)) if offer.spare_m3 is not None else ""
    length = tr("logistics.length", value=offer.length) if offer.length else ""
    note = offer.price_note
    price = tr("logistics.price", note=shown(note, tr, reveal=reveal)) if note else ""
    return tr(
        "logistics.truck_body",
        origin=shown(offer.origin, tr, reveal=reveal),
        destination=shown(offer.destination, tr, reveal=reveal),
        via=via,
        date=day(offer.depart_date, tr),
        vehicle=tr(f"logistics.vehicle_{offer.vehicle}"),
        length=length,
        tonnes=_number(offer.spare_tonnes),
        m3=m3,
        price=price,
    )


def cargo_line(request: CargoRequest, tr: Translator, *, reveal: bool = False) -> str:
    """One cargo request without its contact."""
    return tr("logistics.cargo_line", id=request.id, body=cargo_body(request, tr, reveal=reveal))


def cargo_body(request: CargoRequest | CargoForm, tr: Translator, *, reveal: bool = False) -> str:
    """Route, window and load of a cargo request (or of a draft of one)."""
    window = day(request.ready_date, tr)
    if request.latest_date != request.ready_date:
        window += "~" + day(request.latest_date, tr)
    m3 = tr("logistics.m3", value=_number(request.m3)) if request.m3 is not None else ""
    pieces = tr("logistics.pieces", value=request.pieces) if request.pieces else ""
    note = request.price_note
    price = tr("logistics.price", note=shown(note, tr, reveal=reveal)) if note else ""
    return tr(
        "logistics.cargo_body",
        origin=shown(request.origin, tr, reveal=reveal),
        destination=shown(request.destination, tr, reveal=reveal),
        window=window,
        name=shown(request.cargo_name, tr, reveal=reveal),
        tonnes=_number(request.tonnes),
        m3=m3,
        pieces=pieces,
        cold=tr("logistics.cold_mark") if request.cold else "",
        price=price,
    )


def truck_status(offer: TruckOffer, tr: Translator) -> str:
    return tr(f"logistics.truck_status_{offer.status.value}")


def cargo_status(request: CargoRequest, tr: Translator) -> str:
    return tr(f"logistics.cargo_status_{request.status.value}")


def answer_buttons(view: MatchView, tr: Translator) -> Keyboard:
    match_id = view.match.id
    return [
        [
            Button(tr("logistics.button_accept"), keys.Accept(match_id).pack()),
            Button(tr("logistics.button_decline"), keys.Decline(match_id).pack()),
        ]
    ]


def proposal(view: MatchView, side: str, tr: Translator) -> str:
    """The private offer of a match to one side: the other post, never its contact."""
    if side == "truck":
        return tr(
            "logistics.proposal_truck",
            match=view.match.id,
            offer=view.offer.id,
            other=cargo_line(view.request, tr),
        )
    return tr(
        "logistics.proposal_cargo",
        match=view.match.id,
        request=view.request.id,
        other=truck_line(view.offer, tr),
    )


def my_trucks(offers: list[TruckOffer], tr: Translator) -> tuple[str, Keyboard]:
    if not offers:
        return tr("logistics.no_trucks"), []
    lines = [tr("logistics.my_trucks_title")]
    rows: list[list[Button]] = []
    for offer in offers:
        line = truck_line(offer, tr, reveal=True)  # the owner's own list
        lines.append(Markup("{} · {}").format(line, truck_status(offer, tr)))
        label = tr("logistics.button_withdraw_truck", id=offer.id)
        rows.append([Button(label, keys.WithdrawTruck(offer.id).pack())])
    return Markup("\n").join(lines), rows


def my_cargo(requests: list[CargoRequest], tr: Translator) -> tuple[str, Keyboard]:
    if not requests:
        return tr("logistics.no_cargo"), []
    lines = [tr("logistics.my_cargo_title")]
    rows: list[list[Button]] = []
    for request in requests:
        line = cargo_line(request, tr, reveal=True)  # the owner's own list
        lines.append(Markup("{} · {}").format(line, cargo_status(request, tr)))
        if request.status.value == "open":
            label = tr("logistics.button_withdraw_cargo", id=request.id)
            rows.append([Button(label, keys.WithdrawCargo(request.id).pack())])
    return Markup("\n").join(lines), rows


def party(who: Party, tr: Translator) -> str:
    """The other side of an agreed match: company and name, phone, Telegram account."""
    if who.username:
        telegram = Markup("@{}").format(who.username)
    else:
        telegram = Markup('<a href="tg://user?id={}">{}</a>').format(who.telegram_id, who.name)
    lines = [
        tr("logistics.party_who", company=who.company or tr("logistics.party_park"), name=who.name)
    ]
    if who.phone:
        lines.append(tr("logistics.party_phone", phone=who.phone))
    lines.append(tr("logistics.party_telegram", link=telegram))
    return Markup("\n").join(lines)
