"""Append-only tables, enforced by the database itself: a row trigger refuses UPDATE and DELETE on
PostgreSQL (Django's test flush uses TRUNCATE there, which row triggers do not see) and UPDATE on
SQLite (whose test flush deletes rows, so the embedded database keeps DELETE for it).

For a migration: ``operations = [append_only("accounts_auditevent")]``. The trigger and function
are named after the table (``<table>_no_update``, ``<table>_append_only``).
"""

from __future__ import annotations

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps


def _statements(table: str) -> dict[str, dict[str, list[str]]]:
    return {
        "postgresql": {
            "up": [
                f"""
CREATE OR REPLACE FUNCTION {table}_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '{table} is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER {table}_no_update BEFORE UPDATE OR DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION {table}_append_only();
"""
            ],
            "down": [
                f"""
DROP TRIGGER IF EXISTS {table}_no_update ON {table};
DROP FUNCTION IF EXISTS {table}_append_only();
"""
            ],
        },
        "sqlite": {
            "up": [
                f"""CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table}
    BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END;"""
            ],
            "down": [f"DROP TRIGGER IF EXISTS {table}_no_update;"],
        },
    }


def append_only(table: str) -> migrations.RunPython:
    """The migration operation that makes ``table`` append-only (and, reversed, undoes it)."""
    statements = _statements(table)

    def run(direction: str, schema_editor: BaseDatabaseSchemaEditor) -> None:
        for statement in statements.get(schema_editor.connection.vendor, {}).get(direction, []):
            schema_editor.execute(statement)

    def up(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
        run("up", schema_editor)

    def down(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
        run("down", schema_editor)

    return migrations.RunPython(up, down)
