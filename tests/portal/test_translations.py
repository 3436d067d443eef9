"""Every text of the pages is translated into French and Arabic (English is the source)."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.pofile import read_po

import tadamun

PACKAGE = Path(tadamun.__file__).parent
# The project's catalogue and one per app.
CATALOGUES = sorted(
    [
        *PACKAGE.glob("locale/*/LC_MESSAGES/django.po"),
        *PACKAGE.glob("*/locale/*/LC_MESSAGES/django.po"),
    ]
)


def test_every_app_catalogue_in_both_languages() -> None:
    languages = {path.parent.parent.name for path in CATALOGUES}
    assert languages == {"fr", "ar"}
    for path in CATALOGUES:
        other = "ar" if path.parent.parent.name == "fr" else "fr"
        assert (path.parent.parent.parent / other / "LC_MESSAGES" / "django.po").exists(), path


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_catalogue_complete(path: Path) -> None:
    language = path.parent.parent.name
    with path.open("rb") as fh:
        catalogue = read_po(fh, locale=language)
    untranslated = [m.id for m in catalogue if m.id and (not m.string or m.fuzzy)]
    assert untranslated == []
    assert path.with_suffix(".mo").exists(), "run `make setup`"
