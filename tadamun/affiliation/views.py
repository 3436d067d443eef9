"""Pages of affiliation. Thin: parse the request, call a service or a selector, render.

Employer pages are behind ``employer_required`` (another employer's request → 404). The
self-employed pages find the person's own affiliation through their account
(:func:`~tadamun.affiliation.selectors.affiliation_for_user`): there is no id in their URLs, so
nobody can ask for someone else's.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.files.uploadedfile import UploadedFile
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.views.decorators.http import require_http_methods, require_safe

from tadamun.accounts.decorators import employer_required
from tadamun.affiliation import selectors, services
from tadamun.affiliation.categories import CATEGORIES, PROFESSIONS
from tadamun.affiliation.models import AffiliationStatus, SelfEmployedAffiliation
from tadamun.affiliation.problems import problem
from tadamun.affiliation.services import (
    FILE_COLUMNS,
    EmployeeInput,
    SelfEmployedInput,
)
from tadamun.errors import InvalidInput, Problem
from tadamun.funds import current_fund
from tadamun.registry.models import Employer, Sex
from tadamun.registry.selectors import agency_list

PERSON_FIELDS = (
    "surname_latin",
    "first_names_latin",
    "surname_arabic",
    "first_names_arabic",
    "birth_date",
    "birth_place",
    "sex",
    "national_id",
)
EMPLOYEE_FIELDS = (*PERSON_FIELDS, "hire_date")
SIGNUP_FIELDS = (
    *PERSON_FIELDS,
    "email",
    "category",
    "profession",
    "register_number",
    "activity_start",
    "agency",
)


def _lang() -> str:
    return (get_language() or "fr").split("-")[0]


def _post(request: HttpRequest, name: str, limit: int = 200) -> str:
    return str(request.POST.get(name, ""))[:limit]


def _by_field(problems: tuple[Problem, ...] | list[Problem]) -> dict[str, list[str]]:
    lang = _lang()
    grouped: dict[str, list[str]] = {}
    for p in problems:
        grouped.setdefault(p.field, []).append(p.message(lang))
    return grouped


def _sexes() -> list[tuple[str, str]]:
    return [(str(value), str(label)) for value, label in Sex.choices]


# --- employer: immatriculation of employees ------------------------------------------------------


@require_safe
@employer_required
def employees(request: HttpRequest, employer: Employer) -> HttpResponse:
    return render(
        request,
        "affiliation/employees.html",
        {
            "employer": employer,
            "requests": selectors.immatriculations_for_employer(employer=employer),
            "files": selectors.immatriculation_files(employer=employer),
            "declared": selectors.declared_new_hires(employer=employer),
        },
    )


@require_http_methods(["GET", "HEAD", "POST"])
@employer_required
def immatriculate(request: HttpRequest, employer: Employer) -> HttpResponseBase:
    values = {name: "" for name in EMPLOYEE_FIELDS}
    declared_id = request.POST.get("declared") or request.GET.get("declared") or ""
    declared = (
        selectors.declared_new_hire(employer=employer, request_id=declared_id)
        if declared_id
        else None
    )
    if declared_id and declared is None:
        raise Http404("no such declared new hire")
    if declared is not None and request.method != "POST":
        values.update(
            surname_latin=declared.surname_latin,
            first_names_latin=declared.first_names_latin,
            surname_arabic=declared.surname_arabic,
            first_names_arabic=declared.first_names_arabic,
            birth_date=declared.birth_date.isoformat(),
            national_id=declared.national_id,
        )
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        values = {name: _post(request, name, 100) for name in EMPLOYEE_FIELDS}
        try:
            done = services.immatriculation_submit(
                employer=employer,
                data=EmployeeInput(**values),
                user=request.user,  # type: ignore[arg-type]
                declared_id=declared.pk if declared is not None else None,
            )
        except InvalidInput as exc:
            errors = _by_field(exc.problems)
        else:
            return redirect("affiliation:request", employer_id=employer.pk, request_id=done.pk)
    return render(
        request,
        "affiliation/immatriculate.html",
        {
            "employer": employer,
            "values": values,
            "errors": errors,
            "error_count": sum(len(v) for v in errors.values()),
            "all_errors": [m for v in errors.values() for m in v],
            "sexes": _sexes(),
            "declared": declared,
        },
        status=400 if errors else 200,
    )


@require_http_methods(["GET", "HEAD", "POST"])
@employer_required
def immatriculation_file(request: HttpRequest, employer: Employer) -> HttpResponseBase:
    problems: list[str] = []
    if request.method == "POST":
        upload = request.FILES.get("file")
        if not isinstance(upload, UploadedFile):
            problems = [problem("file", "required").message(_lang())]
        else:
            try:
                batch = services.immatriculation_file_submit(
                    employer=employer,
                    upload=upload,
                    file_name=upload.name or "",
                    user=request.user,  # type: ignore[arg-type]
                )
            except InvalidInput as exc:
                problems = [p.message(_lang()) for p in exc.problems]
            else:
                url = reverse("affiliation:employees", kwargs={"employer_id": employer.pk})
                return redirect(f"{url}?file={batch.pk}")
    return render(
        request,
        "affiliation/file.html",
        {
            "employer": employer,
            "problems": problems,
            "problem_count": len(problems),
            "columns": FILE_COLUMNS,
            "max_lines": services.MAX_FILE_LINES,
        },
        status=400 if problems else 200,
    )


@require_safe
@employer_required
def immatriculation_request(
    request: HttpRequest, employer: Employer, request_id: int
) -> HttpResponse:
    found = selectors.immatriculation_for_employer(employer=employer, request_id=request_id)
    if found is None:
        raise Http404("no such request")
    return render(request, "affiliation/request.html", {"employer": employer, "item": found})


# --- self-employed -------------------------------------------------------------------------------

SelfEmployedView = Callable[..., HttpResponseBase]


def _offered() -> bool:
    return services.self_employed_regime(current_fund()) is not None


def self_employed_required(view: SelfEmployedView) -> SelfEmployedView:
    """The view receives ``affiliation=`` (the signed-in person's own); 404 for anyone else."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        affiliation = selectors.affiliation_for_user(user=request.user)
        if affiliation is None:
            raise Http404("no self-employed affiliation")
        return view(request, *args, affiliation=affiliation, **kwargs)

    return wrapper


@require_safe
def self_employed_home(request: HttpRequest) -> HttpResponse:
    if not _offered():
        raise Http404("this fund does not affiliate the self-employed")
    affiliation = selectors.affiliation_for_user(user=request.user)
    if affiliation is None:
        return render(
            request,
            "affiliation/self_employed_intro.html",
            {"categories": _category_rows(), "signed_in": request.user.is_authenticated},
        )
    lang = _lang()
    spec = CATEGORIES.get(affiliation.category)
    documents = selectors.affiliation_documents(affiliation=affiliation)
    labels = {d.code: d.label(lang) for d in spec.documents} if spec is not None else {}
    return render(
        request,
        "affiliation/self_employed.html",
        {
            "affiliation": affiliation,
            "account": affiliation.account,
            "category": spec.label(lang) if spec is not None else affiliation.category,
            "profession": PROFESSIONS.get(affiliation.profession, {}).get(lang, ""),
            "documents": [
                (labels.get(d.requirement, d.requirement), d.document) for d in documents
            ],
            "affiliated": affiliation.status == AffiliationStatus.AFFILIATED,
            "declarations": selectors.income_declarations(account=affiliation.account),
        },
    )


def _category_rows() -> list[dict[str, object]]:
    lang = _lang()
    return [
        {
            "code": c.code,
            "label": c.label(lang),
            "register": c.register_label(lang),
            "documents": [d.label(lang) for d in c.documents],
        }
        for c in CATEGORIES.values()
    ]


@require_http_methods(["GET", "HEAD", "POST"])
def self_employed_signup(request: HttpRequest) -> HttpResponseBase:
    if not _offered():
        raise Http404("this fund does not affiliate the self-employed")
    if request.user.is_authenticated:
        return redirect("affiliation:self_employed")
    values = {name: "" for name in SIGNUP_FIELDS}
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        values = {name: _post(request, name, 254) for name in SIGNUP_FIELDS}
        uploads = {
            key: upload for key, upload in request.FILES.items() if isinstance(upload, UploadedFile)
        }
        try:
            services.self_employed_signup(
                data=SelfEmployedInput(
                    **values,
                    password=_post(request, "password", 200),
                    password_again=_post(request, "password_again", 200),
                    language=_lang(),
                ),
                uploads=uploads,
            )
        except InvalidInput as exc:
            errors = _by_field(exc.problems)
        else:
            return redirect("affiliation:signup_done")
    lang = _lang()
    return render(
        request,
        "affiliation/signup.html",
        {
            "values": values,
            "errors": errors,
            "error_count": sum(len(v) for v in errors.values()),
            "all_errors": [m for v in errors.values() for m in v],
            "sexes": _sexes(),
            "categories": _category_rows(),
            "professions": [
                (code, texts.get(lang, texts["en"])) for code, texts in PROFESSIONS.items()
            ],
            "agencies": [
                (a.code, {"fr": a.name_fr, "ar": a.name_ar}.get(lang, a.name_en))
                for a in agency_list(fund=current_fund().code)
            ],
            "document_fields": _document_fields(errors),
        },
        status=400 if errors else 200,
    )


def _document_fields(errors: dict[str, list[str]]) -> list[dict[str, object]]:
    """Every document any category may need, once, with the categories that need it."""
    lang = _lang()
    fields: dict[str, dict[str, object]] = {}
    for cat in CATEGORIES.values():
        for doc in cat.documents:
            entry = fields.setdefault(
                doc.code,
                {
                    "code": doc.code,
                    "label": doc.label(lang),
                    "for": [],
                    "errors": errors.get(doc.code, []),
                },
            )
            categories = entry["for"]
            assert isinstance(categories, list)
            categories.append(cat.label(lang))
    return list(fields.values())


@require_safe
def self_employed_signup_done(request: HttpRequest) -> HttpResponse:
    if not _offered():
        raise Http404("this fund does not affiliate the self-employed")
    next_url = reverse("affiliation:self_employed")
    return render(request, "affiliation/signup_done.html", {"next": next_url})


@require_http_methods(["GET", "HEAD", "POST"])
@self_employed_required
def income(request: HttpRequest, affiliation: SelfEmployedAffiliation) -> HttpResponseBase:
    today = timezone.localdate()
    lowest, highest = services.years_open(affiliation=affiliation, today=today)
    values = {"year": str(highest), "income": ""}
    errors: dict[str, list[str]] = {}
    preview: services.IncomeChecked | None = None
    if affiliation.status != AffiliationStatus.AFFILIATED:
        return render(
            request, "affiliation/income_closed.html", {"affiliation": affiliation}, status=403
        )
    if request.method == "POST":
        values = {"year": _post(request, "year", 8), "income": _post(request, "income", 40)}
        action = _post(request, "action", 10)
        try:
            if action == "submit":
                declaration = services.income_declare(
                    account=affiliation.account,
                    year=values["year"],
                    income=values["income"],
                    user=request.user,  # type: ignore[arg-type]
                )
                return redirect("affiliation:income_receipt", year=declaration.year)
            preview = services.income_preview(
                account=affiliation.account, year=values["year"], income=values["income"]
            )
        except InvalidInput as exc:
            errors = _by_field(exc.problems)
    return render(
        request,
        "affiliation/income.html",
        {
            "affiliation": affiliation,
            "values": values,
            "years": list(range(highest, lowest - 1, -1)),
            "errors": errors,
            "all_errors": [m for v in errors.values() for m in v],
            "preview": preview,
            "explained": preview.computed if preview is not None else None,
            "rate_percent": _percent(preview.computed.rate) if preview is not None else "",
            "lang": _lang(),
        },
        status=400 if errors else 200,
    )


def _percent(rate: Decimal) -> str:
    return format((rate * 100).normalize(), "f")


@require_safe
@self_employed_required
def income_receipt(
    request: HttpRequest, affiliation: SelfEmployedAffiliation, year: int
) -> HttpResponse:
    found = next(
        (d for d in selectors.income_declarations(account=affiliation.account) if d.year == year),
        None,
    )
    if found is None:
        raise Http404("no declaration for that year")
    return render(
        request,
        "affiliation/income_receipt.html",
        {"affiliation": affiliation, "declaration": found, "account": affiliation.account},
    )


@require_safe
@self_employed_required
def statement(request: HttpRequest, affiliation: SelfEmployedAffiliation) -> HttpResponse:
    return render(
        request,
        "affiliation/statement.html",
        {
            "affiliation": affiliation,
            "account": affiliation.account,
            "statement": selectors.statement(account=affiliation.account, on=timezone.localdate()),
        },
    )
