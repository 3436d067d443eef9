"""TOTP seeds sealed at rest (tadamun/sealed.py): the column widens, and the seeds already stored
in clear are sealed in place — through SQL, because the model's field would try to open them."""

from typing import Any

from django.db import migrations

import tadamun.sealed

CONTEXT = "accounts.User.totp_secret"


def _rewrite(schema_editor: Any, change: Any, wanted: Any) -> None:
    table = schema_editor.connection.ops.quote_name("accounts_user")
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f"SELECT id, totp_secret FROM {table} WHERE totp_secret <> ''")
        rows = [(pk, value) for pk, value in cursor.fetchall() if wanted(value)]
        for pk, value in rows:
            cursor.execute(
                f"UPDATE {table} SET totp_secret = %s WHERE id = %s", [change(value), pk]
            )


def seal_clear_seeds(apps: Any, schema_editor: Any) -> None:
    _rewrite(
        schema_editor,
        lambda value: tadamun.sealed.seal(value, context=CONTEXT),
        lambda value: not value.startswith(tadamun.sealed.PREFIX),
    )


def open_sealed_seeds(apps: Any, schema_editor: Any) -> None:
    _rewrite(
        schema_editor,
        lambda value: tadamun.sealed.unseal(value, context=CONTEXT),
        lambda value: value.startswith(tadamun.sealed.PREFIX),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_user_insured"),
    ]

    operations = [
        migrations.AlterField(
            model_name="user",
            name="totp_secret",
            field=tadamun.sealed.SealedCharField(blank=True, max_length=255),
        ),
        migrations.RunPython(seal_clear_seeds, open_sealed_seeds),
    ]
