"""Supporting documents. The file itself lives outside the web root under
``VAR_DIR/documents/`` with a random name; the row keeps who owns it, which agency handles it,
what it is, and its SHA-256. No behaviour here: services.py writes, selectors.py reads."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Document(models.Model):
    """One checked upload. ``agency`` is the agency that handles it (set at upload or when it is
    attached to a dossier); only the owner and that agency's staff may read it."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="documents"
    )
    agency = models.ForeignKey(
        "registry.Agency",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="documents",
    )
    #: What the document is for, named by the calling app (e.g. ``consular_registration``).
    kind = models.CharField(max_length=64)
    #: The uploader's file name, cleaned; only ever shown, never used as a path.
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    #: The random file name under ``VAR_DIR/documents/`` (hex, no extension, no user input).
    storage_name = models.CharField(max_length=64, unique=True)
    uploaded_at = models.DateTimeField()

    class Meta:
        indexes = (
            models.Index(fields=["owner", "uploaded_at"], name="document_owner_idx"),
            models.Index(fields=["sha256"], name="document_sha256_idx"),
        )
        ordering = ("-uploaded_at", "-id")

    def __str__(self) -> str:
        return f"document {self.pk} ({self.kind})"
