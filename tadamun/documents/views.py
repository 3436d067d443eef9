"""The document download page: the owner or staff of the handling agency, nobody else (404).
Never served from a static directory; always as an attachment that the browser must not sniff
into something it would run."""

from __future__ import annotations

from django.contrib.auth.views import redirect_to_login
from django.http import FileResponse, Http404, HttpRequest, HttpResponseBase
from django.views.decorators.http import require_safe

from tadamun.accounts.models import AuditAction, User
from tadamun.accounts.services import audit_record
from tadamun.documents import selectors
from tadamun.documents.models import Document


@require_safe
def download(request: HttpRequest, document_id: int) -> HttpResponseBase:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    user = request.user
    assert isinstance(user, User)
    try:
        document = selectors.document_for_user(user=user, document_id=document_id)
    except Document.DoesNotExist:
        raise Http404("no such document") from None
    if selectors.is_staff_read(user=user, document=document):
        audit_record(
            actor=user,
            action=AuditAction.READ,
            obj=document,
            request=request,
            insured=document.owner.insured,
            detail=f"document {document.kind}",
        )
    try:
        handle = selectors.document_path(document=document).open("rb")
    except FileNotFoundError:
        raise Http404("document file missing") from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=document.original_name,
        content_type=document.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
