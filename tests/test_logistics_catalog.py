"""Every logistics text the code asks for exists in both catalogs, literal or composed."""

from __future__ import annotations

import re
from pathlib import Path

from bot.domain.logistics import VEHICLE_TYPES, CargoStatus, TruckStatus
from bot.i18n import LOCALES, catalog
from bot.services.logistics.dialogue import CHOICES, EDITS, OK, STEPS

ROOT = Path(__file__).resolve().parents[1]


def test_literal_and_composed_logistics_keys_exist() -> None:
    pattern = re.compile(r"\"(logistics\.[a-z0-9_]+)\"")
    used: set[str] = set()
    for path in [*ROOT.glob("bot/**/*.py"), *ROOT.glob("handlers/*.py")]:
        used |= set(pattern.findall(path.read_text("utf-8")))
    assert "logistics.not_your_match" in used  # the scan itself works
    used |= {f"logistics.vehicle_{code}" for code in VEHICLE_TYPES}
    used |= {f"logistics.truck_status_{s.value}" for s in TruckStatus}
    used |= {f"logistics.cargo_status_{s.value}" for s in CargoStatus}
    for kind, steps in STEPS.items():
        used.add(f"logistics.title_{kind}")
        used |= {f"logistics.ask_{kind}_{step}" for step in steps if step != "confirm"}
        used |= {f"logistics.ask_{kind}_{step}" for step in EDITS[kind]}
        used |= {f"logistics.choice_confirm_{value}" for value in (OK, *EDITS[kind])}
    for step, values in CHOICES.items():
        used |= {f"logistics.choice_{step}_{v.replace('.', '_')}" for v in values}
    for locale in LOCALES:
        missing = used - set(catalog(locale))
        assert not missing, (locale, sorted(missing))
