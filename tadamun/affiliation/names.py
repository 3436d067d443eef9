"""Names compared for duplicate detection (pure Python).

Two spellings of one person must meet: case, accents (``Benaïssa`` / ``BENAISSA``), apostrophes
and hyphens (``Ben-Ali`` / ``Ben Ali`` / ``Benali``), Arabic diacritics and letter variants
(``أ إ آ`` → ``ا``, ``ة`` → ``ه``, ``ى`` → ``ي``, tatweel) and spacing in either script
(``بن علي`` / ``بنعلي``). The key is what remains once all of that is folded away; two records
with the same key (Latin or Arabic) and the same birth date are a *suspected* duplicate, for a
person to look at.
"""

from __future__ import annotations

import re
import unicodedata

_NOT_LETTER = re.compile(r"[^0-9a-z\u0621-\u064a]")
_ARABIC_FOLD = str.maketrans(
    {
        "أ": "ا",
        "إ": "ا",
        "آ": "ا",
        "ٱ": "ا",
        "ة": "ه",
        "ى": "ي",
        "ؤ": "و",
        "ئ": "ي",
        "ـ": None,  # tatweel
    }
)
_ARABIC_MARKS = re.compile(r"[\u064b-\u065f\u0670]")


def fold(text: str) -> str:
    """``text`` without case, accents, diacritics, spaces, hyphens or apostrophes."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    plain = _ARABIC_MARKS.sub("", plain).translate(_ARABIC_FOLD).casefold()
    return _NOT_LETTER.sub("", plain)


def name_key(surname: str, first_names: str) -> str:
    """One key for a person's full name in one script ("" when either part is empty)."""
    a, b = fold(surname), fold(first_names)
    return f"{a}|{b}" if a and b else ""
