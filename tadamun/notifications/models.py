"""The in-app inbox: one row per message sent to a user, already rendered in their language.
No behaviour here: services.py writes, selectors.py reads."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Notification(models.Model):
    """A message to one user: shown in their inbox and, after commit, sent by e-mail."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="notifications"
    )
    #: The template it was rendered from (owned by the calling app), for tracing.
    template = models.CharField(max_length=200)
    language = models.CharField(max_length=2)
    subject = models.CharField(max_length=300)
    body = models.TextField()
    #: A path inside the site (e.g. ``/fr/dossiers/12/``) the message points to; may be empty.
    link = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = (models.Index(fields=["user", "read_at"], name="notification_unread_idx"),)
        ordering = ("-created_at", "-id")

    def __str__(self) -> str:
        return f"notification {self.pk} to {self.user_id}"
