"""Tables of the insured person's space. No behaviour here: services.py writes, selectors.py reads.

* :class:`EmailChallenge` — one self-registration attempt: the number, birth date and e-mail a
  visitor typed, and the one-time code mailed to prove the address (only its keyed hash). A
  challenge is written for every attempt, matching or not, so the answer and its cost are the
  same either way; ``insured`` is null when the details matched nobody.
* :class:`CareCard` — the person's care card (its number is accepted by the partners' API).
* :class:`FamilyMember` — a spouse or a child covered through the insured person.
* :class:`RightsStatus` — the precomputed answer to "is this person covered for care today?",
  one row per person, read by the partners' API in one indexed query.
* :class:`RightsLookup` — every partner look-up: who asked, the number masked, the answer.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class EmailChallenge(models.Model):
    fund = models.CharField(max_length=16)
    #: The person the details matched, or null (unknown number, wrong birth date, account taken).
    insured = models.ForeignKey(
        "registry.InsuredPerson",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    #: Keyed SHA-256 of the normalised number: throttles per number without keeping it in clear.
    number_hash = models.CharField(max_length=64)
    number_masked = models.CharField(max_length=24)
    email = models.EmailField()
    language = models.CharField(max_length=2)
    #: Keyed SHA-256 (HMAC with the site's secret) of the 6-digit code: a stolen table cannot be
    #: brute-forced offline in a second, as a plain hash of 10^6 codes could.
    code_hash = models.CharField(max_length=96)  # "<salt>$<hmac>"
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    verified_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        indexes = (
            models.Index(fields=["number_hash", "created_at"], name="insured_chal_number_idx"),
            models.Index(fields=["ip", "created_at"], name="insured_chal_ip_idx"),
        )

    def __str__(self) -> str:
        return f"challenge {self.pk} for {self.number_masked}"


class Relation(models.TextChoices):
    SPOUSE = "spouse", _("Spouse")
    CHILD = "child", _("Child")


class FamilyMember(models.Model):
    insured = models.ForeignKey(
        "registry.InsuredPerson", on_delete=models.PROTECT, related_name="family_members"
    )
    relation = models.CharField(max_length=8, choices=Relation)
    surname_latin = models.CharField(max_length=100)
    first_names_latin = models.CharField(max_length=100)
    surname_arabic = models.CharField(max_length=100, blank=True)
    first_names_arabic = models.CharField(max_length=100, blank=True)
    birth_date = models.DateField()
    #: A child still in education is covered to a higher age (``rights.family.student_age_limit``).
    student = models.BooleanField(default=False)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ("relation", "birth_date", "id")
        indexes = (models.Index(fields=["insured", "relation"], name="insured_family_idx"),)

    def __str__(self) -> str:
        return f"{self.relation} of {self.insured_id}"


class CareCard(models.Model):
    """A care card (Chifa, AMO, Labes…). Its number is 16 digits with a Luhn key (a Tadamun
    convention: the funds publish no card-number format). A lost card is revoked, never reused."""

    fund = models.CharField(max_length=16)
    insured = models.ForeignKey(
        "registry.InsuredPerson", on_delete=models.PROTECT, related_name="care_cards"
    )
    number = models.CharField(max_length=16)
    issued_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = (
            models.UniqueConstraint(fields=["fund", "number"], name="care_card_number_unique"),
            models.UniqueConstraint(
                fields=["insured"],
                condition=Q(revoked_at__isnull=True),
                name="care_card_one_active",
            ),
        )

    def __str__(self) -> str:
        return f"card of {self.insured_id}"


class Ground(models.TextChoices):
    DECLARED_DAYS = "declared_days", _("Days declared by employers")
    VOLUNTARY_PAID_UP = "voluntary_paid_up", _("Voluntary member, contributions paid up")
    SELF_EMPLOYED_PAID_UP = "self_employed_paid_up", _("Self-employed, contributions paid up")
    NONE = "none", _("None")


class RightsStatus(models.Model):
    """The last decision of :func:`tadamun.rules.rights` for a person, kept so that a partner's
    look-up is one indexed read. A decision stays true until its ``valid_until`` unless new
    declarations or payments arrive, and the services that record those refresh it; the API
    still compares ``valid_until`` with today, so a row never answers "covered" past its date.
    """

    insured = models.OneToOneField(
        "registry.InsuredPerson",
        on_delete=models.PROTECT,
        primary_key=True,
        related_name="rights_status",
    )
    fund = models.CharField(max_length=16)
    #: Copies of the person's numbers, so the look-up needs no join.
    ssn = models.CharField(max_length=16)
    card_number = models.CharField(max_length=16, null=True, blank=True)
    covered = models.BooleanField()
    ground = models.CharField(max_length=24, choices=Ground)
    reason = models.CharField(max_length=24)
    regime = models.CharField(max_length=24)
    valid_from = models.DateField(null=True, blank=True)
    valid_until = models.DateField(null=True, blank=True)
    computed_at = models.DateTimeField()

    class Meta:
        constraints = (
            models.UniqueConstraint(fields=["fund", "ssn"], name="rights_ssn_unique"),
            models.UniqueConstraint(
                fields=["fund", "card_number"],
                condition=Q(card_number__isnull=False),
                name="rights_card_unique",
            ),
        )
        verbose_name_plural = "rights statuses"

    def __str__(self) -> str:
        return f"rights of {self.insured_id}: {self.covered}"


class LookupResult(models.TextChoices):
    COVERED = "covered", _("Covered")
    NOT_COVERED = "not_covered", _("Not covered")
    #: A valid number that matches nobody: answered exactly as "not covered", logged apart.
    UNKNOWN = "unknown", _("Unknown number")
    INVALID = "invalid", _("Invalid number")
    THROTTLED = "throttled", _("Too many look-ups")


class RightsLookup(models.Model):
    """One look-up by a partner. Append-only: nothing updates or deletes a row."""

    fund = models.CharField(max_length=16)
    #: The partner (``api.Partner``) and key (``api.ApiKey``) ids; kept as plain numbers so
    #: that this log outlives a partner's removal.
    partner_id = models.BigIntegerField(null=True)
    key_id = models.BigIntegerField(null=True)
    number_masked = models.CharField(max_length=24)
    number_hash = models.CharField(max_length=64)
    result = models.CharField(max_length=12, choices=LookupResult)
    #: A burst of look-ups from one partner: possible enumeration, for the agency to review.
    flagged = models.BooleanField(default=False)
    at = models.DateTimeField()
    ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        indexes = (
            models.Index(fields=["partner_id", "at"], name="insured_lookup_partner_idx"),
            models.Index(fields=["at"], name="insured_lookup_flag_idx", condition=Q(flagged=True)),
        )

    def __str__(self) -> str:
        return f"lookup {self.pk} {self.result}"
