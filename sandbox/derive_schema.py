"""Derive the compact Bot API schema used by the sandbox at run time.

Run by hand whenever the upstream description changes::

    python sandbox/derive_schema.py [path/to/api.json]

It reads the full Bot API description (``../shared/telegram-bot-api/api.json``
relative to the project root) and writes ``sandbox/bot_api_schema.json``.  The
project never reads the upstream file at run time: the derived file is
committed so tests stay hermetic.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
DEFAULT_SOURCE = HERE.parent.parent / "shared" / "telegram-bot-api" / "api.json"
TARGET = HERE / "bot_api_schema.json"

# Parameters the real server still accepts although the documentation dropped
# them (python-telegram-bot users and older code still send them).
LEGACY_FIELDS: dict[str, dict[str, Any]] = {
    "reply_to_message_id": {"types": ["Integer"], "required": False},
    "allow_sending_without_reply": {"types": ["Boolean"], "required": False},
}
LEGACY_PREVIEW_FIELD: dict[str, Any] = {"types": ["Boolean"], "required": False}


def derive(api: dict[str, Any]) -> dict[str, Any]:
    """Return the compact schema for the parsed upstream description."""
    methods: dict[str, dict[str, Any]] = {}
    for name, method in sorted(api["methods"].items()):
        fields: dict[str, Any] = {}
        for field in method.get("fields", []):
            fields[field["name"]] = {
                "types": list(field["types"]),
                "required": bool(field["required"]),
            }
        if "reply_parameters" in fields:
            for legacy, spec in LEGACY_FIELDS.items():
                fields.setdefault(legacy, dict(spec))
        if "link_preview_options" in fields:
            fields.setdefault("disable_web_page_preview", dict(LEGACY_PREVIEW_FIELD))
        methods[name] = fields
    return {"version": api.get("version"), "methods": methods}


def main(argv: list[str]) -> int:
    """Entry point: ``derive_schema.py [source] [target]``."""
    source = Path(argv[1]) if len(argv) > 1 else DEFAULT_SOURCE
    target = Path(argv[2]) if len(argv) > 2 else TARGET
    api = json.loads(source.read_text(encoding="utf-8"))
    schema = derive(api)
    # One method per line keeps diffs of the committed file reviewable.
    lines = [
        f"  {json.dumps(name)}: {json.dumps(fields, ensure_ascii=False, sort_keys=True)}"
        for name, fields in schema["methods"].items()
    ]
    text = (
        "{\n"
        f'  "version": {json.dumps(schema["version"])},\n'
        '  "methods": {\n  ' + ",\n  ".join(lines) + "\n  }\n}\n"
    )
    target.write_text(text, encoding="utf-8")
    print(f"wrote {len(schema['methods'])} methods to {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
