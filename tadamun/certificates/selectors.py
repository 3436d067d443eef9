"""Reads of certificates: only the subject's own, by any route."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q

from tadamun.accounts.selectors import AnyUser, employers_for_user, insured_for_user
from tadamun.certificates.models import Certificate
from tadamun.registry.models import Employer, InsuredPerson


@dataclass(frozen=True)
class Subjects:
    """Whom ``user`` may ask certificates about: themselves and the accounts they act for."""

    insured: InsuredPerson | None
    employers: list[Employer]

    @property
    def any(self) -> bool:
        return self.insured is not None or bool(self.employers)


def subjects_for_user(*, user: AnyUser | None) -> Subjects:
    return Subjects(
        insured=insured_for_user(user=user), employers=list(employers_for_user(user=user))
    )


def _visible(subjects: Subjects) -> Q:
    visible = Q(employer__in=[e.pk for e in subjects.employers])
    if subjects.insured is not None:
        visible |= Q(insured_id=subjects.insured.pk)
    return visible


def certificates_for_user(*, user: AnyUser | None, limit: int = 100) -> list[Certificate]:
    subjects = subjects_for_user(user=user)
    if not subjects.any:
        return []
    return list(Certificate.objects.filter(_visible(subjects)).select_related("employer")[:limit])


def certificate_for_user(*, user: AnyUser | None, number: str) -> Certificate | None:
    """``number`` if it is about ``user`` or an account they act for; None otherwise (the
    caller answers 404, the same as for a number that does not exist)."""
    subjects = subjects_for_user(user=user)
    if not subjects.any:
        return None
    return (
        Certificate.objects.filter(_visible(subjects), number=number)
        .select_related("insured", "employer")
        .first()
    )
