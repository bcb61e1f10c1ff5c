"""STYLE.md R2: `notifications/` is the delivery machinery (outbox, dispatcher, bus, stream, timers,
digest) and knows nothing of TAF's domain; `server/` depends on it, never the other way round. Who is
told and what they may read is the server's (server/inbox/), injected as callables.

So no module of `notifications/` imports another first-party package, and none names a server table in
its SQL: it reads and writes its own tables only (notifications/models.py)."""

from __future__ import annotations

import ast
import re

from sqlmodel import SQLModel

import server.db.tables  # noqa: F401  (every table in SQLModel.metadata)
from notifications import models
from server.config import REPO_ROOT

FIRST_PARTY_ELSEWHERE = ("server", "bench", "tests")
MACHINERY = {"bus.py", "digest.py", "dispatcher.py", "events.py", "models.py", "outbox.py", "stream.py", "timers.py"}
TABLE_AFTER_KEYWORD = re.compile(r"\b(?:FROM|JOIN|INTO|UPDATE|TABLE)\s+([a-z_][a-z0-9_]*)")


def imported_modules(tree: ast.AST) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def tables_named(tree: ast.AST) -> set[str]:
    """The table names after FROM, JOIN, INTO, UPDATE or TABLE in the module's string literals (its SQL)."""
    strings = [node.value for node in ast.walk(tree) if isinstance(node, ast.Constant) and isinstance(node.value, str)]
    return {name for text in strings for name in TABLE_AFTER_KEYWORD.findall(text)}


def machinery_modules() -> dict[str, ast.AST]:
    modules = {
        str(path.relative_to(REPO_ROOT)): ast.parse(path.read_text())
        for path in (REPO_ROOT / "notifications").rglob("*.py")
    }
    # the guard reads the package where it is (an empty scan would pass whatever it imports)
    assert {name.rpartition("/")[2] for name in modules} >= MACHINERY
    return modules


def test_the_notifications_package_imports_no_other_first_party_package():
    offenders = {}
    for name, tree in machinery_modules().items():
        bad = sorted(m for m in imported_modules(tree) if m.partition(".")[0] in FIRST_PARTY_ELSEWHERE)
        if bad:
            offenders[name] = bad
    assert offenders == {}
    # and the guard itself sees imports
    assert "server.app" in imported_modules(ast.parse("from server.app import create_app"))


def test_the_notifications_package_names_no_server_table_in_its_sql():
    own = {
        model.__tablename__
        for model in (models.OutboxEvent, models.Notification, models.NotificationPreference, models.Timer)
    }
    server_tables = set(SQLModel.metadata.tables) - own
    offenders = {}
    for name, tree in machinery_modules().items():
        bad = sorted(tables_named(tree) & server_tables)
        if bad:
            offenders[name] = bad
    assert offenders == {}
    # its own SQL is seen, and a server table in a query would be
    assert any(tables_named(tree) & own for tree in machinery_modules().values())
    assert tables_named(ast.parse('q = "SELECT 1 FROM notification n JOIN team_membership t ON true"')) == {
        "notification",
        "team_membership",
    }
    assert "team_membership" in server_tables


def test_the_notification_tables_have_no_foreign_key_to_a_server_table():
    for model in (models.OutboxEvent, models.Notification, models.NotificationPreference, models.Timer):
        table = SQLModel.metadata.tables[model.__tablename__]
        assert not table.foreign_keys, table.name
