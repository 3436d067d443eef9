"""Pages of the API app (under the language prefix): the employer's keys and the agency's
partners. The API itself is in urls.py, mounted at /api/."""

from __future__ import annotations

from django.urls import URLPattern, path

from tadamun.api import views

app_name = "apikeys"

urlpatterns: list[URLPattern] = [
    path("employers/<int:employer_id>/api-keys/", views.employer_keys, name="employer_keys"),
    path(
        "employers/<int:employer_id>/api-keys/new/",
        views.employer_key_create,
        name="employer_key_create",
    ),
    path(
        "employers/<int:employer_id>/api-keys/<int:key_id>/revoke/",
        views.employer_key_revoke,
        name="employer_key_revoke",
    ),
    path("agency/partners/", views.partners, name="partners"),
    path("agency/partners/new/", views.partner_create, name="partner_create"),
    path("agency/partners/<int:partner_id>/", views.partner, name="partner"),
    path(
        "agency/partners/<int:partner_id>/keys/new/",
        views.partner_key_create,
        name="partner_key_create",
    ),
    path(
        "agency/partners/<int:partner_id>/keys/<int:key_id>/revoke/",
        views.partner_key_revoke,
        name="partner_key_revoke",
    ),
    path(
        "agency/partners/<int:partner_id>/suspend/",
        views.partner_suspend,
        name="partner_suspend",
    ),
]
