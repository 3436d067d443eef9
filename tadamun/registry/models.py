"""Tables of the registry. No behaviour here: services.py validates and writes, selectors.py reads.

Every row carries its ``fund`` (a profile code such as ``dz-cnas``): one deployment runs one fund,
but the column keeps identifiers unique per fund and makes a shared database safe.
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from tadamun.funds.periods import Periodicity


class Sex(models.TextChoices):
    FEMALE = "F", _("Female")
    MALE = "M", _("Male")


class DeclarationPeriodicity(models.TextChoices):
    MONTHLY = Periodicity.MONTHLY.value, _("Monthly")
    QUARTERLY = Periodicity.QUARTERLY.value, _("Quarterly")
    ANNUAL = Periodicity.ANNUAL.value, _("Annual")


class EndReason(models.TextChoices):
    RESIGNATION = "resignation", _("Resignation")
    DISMISSAL = "dismissal", _("Dismissal")
    END_OF_CONTRACT = "end_of_contract", _("End of contract")
    RETIREMENT = "retirement", _("Retirement")
    DEATH = "death", _("Death")
    TRANSFER = "transfer", _("Transfer to another employer")
    OTHER = "other", _("Other")


class Agency(models.Model):
    """A local agency of the fund; staff and employers are attached to one."""

    fund = models.CharField(max_length=16)
    code = models.CharField(max_length=8)
    name_fr = models.CharField(max_length=120)
    name_ar = models.CharField(max_length=120)
    name_en = models.CharField(max_length=120)

    class Meta:
        constraints = (
            models.UniqueConstraint(fields=["fund", "code"], name="agency_code_unique_per_fund"),
        )
        ordering = ("fund", "code")

    def __str__(self) -> str:
        return f"{self.code} {self.name_fr}"


class ContributorKind(models.TextChoices):
    """Who holds a contributor account. The ledger, payments and declarations key on
    :class:`Employer` as "the account that owes contributions"; a self-employed person (CASNOS) and
    a voluntary member living abroad each hold one too, with ``holder`` naming the person."""

    EMPLOYER = "employer", _("Employer")
    SELF_EMPLOYED = "self_employed", _("Self-employed")
    VOLUNTARY = "voluntary", _("Voluntary member")


class Employer(models.Model):
    fund = models.CharField(max_length=16)
    kind = models.CharField(
        max_length=16, choices=ContributorKind, default=ContributorKind.EMPLOYER
    )
    holder = models.ForeignKey(
        "InsuredPerson",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="own_accounts",
        help_text="The person whose own account this is (self-employed, voluntary member).",
    )
    affiliate_number = models.CharField(max_length=16)
    legal_identifier = models.CharField(max_length=24, blank=True, db_index=True)
    name_latin = models.CharField(max_length=200)
    name_arabic = models.CharField(max_length=200, blank=True)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="employers")
    activity_class = models.CharField(max_length=100, blank=True)
    declaration_periodicity = models.CharField(max_length=16, choices=DeclarationPeriodicity)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = (
            models.UniqueConstraint(
                fields=["fund", "affiliate_number"], name="employer_number_unique_per_fund"
            ),
        )
        ordering = ("fund", "affiliate_number")

    def __str__(self) -> str:
        return f"{self.affiliate_number} {self.name_latin}"


class InsuredPerson(models.Model):
    fund = models.CharField(max_length=16)
    ssn = models.CharField(max_length=16)
    national_id = models.CharField(max_length=24, blank=True)
    surname_latin = models.CharField(max_length=100)
    first_names_latin = models.CharField(max_length=100)
    surname_arabic = models.CharField(max_length=100, blank=True)
    first_names_arabic = models.CharField(max_length=100, blank=True)
    birth_date = models.DateField()
    sex = models.CharField(max_length=1, choices=Sex)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = (
            models.UniqueConstraint(fields=["fund", "ssn"], name="insured_ssn_unique_per_fund"),
        )
        indexes = (
            models.Index(fields=["fund", "national_id"], name="insured_national_id_idx"),
            # The duplicate search of an immatriculation or a voluntary sign-up: the same names
            # and birth date. A birth date narrows millions of people to a few hundred.
            models.Index(fields=["fund", "birth_date"], name="insured_birth_date_idx"),
        )
        ordering = ("fund", "ssn")
        verbose_name = "insured person"

    def __str__(self) -> str:
        return f"{self.ssn} {self.surname_latin} {self.first_names_latin}"


class Employment(models.Model):
    """A worker employed by an employer from ``start_date`` to ``end_date`` (open when null)."""

    employer = models.ForeignKey(Employer, on_delete=models.PROTECT, related_name="employments")
    insured = models.ForeignKey(InsuredPerson, on_delete=models.PROTECT, related_name="employments")
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    end_reason = models.CharField(max_length=20, choices=EndReason, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = (
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="employment_ends_after_start",
            ),
            models.CheckConstraint(
                condition=(Q(end_date__isnull=True) & Q(end_reason=""))
                | (Q(end_date__isnull=False) & ~Q(end_reason="")),
                name="employment_end_reason_with_end",
            ),
        )
        indexes = (
            models.Index(fields=["employer", "start_date"], name="employment_employer_idx"),
            models.Index(fields=["insured", "employer"], name="employment_insured_idx"),
        )
        ordering = ("start_date", "id")

    def __str__(self) -> str:
        return f"{self.insured_id}@{self.employer_id} {self.start_date}…{self.end_date or ''}"
