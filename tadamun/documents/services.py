"""Writes of the documents app: storing a checked upload.

An upload is refused (``InvalidInput`` naming the form field, nothing stored: no row, no file)
unless every check passes, in this order: not empty; not over
``TADAMUN_DOCUMENT_MAX_BYTES``; its magic bytes say PDF, JPEG or PNG *and* the file name's
extension says the same type; its content opens (a PDF parses with pypdf, is not encrypted and
carries no JavaScript, automatic action, embedded file or launch action; an image decodes with
Pillow within ``TADAMUN_DOCUMENT_MAX_PIXELS``); and the scanning hook accepts it
(:mod:`tadamun.documents.scanning`). The file is then written under ``VAR_DIR/documents/`` with
a random name, never inside the static or media roots.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import unicodedata
from collections.abc import Iterable
from pathlib import PurePosixPath, PureWindowsPath

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import DatabaseError, transaction
from django.utils import timezone

from tadamun.accounts.models import User
from tadamun.documents import checks, storage
from tadamun.documents.models import Document
from tadamun.documents.problems import refuse
from tadamun.documents.scanning import ScannerUnavailable, scanner
from tadamun.registry.models import Agency

log = logging.getLogger(__name__)

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
DEFAULT_MAX_PIXELS = 50_000_000


def max_bytes() -> int:
    return int(getattr(settings, "TADAMUN_DOCUMENT_MAX_BYTES", DEFAULT_MAX_BYTES))


def max_pixels() -> int:
    return int(getattr(settings, "TADAMUN_DOCUMENT_MAX_PIXELS", DEFAULT_MAX_PIXELS))


def clean_name(name: str) -> str:
    """The last part of the uploader's file name, without control characters, at most 200
    characters (kept for display only)."""
    base = PureWindowsPath(PurePosixPath(name or "").name).name
    text = "".join(c for c in base if unicodedata.category(c)[0] != "C").strip()
    return (text or "document")[-200:]


def _read(upload: UploadedFile, limit: int) -> bytes:
    """At most ``limit + 1`` bytes: enough to tell that a file is too large without reading it
    all."""
    upload.seek(0)
    chunks: list[bytes] = []
    size = 0
    for chunk in upload.chunks():
        chunks.append(chunk)
        size += len(chunk)
        if size > limit:
            break
    return b"".join(chunks)


def check_upload(*, data: bytes, name: str, field: str = "document") -> checks.FileType:
    """Every check of an upload's bytes, in order; its type. Raises InvalidInput (``field``)."""
    limit = max_bytes()
    if not data:
        raise refuse(field, "empty")
    if len(data) > limit:
        raise refuse(field, "too_large", max=f"{limit / (1024 * 1024):g}")
    try:
        threat = scanner()(data, name=name)
    except ScannerUnavailable:
        log.exception("document scanner unavailable; upload refused")
        raise refuse(field, "scan_failed") from None
    if threat:
        log.warning("upload refused by the scanner: %s", threat)
        raise refuse(field, "malware", threat=threat)
    declared = checks.by_name(name, field=field)
    actual = checks.sniff(data, field=field)
    if declared != actual:
        raise refuse(field, "type_mismatch", declared=declared.label, got=actual.label)
    if actual == checks.PDF:
        checks.check_pdf(data, field=field)
    else:
        checks.check_image(data, actual, field=field, max_pixels=max_pixels())
    return actual


def document_store(
    *,
    owner: User,
    kind: str,
    upload: UploadedFile,
    agency: Agency | None = None,
    field: str = "document",
    now: dt.datetime | None = None,
) -> Document:
    """Check ``upload`` and store it for ``owner`` as a document of ``kind``.

    ``agency`` is the agency that will handle it (may be set later by
    :func:`document_hand_to_agency`, e.g. when it is attached to a dossier). Raises
    :class:`tadamun.errors.InvalidInput` naming ``field`` with the reason (fr/ar/en) when the
    file is refused; then no row and no file exist.
    """
    name = clean_name(upload.name or "")
    data = _read(upload, max_bytes())
    kind_of_file = check_upload(data=data, name=name, field=field)
    storage_name = storage.write(data)
    try:
        with transaction.atomic():
            document = Document.objects.create(
                owner=owner,
                agency=agency,
                kind=kind[:64],
                original_name=name,
                content_type=kind_of_file.mime,
                size=len(data),
                sha256=hashlib.sha256(data).hexdigest(),
                storage_name=storage_name,
                uploaded_at=now or timezone.now(),
            )
    except BaseException:
        storage.remove(storage_name)
        raise
    return document


def document_hand_to_agency(*, document: Document, agency: Agency) -> Document:
    """Let ``agency``'s staff read ``document`` (the owner keeps access). Idempotent; a
    document already handled by another agency keeps it (the dossier link also grants
    access)."""
    if document.agency_id is None:
        Document.objects.filter(pk=document.pk, agency__isnull=True).update(agency=agency)
        document.agency = agency
    return document


def document_files_remove(*, documents: Iterable[Document]) -> None:
    """Remove the stored files of ``documents`` whose rows the caller's transaction rolled back
    (a request that failed after its documents were stored): no orphan file stays on disk. Call
    it from the caller's ``except`` after its ``atomic`` block. A file whose row still exists is
    kept: this never deletes a committed document."""
    names = [d.storage_name for d in documents if d.storage_name]
    try:
        alive = set(
            Document.objects.filter(storage_name__in=names).values_list("storage_name", flat=True)
        )
    except DatabaseError:
        # Called inside a transaction that is already broken: its rows go away with it.
        alive = set()
    for name in names:
        if name not in alive:
            storage.remove(name)


def documents_sweep(*, older_than: dt.timedelta = dt.timedelta(hours=1)) -> int:
    """Delete stored files that no row refers to (left by an upload whose caller's transaction
    rolled back after the file was written), if older than ``older_than``; how many."""
    known = set(Document.objects.values_list("storage_name", flat=True))
    cutoff = timezone.now().timestamp() - older_than.total_seconds()
    removed = 0
    for path in storage.stored_files():
        if path.name not in known and path.stat().st_mtime < cutoff:
            storage.remove(path.name)
            removed += 1
    return removed
