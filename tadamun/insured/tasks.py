"""Background jobs of the insured person's space (queued with :func:`tadamun.jobs.enqueue`)."""

from __future__ import annotations

from tadamun.jobs import app


@app.task(name="insured.registration_mail", acks_late=True, reject_on_worker_lost=True)  # type: ignore[untyped-decorator]
def registration_mail(challenge_id: int, mail: str) -> None:
    """Draw and mail a registration code, or tell the person they already have an account."""
    from tadamun.insured.services import registration_mail as send

    send(challenge_id=challenge_id, mail=mail)
