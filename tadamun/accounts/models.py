"""Accounts: users (e-mail as login), employer memberships, agency staff, sign-up requests,
activation tokens, sign-in failures and the audit trail. No behaviour here: services.py writes,
selectors.py reads.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.utils.translation import gettext_lazy as _

from tadamun.sealed import SealedCharField


class Language(models.TextChoices):
    FR = "fr", "Français"
    AR = "ar", "العربية"
    EN = "en", "English"


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create(self, email: str, password: str | None, **extra: Any) -> User:
        if not email:
            raise ValueError("an e-mail address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.update(is_staff=True, is_superuser=True)
        return self._create(email, password, **extra)


class User(AbstractUser):
    """A person who signs in: an employer's owner or accountant, agency staff, or an insured
    person (``insured`` set: their own record, once their identity is proven).

    ``is_staff`` keeps Django's meaning (may use the admin site); agency staff are users with a
    ``StaffProfile``.
    """

    username = None  # type: ignore[assignment]
    email = models.EmailField(_("e-mail address"), unique=True)
    preferred_language = models.CharField(
        _("preferred language"), max_length=2, choices=Language, default=Language.FR
    )
    # Second factor (RFC 6238). The secret is set at enrolment and confirmed by a first code; it
    # is sealed at rest (tadamun/sealed.py), so a copy of the database holds no usable factor.
    totp_secret = SealedCharField(blank=True)
    totp_confirmed_at = models.DateTimeField(null=True, blank=True)
    # The last accepted time step, so that a code cannot be replayed within its window.
    totp_last_step = models.BigIntegerField(null=True, blank=True)
    # The insured person this account belongs to, if any (at most one account per person).
    insured = models.OneToOneField(
        "registry.InsuredPerson",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="account",
    )

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    objects: ClassVar[UserManager] = UserManager()  # type: ignore[assignment]

    class Meta:
        ordering = ("email",)

    def __str__(self) -> str:
        return self.email


class Role(models.TextChoices):
    OWNER = "owner", _("Owner")
    ACCOUNTANT = "accountant", _("Accountant")


class EmployerMembership(models.Model):
    """A user's access to an employer. Ended memberships are kept (``ended_at``) as history."""

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="memberships")
    employer = models.ForeignKey(
        "registry.Employer", on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(max_length=16, choices=Role)
    granted_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    granted_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = (
            models.UniqueConstraint(
                fields=["user", "employer"],
                condition=models.Q(ended_at__isnull=True),
                name="membership_one_active_per_user_and_employer",
            ),
        )
        indexes = (models.Index(fields=["employer", "ended_at"]),)

    def __str__(self) -> str:
        return f"{self.user_id} {self.role} of {self.employer_id}"


class StaffRole(models.TextChoices):
    AGENT = "agent", _("Agent")
    MANAGER = "manager", _("Manager")


class StaffProfile(models.Model):
    """An agency staff member: sees only the agency's employers, sign-ups and people."""

    user = models.OneToOneField(User, on_delete=models.PROTECT, related_name="staff_profile")
    agency = models.ForeignKey("registry.Agency", on_delete=models.PROTECT, related_name="staff")
    role = models.CharField(max_length=16, choices=StaffRole, default=StaffRole.AGENT)

    def __str__(self) -> str:
        return f"{self.user_id} {self.role} at {self.agency_id}"


class SignupStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class SignupRequest(models.Model):
    """An employer asks for an online account; the employer's agency approves or rejects it."""

    fund = models.CharField(max_length=16)
    employer = models.ForeignKey(
        "registry.Employer", on_delete=models.PROTECT, related_name="signup_requests"
    )
    company_name = models.CharField(max_length=200)
    contact_name = models.CharField(max_length=150)
    email = models.EmailField()
    language = models.CharField(max_length=2, choices=Language, default=Language.FR)
    status = models.CharField(max_length=16, choices=SignupStatus, default=SignupStatus.PENDING)
    created_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.CharField(max_length=500, blank=True)
    owner = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        indexes = (models.Index(fields=["status", "employer"]),)
        ordering = ("created_at", "id")

    def __str__(self) -> str:
        return f"sign-up {self.pk} ({self.status})"


class ActivationToken(models.Model):
    """A single-use link to set one's password. Only the SHA-256 of the token is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="activation_tokens")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"activation of {self.user_id}"


class RecoveryCode(models.Model):
    """A single-use second-factor code for a lost phone. Only the SHA-256 is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="recovery_codes")
    code_hash = models.CharField(max_length=64)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = (models.Index(fields=["user", "code_hash"]),)

    def __str__(self) -> str:
        return f"recovery code of {self.user_id}"


class ThrottleKind(models.TextChoices):
    ACCOUNT = "account", "account"
    IP = "ip", "ip"


class SignInThrottle(models.Model):
    """Failed sign-ins per account (the SHA-256 of the lower-cased e-mail, whether or not such an
    account exists) and per client address, and the lock they led to."""

    kind = models.CharField(max_length=8, choices=ThrottleKind)
    key = models.CharField(max_length=64)
    failures = models.PositiveIntegerField(default=0)
    window_start = models.DateTimeField()
    locked_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = (
            models.UniqueConstraint(fields=["kind", "key"], name="throttle_unique_kind_key"),
        )

    def __str__(self) -> str:
        return f"{self.kind} throttle"


class AuditAction(models.TextChoices):
    READ = "read", _("Read")
    CREATE = "create", _("Create")
    CHANGE = "change", _("Change")


class AuditEvent(models.Model):
    """Who read or changed what, when, from where. Append-only: a database trigger refuses
    UPDATE and DELETE (migration 0003)."""

    actor = models.ForeignKey(User, on_delete=models.PROTECT, null=True, related_name="+")
    action = models.CharField(max_length=8, choices=AuditAction)
    object_type = models.CharField(max_length=100)
    object_id = models.CharField(max_length=64)
    insured = models.ForeignKey(
        "registry.InsuredPerson",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="audit_events",
    )
    at = models.DateTimeField()
    ip = models.GenericIPAddressField(null=True, blank=True)
    detail = models.CharField(max_length=500, blank=True)

    class Meta:
        indexes = (
            models.Index(fields=["insured", "at"]),
            models.Index(fields=["object_type", "object_id"]),
        )

    def __str__(self) -> str:
        return f"{self.action} {self.object_type}#{self.object_id}"
