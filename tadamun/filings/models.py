"""Tables of the declaration files. No behaviour here: services.py stores and processes,
selectors.py reads.

A filing is one file an employer sent for one period, stored as received (outside the web root)
with its sha256: the same file twice for the same employer is the same filing. Its status moves
queued → processing → accepted | rejected | failed; an accepted filing points at the declaration
it made, a rejected one holds its problems.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class FilingStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    PROCESSING = "processing", _("Processing")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")
    FAILED = "failed", _("Failed")


class Filing(models.Model):
    employer = models.ForeignKey(
        "registry.Employer", on_delete=models.PROTECT, related_name="filings"
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    fmt = models.CharField(max_length=16)
    period_label = models.CharField(max_length=8)
    original_name = models.CharField(max_length=200)
    #: Where the file lies, relative to ``VAR_DIR / "filings"``.
    stored_name = models.CharField(max_length=200)
    sha256 = models.CharField(max_length=64)
    size = models.BigIntegerField()
    zipped = models.BooleanField(default=False)
    status = models.CharField(max_length=16, choices=FilingStatus, default=FilingStatus.QUEUED)
    lines_total = models.PositiveIntegerField(default=0)
    lines_done = models.PositiveIntegerField(default=0)
    attempts = models.PositiveSmallIntegerField(default=0)
    problem_count = models.PositiveIntegerField(default=0)
    declaration = models.OneToOneField(
        "declarations.Declaration",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="filing",
    )
    #: Why processing failed (an internal error, not the file's fault), for the operators.
    failure = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = (
            models.UniqueConstraint(fields=["employer", "sha256"], name="filing_same_file_once"),
        )
        indexes = (models.Index(fields=["employer", "created_at"], name="filing_employer_idx"),)
        ordering = ("-created_at", "-id")

    def __str__(self) -> str:
        return f"filing {self.pk} {self.fmt} {self.period_label} ({self.status})"


class FilingProblem(models.Model):
    """One problem of a rejected file: line (0: the whole file), field, code, message in the
    three languages."""

    filing = models.ForeignKey(Filing, on_delete=models.CASCADE, related_name="problems")
    line = models.PositiveIntegerField()
    field = models.CharField(max_length=60)
    code = models.CharField(max_length=40)
    message_fr = models.TextField()
    message_ar = models.TextField()
    message_en = models.TextField()

    class Meta:
        ordering = ("filing", "line", "id")
        indexes = (models.Index(fields=["filing", "line"], name="filing_problem_idx"),)

    def __str__(self) -> str:
        return f"{self.filing_id}:{self.line} {self.field} {self.code}"

    def message(self, language: str) -> str:
        lang = language.split("-")[0]
        return {"fr": self.message_fr, "ar": self.message_ar}.get(lang, self.message_en)
