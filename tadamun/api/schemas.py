"""Request and response shapes of the API (documented in /api/openapi.json)."""

from __future__ import annotations

from typing import Any

from ninja import Schema


class ProblemOut(Schema):
    field: str
    code: str
    message: str


class ProblemsOut(Schema):
    """Every refusal: what is wrong and where, in the language asked for."""

    problems: list[ProblemOut]


class FileProblemOut(Schema):
    """One problem in a declaration file; ``line`` is 1-based, 0 for the whole file."""

    line: int
    field: str
    code: str
    message: str


class ValidationOut(Schema):
    format: str
    accepted: bool
    problem_count: int
    problems: list[FileProblemOut]
    summary: dict[str, Any] | None


#: The refusals every authenticated endpoint may answer.
REFUSALS: dict[int, type[Schema]] = {
    400: ProblemsOut,
    401: ProblemsOut,
    403: ProblemsOut,
    404: ProblemsOut,
    413: ProblemsOut,
    422: ProblemsOut,
    429: ProblemsOut,
}


class KeyOut(Schema):
    """The key that signed the request: what it is for and until when."""

    prefix: str
    name: str
    scope: str
    expires_at: str
    employer_id: int | None
    partner_id: int | None


class EmployerOut(Schema):
    id: int
    affiliate_number: str
    name: str
    name_arabic: str
    kind: str
    declaration_periodicity: str


class ContributionOut(Schema):
    """One (branch, payer) total of an accepted declaration, in minor units of ``currency``."""

    branch: str
    payer: str
    amount: int


class FilingOut(Schema):
    """A declaration file sent by the employer: where its processing stands and its result."""

    id: int
    status: str
    format: str
    period: str
    filename: str
    sha256: str
    size: int
    duplicate: bool
    lines_done: int
    lines_total: int
    percent: int
    done: bool
    problem_count: int
    receipt_number: str
    currency: str
    contributions: list[ContributionOut]
    errors_url: str | None
    created_at: str
    finished_at: str | None


class FilingListOut(Schema):
    filings: list[FilingOut]
