from __future__ import annotations

from django.urls import URLPattern, path

from tadamun.affiliation import views

app_name = "affiliation"

urlpatterns: list[URLPattern] = [
    path("employers/<int:employer_id>/", views.employees, name="employees"),
    path("employers/<int:employer_id>/new/", views.immatriculate, name="immatriculate"),
    path("employers/<int:employer_id>/file/", views.immatriculation_file, name="file"),
    path(
        "employers/<int:employer_id>/<int:request_id>/",
        views.immatriculation_request,
        name="request",
    ),
    path("self-employed/", views.self_employed_home, name="self_employed"),
    path("self-employed/signup/", views.self_employed_signup, name="signup"),
    path("self-employed/signup/done/", views.self_employed_signup_done, name="signup_done"),
    path("self-employed/income/", views.income, name="income"),
    path("self-employed/income/<int:year>/", views.income_receipt, name="income_receipt"),
    path("self-employed/statement/", views.statement, name="statement"),
]
