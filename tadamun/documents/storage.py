"""Where document bytes live: ``settings.TADAMUN_DOCUMENT_DIR`` (``VAR_DIR/documents`` by
default), outside the static and media roots, under random names. Nothing here is served by the
web server; the download view streams a file after checking who asks."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings


def root() -> Path:
    configured = getattr(settings, "TADAMUN_DOCUMENT_DIR", None)
    return Path(configured) if configured else Path(settings.VAR_DIR) / "documents"


def path_of(storage_name: str) -> Path:
    """The file of ``storage_name`` (hex only: no path can be smuggled in)."""
    if not storage_name or not all(c in "0123456789abcdef" for c in storage_name):
        raise ValueError("not a storage name")
    return root() / storage_name[:2] / storage_name


def write(data: bytes) -> str:
    """Write ``data`` under a new random name (owner-only permissions); the name."""
    name = secrets.token_hex(16)
    path = path_of(name)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    return name


def remove(storage_name: str) -> None:
    path_of(storage_name).unlink(missing_ok=True)


def stored_files() -> Iterator[Path]:
    """Every stored file (names that look like ours only)."""
    base = root()
    if not base.is_dir():
        return
    for folder in base.iterdir():
        if folder.is_dir() and len(folder.name) == 2:
            for path in folder.iterdir():
                if path.is_file() and len(path.name) == 32 and path.name.startswith(folder.name):
                    yield path
