"""The filings' background job (Celery task, run through :func:`tadamun.jobs.enqueue`)."""

from __future__ import annotations

from tadamun.jobs import app


@app.task(name="filings.process", acks_late=True, reject_on_worker_lost=True)  # type: ignore[untyped-decorator]
def process_filing(filing_id: int) -> str:
    """Process one filing from its first line; idempotent (see ``filing_process``)."""
    from tadamun.filings.services import filing_process

    filing = filing_process(filing_id=int(filing_id))
    return filing.status if filing is not None else "missing"


@app.task(name="filings.process_batch", acks_late=True, reject_on_worker_lost=True)  # type: ignore[untyped-decorator]
def process_filing_batch(filing_ids: list[int]) -> str:
    """Process a batch of filings (a bureau's intake, a national month); idempotent (see
    :func:`tadamun.filings.batch.filings_process_batch`)."""
    from tadamun.filings.batch import filings_process_batch

    report = filings_process_batch(filing_ids=[int(i) for i in filing_ids])
    return f"{report.accepted} accepted, {report.rejected} rejected, {report.skipped} skipped"
