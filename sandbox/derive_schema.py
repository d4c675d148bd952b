"""Derive the compact Bot API schema used by the sandbox at run time.

Run by hand whenever the upstream description changes::

    python sandbox/derive_schema.py [path/to/api.json]

It reads the full Bot API description (``../shared/telegram-bot-api/api.json``
relative to the project root) and writes ``sandbox/bot_api_schema.json`` (the
methods) and ``sandbox/bot_api_types.json`` (every type an ``Update`` can hold,
which the update fuzzer of the tests builds from).  The project never reads the
upstream file at run time: the derived files are committed so tests stay
hermetic.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
DEFAULT_SOURCE = HERE.parent.parent / "shared" / "telegram-bot-api" / "api.json"
TARGET = HERE / "bot_api_schema.json"
TYPES_TARGET = HERE / "bot_api_types.json"

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


def _base(type_name: str) -> str:
    while type_name.startswith("Array of "):
        type_name = type_name.removeprefix("Array of ")
    return type_name


def _string_values(description: str) -> dict[str, Any]:
    """A string field's one value ("always ...") or its listed values ("can be ...")."""
    const = re.search(r'always "([^"]+)"', description)
    if const:
        return {"const": const.group(1)}
    if re.search(r"\b(can be|one of|either)\b", description) and not description.startswith(
        'Optional. For "'
    ):
        values = re.findall(r'"([^"]{1,40})"', description)
        if values:
            return {"values": values}
    return {}


def derive_types(api: dict[str, Any], root: str = "Update") -> dict[str, Any]:
    """Every type reachable from `root`: its fields (types, required, a string's values) or,
    for a type that is one of several, its subtypes."""
    types = api["types"]
    found: dict[str, Any] = {}
    stack = [root]
    while stack:
        name = stack.pop()
        if name in found or name not in types:
            continue
        spec = types[name]
        if "subtypes" in spec:
            found[name] = {"subtypes": list(spec["subtypes"])}
            stack.extend(_base(sub) for sub in spec["subtypes"])
            continue
        fields: dict[str, Any] = {}
        for field in spec.get("fields", []):
            entry: dict[str, Any] = {"types": list(field["types"]), "required": field["required"]}
            if field["types"] == ["String"]:
                entry.update(_string_values(field.get("description", "")))
            fields[field["name"]] = entry
            stack.extend(_base(t) for t in field["types"])
        found[name] = {"fields": fields}
    return dict(sorted(found.items()))


def write_types(api: dict[str, Any], target: Path = TYPES_TARGET) -> int:
    """Write the types an update can hold, one per line; return how many."""
    types = derive_types(api)
    lines = [
        f"  {json.dumps(name)}: {json.dumps(spec, ensure_ascii=False, sort_keys=True)}"
        for name, spec in types.items()
    ]
    text = (
        "{\n"
        f'  "version": {json.dumps(api.get("version"))},\n'
        '  "types": {\n  ' + ",\n  ".join(lines) + "\n  }\n}\n"
    )
    target.write_text(text, encoding="utf-8")
    return len(types)


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
    if len(argv) <= 2:  # the default place: the update types go beside the methods
        print(f"wrote {write_types(api)} types to {TYPES_TARGET}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
