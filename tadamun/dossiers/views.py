"""Dossier pages: the person's own (list, detail with history and what is expected next, answer
to the agency's question) and the agency back office (queue, dossier, assignment, decision,
question to the applicant). Thin: selectors and services; every
staff page goes through ``staff_required`` and the agency-scoped selector (another agency's
dossier: 404), which also writes the read to the audit trail."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.views.decorators.http import require_POST, require_safe

from tadamun.accounts.decorators import staff_required
from tadamun.accounts.models import StaffProfile, User
from tadamun.dossiers import selectors, services
from tadamun.dossiers.kinds import KINDS
from tadamun.dossiers.models import FINAL_STATUSES, QUEUE_STATUSES, Dossier, DossierStatus
from tadamun.dossiers.problems import refuse
from tadamun.errors import InvalidInput, Problem


def _language() -> str:
    return (get_language() or "fr").split("-")[0]


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


# --- the person's own dossiers -------------------------------------------------------------------


@require_safe
@login_required
def dossier_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "dossiers/list.html",
        {"dossiers": selectors.dossiers_for_user(user=_user(request))},
    )


def _own_dossier(request: HttpRequest, dossier_id: int) -> Dossier:
    try:
        return selectors.dossier_for_user(user=_user(request), dossier_id=dossier_id)
    except Dossier.DoesNotExist:
        raise Http404("no such dossier") from None


def _person_page(
    request: HttpRequest,
    dossier: Dossier,
    *,
    errors: list[str] | None = None,
    form: dict[str, str] | None = None,
) -> HttpResponse:
    return render(
        request,
        "dossiers/detail.html",
        {
            "dossier": dossier,
            "events": selectors.dossier_history(dossier=dossier),
            "documents": selectors.dossier_documents(dossier=dossier),
            "question": selectors.dossier_question(dossier=dossier),
            "errors": errors or [],
            "form": form or {},
        },
        status=400 if errors else 200,
    )


@require_safe
@login_required
def dossier_detail(request: HttpRequest, dossier_id: int) -> HttpResponse:
    return _person_page(request, _own_dossier(request, dossier_id))


@require_POST
@login_required
def answer(request: HttpRequest, dossier_id: int) -> HttpResponseBase:
    dossier = _own_dossier(request, dossier_id)
    note = request.POST.get("note", "")
    try:
        services.dossier_answer(
            dossier=dossier,
            applicant=_user(request),
            note=note,
            upload=request.FILES.get("document"),
        )
    except InvalidInput as exc:
        return _person_page(
            request, dossier, errors=exc.messages(_language()), form={"note": note[:1000]}
        )
    return redirect("dossiers:detail", dossier_id=dossier.pk)


# --- the agency back office ----------------------------------------------------------------------

_STATUS_FILTERS = {
    "queue": sorted(QUEUE_STATUSES),
    **{status: [status] for status in DossierStatus.values},
}


@require_safe
@staff_required
def queue(request: HttpRequest, staff: StaffProfile) -> HttpResponse:
    status = request.GET.get("status", "queue")
    status = status if status in _STATUS_FILTERS else "queue"
    kind = request.GET.get("kind", "")
    kind = kind if kind in KINDS else ""
    assignee = request.GET.get("assignee", "")
    assignee = assignee if assignee in ("me", "none") else ""
    search = request.GET.get("q", "")[:40]
    return render(
        request,
        "dossiers/queue.html",
        {
            "staff": staff,
            "dossiers": selectors.queue_for_staff(
                user=_user(request),
                statuses=_STATUS_FILTERS[status],
                kind=kind,
                assignee=assignee,
                search=search,
            ),
            "filters": {"status": status, "kind": kind, "assignee": assignee, "q": search},
            "statuses": [("queue", None), *[(s, s) for s in DossierStatus.values]],
            "kinds": list(KINDS),
        },
    )


def _staff_page(
    request: HttpRequest,
    staff: StaffProfile,
    dossier: Dossier,
    *,
    errors: list[str] | None = None,
    form: dict[str, str] | None = None,
) -> HttpResponse:
    return render(
        request,
        "dossiers/staff_detail.html",
        {
            "staff": staff,
            "dossier": dossier,
            "events": selectors.dossier_history(dossier=dossier),
            "documents": selectors.dossier_documents(dossier=dossier),
            "colleagues": selectors.agency_colleagues(user=_user(request)),
            "question": selectors.dossier_question(dossier=dossier),
            "is_final": dossier.status in FINAL_STATUSES,
            "errors": errors or [],
            "form": form or {},
        },
        status=400 if errors else 200,
    )


def _staff_dossier(request: HttpRequest, staff: StaffProfile, dossier_id: int) -> Dossier:
    try:
        return selectors.dossier_for_staff(
            user=_user(request), dossier_id=dossier_id, request=request
        )
    except Dossier.DoesNotExist:
        raise Http404("no such dossier") from None


@require_safe
@staff_required
def staff_detail(request: HttpRequest, staff: StaffProfile, dossier_id: int) -> HttpResponse:
    return _staff_page(request, staff, _staff_dossier(request, staff, dossier_id))


@require_POST
@staff_required
def assign(request: HttpRequest, staff: StaffProfile, dossier_id: int) -> HttpResponseBase:
    dossier = _staff_dossier(request, staff, dossier_id)
    raw = request.POST.get("assignee", "").strip()
    try:
        if not raw:
            raise refuse("assignee", "required")
        assignee = User.objects.filter(pk=int(raw) if raw.isdigit() else 0).first()
        if assignee is None:
            raise refuse("assignee", "not_same_agency")
        services.dossier_assign(dossier=dossier, staff=_user(request), assignee=assignee)
    except InvalidInput as exc:
        return _staff_page(
            request, staff, dossier, errors=exc.messages(_language()), form={"assignee": raw}
        )
    return redirect("dossiers:staff_detail", dossier_id=dossier.pk)


@require_POST
@staff_required
def decide(request: HttpRequest, staff: StaffProfile, dossier_id: int) -> HttpResponseBase:
    dossier = _staff_dossier(request, staff, dossier_id)
    decision = request.POST.get("decision", "")
    reason = request.POST.get("reason", "")
    problems: list[Problem] = []
    if decision not in ("approve", "reject"):
        code = "required" if not decision else "not_a_choice"
        problems.extend(
            refuse("decision", code, value=decision[:20], choices="approve, reject").problems
        )
    try:
        if problems:
            if not reason.strip():
                problems.extend(refuse("reason", "required").problems)
            raise InvalidInput(problems)
        services.dossier_decide(
            dossier=dossier, staff=_user(request), approve=decision == "approve", reason=reason
        )
    except InvalidInput as exc:
        return _staff_page(
            request,
            staff,
            dossier,
            errors=exc.messages(_language()),
            form={"decision": decision, "reason": reason[:1000]},
        )
    return redirect("dossiers:staff_detail", dossier_id=dossier.pk)


@require_POST
@staff_required
def ask(request: HttpRequest, staff: StaffProfile, dossier_id: int) -> HttpResponseBase:
    dossier = _staff_dossier(request, staff, dossier_id)
    message = request.POST.get("message", "")
    expected_document = request.POST.get("expected_document", "")
    try:
        services.dossier_ask(
            dossier=dossier,
            staff=_user(request),
            message=message,
            expected_document=expected_document,
        )
    except InvalidInput as exc:
        return _staff_page(
            request,
            staff,
            dossier,
            errors=exc.messages(_language()),
            form={"message": message[:1000], "expected_document": expected_document[:200]},
        )
    return redirect("dossiers:staff_detail", dossier_id=dossier.pk)
