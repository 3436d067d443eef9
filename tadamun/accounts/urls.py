from __future__ import annotations

from django.urls import URLPattern, path

from tadamun.accounts import views

app_name = "accounts"

urlpatterns: list[URLPattern] = [
    path("signup/", views.signup, name="signup"),
    path("login/", views.login_view, name="login"),
    path("login/verify/", views.verify, name="verify"),
    path("login/enrol/", views.enrol, name="enrol"),
    path("login/enrol/qr.svg", views.enrol_qr, name="enrol_qr"),
    path("logout/", views.logout_view, name="logout"),
    path("activate/<str:token>/", views.activate, name="activate"),
    path("password/reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path("password/reset/sent/", views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "password/reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/done/",
        views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("", views.me, name="me"),
    path("employers/<int:employer_id>/access/", views.access, name="access"),
    path("employers/<int:employer_id>/access/invite/", views.access_invite, name="access_invite"),
    path(
        "employers/<int:employer_id>/access/<int:membership_id>/end/",
        views.access_end,
        name="access_end",
    ),
    path("agency/signups/", views.queue, name="queue"),
    path("agency/signups/<int:signup_id>/approve/", views.queue_approve, name="queue_approve"),
    path("agency/signups/<int:signup_id>/reject/", views.queue_reject, name="queue_reject"),
]
