"""URLs: every page lives under a language prefix (/fr/, /ar/, /en/) so that a link keeps its
language; /i18n/setlang/ switches language (a POST form, no script)."""

from __future__ import annotations

from django.conf.urls.i18n import i18n_patterns
from django.urls import URLPattern, URLResolver, include, path

from tadamun.payments import views as payment_views

urlpatterns: list[URLPattern | URLResolver] = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("payments/callback/<str:gateway>/", payment_views.callback, name="payment_callback"),
    path("api/", include("tadamun.api.urls")),
    *i18n_patterns(
        path("", include("tadamun.portal.urls")),
        path("accounts/", include("tadamun.accounts.urls")),
        path("employers/<int:employer_id>/account/", include("tadamun.ledger.urls")),
        path("employers/<int:employer_id>/payments/", include("tadamun.payments.urls")),
        path("employers/<int:employer_id>/declarations/", include("tadamun.declarations.urls")),
        path("employers/<int:employer_id>/files/", include("tadamun.filings.urls")),
        # API keys of an employer and the agency's partners (the API itself is /api/).
        path("", include("tadamun.api.page_urls")),
        path("documents/", include("tadamun.documents.urls")),
        path("inbox/", include("tadamun.notifications.urls")),
        path("dossiers/", include("tadamun.dossiers.urls")),
        path("affiliation/", include("tadamun.affiliation.urls")),
        path("abroad/", include("tadamun.voluntary.urls")),
        path("insured/", include("tadamun.insured.urls")),
        path("benefits/", include("tadamun.benefits.urls")),
        path("certificates/", include("tadamun.certificates.urls")),
        path("sandbox-gateway/", include("tadamun.payments.sandbox_urls")),
    ),
]
