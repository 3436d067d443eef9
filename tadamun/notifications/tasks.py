"""Background jobs of the notifications app (queued with :func:`tadamun.jobs.enqueue` after
commit). Both are safe to run twice: an inbox message already e-mailed is not sent again."""

from __future__ import annotations

from tadamun.jobs import app


@app.task(name="notifications.email", acks_late=True, reject_on_worker_lost=True)  # type: ignore[untyped-decorator]
def email_notification(notification_id: int) -> None:
    """E-mail one inbox message to its user (skipped when already sent)."""
    from tadamun.notifications.services import notification_email

    notification_email(notification_id=notification_id)


@app.task(name="notifications.email_address", acks_late=True, reject_on_worker_lost=True)  # type: ignore[untyped-decorator]
def email_address(to: str, subject: str, body: str) -> None:
    """E-mail an already rendered and checked message to someone without an account."""
    from tadamun.notifications.services import send_rendered

    send_rendered(to=to, subject=subject, body=body)
