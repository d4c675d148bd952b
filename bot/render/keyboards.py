"""Callback data: short prefixed strings, at most 64 bytes, never trusted by the handlers.

Layout: `t:<verb>:<ticket id>[:<arg>[:<arg>]]`. Handlers match `PATTERN` and re-check the actor's
role and the ticket's state on the server for every press.
"""

from __future__ import annotations

import re

CLAIM = "claim"
TRANSFER_MENU = "xfer"
TRANSFER_TO = "xto"
PROGRESS = "prog"
RESOLVE = "res"
VIEW = "view"
CATEGORY_MENU = "cat"
SET_CATEGORY = "setcat"
KIND_MENU = "kind"
SET_KIND = "setkind"
RATE_SOLVED = "rs"
RATE = "rate"
CONTACT = "contact"  # 已联系
EXTEND_OK = "xok"  # t:xok:<ticket>:<request>, the leader approves an extension
EXTEND_NO = "xno"
SUPERVISE = "sup"  # 督办

VERBS = (
    CLAIM,
    TRANSFER_MENU,
    TRANSFER_TO,
    PROGRESS,
    RESOLVE,
    VIEW,
    CATEGORY_MENU,
    SET_CATEGORY,
    KIND_MENU,
    SET_KIND,
    RATE_SOLVED,
    RATE,
    CONTACT,
    EXTEND_OK,
    EXTEND_NO,
    SUPERVISE,
)
PATTERN = re.compile(r"^t:(" + "|".join(VERBS) + r"):(\d{1,12})((?::[a-z0-9_]{1,20}){0,2})$")


def data(verb: str, ticket_id: int, *args: str | int) -> str:
    text = ":".join(["t", verb, str(ticket_id), *[str(a) for a in args]])
    assert len(text.encode()) <= 64, text
    return text


def parse(raw: str) -> tuple[str, int, list[str]] | None:
    """Return (verb, ticket id, args) or None if the data is not ours or is malformed."""
    match = PATTERN.match(raw or "")
    if match is None:
        return None
    args = [a for a in match.group(3).split(":") if a]
    return match.group(1), int(match.group(2)), args


# A private report's enterprise, picked by a contact of several: `r:<message id>:<enterprise id>`.
REPORT_FOR_PATTERN = re.compile(r"^r:(\d{1,12}):(\d{1,12})$")


def report_for(message_id: int, enterprise_id: int) -> str:
    return f"r:{message_id}:{enterprise_id}"


def parse_report_for(raw: str) -> tuple[int, int] | None:
    """Return (message id, enterprise id) or None if the data is malformed."""
    match = REPORT_FOR_PATTERN.match(raw or "")
    return None if match is None else (int(match.group(1)), int(match.group(2)))
