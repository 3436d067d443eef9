"""Pages of certificates: the signed-in person's certificates and requests, each certificate as a
page and a PDF, and the public verification page with the fund's public key.

A certificate is looked up only among the user's own subjects (404 otherwise, the same answer as
for a number that does not exist).
"""

from __future__ import annotations

import segno
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import get_language
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from tadamun.accounts.services import client_ip
from tadamun.certificates import keys, presentation, selectors, services
from tadamun.certificates.models import Certificate, CertificateKind
from tadamun.certificates.pdf import certificate_pdf
from tadamun.errors import InvalidInput, Problem
from tadamun.portal.pdf import language_of


def _lang() -> str:
    return language_of(get_language())


def verify_url(request: HttpRequest, certificate: Certificate, lang: str) -> str:
    with translation.override(lang):
        path = reverse("certificates:verify")
    return request.build_absolute_uri(f"{path}?c={certificate.token}")


def _pdf_links(certificate: Certificate) -> list[tuple[str, str, str]]:
    links = []
    for lang, name in (("fr", "français"), ("ar", "العربية"), ("en", "English")):
        with translation.override(lang):
            links.append((lang, name, reverse("certificates:pdf", args=[certificate.number])))
    return links


@login_required
@require_safe
def mine(request: HttpRequest) -> HttpResponse:
    subjects = selectors.subjects_for_user(user=request.user)
    if not subjects.any:
        raise Http404("no subject to certify")
    return _mine_page(request, subjects, problems=[], status=200)


def _mine_page(
    request: HttpRequest, subjects: selectors.Subjects, *, problems: list[Problem], status: int
) -> HttpResponse:
    lang = _lang()
    return render(
        request,
        "certificates/mine.html",
        {
            "subjects": subjects,
            "certificates": selectors.certificates_for_user(user=request.user),
            "problems": [(p.field, p.message(lang)) for p in problems],
            "posted": request.POST if request.method == "POST" else {},
        },
        status=status,
    )


def _int_or_none(raw: object) -> int | None:
    if not isinstance(raw, str) or not raw.strip().isdigit() or len(raw.strip()) > 6:
        return None
    return int(raw.strip())


@login_required
@require_POST
def request_certificate(request: HttpRequest) -> HttpResponse:
    subjects = selectors.subjects_for_user(user=request.user)
    if not subjects.any:
        raise Http404("no subject to certify")
    kind = request.POST.get("kind", "")
    employer = None
    insured = None
    problems: list[Problem] = []
    if kind == CertificateKind.EMPLOYER_UP_TO_DATE:
        employer_id = _int_or_none(request.POST.get("employer", ""))
        employer = next((e for e in subjects.employers if e.pk == employer_id), None)
        if employer is None:
            problems.append(
                Problem(
                    field="employer",
                    code="unknown_employer",
                    texts={
                        "fr": "choisissez un des employeurs de votre compte",
                        "ar": "اختر أحد المستخدِمين المرتبطين بحسابك",
                        "en": "choose one of the employers of your account",
                    },
                )
            )
    else:
        insured = subjects.insured
    if not problems:
        try:
            certificate = services.certificate_issue(
                kind=kind,
                requested_by=request.user,  # type: ignore[arg-type]
                insured=insured,
                employer=employer,
                year=_int_or_none(request.POST.get("year", "")),
            )
        except InvalidInput as exc:
            problems = list(exc.problems)
        else:
            return redirect("certificates:detail", number=certificate.number)
    return _mine_page(request, subjects, problems=problems, status=400)


def _own(request: HttpRequest, number: str) -> Certificate:
    certificate = selectors.certificate_for_user(user=request.user, number=number)
    if certificate is None:
        raise Http404("no such certificate")
    return certificate


@login_required
@require_safe
def detail(request: HttpRequest, number: str) -> HttpResponse:
    certificate = services.certificate_revalidate(certificate=_own(request, number))
    lang = _lang()
    url = verify_url(request, certificate, lang)
    return render(
        request,
        "certificates/detail.html",
        {
            "certificate": certificate,
            "sentence": presentation.statement_sentence(certificate, lang),
            "rows": presentation.fact_rows(certificate, lang),
            "qr_svg": segno.make(url, error="m").svg_inline(scale=4, border=2),
            "verify_url": url,
            "pdf_links": _pdf_links(certificate),
            "revoked_reason": presentation.revocation_text(certificate.revoked_reason),
        },
    )


@login_required
@require_safe
def pdf(request: HttpRequest, number: str) -> HttpResponse:
    certificate = _own(request, number)
    lang = _lang()
    content = certificate_pdf(
        certificate=certificate, verify_url=verify_url(request, certificate, lang), language=lang
    )
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{certificate.number}-{lang}.pdf"'
    return response


@require_http_methods(["GET", "HEAD", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """Public: anyone may check a certificate by its QR code (``?c=``) or by pasting the token.
    The answer names the outcome and shows what the fund signed; nothing else."""
    raw = request.POST.get("token", "") if request.method == "POST" else request.GET.get("c", "")
    token = raw.strip() if isinstance(raw, str) else ""
    lang = _lang()
    context: dict[str, object] = {"token": token, "public_key_url": reverse("certificates:key")}
    status = 200
    if token:
        result = services.certificate_verify(token=token, client=client_ip(request) or "")
        context["outcome"] = result.outcome
        if result.statement is not None and result.outcome in (
            services.Outcome.VALID,
            services.Outcome.REVOKED,
            services.Outcome.EXPIRED,
        ):
            context["statement"] = result.statement
            context["sentence"] = presentation.signed_sentence(result.statement, lang)
            context["rows"] = presentation.signed_rows(result.statement, lang)
        if result.certificate is not None:
            context["revoked_reason"] = presentation.revocation_text(
                result.certificate.revoked_reason
            )
        if result.outcome not in (services.Outcome.VALID,):
            status = 200 if result.outcome in ("revoked", "expired") else 400
    elif request.method == "POST":
        context["outcome"] = "empty"
        status = 400
    return render(request, "certificates/verify.html", context, status=status)


@require_safe
def public_key(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(keys.current_public_key_pem(), content_type="application/x-pem-file")
    response["Content-Disposition"] = (
        f'inline; filename="tadamun-certificates-{keys.current_key_id()}.pem"'
    )
    return response
