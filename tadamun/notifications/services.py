"""Writes of the notifications app: a message to a user (inbox + e-mail) or to an address.

A message is a Django template owned by the calling app (first line: the subject; the rest: the
body), rendered in the recipient's language with ``translation.override``. The context must be
plain values with no password, token or full identifier (:mod:`tadamun.notifications.safety`);
the rendered text is checked again. The inbox row is written in the caller's transaction; the
e-mail is a background job (:func:`tadamun.jobs.enqueue`: Celery with a broker, an in-process
thread otherwise) started once that transaction commits — never for a rolled-back action — and a
mail server that refuses is logged, not raised: the inbox keeps the message.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import smtplib
from collections.abc import Mapping

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import timezone, translation

from tadamun.accounts.models import Language, User
from tadamun.funds import current_fund
from tadamun.jobs import enqueue
from tadamun.notifications import tasks
from tadamun.notifications.models import Notification
from tadamun.notifications.safety import UnsafeContent, check_context, check_text

log = logging.getLogger(__name__)

__all__ = [
    "UnsafeContent",
    "notification_mark_read",
    "notifications_mark_all_read",
    "notify",
    "notify_address",
]

_LANG_PREFIX = re.compile(r"^/(fr|ar|en)/")


def _language(value: str) -> str:
    code = (value or "").split("-")[0].lower()
    return code if code in Language.values else settings.LANGUAGE_CODE


def _localised_link(link: str, language: str) -> str:
    """A site path keeps the recipient's language (``/fr/x/`` → ``/ar/x/``). Only a path of
    this site or an http(s) URL is a link; anything else (``javascript:``…) is refused."""
    if link and not (
        (link.startswith("/") and not link.startswith("//"))
        or link.startswith(("https://", "http://"))
    ):
        raise UnsafeContent("link", "not a path of the site nor an http(s) URL")
    return _LANG_PREFIX.sub(f"/{language}/", link, count=1) if link else ""


def _render(template: str, context: Mapping[str, object], language: str) -> tuple[str, str]:
    check_context(context, current_fund())
    with translation.override(language):
        text = render_to_string(template, dict(context)).lstrip("\n")
    first, _, rest = text.partition("\n")
    subject = " ".join(first.split())[:300]
    body = rest.strip("\n") + "\n"
    if not subject:
        raise ValueError(f"{template}: the first line (the subject) is empty")
    check_text(template, subject + "\n" + body, current_fund())
    return subject, body


def _absolute(link: str) -> str:
    if not link or link.startswith(("http://", "https://")):
        return link
    site = str(getattr(settings, "TADAMUN_SITE_URL", "") or "").rstrip("/")
    return site + link if site else link


def _email_body(body: str, link: str) -> str:
    url = _absolute(link)
    return body if not url else f"{body}\n{url}\n"


def send_rendered(*, to: str, subject: str, body: str) -> bool:
    """Send an already rendered and checked message over SMTP; False (logged) when the mail
    server refuses or cannot be reached."""
    try:
        send_mail(subject, body, None, [to])
    except (smtplib.SMTPException, OSError):
        log.exception("notification e-mail could not be sent")
        return False
    return True


def notification_email(*, notification_id: int) -> None:
    """Send the e-mail of one inbox message (the background job after commit); marks it sent.
    Safe to run twice."""
    notification = Notification.objects.select_related("user").filter(pk=notification_id).first()
    if notification is None or notification.emailed_at is not None:
        return
    sent = send_rendered(
        to=notification.user.email,
        subject=notification.subject,
        body=_email_body(notification.body, notification.link),
    )
    if sent:
        Notification.objects.filter(pk=notification_id, emailed_at__isnull=True).update(
            emailed_at=timezone.now()
        )


def notify(
    *,
    user: User,
    template: str,
    context: dict[str, object],
    link: str = "",
    now: dt.datetime | None = None,
) -> Notification:
    """Render ``template`` in ``user.preferred_language``, store it in the user's inbox and send
    it by e-mail once the current transaction commits.

    ``template`` is a path owned by the calling app (``affiliation/notifications/x.txt``), whose
    first line is the subject and the rest the body; write it with ``{% autoescape off %}``.
    ``context`` holds plain values only (str, int, Decimal, date, lazy texts); ``link`` is a path
    of the site (its language prefix is switched to the recipient's) or an absolute URL.
    Raises :class:`UnsafeContent` (nothing stored or sent) when the context or the rendered text
    carries a password, a token or a full identifier.
    """
    language = _language(user.preferred_language)
    subject, body = _render(template, context, language)
    notification = Notification.objects.create(
        user=user,
        template=template,
        language=language,
        subject=subject,
        body=body,
        link=_localised_link(link, language)[:500],
        created_at=now or timezone.now(),
    )
    if user.email:
        enqueue(tasks.email_notification, notification.pk)
    return notification


def notify_address(
    *, email: str, language: str, template: str, context: dict[str, object], link: str = ""
) -> None:
    """E-mail only, for someone without an account yet: same template shape and safety checks
    as :func:`notify`, rendered in ``language``, sent after commit."""
    language = _language(language)
    subject, body = _render(template, context, language)
    full = _email_body(body, _localised_link(link, language))
    enqueue(tasks.email_address, email, subject, full)


def notification_mark_read(
    *, user: User, notification_id: int | str, now: dt.datetime | None = None
) -> Notification:
    """Mark one of ``user``'s messages read (idempotent); ``Notification.DoesNotExist`` for a
    message that is not theirs."""
    try:
        pk = int(notification_id)
    except (TypeError, ValueError):
        raise Notification.DoesNotExist from None
    notification = Notification.objects.get(pk=pk, user=user)
    if notification.read_at is None:
        notification.read_at = now or timezone.now()
        Notification.objects.filter(pk=pk, read_at__isnull=True).update(
            read_at=notification.read_at
        )
    return notification


def notifications_mark_all_read(*, user: User, now: dt.datetime | None = None) -> int:
    """Mark every unread message of ``user`` read; how many were."""
    return Notification.objects.filter(user=user, read_at__isnull=True).update(
        read_at=now or timezone.now()
    )
