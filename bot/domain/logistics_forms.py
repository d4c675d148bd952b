"""The one-line forms: `/truck 海门 常州 4-25 3t 厢式 6.8m`, `/cargo 海门 常州 4-24~4-26 2t 布`.

The first two words are origin and destination; the rest may come in any order: a date (truck) or
a date range with `~` (cargo), tonnes (`3t` / `3吨`), volume (`1.5m3` / `1.5方` / `1.5立方`), a
length (`6.8m`), a vehicle type (厢式 高栏 平板 冷藏), `冷链`, pieces (`10件`), cities on the way
(`经 南通,无锡`), a price note (`运费800`, `800元`, `面议`) and a contact (`联系:...`, or contact
details anywhere: a phone number in any spelling, `微信 abc123`, `QQ 12345`; they are taken out
of the text first, so `138 0000 1111` never becomes three words of a cargo name). Words nothing
else claims name the cargo. Dates are read in the park's time zone:
YYYY-MM-DD, M-D, M/D, M月D日, 今天, 明天, 后天; a M-D more than 30 days past means next year.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from bot.domain.contacts import strip_contacts
from bot.domain.logistics import LENGTHS, CargoForm, TruckForm
from bot.domain.numbers import DIGIT, PIECES
from bot.errors import InvalidInput

MAX_TONNES = 100.0
MAX_M3 = 200.0
MAX_TEXT = 40
RELATIVE_DAYS = {"今天": 0, "今日": 0, "明天": 1, "明日": 1, "后天": 2}
VEHICLE_WORDS = {
    "厢式": "box",
    "厢车": "box",
    "厢式车": "box",
    "高栏": "rail",
    "高栏车": "rail",
    "平板": "flat",
    "平板车": "flat",
    "冷藏": "cold",
    "冷藏车": "cold",
}
COLD_WORDS = frozenset({"冷链", "冷鲜", "冷冻"})
VIA_WORD = "经"
_NUMBER = r"(\d{1,4}(?:\.\d{1,3})?)"
_TONNES = re.compile(rf"^{_NUMBER}(?:t|T|吨)$")
_M3 = re.compile(rf"^{_NUMBER}(?:m3|M3|m³|方|立方|立方米)$")
_LENGTH = re.compile(rf"^{_NUMBER}(?:m|M|米)$")
PIECE_UNITS = ("件", "箱", "托", "个")
# A word that is a count of pieces; `parse_pieces` reads its number (bounds and all).
_PIECES = re.compile(rf"^{DIGIT}+(?:{'|'.join(PIECE_UNITS)})$")
_CONTACT = re.compile(r"^(?:联系人?|电话|手机|contact)[:：]?(.+)$", re.IGNORECASE)
_PRICE = re.compile(
    r"^(?:运费|价格|价钱|报价|price)[:：]?(.+)$|^(\d{1,6}(?:\.\d{1,2})?元\S*)$|^(面议)$"
)
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_MONTH_DAY = re.compile(r"^(\d{1,2})[-/](\d{1,2})$|^(\d{1,2})月(\d{1,2})[日号]?$")
_RANGE = re.compile(r"[~～至]")
_VIA_SPLIT = re.compile(r"[,，、/]")
# A place: letters of any script, no digits or punctuation that other fields use.
_PLACE = re.compile(r"^[^\W\d_]{1,20}$")


def parse_date(text: str, today: date) -> date:
    """Read one date word relative to `today` (the park's local date).

    Raises:
        InvalidInput: not a date this form knows, or no such day.
    """
    word = text.strip()
    if word in RELATIVE_DAYS:
        return today + timedelta(days=RELATIVE_DAYS[word])
    try:
        iso = _ISO.match(word)
        if iso:
            return date(int(iso[1]), int(iso[2]), int(iso[3]))
        md = _MONTH_DAY.match(word)
        if md:
            month, day = (int(md[1]), int(md[2])) if md[1] else (int(md[3]), int(md[4]))
            found = date(today.year, month, day)
            if found < today - timedelta(days=30):
                found = date(today.year + 1, month, day)
            return found
    except ValueError:
        raise InvalidInput("logistics.bad_date", value=word[:20]) from None
    raise InvalidInput("logistics.bad_date", value=word[:20])


def is_date_word(word: str) -> bool:
    return bool(
        word in RELATIVE_DAYS
        or _ISO.match(word)
        or _MONTH_DAY.match(word)
        or (_RANGE.search(word) and all(is_date_word(p) for p in _RANGE.split(word) if p))
    )


def parse_range(text: str, today: date) -> tuple[date, date]:
    """Read `A` or `A~B` into (first, last).

    Raises:
        InvalidInput: a bad date, or the range ends before it starts.
    """
    parts = [p for p in _RANGE.split(text) if p.strip()]
    if len(parts) == 1 and not _RANGE.search(text):
        day = parse_date(parts[0], today)
        return day, day
    if len(parts) != 2:
        raise InvalidInput("logistics.bad_date", value=text[:20])
    first, last = parse_date(parts[0], today), parse_date(parts[1], today)
    if last < first:
        raise InvalidInput("logistics.range_backwards", value=text[:20])
    return first, last


def check_dates(first: date, last: date, today: date, max_days_ahead: int) -> None:
    """Refuse dates in the past or too far ahead.

    Raises:
        InvalidInput: a date before today or more than `max_days_ahead` days away.
    """
    if first < today:
        raise InvalidInput("logistics.date_past", day=first.isoformat())
    if last > today + timedelta(days=max_days_ahead):
        raise InvalidInput("logistics.date_too_far", days=max_days_ahead)


def parse_place(word: str) -> str:
    """Check a place name (letters only, at most 20).

    Raises:
        InvalidInput: digits, punctuation or a reserved word.
    """
    cleaned = word.strip()
    reserved = cleaned in VEHICLE_WORDS or cleaned in COLD_WORDS or cleaned in RELATIVE_DAYS
    if not _PLACE.match(cleaned) or reserved or cleaned == VIA_WORD:
        raise InvalidInput("logistics.bad_place", value=cleaned[:20])
    return cleaned


def parse_amount(text: str, pattern: re.Pattern[str], limit: float, key: str) -> float | None:
    """The number of a `3t`-like word, or None if the word is not of this kind.

    Raises:
        InvalidInput: zero or over `limit`.
    """
    found = pattern.match(text)
    if not found:
        return None
    value = float(found[1])
    if not 0 < value <= limit:
        raise InvalidInput(key, value=text[:20], limit=f"{limit:g}")
    return value


def parse_pieces(text: str) -> int:
    """The number of pieces in `10`, `10件`, `１０箱`.

    Raises:
        BadNumber: not a whole number of pieces (bot.domain.numbers).
    """
    cleaned = text.strip()
    for unit in PIECE_UNITS:
        cleaned = cleaned.removesuffix(unit)
    return PIECES.parse(cleaned)


class _Words:
    """Collects the optional words shared by both forms."""

    def __init__(self) -> None:
        self.dates: str | None = None
        self.tonnes: float | None = None
        self.m3: float | None = None
        self.length: str | None = None
        self.vehicle: str | None = None
        self.cold = False
        self.pieces: int | None = None
        self.via: list[str] = []
        self.price: str | None = None
        self.contact: str | None = None
        self.rest: list[str] = []

    def take(self, words: list[str], *, via: bool) -> None:
        index = 0
        while index < len(words):
            word = words[index]
            index += 1
            # Cargo has no route: there 经编面料 is a cargo name, not "via 编面料".
            if via and word.startswith(VIA_WORD):
                listed = word[1:]
                if not listed and index < len(words):
                    listed, index = words[index], index + 1
                self.via += [parse_place(c) for c in _VIA_SPLIT.split(listed) if c.strip()]
                if not listed:
                    raise InvalidInput("logistics.bad_via")
            else:
                self._one(word)

    def _one(self, word: str) -> None:
        if is_date_word(word):
            if self.dates is not None:
                raise InvalidInput("logistics.two_dates", value=word[:20])
            self.dates = word
        elif (value := parse_amount(word, _TONNES, MAX_TONNES, "logistics.bad_tonnes")) is not None:
            self.tonnes = value
        elif (value := parse_amount(word, _M3, MAX_M3, "logistics.bad_m3")) is not None:
            self.m3 = value
        elif (length := _LENGTH.match(word)) is not None:
            self.length = f"{float(length[1]):g}"
            if self.length not in LENGTHS:
                raise InvalidInput("logistics.bad_length", value=word[:20])
        elif word in VEHICLE_WORDS:
            self.vehicle = VEHICLE_WORDS[word]
        elif word in COLD_WORDS:
            self.cold = True
        elif _PIECES.match(word):
            self.pieces = parse_pieces(word)
        elif (contact := _CONTACT.match(word)) is not None:
            self.contact = contact[1][:MAX_TEXT]
        elif _PRICE.match(word):
            self.price = word[:MAX_TEXT]
        else:
            self.rest.append(word)


def _split(text: str, *, via: bool) -> tuple[str, str, _Words]:
    rest, contacts = strip_contacts(text)
    words = rest.replace("\u3000", " ").split()
    if len(words) < 3:
        raise InvalidInput("logistics.too_short")
    origin, destination = parse_place(words[0]), parse_place(words[1])
    found = _Words()
    found.take(words[2:], via=via)
    if contacts:
        given = [found.contact] if found.contact else []
        found.contact = "、".join(dict.fromkeys([*given, *contacts]))
    if found.dates is None:
        raise InvalidInput("logistics.need_date")
    if found.tonnes is None:
        raise InvalidInput("logistics.need_tonnes")
    return origin, destination, found


def parse_truck(text: str, today: date, *, max_days_ahead: int = 60) -> TruckForm:
    """Parse `/truck` arguments into a form.

    Raises:
        InvalidInput: a missing or malformed field, named in the message.
    """
    origin, destination, found = _split(text, via=True)
    if found.rest:
        raise InvalidInput("logistics.unknown_word", value=found.rest[0][:20])
    if found.vehicle is None:
        raise InvalidInput("logistics.need_vehicle")
    assert found.dates is not None and found.tonnes is not None
    first, last = parse_range(found.dates, today)
    if first != last:
        raise InvalidInput("logistics.truck_one_date")
    check_dates(first, last, today, max_days_ahead)
    return TruckForm(
        origin=origin,
        destination=destination,
        depart_date=first,
        vehicle=found.vehicle,
        spare_tonnes=found.tonnes,
        via=tuple(dict.fromkeys(found.via)),
        length=found.length,
        spare_m3=found.m3,
        price_note=found.price,
        contact=found.contact,
    )


def parse_cargo(text: str, today: date, *, max_days_ahead: int = 60) -> CargoForm:
    """Parse `/cargo` arguments into a form.

    Raises:
        InvalidInput: a missing or malformed field, named in the message.
    """
    origin, destination, found = _split(text, via=False)
    if found.via or found.vehicle or found.length:
        raise InvalidInput("logistics.truck_words_in_cargo")
    name = " ".join(found.rest).strip()
    if not name:
        raise InvalidInput("logistics.need_cargo_name")
    if len(name) > MAX_TEXT:
        raise InvalidInput("logistics.too_long", limit=MAX_TEXT)
    assert found.dates is not None and found.tonnes is not None
    first, last = parse_range(found.dates, today)
    check_dates(first, last, today, max_days_ahead)
    return CargoForm(
        origin=origin,
        destination=destination,
        ready_date=first,
        latest_date=last,
        cargo_name=name,
        tonnes=found.tonnes,
        m3=found.m3,
        pieces=found.pieces,
        cold=found.cold,
        price_note=found.price,
        contact=found.contact,
    )
