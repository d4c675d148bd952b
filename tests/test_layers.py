"""Layers point one way: handlers -> services -> storage (ARCHITECTURE.md, "The layers")."""

from __future__ import annotations

import ast
import re
import typing
from pathlib import Path

from bot.context import Services

ROOT = Path(__file__).resolve().parents[1]


def imports(folder: str) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for path in (ROOT / folder).rglob("*.py"):
        tree = ast.parse(path.read_text("utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                found += [(str(path.relative_to(ROOT)), alias.name) for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                found.append((str(path.relative_to(ROOT)), node.module))
    return found


def offenders(folder: str, banned: tuple[str, ...]) -> list[tuple[str, str]]:
    return [(f, m) for f, m in imports(folder) if m.split(".")[0] in banned or m in banned]


def test_handlers_never_touch_storage() -> None:
    assert offenders("handlers", ("storage", "aiosqlite", "sqlite3")) == []


def test_handlers_never_import_delivery() -> None:
    """Keyboards are domain values (`bot.domain.buttons`); the outbox is reached through the
    reply helpers of `handlers/common.py` only."""
    found = [(f, m) for f, m in imports("handlers") if m.startswith("bot.delivery")]
    assert found == []


def test_one_way_a_reply_leaves() -> None:
    """Every answer to the person who acted goes through `handlers/common.py` (`reply`, `edit`,
    `edit_buttons`, `answer`, `set_commands`, `set_menu_button`): no other handler module reads
    `services.outbox`, so where an answer may go is decided in one place."""
    found: list[tuple[str, int]] = []
    for path in sorted((ROOT / "handlers").rglob("*.py")):
        if path == ROOT / "handlers" / "common.py":
            continue
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr == "outbox":
                found.append((str(path.relative_to(ROOT)), node.lineno))
    assert found == []


def test_services_and_domain_never_import_telegram() -> None:
    for folder in ("bot/services", "bot/domain", "bot/render"):
        assert offenders(folder, ("telegram", "handlers")) == [], folder


def test_services_never_import_notify() -> None:
    """A service publishes outcomes; which notifier turns them into messages is the
    dispatcher's business, so no service imports the notify layer (nor runs a notifier)."""
    found = [
        (f, m)
        for f, m in imports("bot/services")
        if m == "bot.notify" or m.startswith("bot.notify.")
    ]
    assert found == []


# The domain is values and pure rules: of the project it sees only itself, its errors and the
# clock's ISO helpers, so a rule is tested without a database and moves with no wiring.
DOMAIN_MAY_IMPORT = ("bot.domain", "bot.errors", "bot.clock")


def test_domain_imports_nothing_of_ours_outside_the_domain() -> None:
    """No service, storage, notify, render or transport in the domain (the deadline rules, the
    working calendar and the metric rules included)."""
    ours = ("bot", "storage", "handlers", "telegram", "aiosqlite", "sqlite3", "sandbox")
    found = [
        (f, m)
        for f, m in imports("bot/domain")
        if m.split(".")[0] in ours and not m.startswith(DOMAIN_MAY_IMPORT)
    ]
    assert found == []


# Render turns domain values into text, keyboards, charts and workbooks; these are all it sees
# of the bot (third-party libraries aside).
RENDER_MAY_IMPORT = ("bot.domain", "bot.render", "bot.i18n", "bot.errors", "bot.clock")


def test_render_imports_the_domain_only() -> None:
    """No service, notifier, delivery, config, storage or transport in render: what it shows
    is a domain value, so a service's internals never leak into a message."""
    ours = ("bot", "storage", "handlers", "telegram", "aiosqlite", "sqlite3", "sandbox")
    found = [
        (f, m)
        for f, m in imports("bot/render")
        if m.split(".")[0] in ours and not m.startswith(RENDER_MAY_IMPORT)
    ]
    assert found == []


def test_dashboard_reaches_data_through_services_only() -> None:
    """The web app is transport, like the handlers: routes call services, never SQL."""
    assert offenders("bot/dashboard", ("storage", "aiosqlite", "sqlite3", "handlers")) == []


def test_storage_imports_no_transport() -> None:
    assert offenders("storage", ("telegram", "handlers")) == []
    allowed = {
        "bot.clock",
        "bot.domain.airing",
        "bot.domain.conversation",
        "bot.domain.events",
        "bot.domain.figures",
        "bot.domain.ledger",
        "bot.domain.models",
        "bot.domain.lifecycle",
        "bot.domain.logistics",
        "bot.domain.metric_rules",
        "bot.domain.recruiting",
        "bot.domain.taxonomy",
    }
    bot_imports = {m for _, m in imports("storage") if m.startswith("bot")}
    assert bot_imports <= allowed, bot_imports - allowed


# A notifier turns an outcome into outbox calls: it sees the domain (the outcome and its
# values), render (texts and buttons), delivery (the outbox), the translator and notify itself.
# Never a service, storage or the settings: it reads nothing and is built from plain values.
NOTIFY_MAY_IMPORT = ("bot.domain", "bot.render", "bot.delivery", "bot.i18n", "bot.notify")
OURS = ("bot", "storage", "handlers", "sandbox", "telegram", "aiosqlite", "sqlite3", "asyncpg")


def notify_offenders() -> list[tuple[str, str]]:
    """Imports of ours a notifier may not make."""
    return [
        (f, m)
        for f, m in imports("bot/notify")
        if m.split(".")[0] in OURS and not m.startswith(NOTIFY_MAY_IMPORT)
    ]


def test_notify_imports_the_domain_render_and_delivery_only() -> None:
    """No service, storage or settings in a notifier: the outcome carries its recipients (the
    publishing service resolved them), so a notifier is tested without a database."""
    assert notify_offenders() == []


def notify_fields() -> set[str]:
    """The `Services` fields that hold an object of the notify layer."""
    hints = typing.get_type_hints(Services)
    return {
        n for n, kind in hints.items() if getattr(kind, "__module__", "").startswith("bot.notify")
    }


# Transport and job bodies: they call a service and reply; the service publishes its outcomes.
CALLERS = (
    "handlers",
    "bot/dashboard",
    "bot/runtime/process.py",
    "bot/runtime/application.py",
    "bot/runtime/schedule.py",
)


def test_handlers_never_reach_bot_notify() -> None:
    """No handler, dashboard route or job body imports bot.notify or calls a notifier through
    the services: a service publishes what it caused, so nobody can forget to notify."""
    fields = notify_fields()
    assert fields, "no Services field holds a notify object: the check sees nothing"
    found: list[tuple[str, str]] = []
    for name in CALLERS:
        where = ROOT / name
        paths = [where] if where.suffix else sorted(where.rglob("*.py"))
        for path in (p for p in paths if p.exists()):
            for node in ast.walk(ast.parse(path.read_text("utf-8"))):
                module = node.module if isinstance(node, ast.ImportFrom) else None
                names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
                for imported in [module or "", *names]:
                    if imported == "bot.notify" or imported.startswith("bot.notify."):
                        found.append((str(path.relative_to(ROOT)), imported))
                if isinstance(node, ast.Attribute) and node.attr in fields:
                    found.append((str(path.relative_to(ROOT)), node.attr))
    assert found == []


def test_only_the_application_imports_handlers() -> None:
    users = {f for f, m in imports("bot") if m.split(".")[0] == "handlers"}
    assert users == {"bot/runtime/application.py"}


# SQLite's own spellings; `storage/dialect.py` (and the SQLite `storage/db.py`) hold them.
SQLITE_ONLY = re.compile(
    r"INSERT OR |REPLACE INTO|PRAGMA|\bMAX\([^()]*,[^()]*\)"
    r"|[\s(]\+[a-z_]+\.?[a-z_]*\s*(=|IN|<|>)"
    r"|(?i:json_extract|json_each|strftime\(|julianday\(|instr\(|lastrowid)"
)


def test_repositories_talk_to_the_database_interface_only() -> None:
    """Each backend's own lives in its module (`storage/sqlite.py`, `storage/postgres.py`) and its
    dialect; the repositories are the same for both."""
    assert offenders("storage/repos", ("aiosqlite", "sqlite3")) == []
    assert [(f, m) for f, m in imports("storage/repos") if m == "storage.db"] == []
    found = []
    for path in sorted((ROOT / "storage" / "repos").glob("*.py")):
        tree = ast.parse(path.read_text("utf-8"))
        for node in ast.walk(tree):
            text = node.value if isinstance(node, ast.Constant) else None
            if isinstance(text, str) and SQLITE_ONLY.search(text):
                found.append((path.name, text))
    assert found == []


def test_the_sqlite_only_check_sees_each_spelling() -> None:
    for sql in (
        "INSERT OR IGNORE INTO kv VALUES (?, ?)",
        "SELECT json_extract(data, '$.level') FROM ticket_events",
        "SELECT strftime('%Y', 'now')",
        "PRAGMA foreign_keys=ON",
        "WHERE instr(name, ?) > 0",
        "SET ok = MAX(users.ok, excluded.ok)",
        "AND +e.type = 'claim'",
        " AND +latest_date >= ?",
    ):
        assert SQLITE_ONLY.search(sql), sql
    assert not SQLITE_ONLY.search("SELECT MAX(at) FROM ticket_events WHERE id IN (?, ?)")


WIRING = {"bot/wiring/bot.py", "bot/wiring/shared.py"}


def wired_classes() -> set[str]:
    """The services and notifiers: classes the container builds once and hands out."""
    names = set()
    for folder in ("bot/services", "bot/notify"):
        for path in (ROOT / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text("utf-8"))):
                if isinstance(node, ast.ClassDef) and node.name.endswith(
                    ("Service", "Notifier", "Publisher", "Composer", "Dispatcher", "Recipients")
                ):
                    names.add(node.name)
    return names


def constructions(folders: tuple[str, ...], names: set[str]) -> set[tuple[str, str]]:
    found = set()
    for folder in folders:
        for path in (ROOT / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text("utf-8"))):
                called = node.func if isinstance(node, ast.Call) else None
                if isinstance(called, ast.Name) and called.id in names:
                    found.add((str(path.relative_to(ROOT)), called.id))
    return found


def test_only_the_container_builds_services_and_notifiers() -> None:
    """One place wires: the CLI, the demo and the ledger child ask the container too."""
    names = wired_classes()
    assert {"TicketService", "TicketNotifier", "Dispatcher", "Recipients", "RosterService"} <= names
    built = constructions(("bot", "handlers", "storage"), names)
    assert {f for f, _ in built} == WIRING, sorted(f for f in built if f[0] not in WIRING)


def test_services_compose_never_subclass_each_other() -> None:
    """A feature's parts share one core object (as the ticket loop's `TicketCore`), never a
    base class: no class of bot/services extends another class of bot/services."""
    trees = [(p, ast.parse(p.read_text("utf-8"))) for p in (ROOT / "bot/services").rglob("*.py")]
    ours = {n.name for _, t in trees for n in ast.walk(t) if isinstance(n, ast.ClassDef)}
    found = [
        (str(path.relative_to(ROOT)), node.name, ast.unparse(base))
        for path, tree in trees
        for node in ast.walk(tree)
        if isinstance(node, ast.ClassDef)
        for base in node.bases
        if ast.unparse(base).split(".")[-1] in ours
    ]
    assert {"TicketCore", "TicketService"} <= ours
    assert found == []


def repository_classes() -> set[str]:
    """The classes of storage/repos: what `storage.unit.Repositories` builds once."""
    return {
        node.name
        for path in (ROOT / "storage" / "repos").glob("*.py")
        for node in ast.walk(ast.parse(path.read_text("utf-8")))
        if isinstance(node, ast.ClassDef) and node.name.endswith(("Repo", "Epochs"))
    }


def test_services_get_their_repositories_from_the_unit_of_work() -> None:
    """No service (nor the wiring) builds a repository by hand: `Repositories` is built once on
    the database and every service reads its repositories off it."""
    names = repository_classes()
    assert {"TicketRepo", "CadreRepo", "EnterpriseRepo", "UserRepo"} <= names
    assert constructions(("bot/services", "bot/wiring"), names) == set()


def test_button_codecs_import_only_each_other() -> None:
    """The codecs are plain data: no telegram, no services, nothing of the project but them."""
    project = {"bot", "handlers", "storage", "sandbox"}
    found = [
        (f, m)
        for f, m in imports("bot/render/keyboards")
        if m.split(".")[0] in project | {"telegram"} and not m.startswith("bot.render.keyboards")
    ]
    assert found == []


def _sources(*folders: str) -> list[tuple[str, ast.AST]]:
    return [
        (str(path.relative_to(ROOT)), ast.parse(path.read_text("utf-8")))
        for folder in folders
        for path in sorted((ROOT / folder).rglob("*.py"))
    ]


def _is_pack(node: ast.expr) -> bool:
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "pack"
    )


def test_buttons_get_their_data_from_a_codec_only() -> None:
    """Every `Button(text, data)` packs a typed press: no f-string builds callback data."""
    loose = []
    for name, tree in _sources("bot", "handlers"):
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Button":
                data = [k.value for k in node.keywords if k.arg == "data"] or node.args[1:2]
                if not (data and _is_pack(data[0])):
                    loose.append((name, node.lineno))
    assert loose == []


def test_handlers_read_button_data_through_a_codec_only() -> None:
    """`query.data` appears only inside an `unpack(...)` call: no split(":") in a handler."""
    loose = []
    for name, tree in _sources("handlers", "bot"):
        inside = {
            id(inner)
            for node in ast.walk(tree)
            if isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "unpack"
            for inner in ast.walk(node)
        }
        for node in ast.walk(tree):
            on_query = (
                isinstance(node, ast.Attribute)
                and node.attr == "data"
                and isinstance(node.value, ast.Name)
                and node.value.id == "query"
            )
            if on_query and id(node) not in inside:
                loose.append((name, node.lineno))
    assert loose == []


DRIVERS = ("sqlite3", "aiosqlite", "asyncpg")


def test_database_drivers_stay_in_their_backend_modules() -> None:
    """Only the backend modules (and the checks and copies that are one backend's by nature)
    import a database driver; everything else goes through `storage.db.Database`."""
    users = {
        f
        for folder in ("bot", "handlers", "storage", "sandbox")
        for f, m in imports(folder)
        if m.split(".")[0] in DRIVERS
    }
    assert users == {
        "storage/sqlite.py",
        "storage/sqlite_checkpoint.py",  # the SQLite writer's checkpoints, on their own connection
        "storage/postgres.py",
        "storage/runlock.py",  # PostgreSQL's run lock holds a connection of its own
        "storage/postgres_lease.py",  # so does the workers' lease
        "storage/inspect.py",  # the doctor reads a SQLite file read-only, never migrating it
        "bot/cli/backup.py",  # SQLite's online backup API
    }


def test_one_conversation_engine() -> None:
    """Every guided dialogue runs on `bot.services.conversation`: nothing else keeps a
    conversation's state (the dialogues read and check answers; the engine stores them)."""
    importers = {
        f
        for folder in ("bot", "handlers", "storage")
        for f, m in imports(folder)
        if m == "storage.repos.conversations"
    }
    assert importers == {"storage/unit.py"}  # built once, in the unit of work
    readers = {
        f
        for f, tree in _sources("bot", "handlers")
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and node.attr == "conversations"
        and isinstance(node.value, ast.Name)
        and node.value.id == "repos"
    }
    assert readers == {"bot/services/conversation.py"}
