"""Strict decoding of Bot API parameters against ``bot_api_schema.json``.

Form and query values arrive as strings (python-telegram-bot JSON-encodes
objects, arrays, booleans and numbers), JSON bodies arrive typed; both are
normalised here to Python values so method handlers never see raw strings.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

SCHEMA_PATH = Path(__file__).with_name("bot_api_schema.json")


class ApiError(Exception):
    """A Bot API error answer: ``{"ok": false, "error_code", "description"}``."""

    def __init__(
        self,
        code: int,
        description: str,
        retry_after: int | None = None,
        *,
        migrate_to_chat_id: int | None = None,
    ) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.retry_after = retry_after
        self.migrate_to_chat_id = migrate_to_chat_id

    def parameters(self) -> dict[str, int] | None:
        """The ResponseParameters object of the answer, if any."""
        found: dict[str, int] = {}
        if self.migrate_to_chat_id is not None:
            found["migrate_to_chat_id"] = self.migrate_to_chat_id
        if self.retry_after is not None:
            found["retry_after"] = self.retry_after
        return found or None


def bad_request(text: str) -> ApiError:
    """Shortcut for the ubiquitous 400 answer."""
    return ApiError(400, f"Bad Request: {text}")


@dataclass
class Upload:
    """A file that arrived as a multipart part."""

    filename: str
    content_type: str
    data: bytes


@lru_cache(maxsize=1)
def load_schema() -> dict[str, Any]:
    """The committed schema (cached: it never changes at run time)."""
    data: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return data


@lru_cache(maxsize=1)
def method_index() -> dict[str, str]:
    """Lower-case method name -> canonical name (the server is case-insensitive)."""
    return {name.lower(): name for name in load_schema()["methods"]}


_PRIMITIVES = {"Integer", "Float", "Boolean", "String"}


def _as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            return None
    return None


def _as_float(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip())
        except ValueError:
            return None
    return None


def _as_bool(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in ("true", "false", "1", "0"):
        return value.strip().lower() in ("true", "1")
    return None


def _as_json(value: Any, want: type) -> Any:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return None
    return value if isinstance(value, want) else None


_MISSING = object()


def _coerce(value: Any, type_name: str, uploads: dict[str, Upload]) -> Any:
    """Convert *value* to *type_name* or return ``_MISSING`` when it does not fit."""
    result: Any
    if type_name == "Integer":
        result = _as_int(value)
    elif type_name == "Float":
        result = _as_float(value)
    elif type_name == "Boolean":
        result = _as_bool(value)
    elif type_name == "String":
        if isinstance(value, (bool, dict, list)):
            result = None
        else:
            result = value if isinstance(value, str) else str(value)
    elif type_name == "InputFile":
        if isinstance(value, Upload):
            result = value
        elif isinstance(value, str) and value.startswith("attach://"):
            result = uploads.get(value[len("attach://") :])
        else:
            result = None
    elif type_name.startswith("Array of "):
        result = _as_json(value, list)
    else:
        result = _as_json(value, dict)
    return _MISSING if result is None else result


def decode_params(method: str, raw: dict[str, Any], uploads: dict[str, Upload]) -> dict[str, Any]:
    """Validate *raw* parameters of *method* and return them typed.

    Raises :class:`ApiError` for unknown parameters, wrong types and missing
    required fields, in that order, with the real server's wording.
    """
    fields: dict[str, Any] = load_schema()["methods"][method]
    for name in raw:
        if name not in fields:
            raise bad_request(f"unknown parameter {name}")
    decoded: dict[str, Any] = {}
    for name, value in raw.items():
        types: list[str] = fields[name]["types"]
        if value is None:
            continue
        for type_name in types:
            converted = _coerce(value, type_name, uploads)
            if converted is not _MISSING:
                decoded[name] = converted
                break
        else:
            raise bad_request(f"field {name} must be of type {' or '.join(types)}")
    for name, spec in fields.items():
        if spec["required"] and name not in decoded:
            if method in ("sendMessage", "editMessageText") and name == "text":
                raise bad_request("message text is empty")
            raise bad_request(f"{name} is required")
    return decoded
