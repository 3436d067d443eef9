"""The inbox: a person's own messages, and marking them read. Thin: selectors and services."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST, require_safe

from tadamun.accounts.models import User
from tadamun.notifications import selectors, services
from tadamun.notifications.models import Notification


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


@require_safe
@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    return render(
        request,
        "notifications/inbox.html",
        {
            "notifications": selectors.notifications_for_user(user=user),
            "unread": selectors.unread_count(user=user),
        },
    )


@require_POST
@login_required
def mark_read(request: HttpRequest, notification_id: int) -> HttpResponseBase:
    try:
        services.notification_mark_read(user=_user(request), notification_id=notification_id)
    except Notification.DoesNotExist:
        raise Http404("no such message") from None
    return redirect("notifications:inbox")


@require_POST
@login_required
def mark_all_read(request: HttpRequest) -> HttpResponseBase:
    services.notifications_mark_all_read(user=_user(request))
    return redirect("notifications:inbox")
