"""Files for upload tests, built in memory: good ones and every kind of bad one."""

from __future__ import annotations

import io
import struct
import zlib

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from pypdf import PdfWriter
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    FloatObject,
    NameObject,
    TextStringObject,
)

from tadamun.documents.scanning import EICAR


def upload(
    name: str, data: bytes, content_type: str = "application/octet-stream"
) -> SimpleUploadedFile:
    # The browser's Content-Type is never trusted: pass a misleading one on purpose.
    return SimpleUploadedFile(name, data, content_type=content_type)


def pdf_bytes(*, pages: int = 1, tweak: str = "") -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    if tweak == "javascript":
        # Document-level JavaScript, in the catalogue's /Names tree (no /OpenAction).
        script = DictionaryObject(
            {
                NameObject("/S"): NameObject("/JavaScript"),
                NameObject("/JS"): TextStringObject("app.alert('hello');"),
            }
        )
        tree = DictionaryObject(
            {NameObject("/Names"): ArrayObject([TextStringObject("x"), writer._add_object(script)])}
        )
        writer._root_object[NameObject("/Names")] = DictionaryObject(
            {NameObject("/JavaScript"): tree}
        )
    elif tweak == "attachment":
        writer.add_attachment("payload.txt", b"hidden")
    elif tweak == "encrypted":
        writer.encrypt(user_password="secret", owner_password="owner")
    elif tweak == "launch":
        action = DictionaryObject(
            {
                NameObject("/S"): NameObject("/Launch"),
                NameObject("/F"): TextStringObject("calc.exe"),
            }
        )
        writer._root_object[NameObject("/OpenAction")] = writer._add_object(action)
    elif tweak == "launch_link":
        # A link annotation on the page whose action launches a program (no /OpenAction).
        action = DictionaryObject(
            {
                NameObject("/S"): NameObject("/Launch"),
                NameObject("/F"): TextStringObject("calc.exe"),
            }
        )
        annotation = DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Annot"),
                NameObject("/Subtype"): NameObject("/Link"),
                NameObject("/A"): action,
            }
        )
        annotation[NameObject("/Rect")] = ArrayObject([FloatObject(0)] * 4)
        writer.pages[0][NameObject("/Annots")] = ArrayObject([writer._add_object(annotation)])
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def raw_pdf(objects: list[bytes]) -> bytes:
    """A PDF written by hand from its object bodies (1-based), with a correct xref table."""
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj " % number + body + b" endobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer << /Root 1 0 R /Size %d >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return out


#: A hand-written PDF whose catalogue hides "/OpenAction" and "/JavaScript" behind #-escaped
#: names, which a byte search would miss.
ESCAPED_JS_PDF = raw_pdf(
    [
        b"<< /Type /Catalog /Pages 2 0 R /OpenActio#6e 4 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 10 10] >>",
        b"<< /S /J#61vaScript /J#53 (app.alert(1)) >>",
    ]
)


def image_bytes(fmt: str = "PNG", size: tuple[int, int] = (40, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format=fmt)
    return buffer.getvalue()


def png_bomb(width: int = 100_000, height: int = 100_000) -> bytes:
    """A PNG whose header claims ``width × height`` pixels: a few hundred bytes that would take
    tens of gigabytes to decode."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    data = zlib.compress(b"\0" * 4096, 9)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")
    )


def truncated_png() -> bytes:
    data = image_bytes("PNG", (200, 200))
    return data[: len(data) // 2]


EXE = (
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"
    + b"\x00" * 200
    + b"This program cannot be run in DOS mode."
)
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
CORRUPT_PDF = b"%PDF-1.7\n" + b"\x00garbage, not objects\n" * 40 + b"%%EOF\n"
EICAR_FILE = EICAR


def pdf_with_eicar() -> bytes:
    """A well-formed PDF carrying the EICAR test string in a trailing comment."""
    return pdf_bytes() + b"\n%" + EICAR + b"\n"
