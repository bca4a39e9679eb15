"""The house's floors, read from the code's own imports (every `import`, at any depth).

    triage/                          the application: may import everything below
    listener/  classifiers/  escalation/   each imports only the kernel and config
    config/                          imports only the kernel
    kernel/                          imports nothing of the project

A plugin's settings are loaded by `config` through entry points (`kernel.plugins`), not by an
import, so config never names a plugin's module.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PROJECT = ("kernel", "config", "listener", "classifiers", "escalation", "triage")
ALLOWED: dict[str, set[str]] = {
    "kernel": {"kernel"},
    "config": {"kernel", "config"},
    "listener": {"kernel", "config", "listener"},
    "classifiers": {"kernel", "config", "classifiers"},
    "escalation": {"kernel", "config", "escalation"},
}


def imported_packages(path: Path) -> list[tuple[int, str]]:
    """(line, top-level package) of every import of a project package in the file."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        elif isinstance(node, ast.Call) and _dynamic_import(node):
            names = [node.args[0].value]  # type: ignore[attr-defined]
        else:
            continue
        found += [
            (node.lineno, name.split(".")[0]) for name in names if name.split(".")[0] in PROJECT
        ]
    return found


def _dynamic_import(node: ast.Call) -> bool:
    """`importlib.import_module("pkg...")`, `__import__("pkg...")` or
    `importlib.resources.files("pkg...")` (which imports the package) with a literal name."""
    func = node.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    return (
        name in {"import_module", "__import__", "files"}
        and bool(node.args)
        and isinstance(node.args[0], ast.Constant)
        and isinstance(node.args[0].value, str)
    )


@pytest.mark.parametrize("floor", sorted(ALLOWED))
def test_no_floor_imports_one_above_it(floor: str) -> None:
    wrong = [
        f"{path.relative_to(ROOT)}:{line} imports {package}"
        for path in sorted((ROOT / floor).rglob("*.py"))
        for line, package in imported_packages(path)
        if package not in ALLOWED[floor]
    ]
    assert not wrong, "\n".join(wrong)


def test_the_walk_sees_imports_at_any_depth(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text(
        "import kernel.models\n"
        "def f():\n    from triage.storage import Store\n"
        "importlib.import_module('listener.x')\n"
        "resources.files('triage') / 'data'\n"
    )
    found = imported_packages(module)
    assert sorted(found) == [(1, "kernel"), (3, "triage"), (4, "listener"), (5, "triage")]


# --- SQL is storage's ----------------------------------------------------------------------------

#: What writes SQL: SQLAlchemy's statement builders and the tables (whose `.insert()`,
#: `.update()`, `.delete()` build statements). The queue and the web app call named functions
#: in `triage/storage/` instead; they may still name `Engine`, `Connection`, a row type or an
#: exception of SQLAlchemy.
SQL_BUILDERS = frozenset(
    {
        "select",
        "insert",
        "update",
        "delete",
        "text",
        "func",
        "and_",
        "or_",
        "not_",
        "case",
        "exists",
        "literal",
        "literal_column",
        "union",
        "union_all",
        "join",
        "outerjoin",
        "bindparam",
        "column",
        "table",
        "values",
    }
)
#: Modules whose every name builds SQL.
SQL_MODULES = ("sqlalchemy.sql", "sqlalchemy.dialects", "triage.storage.tables")


def sql_imports(path: Path) -> list[str]:
    """`line: what` for every import in the file that writes SQL, at any depth."""
    found: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found += [
                f"{node.lineno}: import {alias.name}"
                for alias in node.names
                if alias.name == "sqlalchemy" or _in_sql_module(alias.name)
            ]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            module = node.module
            for alias in node.names:
                full = f"{module}.{alias.name}"
                if (
                    _in_sql_module(module)
                    or _in_sql_module(full)
                    or (module.split(".")[0] == "sqlalchemy" and alias.name in SQL_BUILDERS)
                ):
                    found.append(f"{node.lineno}: from {module} import {alias.name}")
    return sorted(found, key=lambda line: int(line.split(":")[0]))


def _in_sql_module(name: str) -> bool:
    return any(name == m or name.startswith(m + ".") for m in SQL_MODULES)


def test_the_queue_and_the_web_app_write_no_sql() -> None:
    files = sorted((ROOT / "triage" / "queue").rglob("*.py")) + sorted(
        (ROOT / "triage" / "web").rglob("*.py")
    )
    wrong = [
        f"{path.relative_to(ROOT)}:{found} (move the SQL into triage/storage/)"
        for path in files
        for found in sql_imports(path)
    ]
    assert files
    assert not wrong, "\n".join(wrong)


def test_the_sql_check_sees_builders_tables_and_dialects(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text(
        "from sqlalchemy import Engine, select\n"
        "from sqlalchemy.exc import IntegrityError\n"
        "def f():\n    from triage.storage.tables import posts\n"
        "from sqlalchemy.dialects import postgresql\n"
        "import sqlalchemy as sa\n"
        "from sqlalchemy.sql import ColumnElement\n"
        "from triage.storage import tables\n"
        "from triage.storage import users\n"
    )
    assert sql_imports(module) == [
        "1: from sqlalchemy import select",
        "4: from triage.storage.tables import posts",
        "5: from sqlalchemy.dialects import postgresql",
        "6: import sqlalchemy",
        "7: from sqlalchemy.sql import ColumnElement",
        "8: from triage.storage import tables",
    ]
