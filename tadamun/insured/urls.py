from __future__ import annotations

from django.urls import URLPattern, path

from tadamun.insured import views

app_name = "insured"

urlpatterns: list[URLPattern] = [
    path("", views.home, name="home"),
    path("<int:insured_id>/", views.record, name="record"),
    path("register/", views.register, name="register"),
    path("register/code/", views.register_code, name="register_code"),
    path("register/password/", views.register_password, name="register_password"),
]
