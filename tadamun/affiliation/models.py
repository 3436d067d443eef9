"""Tables of affiliation: employees immatriculated by their employer, the self-employed's CASNOS
affiliation with its documents, and their annual income declarations. No behaviour here:
services.py validates and writes, selectors.py reads.

``declarations.ImmatriculationRequest`` (a new hire declared without a number on a declaration)
stays the declarations' own record; an :class:`EmployeeImmatriculation` made from one points at
it through ``declared``, which is how the employer's page knows it has been dealt with.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ImmatriculationStatus(models.TextChoices):
    REGISTERED = "registered", _("Number issued")
    LINKED = "linked", _("Already insured: linked to the existing number")
    NEEDS_PERSON = "needs_person", _("Sent to the agency (possible duplicate)")
    REJECTED = "rejected", _("Refused")


class ImmatriculationFile(models.Model):
    """A CSV file of new employees, accepted whole (a file with any bad line is refused whole
    and leaves no row)."""

    fund = models.CharField(max_length=16)
    employer = models.ForeignKey(
        "registry.Employer", on_delete=models.PROTECT, related_name="immatriculation_files"
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField()
    file_name = models.CharField(max_length=200)
    sha256 = models.CharField(max_length=64)
    lines = models.PositiveIntegerField()

    class Meta:
        ordering = ("-submitted_at", "-id")

    def __str__(self) -> str:
        return f"{self.file_name} ({self.lines} lines)"


class EmployeeImmatriculation(models.Model):
    """One employee an employer asked to immatriculate, and what came of it."""

    fund = models.CharField(max_length=16)
    employer = models.ForeignKey(
        "registry.Employer", on_delete=models.PROTECT, related_name="employee_immatriculations"
    )
    file = models.ForeignKey(
        ImmatriculationFile,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="requests",
    )
    row = models.PositiveIntegerField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField()
    surname_latin = models.CharField(max_length=100)
    first_names_latin = models.CharField(max_length=100)
    surname_arabic = models.CharField(max_length=100)
    first_names_arabic = models.CharField(max_length=100)
    birth_date = models.DateField()
    birth_place = models.CharField(max_length=100)
    sex = models.CharField(max_length=1)
    national_id = models.CharField(max_length=24)
    hire_date = models.DateField()
    #: Asked more than the regime's delay (10 days in Algeria) after the hire: accepted, flagged.
    late = models.BooleanField(default=False)
    status = models.CharField(max_length=16, choices=ImmatriculationStatus)
    #: Why it was sent to the agency, or why it was refused.
    reason = models.CharField(max_length=1000, blank=True)
    insured = models.ForeignKey(
        "registry.InsuredPerson", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    employment = models.ForeignKey(
        "registry.Employment", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    #: The registered person this one may be (same names and birth date).
    suspected = models.ForeignKey(
        "registry.InsuredPerson", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    dossier = models.ForeignKey(
        "dossiers.Dossier", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    declared = models.OneToOneField(
        "declarations.ImmatriculationRequest",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="affiliation_request",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        indexes = (
            models.Index(fields=["employer", "submitted_at"], name="immat_employer_idx"),
            models.Index(fields=["fund", "birth_date"], name="immat_birth_idx"),
            models.Index(fields=["fund", "national_id"], name="immat_nin_idx"),
        )
        ordering = ("-submitted_at", "-id")

    def __str__(self) -> str:
        return f"immatriculation {self.pk} ({self.status})"


class AffiliationStatus(models.TextChoices):
    PENDING = "pending", _("Being examined by the agency")
    AFFILIATED = "affiliated", _("Affiliated")
    REJECTED = "rejected", _("Refused")


class SelfEmployedAffiliation(models.Model):
    """A self-employed person's mandatory affiliation: their category, register or card, the
    start of their activity, and the agency's decision."""

    fund = models.CharField(max_length=16)
    account = models.OneToOneField(
        "registry.Employer", on_delete=models.PROTECT, related_name="self_employed_affiliation"
    )
    insured = models.ForeignKey(
        "registry.InsuredPerson", on_delete=models.PROTECT, related_name="+"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    category = models.CharField(max_length=32)
    profession = models.CharField(max_length=32, blank=True)
    register_number = models.CharField(max_length=40)
    activity_start = models.DateField()
    applied_on = models.DateField()
    #: Applied after the delay (10 days from the start of activity): accepted but flagged.
    late = models.BooleanField(default=False)
    late_days = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=16, choices=AffiliationStatus)
    reason = models.CharField(max_length=1000, blank=True)
    dossier = models.ForeignKey(
        "dossiers.Dossier", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ("-created_at", "-id")

    def __str__(self) -> str:
        return f"affiliation {self.pk} ({self.category}, {self.status})"


class AffiliationDocument(models.Model):
    """A document uploaded for one of the category's requirements."""

    affiliation = models.ForeignKey(
        SelfEmployedAffiliation, on_delete=models.PROTECT, related_name="documents"
    )
    requirement = models.CharField(max_length=40)
    document = models.ForeignKey("documents.Document", on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ("affiliation", "id")

    def __str__(self) -> str:
        return f"{self.affiliation_id} {self.requirement}"


class IncomeDeclaration(models.Model):
    """The income a self-employed person declares for a contribution year, the base it gives
    (bounded by the regime's floor and ceiling) and the contribution posted to the ledger.
    Never changed once written."""

    fund = models.CharField(max_length=16)
    account = models.ForeignKey(
        "registry.Employer", on_delete=models.PROTECT, related_name="income_declarations"
    )
    year = models.PositiveIntegerField()
    currency = models.CharField(max_length=3)
    income = models.BigIntegerField()  # minor units, as declared
    floor = models.BigIntegerField()
    ceiling = models.BigIntegerField()
    base = models.BigIntegerField()
    #: "declared", "floor" or "ceiling": which of the three became the base.
    base_rule = models.CharField(max_length=8)
    contribution = models.BigIntegerField()
    declaration_due = models.DateField()
    payment_due = models.DateField()
    late = models.BooleanField(default=False)
    receipt_number = models.CharField(max_length=40, unique=True)
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    declared_at = models.DateTimeField()

    class Meta:
        constraints = (
            models.UniqueConstraint(fields=["account", "year"], name="income_one_per_year"),
            models.CheckConstraint(condition=Q(income__gte=0), name="income_not_negative"),
        )
        ordering = ("-year",)

    def __str__(self) -> str:
        return f"{self.receipt_number} {self.year}"
