"""Reads of the notifications app: a person sees only their own messages."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet

from tadamun.accounts.models import User
from tadamun.notifications.models import Notification


def _signed_in(user: User | AnonymousUser | None) -> User | None:
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    assert isinstance(user, User)
    return user


def notifications_for_user(
    *, user: User | AnonymousUser | None, limit: int = 200
) -> list[Notification]:
    """``user``'s messages, newest first (1 query)."""
    signed_in = _signed_in(user)
    if signed_in is None:
        return []
    return list(Notification.objects.filter(user=signed_in).order_by("-created_at", "-id")[:limit])


def notification_for_user(
    *, user: User | AnonymousUser | None, notification_id: int | str
) -> Notification:
    """One of ``user``'s messages; ``Notification.DoesNotExist`` for any other."""
    signed_in = _signed_in(user)
    try:
        pk = int(notification_id)
    except (TypeError, ValueError):
        raise Notification.DoesNotExist from None
    if signed_in is None:
        raise Notification.DoesNotExist
    return Notification.objects.get(pk=pk, user=signed_in)


def unread_count(*, user: User | AnonymousUser | None) -> int:
    """How many of ``user``'s messages are unread (1 query; 0 for a visitor)."""
    signed_in = _signed_in(user)
    if signed_in is None:
        return 0
    return Notification.objects.filter(user=signed_in, read_at__isnull=True).count()


def unread_for_user(*, user: User) -> QuerySet[Notification]:
    """``user``'s unread messages, newest first."""
    return Notification.objects.filter(user=user, read_at__isnull=True).order_by("-created_at")
