"""Dossiers: every request a person makes (immatriculation, affiliation, retirement,
certificate, complaint…) with its status and an append-only history the person can follow.
No behaviour here: services.py writes, selectors.py reads."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class DossierStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    IN_REVIEW = "in_review", _("In review")
    NEEDS_PERSON = "needs_person", _("Waiting for an agent")
    WAITING_APPLICANT = "waiting_applicant", _("Waiting for you")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    CLOSED = "closed", _("Closed")


#: Statuses after which nothing more is decided.
FINAL_STATUSES: frozenset[str] = frozenset(
    {DossierStatus.APPROVED, DossierStatus.REJECTED, DossierStatus.CLOSED}
)
#: Statuses the agency back office queue shows (a person is needed).
QUEUE_STATUSES: frozenset[str] = frozenset(
    {DossierStatus.SUBMITTED, DossierStatus.NEEDS_PERSON, DossierStatus.IN_REVIEW}
)


class Dossier(models.Model):
    """A request and where it stands. ``kind`` is a key of :data:`tadamun.dossiers.kinds.KINDS`;
    ``subject_id`` is the id of the calling app's own object (its request row)."""

    fund = models.CharField(max_length=16)
    reference = models.CharField(max_length=32, unique=True)
    kind = models.CharField(max_length=40)
    agency = models.ForeignKey("registry.Agency", on_delete=models.PROTECT, related_name="dossiers")
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="dossiers",
    )
    insured = models.ForeignKey(
        "registry.InsuredPerson",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="dossiers",
    )
    employer = models.ForeignKey(
        "registry.Employer",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="dossiers",
    )
    subject_id = models.CharField(max_length=64, blank=True)
    status = models.CharField(max_length=20, choices=DossierStatus)
    #: Why a person is needed (suspected duplicate, unclear document…), as the opener said it.
    reason = models.CharField(max_length=1000, blank=True)
    #: A code of :data:`tadamun.dossiers.kinds.EXPECTED` (or the kind's own), or free text.
    expected_next = models.CharField(max_length=500, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_dossiers",
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.CharField(max_length=1000, blank=True)
    documents = models.ManyToManyField("documents.Document", blank=True, related_name="dossiers")
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        indexes = (
            models.Index(fields=["agency", "status", "created_at"], name="dossier_queue_idx"),
            models.Index(fields=["applicant", "created_at"], name="dossier_applicant_idx"),
            models.Index(fields=["kind", "subject_id"], name="dossier_subject_idx"),
        )
        ordering = ("-created_at", "-id")

    def __str__(self) -> str:
        return f"{self.reference} ({self.kind}, {self.status})"


class EventKind(models.TextChoices):
    OPENED = "opened", _("Opened")
    STATUS = "status", _("Status changed")
    ASSIGNED = "assigned", _("Assigned")
    DECIDED = "decided", _("Decided")
    DOCUMENT = "document", _("Document added")
    ASKED = "asked", _("Question to the applicant")
    ANSWERED = "answered", _("Answer from the applicant")


class DossierEvent(models.Model):
    """One step of a dossier's history. Append-only: a database trigger refuses UPDATE and
    DELETE (migration 0002)."""

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="events")
    at = models.DateTimeField()
    kind = models.CharField(max_length=16, choices=EventKind)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    reason = models.CharField(max_length=1000, blank=True)
    expected_next = models.CharField(max_length=500, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        indexes = (models.Index(fields=["dossier", "at"], name="dossier_event_idx"),)
        ordering = ("at", "id")

    def __str__(self) -> str:
        return f"{self.dossier_id} {self.kind} {self.to_status}"
