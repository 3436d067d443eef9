from __future__ import annotations

from django.urls import URLPattern, path

from tadamun.payments import views

app_name = "payments"

urlpatterns: list[URLPattern] = [
    path("pay/", views.pay, name="pay"),
    path("return/", views.payment_return, name="return"),
    path("receipts/<str:number>/", views.receipt, name="receipt"),
    path("receipts/<str:number>/receipt.pdf", views.receipt_pdf, name="receipt_pdf"),
]
