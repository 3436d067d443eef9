"""Reads of the documents app. :func:`document_for_user` is the one place that decides who may
read a document: its owner, or staff of the agency handling it."""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q

from tadamun.accounts import selectors as account_selectors
from tadamun.accounts.models import User
from tadamun.documents import storage
from tadamun.documents.models import Document


def document_for_user(*, user: User | AnonymousUser, document_id: int | str) -> Document:
    """The document ``document_id`` if ``user`` owns it or is staff of the agency handling it
    (directly, or through a dossier of that agency it is attached to); otherwise
    :class:`Document.DoesNotExist` (unknown id or no right: the same answer)."""
    if not user.is_authenticated or not user.is_active:
        raise Document.DoesNotExist
    assert isinstance(user, User)
    try:
        pk = int(document_id)
    except (TypeError, ValueError):
        raise Document.DoesNotExist from None
    allowed = Q(owner=user)
    profile = account_selectors.staff_profile_for_user(user=user)
    if profile is not None:
        allowed |= Q(agency=profile.agency) | Q(dossiers__agency=profile.agency)
    found = Document.objects.filter(allowed, pk=pk).select_related("owner").distinct().first()
    if found is None:
        raise Document.DoesNotExist
    return found


def is_staff_read(*, user: User, document: Document) -> bool:
    """True when ``user`` reads ``document`` as agency staff rather than as its owner."""
    return document.owner_id != user.pk


def documents_of_owner(*, user: User) -> list[Document]:
    """The documents ``user`` uploaded, newest first."""
    return list(Document.objects.filter(owner=user).order_by("-uploaded_at", "-id"))


def document_path(*, document: Document) -> Path:
    """Where the stored bytes of ``document`` are (outside the web root)."""
    return storage.path_of(document.storage_name)
