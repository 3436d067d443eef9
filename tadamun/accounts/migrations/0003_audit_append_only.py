"""The audit trail is append-only in the database itself (:mod:`tadamun.dbtriggers`)."""

from django.db import migrations

from tadamun.dbtriggers import append_only


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_activationtoken_signinthrottle_staffprofile_and_more"),
    ]

    operations = [append_only("accounts_auditevent")]
