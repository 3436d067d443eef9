"""Pages of the insured person's space: self-registration in three steps, and their record.
Thin: parse, call a service or selector, render.

Who may see a record is decided in one place, :func:`_own_person`: the signed-in user's own
insured person (``accounts.selectors.insured_for_user``) and nobody else's — any other id in a
URL is answered 404, whoever asks.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import get_language
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from tadamun.accounts.selectors import insured_for_user
from tadamun.accounts.services import client_ip, mask_identifier
from tadamun.errors import InvalidInput
from tadamun.insured import selectors, services
from tadamun.registry.models import InsuredPerson

#: Session keys of a registration under way (the challenge id, never the code).
CHALLENGE = "_tadamun_insured_challenge"
VERIFIED = "_tadamun_insured_verified"
REGISTER_FIELDS = ("number", "birth_date", "email")


def _language() -> str:
    return (get_language() or "fr").split("-")[0]


def _errors(exc: InvalidInput) -> dict[str, list[str]]:
    language = _language()
    return {
        field: [p.message(language) for p in problems] for field, problems in exc.by_field().items()
    }


# --- registration --------------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def register(request: HttpRequest) -> HttpResponse:
    values = {f: request.POST.get(f, "")[:300] for f in REGISTER_FIELDS}
    context: dict[str, Any] = {"values": values, "errors": {}, "throttled": False}
    if request.method == "POST":
        try:
            started = services.registration_start(
                number=values["number"],
                birth_date=values["birth_date"],
                email=values["email"],
                language=_language(),
                ip=client_ip(request),
            )
        except InvalidInput as exc:
            context["errors"] = _errors(exc)
            return render(request, "insured/register.html", context, status=400)
        except services.RegistrationThrottled:
            context["throttled"] = True
            return render(request, "insured/register.html", context, status=429)
        request.session.cycle_key()
        request.session[CHALLENGE] = started.challenge.pk
        request.session.pop(VERIFIED, None)
        return redirect("insured:register_code")
    return render(request, "insured/register.html", context)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def register_code(request: HttpRequest) -> HttpResponse:
    challenge_id = request.session.get(CHALLENGE)
    if not isinstance(challenge_id, int):
        return redirect("insured:register")
    context: dict[str, Any] = {"errors": {}}
    if request.method == "POST":
        try:
            services.registration_verify(
                challenge_id=challenge_id, code=request.POST.get("code", "")[:40]
            )
        except InvalidInput as exc:
            context["errors"] = _errors(exc)
            return render(request, "insured/register_code.html", context, status=400)
        request.session[VERIFIED] = challenge_id
        return redirect("insured:register_password")
    return render(request, "insured/register_code.html", context)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def register_password(request: HttpRequest) -> HttpResponse:
    challenge_id = request.session.get(VERIFIED)
    if not isinstance(challenge_id, int):
        return redirect("insured:register")
    context: dict[str, Any] = {"errors": {}}
    if request.method == "POST":
        try:
            services.registration_complete(
                challenge_id=challenge_id,
                password=request.POST.get("password", ""),
                password_again=request.POST.get("password_again", ""),
            )
        except InvalidInput as exc:
            context["errors"] = _errors(exc)
            status = 400
            if "registration" in context["errors"]:
                request.session.pop(VERIFIED, None)
                request.session.pop(CHALLENGE, None)
            return render(request, "insured/register_password.html", context, status=status)
        request.session.pop(VERIFIED, None)
        request.session.pop(CHALLENGE, None)
        login = reverse("accounts:login") + "?" + urlencode({"next": reverse("insured:home")})
        return render(request, "insured/register_done.html", {"login": login})
    return render(request, "insured/register_password.html", context)


# --- the person's record -------------------------------------------------------------------------


def _own_person(request: HttpRequest, insured_id: int | None = None) -> InsuredPerson:
    person = insured_for_user(user=request.user)
    if person is None or (insured_id is not None and person.pk != insured_id):
        raise Http404("no such record")
    return person


@never_cache
@require_safe
def home(request: HttpRequest) -> HttpResponseBase:
    if not request.user.is_authenticated:
        return redirect(reverse("accounts:login") + "?" + urlencode({"next": request.path}))
    person = _own_person(request)
    return redirect("insured:record", insured_id=person.pk)


@never_cache
@require_safe
def record(request: HttpRequest, insured_id: int) -> HttpResponseBase:
    if not request.user.is_authenticated:
        return redirect(reverse("accounts:login") + "?" + urlencode({"next": request.path}))
    person = _own_person(request, insured_id)
    today: dt.date = timezone.localdate()
    statement = selectors.career_statement(insured=person)
    rights = selectors.rights_decision(insured=person, on=today, statement=statement)
    card = selectors.active_card(insured=person)
    return render(
        request,
        "insured/record.html",
        {
            "person": person,
            "masked_ssn": mask_identifier(person.ssn),
            "statement": statement,
            "rights": rights,
            "family": selectors.family_members(insured=person, on=today),
            "card": mask_identifier(card.number) if card is not None else "",
            "today": today,
            "two_factor": getattr(request.user, "totp_confirmed_at", None) is not None,
        },
    )
