"""What makes an upload acceptable, checked on its bytes: the type told by its magic bytes, the
same type as its name says, and content that opens safely. Each refusal is an InvalidInput naming
the form field (:mod:`tadamun.documents.problems`)."""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

import filetype
from PIL import Image, UnidentifiedImageError
from pypdf import PdfReader
from pypdf.errors import PyPdfError
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

from tadamun.documents.problems import refuse
from tadamun.errors import InvalidInput


@dataclass(frozen=True)
class FileType:
    mime: str
    label: str
    extensions: tuple[str, ...]
    pillow_format: str = ""


PDF = FileType("application/pdf", "PDF", (".pdf",))
JPEG = FileType("image/jpeg", "JPEG", (".jpg", ".jpeg"), "JPEG")
PNG = FileType("image/png", "PNG", (".png",), "PNG")
ALLOWED: dict[str, FileType] = {t.mime: t for t in (PDF, JPEG, PNG)}
BY_EXTENSION: dict[str, FileType] = {ext: t for t in ALLOWED.values() for ext in t.extensions}

#: Dictionary keys that carry code or other files. /OpenAction and /AA are not among them: most
#: producers set an /OpenAction that only names the page to open on; the walk goes into them and
#: refuses the actions below wherever they appear.
_ACTIVE_KEYS = frozenset(
    {
        "/JavaScript",
        "/JS",
        "/EmbeddedFiles",
        "/EmbeddedFile",
        "/Launch",
        "/RichMedia",
        "/XFA",
    }
)
#: Action types (``/S``) refused wherever they appear (links, annotations, outlines).
_ACTIVE_ACTIONS = frozenset(
    {"/JavaScript", "/Launch", "/ImportData", "/GoToE", "/RichMediaExecute", "/SubmitForm"}
)
#: A PDF needing more objects than this to walk is refused as too complex (a zip-bomb's cousin).
MAX_PDF_OBJECTS = 200_000


def sniff(data: bytes, *, field: str) -> FileType:
    """The type of ``data`` by its magic bytes, if allowed."""
    guess = filetype.guess(data[:8192])
    if guess is None or guess.mime not in ALLOWED:
        got = guess.mime if guess is not None else "?"
        raise refuse(field, "bad_type", got=got)
    return ALLOWED[guess.mime]


def by_name(name: str, *, field: str) -> FileType:
    """The type the file name's extension announces, if allowed."""
    lowered = name.lower()
    for extension, kind in BY_EXTENSION.items():
        if lowered.endswith(extension):
            return kind
    raise refuse(field, "bad_extension")


def _active_content(reader: PdfReader) -> str | None:
    """The first active-content marker reachable from the trailer, walking every object once."""
    stack: list[object] = [reader.trailer]
    seen: set[tuple[int, int]] = set()
    walked = 0
    while stack:
        item = stack.pop()
        if isinstance(item, IndirectObject):
            key = (item.idnum, item.generation)
            if key in seen:
                continue
            seen.add(key)
            item = item.get_object()
        walked += 1
        if walked > MAX_PDF_OBJECTS:
            return "too many objects"
        if isinstance(item, DictionaryObject):
            for name, value in item.items():
                if name in _ACTIVE_KEYS:
                    return str(name).lstrip("/")
                if name == "/S" and isinstance(value, NameObject) and value in _ACTIVE_ACTIONS:
                    return str(value).lstrip("/")
                if name != "/Parent":
                    stack.append(value)
        elif isinstance(item, ArrayObject):
            stack.extend(item)
    return None


def check_pdf(data: bytes, *, field: str) -> None:
    """The PDF parses, has pages, is not encrypted and holds no active content."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reader = PdfReader(io.BytesIO(data), strict=False)
            if reader.is_encrypted:
                raise refuse(field, "encrypted")
            if len(reader.pages) == 0:
                raise refuse(field, "corrupt", type="PDF")
            found = _active_content(reader)
    except InvalidInput:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, RecursionError):
        raise refuse(field, "corrupt", type="PDF") from None
    if found is not None:
        raise refuse(field, "active_content", what=found)


def _millions(pixels: int) -> str:
    return f"{pixels / 1_000_000:g}"


def check_image(data: bytes, kind: FileType, *, field: str, max_pixels: int) -> None:
    """The image's header says at most ``max_pixels`` (checked before decoding a single pixel:
    a decompression bomb is refused cheaply), then it decodes fully."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=[kind.pillow_format]) as image:
                width, height = image.size
                if width * height > max_pixels:
                    raise refuse(field, "too_many_pixels", max=_millions(max_pixels))
                image.load()
    except InvalidInput:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise refuse(field, "too_many_pixels", max=_millions(max_pixels)) from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        raise refuse(field, "corrupt", type=kind.label) from None
