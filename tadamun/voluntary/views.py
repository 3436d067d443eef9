"""Pages of the voluntary membership of nationals abroad. Thin: parse the request, call a service
or a selector, render. The member's pages take no id: they serve the signed-in user's own
membership (anyone else: 404); the account's ledger and payment pages are the payments and
ledger apps' own, reached through the same ``employer_required`` check as any account's."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from tadamun.accounts.views import PENDING_AT, PENDING_NEXT, PENDING_USER
from tadamun.errors import InvalidInput
from tadamun.payments.selectors import payment_for_employer, payments_recent
from tadamun.rules.contributions import payslip
from tadamun.rules.errors import InvalidAmount
from tadamun.rules.periods import month_index
from tadamun.voluntary import places, selectors, services
from tadamun.voluntary.models import Activity, Membership, MembershipStatus, QuarterKind
from tadamun.voluntary.problems import problem
from tadamun.voluntary.quarters import (
    FLAT_VARIANT,
    REGIME,
    check_base,
    first_quarter,
    monthly_floor,
    parse_quarter,
    quarter_number,
    quarter_of,
    surcharge_rule,
)

ViewFunc = Callable[..., HttpResponseBase]


def _language() -> str:
    return (get_language() or "fr").split("-")[0]


def _errors(exc: InvalidInput) -> dict[str, list[str]]:
    language = _language()
    return {
        field: [p.message(language) for p in problems] for field, problems in exc.by_field().items()
    }


def _scheme_or_404() -> None:
    if not selectors.scheme_runs():
        raise Http404("this fund does not run the scheme for nationals abroad")


def _common(today: dt.date) -> dict[str, Any]:
    pack = selectors.pack()
    current = quarter_of(today)
    rule = surcharge_rule(pack, today)
    return {
        "rule": rule,
        "first_pct": rule.first * 100,
        "further_pct": rule.further * 100,
        "minimum": monthly_floor(pack, current),
        "currency": pack.currency.code,
        "current_quarter": current.label,
        "back_years": pack.param("declarations.back_payment.max_years").int_at(today),
        "max_age": pack.param("declarations.affiliation.max_age").int_at(today),
    }


# --- public pages -------------------------------------------------------------------------------


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    _scheme_or_404()
    return render(request, "voluntary/home.html", _common(timezone.localdate()))


@require_safe
def coverage_public(request: HttpRequest) -> HttpResponse:
    _scheme_or_404()
    return render(request, "voluntary/coverage.html", {**_common(timezone.localdate())})


@require_safe
def simulator(request: HttpRequest) -> HttpResponse:
    """Both readings of the contribution side by side: the decree's rate on the declared base
    (the default, what is billed) and the flat amount quoted by seed 000."""
    _scheme_or_404()
    today = timezone.localdate()
    pack = selectors.pack()
    context = _common(today)
    base_text = request.GET.get("monthly_base", "")[:40]
    quarter_text = request.GET.get("quarter", "")[:10] or context["current_quarter"]
    context.update({"base_text": base_text, "quarter_text": quarter_text, "errors": {}})
    if base_text:
        period = parse_quarter(quarter_text)
        errors: dict[str, list[str]] = {}
        base = 0
        try:
            base = pack.currency.parse(base_text.replace(",", ".").replace(" ", ""))
        except InvalidAmount:
            errors["monthly_base"] = [
                problem(
                    "monthly_base",
                    "not_an_amount",
                    currency=pack.currency.code,
                    example=pack.currency.format(7_200_000),
                ).message(_language())
            ]
        if period is None:
            errors["quarter"] = [
                problem("quarters", "not_a_quarter", value=quarter_text).message(_language())
            ]
        elif not errors:
            start = first_quarter(pack)
            if quarter_number(period) < quarter_number(start):
                found = [
                    problem("quarters", "before_scheme", quarter=period.label, earliest=start.label)
                ]
            else:
                found = check_base(pack, base, [period])
            for p in found:
                errors.setdefault(p.field, []).append(p.message(_language()))
        context["errors"] = errors
        if not errors and period is not None:
            month = month_index(period.start.year, period.start.month)
            decree = payslip(REGIME, base=base * pack.base_months, period=month)
            flat = payslip(REGIME, base=base * pack.base_months, period=month, variant=FLAT_VARIANT)
            language = _language()
            context["decree_lines"] = [
                (
                    line.label.get(language, line.label["en"]),
                    line.base,
                    (line.rate or 0) * 100,
                    line.amount,
                )
                for line in decree.lines
            ]
            context["decree_total"] = decree.total()
            context["flat_total"] = flat.total()
            context["flat_monthly"] = flat.total() // pack.base_months
            context["minimum_then"] = monthly_floor(pack, period)
            context["simulated"] = period.label
    return render(
        request, "voluntary/simulator.html", context, status=400 if context["errors"] else 200
    )


def _signup_context(values: dict[str, str], errors: dict[str, list[str]]) -> dict[str, Any]:
    language = _language()
    return {
        "values": values,
        "errors": errors,
        "countries": places.countries(language),
        "consulates": places.consulates(language),
        "activities": Activity.choices,
        **_common(timezone.localdate()),
    }


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def join(request: HttpRequest) -> HttpResponse:
    _scheme_or_404()
    values = {field: request.POST.get(field, "")[:200] for field in services.SIGNUP_FIELDS}
    if request.method != "POST":
        values["language"] = _language()
        values["nationality"] = "DZ"
        return render(request, "voluntary/join.html", _signup_context(values, {}))
    posted: dict[str, object] = dict(values)
    posted["password"] = request.POST.get("password", "")
    posted["password_again"] = request.POST.get("password_again", "")
    try:
        outcome = services.membership_signup(
            values=posted,
            consular_card=request.FILES.get("consular_card"),
            activity_proof=request.FILES.get("activity_proof"),
        )
    except services.Ineligible as exc:
        context = _signup_context(values, _errors(exc))
        context["checks"] = [(c.ok, c.message(_language())) for c in exc.checks]
        return render(request, "voluntary/join.html", context, status=400)
    except InvalidInput as exc:
        return render(
            request, "voluntary/join.html", _signup_context(values, _errors(exc)), status=400
        )
    # The second factor is mandatory: the accounts app's enrolment continues the sign-in, then
    # brings the member to their space.
    request.session.cycle_key()
    request.session[PENDING_USER] = outcome.user.pk
    request.session[PENDING_AT] = timezone.now().isoformat()
    request.session[PENDING_NEXT] = reverse("voluntary:space")
    return render(
        request,
        "voluntary/joined.html",
        {
            "outcome": outcome,
            "checks": [(c.ok, c.message(_language())) for c in outcome.checks],
            "unclear": [r.get(_language(), r["en"]) for r in outcome.unclear],
            "dossier": outcome.membership.dossier,
        },
    )


# --- the member's space -------------------------------------------------------------------------


def member_required(view: ViewFunc) -> ViewFunc:
    """The view receives ``membership=`` (the signed-in user's own); 404 for anyone else."""

    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        _scheme_or_404()
        if not request.user.is_authenticated:
            return redirect(f"{reverse('accounts:login')}?next={request.get_full_path()}")
        membership = selectors.membership_for_user(user=request.user)
        if membership is None:
            raise Http404("no membership")
        return view(request, *args, membership=membership, **kwargs)

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


def _space_context(membership: Membership) -> dict[str, Any]:
    today = timezone.localdate()
    context: dict[str, Any] = {
        "membership": membership,
        "pay_key": uuid.uuid4().hex,
        **_common(today),
    }
    if membership.status == MembershipStatus.ACTIVE:
        context["state"] = selectors.coverage(membership=membership, today=today)
        assert membership.account is not None
        context["payments"] = payments_recent(employer=membership.account)
    context["consulate"] = places.consulate_name(membership.consulate, _language())
    context["country"] = places.country_name(membership.country, _language())
    return context


@never_cache
@require_safe
@member_required
def space(request: HttpRequest, membership: Membership) -> HttpResponse:
    return render(request, "voluntary/space.html", _space_context(membership))


@never_cache
@require_safe
@member_required
def coverage_mine(request: HttpRequest, membership: Membership) -> HttpResponse:
    return render(request, "voluntary/coverage.html", _space_context(membership))


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@member_required
def quarters(request: HttpRequest, membership: Membership) -> HttpResponse:
    """Choose the base and the quarters, see what they cost (both readings), then declare and
    go to the card payment page."""
    if membership.status != MembershipStatus.ACTIVE or membership.account is None:
        raise Http404("membership not active")
    today = timezone.localdate()
    context = _space_context(membership)
    base_text = request.POST.get("monthly_base", "")[:40]
    chosen = [q[:10] for q in request.POST.getlist("quarters")[:40]]
    context.update(
        {
            "base_text": base_text,
            "chosen": chosen,
            "errors": {},
            "idempotency_key": request.POST.get("idempotency_key", "")[:80] or uuid.uuid4().hex,
        }
    )
    labels = dict(QuarterKind.choices)
    context["offer"] = [
        (q.quarter, q.kind, labels.get(q.kind, q.kind), q.quarter in chosen)
        for q in context["state"].declarable
    ]
    if request.method != "POST":
        return render(request, "voluntary/quarters.html", context)
    action = request.POST.get("action", "review")
    try:
        if action == "pay":
            services.quarters_declare(
                membership=membership,
                user=membership.user,
                monthly_base=base_text,
                quarters=chosen,
                today=today,
            )
            _intent, url = services.quarters_pay_start(
                membership=membership,
                user=membership.user,
                idempotency_key=context["idempotency_key"],
                return_url=request.build_absolute_uri(reverse("voluntary:paid")),
                callback_url=request.build_absolute_uri(
                    reverse("payment_callback", kwargs={"gateway": "sandbox"})
                ),
            )
            return redirect(url)
        choice = services.quarters_choose(
            membership=membership, monthly_base=base_text, quarters=chosen, today=today
        )
    except InvalidInput as exc:
        if action == "pay" and {p.code for p in exc.problems} == {"already_declared"}:
            # A second click on "pay": the quarters were declared by the first; the same
            # payment key finds the same payment (or starts one for what is still open).
            try:
                _intent, url = services.quarters_pay_start(
                    membership=membership,
                    user=membership.user,
                    idempotency_key=context["idempotency_key"],
                    return_url=request.build_absolute_uri(reverse("voluntary:paid")),
                    callback_url=request.build_absolute_uri(
                        reverse("payment_callback", kwargs={"gateway": "sandbox"})
                    ),
                )
                return redirect(url)
            except InvalidInput:
                pass
        context["errors"] = _errors(exc)
        return render(request, "voluntary/quarters.html", context, status=400)
    context["choice"] = choice
    context["lines"] = [
        (line, labels.get(line.kind, line.kind), line.surcharge_rate * 100)
        for line in choice.quote.lines
    ]
    return render(request, "voluntary/quarters.html", context)


@never_cache
@require_http_methods(["POST"])
@member_required
def pay_open(request: HttpRequest, membership: Membership) -> HttpResponse:
    """Pay what is still open (quarters declared earlier and not paid)."""
    if membership.status != MembershipStatus.ACTIVE:
        raise Http404("membership not active")
    try:
        _intent, url = services.quarters_pay_start(
            membership=membership,
            user=membership.user,
            idempotency_key=request.POST.get("idempotency_key", "")[:80],
            return_url=request.build_absolute_uri(reverse("voluntary:paid")),
            callback_url=request.build_absolute_uri(
                reverse("payment_callback", kwargs={"gateway": "sandbox"})
            ),
        )
    except InvalidInput as exc:
        context = _space_context(membership)
        context["errors"] = _errors(exc)
        return render(request, "voluntary/space.html", context, status=400)
    return redirect(url)


@never_cache
@require_safe
@member_required
def paid(request: HttpRequest, membership: Membership) -> HttpResponse:
    """Back from the card gateway: the payment's status, its receipt, and the cover it gives."""
    if membership.account is None:
        raise Http404("no account")
    intent = payment_for_employer(
        employer=membership.account, reference=request.GET.get("reference", "")
    )
    if intent is None:
        raise Http404("no such payment")
    context = _space_context(membership)
    context["intent"] = intent
    return render(request, "voluntary/paid.html", context)
