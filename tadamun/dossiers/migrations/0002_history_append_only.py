"""A dossier's history is append-only in the database itself (:mod:`tadamun.dbtriggers`)."""

from django.db import migrations

from tadamun.dbtriggers import append_only


class Migration(migrations.Migration):
    dependencies = [
        ("dossiers", "0001_initial"),
    ]

    operations = [append_only("dossiers_dossierevent")]
