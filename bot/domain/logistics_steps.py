"""The /truck and /cargo conversations' shape: their steps, buttons, and the form a draft makes.

Driven by `bot.services.logistics.dialogue` on the conversation engine (every answer re-checked
against the stored step), shown by `bot.render.logistics_chat`.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.domain.logistics import LENGTHS, VEHICLE_TYPES, CargoForm, Draft, TruckForm

STEPS: dict[str, tuple[str, ...]] = {
    "truck": ("route", "date", "vehicle", "load", "confirm"),
    "cargo": (
        "origin",
        "destination",
        "date",
        "name",
        "tonnes",
        "m3",
        "pieces",
        "cold",
        "price",
        "contact",
        "confirm",
    ),
}


# Optional fields a summary's buttons open (one question, then back to the summary).
EDITS: dict[str, tuple[str, ...]] = {"truck": ("via", "length", "price", "contact"), "cargo": ()}


CONFIRM = "confirm"


OK = "ok"


SKIP = "skip"


OPTIONAL = frozenset({"via", "length", "m3", "pieces", "price", "contact"})


# Button values per step (labels live in the catalogs as logistics.choice_<step>_<value>).
CHOICES: dict[str, tuple[str, ...]] = {
    "date": ("0", "1", "2"),
    "vehicle": VEHICLE_TYPES,
    "length": LENGTHS,
    "cold": ("yes", "no"),
    "confirm": ("ok",),
}


def form_of(draft: Draft) -> TruckForm | CargoForm:
    """Build the form a finished draft describes (for the summary and for posting)."""
    data: dict[str, Any] = draft.data
    first, last = (date.fromisoformat(d) for d in data["date"])
    if draft.kind == "truck":
        return TruckForm(
            origin=data["origin"],
            destination=data["destination"],
            depart_date=first,
            vehicle=data["vehicle"],
            spare_tonnes=data["tonnes"],
            via=tuple(data.get("via") or ()),
            length=data.get("length"),
            spare_m3=data.get("m3"),
            price_note=data.get("price"),
            contact=data.get("contact"),
        )
    return CargoForm(
        origin=data["origin"],
        destination=data["destination"],
        ready_date=first,
        latest_date=last,
        cargo_name=data["name"],
        tonnes=data["tonnes"],
        m3=data.get("m3"),
        pieces=data.get("pieces"),
        cold=bool(data.get("cold")),
        price_note=data.get("price"),
        contact=data.get("contact"),
    )
