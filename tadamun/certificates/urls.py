from __future__ import annotations

from django.urls import URLPattern, path

from tadamun.certificates import views

app_name = "certificates"

urlpatterns: list[URLPattern] = [
    path("", views.mine, name="mine"),
    path("request/", views.request_certificate, name="request"),
    path("verify/", views.verify, name="verify"),
    path("public-key.pem", views.public_key, name="key"),
    path("<str:number>/", views.detail, name="detail"),
    path("<str:number>/certificate.pdf", views.pdf, name="pdf"),
]
