"""Declaration files on disk, outside the web root (``VAR_DIR/filings/``), in bounded memory.

An upload is streamed to a staging file while its sha256, size and line count are computed; it is
refused the moment it passes the size limit (``TADAMUN_FILING_MAX_BYTES``), so a 2 GB upload
fills neither memory nor disk. A zip is accepted only with one member, not encrypted, whose
declared AND actual uncompressed sizes are below ``TADAMUN_FILING_MAX_UNZIPPED_BYTES`` and whose
compression ratio is plausible for a text file (a zip bomb is refused with the figures). The
accepted file is then moved under ``<employer id>/<sha256>``: the name is the content.
"""

from __future__ import annotations

import hashlib
import os
import uuid
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, BinaryIO

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, SkipFile, StopUpload
from django.http import HttpRequest

from tadamun.errors import InvalidInput
from tadamun.filings.problems import problem

CHUNK = 1024 * 1024
#: Highest uncompressed/compressed ratio a declaration file plausibly reaches. Fixed-width lines
#: padded with spaces and zeros compress well (about 20–60 times); deflate tops out near 1,032.
MAX_ZIP_RATIO = 200
ZIP_MAGIC = b"PK\x03\x04"
_MB = 1024 * 1024


def root() -> Path:
    return Path(settings.VAR_DIR) / "filings"


def max_bytes() -> int:
    return int(settings.TADAMUN_FILING_MAX_BYTES)


def max_unzipped() -> int:
    return int(settings.TADAMUN_FILING_MAX_UNZIPPED_BYTES)


def _too_large() -> InvalidInput:
    return InvalidInput([problem("file", "too_large", max=max_bytes() // _MB)])


@dataclass
class Staged:
    """A file received and written to the staging area, with what was learnt while writing."""

    path: Path
    sha256: str
    size: int
    lines: int
    head: bytes  # the first bytes (type sniffing)

    def discard(self) -> None:
        self.path.unlink(missing_ok=True)


class _Writer:
    """Writes chunks to a new staging file, hashing and counting; refuses past ``limit``."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        incoming = root() / "incoming"
        incoming.mkdir(parents=True, exist_ok=True)
        self.path = incoming / f"{uuid.uuid4().hex}.part"
        fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        self.fh: IO[bytes] = os.fdopen(fd, "wb")
        self.hash = hashlib.sha256()
        self.size = 0
        self.newlines = 0
        self.last = b""
        self.head = b""

    def write(self, chunk: bytes) -> None:
        if self.size + len(chunk) > self.limit:
            self.abort()
            raise _too_large()
        self.fh.write(chunk)
        self.hash.update(chunk)
        self.size += len(chunk)
        self.newlines += chunk.count(b"\n")
        if chunk:
            self.last = chunk[-1:]
        if len(self.head) < 4096:
            self.head += chunk[: 4096 - len(self.head)]

    def abort(self) -> None:
        self.fh.close()
        self.path.unlink(missing_ok=True)

    def finish(self) -> Staged:
        self.fh.close()
        lines = self.newlines + (1 if self.size and self.last != b"\n" else 0)
        return Staged(self.path, self.hash.hexdigest(), self.size, lines, self.head)


def stage_stream(stream: BinaryIO | Any) -> Staged:
    """Copy a binary stream to the staging area (the API's path); InvalidInput past the limit."""
    if isinstance(stream, StagedUpload):
        return stream.staged
    writer = _Writer(max_bytes())
    try:
        while True:
            chunk = stream.read(CHUNK)
            if not chunk:
                break
            writer.write(chunk)
    except InvalidInput:
        raise
    except BaseException:
        writer.abort()
        raise
    return writer.finish()


# --- the upload handler of the web form -------------------------------------------------------


class StagedUpload(UploadedFile):
    """What :class:`FilingUploadHandler` hands the view: the file already staged on disk."""

    def __init__(self, staged: Staged, name: str, content_type: str) -> None:
        super().__init__(
            file=None, name=name, content_type=content_type, size=staged.size, charset=None
        )
        self.staged = staged

    def open(self, mode: str | None = None, *args: Any, **kwargs: Any) -> StagedUpload:
        self.file = self.staged.path.open("rb")
        return self

    def close(self) -> None:
        if self.file is not None:
            self.file.close()


class FilingUploadHandler(FileUploadHandler):
    """Streams the form's ``file`` field straight to the staging area, hashing as it goes, and
    stops reading the request the moment the size limit is passed (``refused`` is then set)."""

    field = "file"

    def __init__(self, request: HttpRequest | None = None) -> None:
        super().__init__(request)
        self.writer: _Writer | None = None
        self.refused = False

    def new_file(self, field_name: str, *args: Any, **kwargs: Any) -> None:
        if field_name != self.field or self.writer is not None:
            raise SkipFile()
        super().new_file(field_name, *args, **kwargs)
        self.writer = _Writer(max_bytes())

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        assert self.writer is not None
        try:
            self.writer.write(raw_data)
        except InvalidInput:
            self.refused = True
            raise StopUpload(connection_reset=True) from None
        return None

    def file_complete(self, file_size: int) -> StagedUpload | None:
        if self.writer is None:
            return None
        staged = self.writer.finish()
        return StagedUpload(staged, self.file_name or "", self.content_type or "")

    def upload_interrupted(self) -> None:
        if self.writer is not None:
            self.writer.abort()


# --- zip archives ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ZipMember:
    name: str
    size: int  # actual uncompressed size
    lines: int
    head: bytes


def check_zip(path: Path) -> ZipMember:
    """The one member of the zip at ``path``, its sizes checked by decompressing it in bounded
    memory; InvalidInput naming what is wrong otherwise (a zip bomb among others)."""
    limit = max_unzipped()
    try:
        with zipfile.ZipFile(path) as archive:
            members = [i for i in archive.infolist() if not i.is_dir()]
            if len(members) != 1:
                raise InvalidInput([problem("file", "zip_members", count=len(members))])
            info = members[0]
            name = info.filename[-80:]
            if info.flag_bits & 0x1:
                raise InvalidInput([problem("file", "zip_encrypted")])
            if info.file_size > limit:
                raise InvalidInput(
                    [
                        problem(
                            "file",
                            "zip_too_large",
                            name=name,
                            size=info.file_size // _MB,
                            max=limit // _MB,
                        )
                    ]
                )
            ratio = info.file_size / max(info.compress_size, 1)
            if ratio > MAX_ZIP_RATIO:
                raise InvalidInput(
                    [problem("file", "zip_ratio", name=name, ratio=int(ratio), max=MAX_ZIP_RATIO)]
                )
            # The central directory can lie: count what really comes out, never more than the
            # limit, and let zipfile check the CRC and the declared size at the end.
            size = newlines = 0
            last = head = b""
            with archive.open(info) as member:
                while True:
                    try:
                        chunk = member.read(CHUNK)
                    except zipfile.BadZipFile:  # the CRC: not the content the archive declares
                        raise InvalidInput(
                            [problem("file", "zip_lies", name=name, declared=info.file_size)]
                        ) from None
                    if not chunk:
                        break
                    size += len(chunk)
                    if size > limit or size > info.file_size:
                        raise InvalidInput(
                            [problem("file", "zip_lies", name=name, declared=info.file_size)]
                        )
                    newlines += chunk.count(b"\n")
                    last = chunk[-1:]
                    if len(head) < 4096:
                        head += chunk[: 4096 - len(head)]
            if size != info.file_size:
                raise InvalidInput(
                    [problem("file", "zip_lies", name=name, declared=info.file_size)]
                )
            lines = newlines + (1 if size and last != b"\n" else 0)
            return ZipMember(name=info.filename, size=size, lines=lines, head=head)
    except InvalidInput:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError, OSError) as e:
        reason = str(e)[:80] or type(e).__name__
        raise InvalidInput([problem("file", "zip_bad", reason=reason)]) from None


def is_zip(head: bytes) -> bool:
    return head.startswith(ZIP_MAGIC)


# --- reading a stored file -------------------------------------------------------------------


def stored_path(stored_name: str) -> Path:
    path = (root() / stored_name).resolve()
    if root().resolve() not in path.parents:
        raise ValueError(f"{stored_name!r} is not under the filings directory")
    return path


def store(staged: Staged, *, employer_id: int, zipped: bool) -> str:
    """Move a staged file to its final place; its name relative to :func:`root`."""
    directory = root() / str(employer_id)
    directory.mkdir(parents=True, exist_ok=True)
    name = f"{employer_id}/{staged.sha256}{'.zip' if zipped else '.txt'}"
    os.replace(staged.path, root() / name)
    return name


@contextmanager
def open_stored(stored_name: str, *, zipped: bool) -> Iterator[BinaryIO]:
    """The declaration file as a binary stream (the member of a zip, decompressed on the fly)."""
    path = stored_path(stored_name)
    if not zipped:
        with path.open("rb") as fh:
            yield fh
        return
    with zipfile.ZipFile(path) as archive:
        info = next(i for i in archive.infolist() if not i.is_dir())
        with archive.open(info) as member:
            yield member  # type: ignore[misc]
