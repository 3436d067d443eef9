# Adds the question/answer event kinds (choices only: no schema change).

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("dossiers", "0002_history_append_only"),
    ]

    operations = [
        migrations.AlterField(
            model_name="dossierevent",
            name="kind",
            field=models.CharField(
                choices=[
                    ("opened", "Opened"),
                    ("status", "Status changed"),
                    ("assigned", "Assigned"),
                    ("decided", "Decided"),
                    ("document", "Document added"),
                    ("asked", "Question to the applicant"),
                    ("answered", "Answer from the applicant"),
                ],
                max_length=16,
            ),
        ),
    ]
