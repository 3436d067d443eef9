"""Pages of the accounts app. A view parses the request, calls a selector or a service, and
renders: the decisions are in services.py and selectors.py."""

from __future__ import annotations

import datetime as dt
from typing import Any

import segno
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from tadamun.accounts import selectors, services
from tadamun.accounts.decorators import employer_required_for, staff_required
from tadamun.accounts.models import Role, StaffProfile, User
from tadamun.errors import InvalidInput
from tadamun.registry.models import Employer

#: Session keys of a sign-in half done (password checked, second factor not yet).
PENDING_USER = "_tadamun_pending_user"
PENDING_AT = "_tadamun_pending_at"
PENDING_NEXT = "_tadamun_pending_next"
#: How long the second step may wait after the password.
PENDING_VALIDITY = dt.timedelta(minutes=10)
BACKEND = "django.contrib.auth.backends.ModelBackend"


def _language() -> str:
    return (get_language() or "fr").split("-")[0]


def _errors(exc: InvalidInput) -> dict[str, list[str]]:
    language = _language()
    return {
        field: [p.message(language) for p in problems] for field, problems in exc.by_field().items()
    }


def _site_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/")


def _safe_next(request: HttpRequest, value: object) -> str:
    text = value if isinstance(value, str) else ""
    if text and url_has_allowed_host_and_scheme(
        text, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return text
    return ""


# --- employer sign-up request --------------------------------------------------------------------

SIGNUP_FIELDS = ("affiliate_number", "legal_identifier", "company_name", "contact_name", "email")


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    values = {field: request.POST.get(field, "") for field in SIGNUP_FIELDS}
    if request.method == "POST":
        try:
            services.signup_request_submit(
                affiliate_number=values["affiliate_number"],
                legal_identifier=values["legal_identifier"],
                company_name=values["company_name"],
                contact_name=values["contact_name"],
                email=values["email"],
                language=_language(),
            )
        except InvalidInput as exc:
            return render(
                request,
                "accounts/signup.html",
                {"values": values, "errors": _errors(exc)},
                status=400,
            )
        return render(request, "accounts/signup_sent.html", {"email": values["email"]})
    return render(request, "accounts/signup.html", {"values": values, "errors": {}})


# --- sign-in -------------------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    next_url = _safe_next(request, request.POST.get("next") or request.GET.get("next"))
    context: dict[str, Any] = {"next": next_url, "email": "", "refused": False, "locked": False}
    if request.method == "POST":
        email = request.POST.get("email", "")
        context["email"] = email
        try:
            user = services.sign_in_password(
                request=request,
                email=email,
                password=request.POST.get("password", ""),
                ip=services.client_ip(request),
            )
        except services.SignInRefused as exc:
            context["refused"] = True
            context["locked"] = exc.locked
            return render(request, "accounts/login.html", context, status=400)
        # The session changes key before it holds anything about the user.
        request.session.cycle_key()
        request.session[PENDING_USER] = user.pk
        request.session[PENDING_AT] = timezone.now().isoformat()
        request.session[PENDING_NEXT] = next_url
        if user.totp_confirmed_at is None:
            return redirect("accounts:enrol")
        return redirect("accounts:verify")
    return render(request, "accounts/login.html", context)


def _pending_user(request: HttpRequest) -> User | None:
    """The user whose password was just checked, if that was less than 10 minutes ago."""
    pk = request.session.get(PENDING_USER)
    started = request.session.get(PENDING_AT)
    if not isinstance(pk, int) or not isinstance(started, str):
        return None
    try:
        at = dt.datetime.fromisoformat(started)
    except ValueError:
        return None
    if timezone.now() - at > PENDING_VALIDITY:
        return None
    return User.objects.filter(pk=pk, is_active=True).first()


def _complete_sign_in(request: HttpRequest, user: User) -> str:
    next_url = str(request.session.get(PENDING_NEXT) or "")
    for key in (PENDING_USER, PENDING_AT, PENDING_NEXT):
        request.session.pop(key, None)
    login(request, user, backend=BACKEND)  # rotates the session key again
    return next_url or reverse("accounts:me")


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    user = _pending_user(request)
    if user is None or user.totp_confirmed_at is None:
        return redirect("accounts:login")
    context: dict[str, Any] = {"errors": {}, "locked": False}
    if request.method == "POST":
        try:
            services.sign_in_second_factor(
                user=user, code=request.POST.get("code", ""), ip=services.client_ip(request)
            )
        except services.SignInRefused:
            for key in (PENDING_USER, PENDING_AT, PENDING_NEXT):
                request.session.pop(key, None)
            context["locked"] = True
            return render(request, "accounts/login.html", {**context, "refused": True}, status=400)
        except InvalidInput as exc:
            context["errors"] = _errors(exc)
            return render(request, "accounts/verify.html", context, status=400)
        return redirect(_complete_sign_in(request, user))
    return render(request, "accounts/verify.html", context)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def enrol(request: HttpRequest) -> HttpResponse:
    user = _pending_user(request)
    if user is None or user.totp_confirmed_at is not None:
        return redirect("accounts:login")
    secret = services.totp_enrolment_start(user=user)
    context: dict[str, Any] = {"secret": secret, "errors": {}}
    if request.method == "POST":
        try:
            codes = services.totp_enrolment_confirm(
                user=user, code=request.POST.get("code", ""), ip=services.client_ip(request)
            )
        except services.SignInRefused:
            for key in (PENDING_USER, PENDING_AT, PENDING_NEXT):
                request.session.pop(key, None)
            return render(
                request, "accounts/login.html", {"refused": True, "locked": True}, status=400
            )
        except InvalidInput as exc:
            context["errors"] = _errors(exc)
            return render(request, "accounts/enrol.html", context, status=400)
        services.sign_in_succeeded(user=user)
        next_url = _complete_sign_in(request, user)
        return render(request, "accounts/recovery_codes.html", {"codes": codes, "next": next_url})
    return render(request, "accounts/enrol.html", context)


@never_cache
@require_safe
def enrol_qr(request: HttpRequest) -> HttpResponse:
    """The enrolment QR code as an SVG image (an <img> from this site: CSP-safe, no script)."""
    user = _pending_user(request)
    if user is None or user.totp_confirmed_at is not None or not user.totp_secret:
        raise Http404("no enrolment under way")
    qr = segno.make(services.totp_uri(user=user), error="m")
    svg = qr.svg_inline(scale=5, dark="#000", light="#fff")
    return HttpResponse(svg, content_type="image/svg+xml")


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("portal:home")


# --- activation (set a first password) -----------------------------------------------------------


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def activate(request: HttpRequest, token: str) -> HttpResponse:
    try:
        services.activation_token_check(token=token)
    except InvalidInput as exc:
        return render(
            request, "accounts/activate_invalid.html", {"errors": _errors(exc)}, status=400
        )
    if request.method == "POST":
        try:
            services.user_activate(
                token=token,
                password=request.POST.get("password", ""),
                password_again=request.POST.get("password_again", ""),
            )
        except InvalidInput as exc:
            return render(request, "accounts/activate.html", {"errors": _errors(exc)}, status=400)
        return render(request, "accounts/activate_done.html")
    return render(request, "accounts/activate.html", {"errors": {}})


# --- password reset (Django's views, our templates) ----------------------------------------------


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset.html"
    email_template_name = "accounts/mail/password_reset_body.txt"
    subject_template_name = "accounts/mail/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


# --- the signed-in user's home -------------------------------------------------------------------


@never_cache
@require_safe
def me(request: HttpRequest) -> HttpResponseBase:
    if not request.user.is_authenticated:
        return redirect("accounts:login")
    return render(
        request,
        "accounts/me.html",
        {
            "employers": list(selectors.employers_for_user(user=request.user)),
            "staff": selectors.staff_profile_for_user(user=request.user),
            "owned": set(
                selectors.employers_for_user(user=request.user)
                .filter(memberships__role=Role.OWNER, memberships__user=request.user)
                .values_list("pk", flat=True)
            ),
        },
    )


# --- an owner's delegations ----------------------------------------------------------------------


def _access_page(
    request: HttpRequest,
    employer: Employer,
    *,
    errors: dict[str, list[str]] | None = None,
    email: str = "",
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "accounts/access.html",
        {
            "employer": employer,
            "memberships": selectors.employer_memberships(employer=employer),
            "errors": errors or {},
            "email": email,
        },
        status=status,
    )


@never_cache
@require_safe
@employer_required_for(Role.OWNER)
def access(request: HttpRequest, employer: Employer) -> HttpResponse:
    return _access_page(request, employer)


@require_POST
@employer_required_for(Role.OWNER)
def access_invite(request: HttpRequest, employer: Employer) -> HttpResponse:
    assert isinstance(request.user, User)
    email = request.POST.get("email", "")
    try:
        services.membership_invite(
            owner=request.user,
            employer=employer,
            email=email,
            site_url=_site_url(request),
            language=_language(),
        )
    except InvalidInput as exc:
        return _access_page(request, employer, errors=_errors(exc), email=email, status=400)
    return redirect("accounts:access", employer_id=employer.pk)


@require_POST
@employer_required_for(Role.OWNER)
def access_end(request: HttpRequest, employer: Employer, membership_id: int) -> HttpResponse:
    assert isinstance(request.user, User)
    try:
        services.membership_end(owner=request.user, employer=employer, membership_id=membership_id)
    except PermissionDenied:
        raise Http404("no such delegation") from None
    except InvalidInput as exc:
        return _access_page(request, employer, errors=_errors(exc), status=400)
    return redirect("accounts:access", employer_id=employer.pk)


# --- the agency's queue of sign-up requests ------------------------------------------------------


def _queue_page(
    request: HttpRequest,
    staff: StaffProfile,
    *,
    errors: dict[str, list[str]] | None = None,
    failed: int | None = None,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "accounts/queue.html",
        {
            "agency": staff.agency,
            "pending": selectors.signup_queue(agency=staff.agency),
            "decided": selectors.signup_recent_decisions(agency=staff.agency),
            "errors": errors or {},
            "failed": failed,
        },
        status=status,
    )


@never_cache
@require_safe
@staff_required
def queue(request: HttpRequest, staff: StaffProfile) -> HttpResponse:
    return _queue_page(request, staff)


@require_POST
@staff_required
def queue_approve(request: HttpRequest, staff: StaffProfile, signup_id: int) -> HttpResponse:
    if selectors.signup_request_for_staff(user=request.user, request_id=signup_id) is None:
        raise Http404("no such request")
    try:
        services.signup_request_approve(
            staff_user=staff.user, signup_id=signup_id, site_url=_site_url(request)
        )
    except PermissionDenied:
        raise Http404("no such request") from None
    except InvalidInput as exc:
        return _queue_page(request, staff, errors=_errors(exc), failed=signup_id, status=400)
    return redirect("accounts:queue")


@require_POST
@staff_required
def queue_reject(request: HttpRequest, staff: StaffProfile, signup_id: int) -> HttpResponse:
    if selectors.signup_request_for_staff(user=request.user, request_id=signup_id) is None:
        raise Http404("no such request")
    try:
        services.signup_request_reject(
            staff_user=staff.user,
            signup_id=signup_id,
            reason=request.POST.get("reason", ""),
            site_url=_site_url(request),
        )
    except PermissionDenied:
        raise Http404("no such request") from None
    except InvalidInput as exc:
        return _queue_page(request, staff, errors=_errors(exc), failed=signup_id, status=400)
    return redirect("accounts:queue")
