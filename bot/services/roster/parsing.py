"""Per-row parsing: one spreadsheet row into a `CadreRow` or `EnterpriseRow`.

Each cell is normalised (full-width digits, traditional role words, Excel's float ids) and every
bad cell is reported to the `Checker`; a row whose name is unusable is dropped.
"""

import re
import unicodedata
from dataclasses import dataclass, replace

from bot.domain.models import Role
from bot.domain.textnorm import to_simplified
from bot.services.roster.cells import cell_problems
from bot.services.roster.model import Checker, credit_code_error
from bot.services.roster.rows import RosterRow, TableKind, normalize_name, split_ids

MAX_TELEGRAM_DIGITS = 15

_ROLE_WORDS: dict[str, Role] = {
    "": Role.CADRE,
    "cadre": Role.CADRE,
    "干部": Role.CADRE,
    "包联干部": Role.CADRE,
    "leader": Role.LEADER,
    "领导": Role.LEADER,
    "分管领导": Role.LEADER,
    "admin": Role.ADMIN,
    "管理员": Role.ADMIN,
}
_PHONE = re.compile(r"[0-9 +\-]{7,20}")
_TELEGRAM_ID = re.compile(rf"[1-9][0-9]{{0,{MAX_TELEGRAM_DIGITS - 1}}}")
_SCIENTIFIC = re.compile(r"[0-9]+(\.[0-9]+)?[eE][+-]?[0-9]+")


@dataclass
class CadreRow:
    row: RosterRow
    name: str
    phone: str | None
    role: Role | None  # None: the role cell was invalid (already reported)
    leader: str | None  # normalised name; None for a blank cell
    telegram_id: int | None


@dataclass
class EnterpriseRow:
    row: RosterRow
    name: str
    credit_code: str | None
    industry: str | None
    grid: str | None
    primary: str | None
    backup: str | None
    contacts: list[int]


def _optional(text: str) -> str | None:
    return text or None


def _parse_telegram(check: Checker, row: RosterRow, column: str, text: str) -> int | None:
    value = unicodedata.normalize("NFKC", text).strip()
    # A CSV saved from a float column says 7100000001.0; the id itself is unambiguous.
    whole = re.fullmatch(r"([0-9]+)\.0+", value)
    if whole:
        value = whole.group(1)
    if _SCIENTIFIC.fullmatch(value):
        check.cell(row, column, "roster.telegram_scientific", value=text)
        return None
    if value.startswith("@") or re.fullmatch(r"[A-Za-z][A-Za-z0-9_]{3,}", value):
        check.cell(row, column, "roster.telegram_username", value=text)
        return None
    if not _TELEGRAM_ID.fullmatch(value):
        check.cell(row, column, "roster.telegram_invalid", value=text, digits=MAX_TELEGRAM_DIGITS)
        return None
    return int(value)


def _screened(check: Checker, kind: TableKind, row: RosterRow) -> RosterRow | None:
    """Report oversized and formula-like cells; the row without them, or None if its name is one.

    A reported cell reads as blank afterwards, so no other rule reports it a second time.
    """
    problems = cell_problems(kind, row)
    for column, key, params in problems:
        check.cell(row, column, key, **params)
    bad = {column for column, _, _ in problems}
    if "name" in bad:
        return None
    if not bad:
        return row
    return replace(row, cells={c: "" if c in bad else v for c, v in row.cells.items()})


def parse_cadre(check: Checker, original: RosterRow) -> CadreRow | None:
    row = _screened(check, TableKind.CADRES, original)
    if row is None:
        return None
    name = normalize_name(row.get("name"))
    if not name:
        check.cell(row, "name", "roster.cadre_name_required")
        return None
    phone = unicodedata.normalize("NFKC", row.get("phone")).strip() or None
    if phone is not None and (
        not _PHONE.fullmatch(phone) or sum(c in "0123456789" for c in phone) < 7
    ):
        check.cell(row, "phone", "roster.phone_invalid", value=row.get("phone"))
    role_text = unicodedata.normalize("NFKC", row.get("role")).strip()
    role = _ROLE_WORDS.get(to_simplified(role_text.casefold()))  # 分管領導 from a Big5 file
    if role is None:
        check.cell(row, "role", "roster.role_invalid", value=role_text)
    telegram_text = row.get("telegram_id")
    telegram_id = (
        _parse_telegram(check, row, "telegram_id", telegram_text) if telegram_text else None
    )
    leader = normalize_name(row.get("leader")) or None
    return CadreRow(row, name, phone, role, leader, telegram_id)


def _parse_credit_code(check: Checker, row: RosterRow) -> str | None:
    raw = row.get("credit_code")
    if not raw:
        return None
    code = unicodedata.normalize("NFKC", raw).strip().upper()
    error = credit_code_error(code)
    if error is None:
        return code
    if "credit_code" in row.numeric:
        # An 18-digit number cannot survive Excel's 15 significant digits; say so plainly.
        check.cell(row, "credit_code", "roster.credit_numeric", value=raw)
    else:
        key, params = error
        check.cell(row, "credit_code", key, **params)
    return None


def parse_enterprise(check: Checker, original: RosterRow) -> EnterpriseRow | None:
    row = _screened(check, TableKind.ENTERPRISES, original)
    if row is None:
        return None
    name = normalize_name(row.get("name"))
    if not name:
        check.cell(row, "name", "roster.enterprise_name_required")
        return None
    contacts: list[int] = []
    for part in split_ids(row.get("contact_telegram_ids")):
        parsed = _parse_telegram(check, row, "contact_telegram_ids", part)
        if parsed is not None and parsed not in contacts:
            contacts.append(parsed)
    return EnterpriseRow(
        row=row,
        name=name,
        credit_code=_parse_credit_code(check, row),
        industry=_optional(row.get("industry")),
        grid=_optional(row.get("grid")),
        primary=normalize_name(row.get("primary_cadre")) or None,
        backup=normalize_name(row.get("backup_cadre")) or None,
        contacts=contacts,
    )
