"""Test helpers are imported under one name (`tests.…`), so a module is never loaded twice."""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent
# The project's own packages, which tests/storage and tests/handlers mirror by name.
PACKAGES = {"bot", "handlers", "storage", "sandbox"}
# Folders under tests/ that pytest's rootdir insertion would also make importable on their own.
SHORT_NAMES = {
    p.name
    for p in TESTS.iterdir()
    if p.is_dir() and not p.name.startswith("_") and p.name not in PACKAGES
}


def test_helpers_are_imported_by_their_full_name() -> None:
    found = []
    for path in TESTS.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            module = node.module if isinstance(node, ast.ImportFrom) else None
            if module and module.split(".")[0] in SHORT_NAMES:
                found.append((str(path.relative_to(TESTS)), module))
    assert found == []
