"""Every text of the pages is translated into French and Arabic (English is the source)."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.pofile import read_po

import tadamun

LOCALE = Path(tadamun.__file__).parent / "locale"


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_catalogue_complete(language: str) -> None:
    with (LOCALE / language / "LC_MESSAGES" / "django.po").open("rb") as fh:
        catalogue = read_po(fh, locale=language)
    messages = [m for m in catalogue if m.id]
    assert messages
    untranslated = [m.id for m in messages if not m.string or m.fuzzy]
    assert untranslated == []
    assert (LOCALE / language / "LC_MESSAGES" / "django.mo").exists(), "run `make setup`"
