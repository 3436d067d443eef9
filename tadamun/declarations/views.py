"""Pages of the declarations. A view parses the request, calls selectors or services, renders.

Every view is behind ``employer_required``: the employer comes from the URL through the user's
membership (404 otherwise), and every declaration is looked up within that employer.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.views.decorators.http import require_http_methods, require_safe

from tadamun.accounts.decorators import employer_required
from tadamun.declarations import presentation as show
from tadamun.declarations import selectors, services
from tadamun.declarations.fundrules import SITUATIONS, rules_for
from tadamun.declarations.models import Declaration
from tadamun.declarations.problems import line_problem
from tadamun.declarations.services import LineInput, Preview
from tadamun.errors import InvalidInput, Problem
from tadamun.funds import Period, get_fund
from tadamun.registry.models import Employer

#: Most rows one form may post (a guard against a forged count; 4 fields a row).
MAX_ROWS = 5000
NEW_HIRE_FIELDS = (
    "ssn",
    "surname_latin",
    "first_names_latin",
    "surname_arabic",
    "first_names_arabic",
    "national_id",
    "birth_date",
    "days",
    "wage",
    "situation",
)


def _lang() -> str:
    return show.lang_of(get_language())


@employer_required
@require_safe
def periods(request: HttpRequest, employer: Employer) -> HttpResponse:
    rows = selectors.periods_due(employer=employer, today=timezone.localdate())
    return render(request, "declarations/periods.html", {"employer": employer, "rows": rows})


@employer_required
@require_safe
def history(request: HttpRequest, employer: Employer) -> HttpResponse:
    declarations = list(selectors.declaration_history(employer=employer)[:500])
    lang = _lang()
    rows = [
        (d, show.money(d.total_contributions, d.currency, lang), show.number(d.headcount, lang))
        for d in declarations
    ]
    return render(request, "declarations/history.html", {"employer": employer, "rows": rows})


# --- the form ----------------------------------------------------------------------------------


@dataclass
class _Posted:
    rows: list[show.FormRow] = field(default_factory=list)
    new_hires: list[dict[str, str]] = field(default_factory=list)
    lines: list[LineInput] = field(default_factory=list)


def _text(request: HttpRequest, name: str, limit: int = 100) -> str:
    return str(request.POST.get(name, ""))[:limit]


def _count(request: HttpRequest, name: str, limit: int) -> int:
    raw = _text(request, name, 6)
    return min(int(raw), limit) if raw.isdigit() else 0


def _parse(request: HttpRequest, names: dict[str, tuple[str, str]]) -> _Posted:
    posted = _Posted()
    n = _count(request, "n", MAX_ROWS)
    for i in range(1, n + 1):
        insured_id = _text(request, f"i{i}", 20)
        ssn, name = names.get(insured_id, ("", ""))
        row = show.FormRow(
            insured_id=insured_id,
            ssn=ssn,
            name=name,
            days=_text(request, f"d{i}", 10),
            wage=_text(request, f"w{i}", 30),
            situation=_text(request, f"s{i}", 4),
        )
        posted.rows.append(row)
        posted.lines.append(
            LineInput(
                insured_id=insured_id or "?",
                days=row.days,
                wage=row.wage,
                situation=row.situation,
            )
        )
    for j in range(1, _count(request, "new", 200) + 1):
        values = {f: _text(request, f"h{j}_{f}") for f in NEW_HIRE_FIELDS}
        posted.new_hires.append(values)
        if any(v.strip() for v in values.values()):
            posted.lines.append(
                LineInput(
                    insured_id=None,
                    ssn=values["ssn"],
                    surname_latin=values["surname_latin"],
                    first_names_latin=values["first_names_latin"],
                    surname_arabic=values["surname_arabic"],
                    first_names_arabic=values["first_names_arabic"],
                    national_id=values["national_id"],
                    birth_date=values["birth_date"],
                    days=values["days"],
                    wage=values["wage"],
                    situation=values["situation"],
                )
            )
    return posted


def _prefilled(expected: list[selectors.ExpectedLine], currency: str) -> list[show.FormRow]:
    return [
        show.FormRow(
            insured_id=str(e.insured_id),
            ssn=e.ssn,
            name=f"{e.surname_latin} {e.first_names_latin}",
            days=str(e.days),
            wage=show.major(e.wage, currency),
            situation=e.situation,
        )
        for e in expected
    ]


@employer_required
@require_http_methods(["GET", "POST"])
def declare(request: HttpRequest, employer: Employer, period_label: str) -> HttpResponseBase:
    period = selectors.employer_period(employer=employer, label=period_label)
    if period is None:
        raise Http404("no such period")
    fund = get_fund(employer.fund)
    today = timezone.localdate()
    current = selectors.accepted_declaration(employer=employer, period=period)
    replacing = request.method == "POST" and bool(_text(request, "replaces", 20))
    replacing = replacing or (request.method == "GET" and request.GET.get("replace") == "1")
    due = fund.due_date(period)
    if request.method == "POST":
        # A second click on "submit" (same one-time token): the receipt of the first.
        done = selectors.declaration_by_token(token=_text(request, "token", 64))
        if done is not None and done.employer_id == employer.pk:
            return redirect("declarations:receipt", employer_id=employer.pk, declaration_id=done.pk)
    if current is not None and not replacing:
        return render(
            request,
            "declarations/declared.html",
            {
                "employer": employer,
                "period": period,
                "declaration": current,
                "due_date": due,
                "can_replace": today <= due,
            },
        )
    expected = selectors.declaration_prefill(
        employer=employer, period=period, source=current if replacing else None
    )
    problems: list[Problem] = []
    preview: Preview | None = None
    new_count = 2
    if request.method == "GET":
        rows = _prefilled(expected, fund.currency_code)
        new_hires = [{f: "" for f in NEW_HIRE_FIELDS} for _ in range(new_count)]
        token = secrets.token_urlsafe(24)
    else:
        names = {
            str(e.insured_id): (e.ssn, f"{e.surname_latin} {e.first_names_latin}") for e in expected
        }
        posted = _parse(request, names)
        rows, new_hires = posted.rows, posted.new_hires
        token = _text(request, "token", 64)
        action = _text(request, "action", 10)
        replaces: Declaration | None = None
        if replacing:
            replaces = selectors.declaration_get(
                employer=employer, declaration_id=_text(request, "replaces", 20)
            )
            if replaces is None or current is None or replaces.pk != current.pk:
                problems.append(line_problem(None, "", "replaces", "not_replaceable", receipt="?"))
        if action == "add":
            new_hires.extend({f: "" for f in NEW_HIRE_FIELDS} for _ in range(3))
        elif action == "preview" and not problems:
            try:
                preview = services.declaration_preview(
                    employer=employer, period=period, lines=posted.lines, today=today
                )
            except InvalidInput as exc:
                problems.extend(exc.problems)
        elif action in ("submit", "nil") and not problems:
            try:
                declaration = services.declaration_submit(
                    employer=employer,
                    period=period,
                    lines=[] if action == "nil" else posted.lines,
                    user=request.user,  # type: ignore[arg-type]
                    token=token,
                    kind="nil" if action == "nil" else "normal",
                    replaces=replaces,
                    today=today,
                )
            except InvalidInput as exc:
                problems.extend(exc.problems)
            else:
                return redirect(
                    "declarations:receipt", employer_id=employer.pk, declaration_id=declaration.pk
                )
    lang = _lang()
    by_row: dict[int, list[Problem]] = {}
    general: list[str] = []
    new_problems: dict[int, list[str]] = {}
    for p in problems:
        row = int(p.params["row"]) if p.params.get("row", "").isdigit() else 0
        if 0 < row <= len(rows):
            by_row.setdefault(row, []).append(p)
        elif row > len(rows):
            new_problems.setdefault(row - len(rows), []).append(p.message(lang))
        else:
            general.append(p.message(lang))
    context = {
        "employer": employer,
        "period": period,
        "due_date": due,
        "rows_html": show.render_rows(rows, by_row, lang),
        "row_count": len(rows),
        "new_hires": [
            (j, values, new_problems.get(j, [])) for j, values in enumerate(new_hires, start=1)
        ],
        "new_count": len(new_hires),
        "token": token,
        "replacing": current if replacing else None,
        "problems": [p.message(lang) for p in problems],
        "problem_count": len(problems),
        "general_problems": general,
        "situations": [
            (code, texts[lang])
            for code, texts in SITUATIONS.items()
            if code in rules_for(fund.code).situations
        ],
        "max_days": rules_for(fund.code).days_bound(period.periodicity),
        "currency": fund.currency_code,
        "preview": _preview_context(fund.code, preview, lang) if preview else None,
    }
    return render(request, "declarations/form.html", context)


def _preview_context(fund: str, preview: Preview, lang: str) -> dict[str, object]:
    cur = preview.currency
    return {
        "rows": show.amount_rows(
            fund, ((r.branch, r.payer, r.amount) for r in preview.rows), cur, lang
        ),
        "total": show.money(preview.total, cur, lang),
        "wages": show.money(preview.total_wages, cur, lang),
        "headcount": show.number(preview.headcount, lang),
        "payers": [
            (show.payer_label(p, lang), show.money(a, cur, lang))
            for p, a in preview.by_payer().items()
        ],
    }


# --- the receipt -------------------------------------------------------------------------------


def _receipt_context(employer: Employer, declaration: Declaration, lang: str) -> dict[str, object]:
    contributions = selectors.declaration_contributions(declaration=declaration)
    cur = declaration.currency
    by_payer: dict[str, int] = {}
    for c in contributions:
        by_payer[c.payer] = by_payer.get(c.payer, 0) + c.amount
    return {
        "employer": employer,
        "declaration": declaration,
        "period": Period.parse(declaration.period_label),
        "headcount": show.number(declaration.headcount, lang),
        "wages": show.money(declaration.total_wages, cur, lang),
        "total": show.money(declaration.total_contributions, cur, lang),
        "contributions": show.amount_rows(
            employer.fund, ((c.branch, c.payer, c.amount) for c in contributions), cur, lang
        ),
        "payers": [
            (show.payer_label(p, lang), show.money(a, cur, lang)) for p, a in by_payer.items()
        ],
    }


@employer_required
@require_safe
def receipt(request: HttpRequest, employer: Employer, declaration_id: int) -> HttpResponse:
    declaration = selectors.declaration_get(employer=employer, declaration_id=declaration_id)
    if declaration is None:
        raise Http404("no such declaration")
    lang = _lang()
    context = _receipt_context(employer, declaration, lang)
    page = selectors.declaration_lines_page(
        declaration=declaration, page=request.GET.get("page", 1)
    )
    context["lines"] = page
    context["line_wages"] = [
        (line, show.money(line.wage, declaration.currency, lang)) for line in page.object_list
    ]
    return render(request, "declarations/receipt.html", context)


@employer_required
@require_safe
def receipt_pdf(request: HttpRequest, employer: Employer, declaration_id: int) -> HttpResponse:
    from tadamun.declarations.pdf import receipt_pdf as build

    declaration = selectors.declaration_get(employer=employer, declaration_id=declaration_id)
    if declaration is None:
        raise Http404("no such declaration")
    lang = _lang()
    data = build(_receipt_context(employer, declaration, lang), lang)
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{declaration.receipt_number}.pdf"'
    return response
