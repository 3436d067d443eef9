"""A dossier's history is append-only in the database itself: a trigger refuses UPDATE and DELETE on
PostgreSQL (Django's test flush uses TRUNCATE there, which row triggers do not see) and UPDATE on
SQLite (whose test flush deletes rows, so the embedded database keeps DELETE for it)."""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

_POSTGRES_UP = """
CREATE OR REPLACE FUNCTION dossiers_dossierevent_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'dossiers_dossierevent is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER dossiers_dossierevent_no_update BEFORE UPDATE OR DELETE ON dossiers_dossierevent
    FOR EACH ROW EXECUTE FUNCTION dossiers_dossierevent_append_only();
"""
_POSTGRES_DOWN = """
DROP TRIGGER IF EXISTS dossiers_dossierevent_no_update ON dossiers_dossierevent;
DROP FUNCTION IF EXISTS dossiers_dossierevent_append_only();
"""
_SQLITE_UP = [
    """CREATE TRIGGER dossiers_dossierevent_no_update BEFORE UPDATE ON dossiers_dossierevent
    BEGIN SELECT RAISE(ABORT, 'dossiers_dossierevent is append-only'); END;""",
]
_SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS dossiers_dossierevent_no_update;",
]


def _up(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(_POSTGRES_UP)
    elif vendor == "sqlite":
        for statement in _SQLITE_UP:
            schema_editor.execute(statement)


def _down(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(_POSTGRES_DOWN)
    elif vendor == "sqlite":
        for statement in _SQLITE_DOWN:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("dossiers", "0001_initial"),
    ]

    operations = [migrations.RunPython(_up, _down)]
