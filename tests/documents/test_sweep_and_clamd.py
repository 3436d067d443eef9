"""Orphan files are swept; the ClamAV (clamd INSTREAM) client speaks the protocol."""

from __future__ import annotations

import os
import socket
import struct
import threading
from collections.abc import Iterator
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import transaction
from pytest_django.fixtures import Settings as SettingsWrapper

from tadamun.accounts.models import User
from tadamun.documents.models import Document
from tadamun.documents.scanning import EICAR, clamd_scanner
from tadamun.documents.services import document_files_remove, document_store
from tests.documents import samples

pytestmark = pytest.mark.django_db


def test_a_rolled_back_upload_leaves_a_file_that_the_sweep_removes(
    person: User, document_dir: Path
) -> None:
    kept = document_store(
        owner=person, kind="id", upload=samples.upload("a.pdf", samples.pdf_bytes())
    )
    with pytest.raises(RuntimeError), transaction.atomic():
        document_store(owner=person, kind="id", upload=samples.upload("b.pdf", samples.pdf_bytes()))
        raise RuntimeError("the caller's action failed")
    files = sorted(p for p in document_dir.rglob("*") if p.is_file())
    assert len(files) == 2 and Document.objects.count() == 1
    out = StringIO()
    call_command("documents_sweep", stdout=out)
    assert out.getvalue().startswith("0 ")  # too recent: may be an upload in flight
    for path in files:
        os.utime(path, (1, 1))
    call_command("documents_sweep", "--older-than-minutes=1", stdout=out)
    [left] = [p for p in document_dir.rglob("*") if p.is_file()]
    assert left.name == kept.storage_name


class ClamdLike:
    """A loopback server speaking clamd's INSTREAM command (what ClamAV's daemon answers)."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen()
        self.port = self.sock.getsockname()[1]
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                command = b""
                while not command.endswith(b"\0"):
                    command += conn.recv(1)
                assert command == b"zINSTREAM\0"
                data = b""
                while True:
                    size = struct.unpack("!L", self._exact(conn, 4))[0]
                    if size == 0:
                        break
                    data += self._exact(conn, size)
                reply = b"stream: Eicar-Signature FOUND\0" if EICAR in data else b"stream: OK\0"
                conn.sendall(reply)

    @staticmethod
    def _exact(conn: socket.socket, size: int) -> bytes:
        out = b""
        while len(out) < size:
            out += conn.recv(size - len(out))
        return out


@pytest.fixture
def clamd(settings: SettingsWrapper) -> Iterator[ClamdLike]:
    server = ClamdLike()
    settings.TADAMUN_DOCUMENT_SCANNER = "tadamun.documents.scanning.clamd_scanner"
    settings.TADAMUN_CLAMD_ADDRESS = f"127.0.0.1:{server.port}"
    yield server
    server.sock.close()


def test_the_clamd_client(clamd: ClamdLike, person: User) -> None:
    big = samples.pdf_bytes() + b"%" + b"x" * 200_000 + b"\n"  # several INSTREAM chunks
    assert clamd_scanner(big, name="a.pdf") is None
    assert clamd_scanner(samples.pdf_with_eicar(), name="a.pdf") == "Eicar-Signature"
    doc = document_store(
        owner=person, kind="id", upload=samples.upload("a.pdf", samples.pdf_bytes())
    )
    assert doc.pk


def test_document_files_remove_after_a_rollback_keeps_committed_files(
    person: User, document_dir: Path
) -> None:
    kept = document_store(
        owner=person, kind="id", upload=samples.upload("a.pdf", samples.pdf_bytes())
    )
    stored = []
    with pytest.raises(RuntimeError), transaction.atomic():
        stored.append(
            document_store(
                owner=person, kind="id", upload=samples.upload("b.pdf", samples.pdf_bytes())
            )
        )
        raise RuntimeError("the caller's action failed")
    document_files_remove(documents=[*stored, kept])
    [left] = [p for p in document_dir.rglob("*") if p.is_file()]
    assert left.name == kept.storage_name
