"""Tables of the declarations. No behaviour here: services.py validates and writes, selectors.py
reads.

An accepted declaration is never updated nor deleted, with one exception: cancel-and-replace
flips the replaced declaration's ``status`` from ``accepted`` to ``cancelled_replaced`` (in the
same transaction that writes its replacement, which points at it through ``replaces``). Every
version is kept. The database enforces one accepted declaration per employer and period, one
replacement per declaration, and one declaration per submission token.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    NORMAL = "normal", _("Normal")
    NIL = "nil", _("Nothing to declare")
    REPLACEMENT = "replacement", _("Cancel and replace")


class Status(models.TextChoices):
    ACCEPTED = "accepted", _("Accepted")
    CANCELLED_REPLACED = "cancelled_replaced", _("Cancelled and replaced")


class Declaration(models.Model):
    fund = models.CharField(max_length=16)
    employer = models.ForeignKey(
        "registry.Employer", on_delete=models.PROTECT, related_name="declarations"
    )
    period_label = models.CharField(max_length=8)
    period_start = models.DateField()
    period_end = models.DateField()
    periodicity = models.CharField(max_length=16)
    version = models.PositiveIntegerField()
    kind = models.CharField(max_length=16, choices=Kind)
    status = models.CharField(max_length=24, choices=Status, default=Status.ACCEPTED)
    replaces = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="replaced_by"
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField()
    token = models.CharField(max_length=64, unique=True)
    receipt_number = models.CharField(max_length=40, unique=True)
    currency = models.CharField(max_length=3)
    due_date = models.DateField()
    headcount = models.PositiveIntegerField()
    total_wages = models.BigIntegerField()  # minor units
    total_contributions = models.BigIntegerField()  # minor units

    class Meta:
        constraints = (
            models.UniqueConstraint(
                fields=["employer", "period_label", "version"],
                name="declaration_version_unique",
            ),
            models.UniqueConstraint(
                fields=["employer", "period_label"],
                condition=Q(status="accepted"),
                name="declaration_one_accepted_per_period",
            ),
            models.CheckConstraint(
                condition=Q(total_wages__gte=0), name="declaration_wages_not_negative"
            ),
        )
        indexes = (models.Index(fields=["employer", "period_start"], name="declaration_emp_idx"),)
        ordering = ("-period_start", "-version")

    def __str__(self) -> str:
        return f"{self.receipt_number} {self.period_label} v{self.version}"


class DeclarationLine(models.Model):
    """One employee of a declaration. ``insured`` is null for a new hire with no number yet; the
    names are a copy of the registry's at submission (what was declared stays as declared)."""

    declaration = models.ForeignKey(Declaration, on_delete=models.PROTECT, related_name="lines")
    row = models.PositiveIntegerField()
    insured = models.ForeignKey(
        "registry.InsuredPerson",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="declaration_lines",
    )
    ssn = models.CharField(max_length=16, blank=True)
    surname_latin = models.CharField(max_length=100)
    first_names_latin = models.CharField(max_length=100)
    surname_arabic = models.CharField(max_length=100, blank=True)
    first_names_arabic = models.CharField(max_length=100, blank=True)
    national_id = models.CharField(max_length=24, blank=True)
    birth_date = models.DateField(null=True, blank=True)
    new_hire = models.BooleanField(default=False)
    days = models.PositiveSmallIntegerField()
    wage = models.BigIntegerField()  # minor units
    situation = models.CharField(max_length=2, blank=True)
    contribution = models.BigIntegerField()  # every branch and payer, minor units

    class Meta:
        constraints = (
            models.UniqueConstraint(fields=["declaration", "row"], name="declaration_line_row"),
            models.CheckConstraint(condition=Q(wage__gte=0), name="declaration_line_wage"),
        )
        indexes = (models.Index(fields=["insured", "declaration"], name="declaration_line_ins"),)
        ordering = ("declaration", "row")

    def __str__(self) -> str:
        return f"{self.declaration_id}#{self.row}"


class DeclarationContribution(models.Model):
    """The total of one (branch, payer) column of a declaration, in minor units."""

    declaration = models.ForeignKey(
        Declaration, on_delete=models.PROTECT, related_name="contributions"
    )
    branch = models.CharField(max_length=40)
    payer = models.CharField(max_length=40)
    amount = models.BigIntegerField()

    class Meta:
        constraints = (
            models.UniqueConstraint(
                fields=["declaration", "branch", "payer"], name="declaration_contribution_unique"
            ),
        )
        ordering = ("declaration", "id")

    def __str__(self) -> str:
        return f"{self.declaration_id} {self.branch}/{self.payer} {self.amount}"


class ImmatriculationStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    REGISTERED = "registered", _("Registered")
    REJECTED = "rejected", _("Rejected")


class ImmatriculationRequest(models.Model):
    """A new hire declared without a social security number: the agency registers the person."""

    fund = models.CharField(max_length=16)
    employer = models.ForeignKey(
        "registry.Employer", on_delete=models.PROTECT, related_name="immatriculation_requests"
    )
    line = models.OneToOneField(
        DeclarationLine, on_delete=models.PROTECT, related_name="immatriculation_request"
    )
    surname_latin = models.CharField(max_length=100)
    first_names_latin = models.CharField(max_length=100)
    surname_arabic = models.CharField(max_length=100, blank=True)
    first_names_arabic = models.CharField(max_length=100, blank=True)
    national_id = models.CharField(max_length=24, blank=True)
    birth_date = models.DateField()
    status = models.CharField(
        max_length=16, choices=ImmatriculationStatus, default=ImmatriculationStatus.PENDING
    )
    created_at = models.DateTimeField()
    insured = models.ForeignKey(
        "registry.InsuredPerson", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        indexes = (models.Index(fields=["fund", "status"], name="immatriculation_status_idx"),)
        ordering = ("created_at", "id")

    def __str__(self) -> str:
        return f"immatriculation {self.pk} ({self.status})"
