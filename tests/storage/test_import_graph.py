"""Storage imports without a circle: the base class, the migrations, the backends, the opener.

Every import counts, wherever it is written (a module's top, inside a function, under
`TYPE_CHECKING`): an import made late to dodge a circle is still the circle, and it is how
`storage.db` came to open its own subclasses.
"""

from __future__ import annotations

import ast
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def module_name(path: Path, root: Path) -> str:
    parts = path.relative_to(root).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph(root: Path, package: str = "storage") -> dict[str, set[str]]:
    """Each module of `package` under `root` -> the modules of `package` it imports."""
    paths = {module_name(p, root): p for p in (root / package).rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in paths.items():
        wanted: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Import):
                wanted |= {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                wanted.add(node.module)
                # `from storage import migrate` imports the module storage.migrate.
                wanted |= {f"{node.module}.{alias.name}" for alias in node.names}
        found: set[str] = set()
        for target in wanted:
            # Importing a.b.c runs the packages a and a.b first.
            pieces = target.split(".")
            found |= {".".join(pieces[:n]) for n in range(1, len(pieces) + 1)}
        graph[name] = {m for m in found if m in paths and m != name}
    return graph


def cycle(graph: dict[str, set[str]]) -> list[str]:
    """One import circle of the graph, or [] if it has none."""
    try:
        TopologicalSorter(graph).prepare()
    except CycleError as error:
        return list(error.args[1])
    return []


def test_storage_has_no_import_cycle() -> None:
    assert cycle(import_graph(ROOT)) == []


def test_the_base_class_imports_no_backend() -> None:
    graph = import_graph(ROOT)
    reached, todo = set(), ["storage.db"]
    while todo:
        for module in graph[todo.pop()] - reached:
            reached.add(module)
            todo.append(module)
    assert not reached & {"storage.sqlite", "storage.postgres", "storage.open"}


def test_the_walk_sees_a_circle_made_by_a_late_import() -> None:
    """The check can fail: a circle closed by an import inside a function is found."""
    graph = {"storage.db": {"storage.migrate"}, "storage.migrate": set(), "storage.sqlite": set()}
    assert cycle(graph) == []
    graph["storage.sqlite"] = {"storage.db"}
    graph["storage.db"].add("storage.sqlite")  # `def open_database(): from storage.sqlite ...`
    assert set(cycle(graph)) == {"storage.db", "storage.sqlite"}
