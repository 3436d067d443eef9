"""PDF documents of the portal (receipts) with fpdf2, in French, Arabic or English.

Arabic is shaped right-to-left by HarfBuzz (fpdf2's ``set_text_shaping``, through uharfbuzz) with
an embedded font that covers Latin and Arabic (DejaVu Sans, shipped in ``fonts/``), so a receipt
looks the same on every machine whatever fonts it has.

A :class:`Document` is written in reading order: in Arabic its lines are right-aligned, its table
columns run from right to left, and numbers, dates and codes are isolated so that they keep their
left-to-right order inside Arabic text. What a document says belongs to its app; only the layout
is here.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Literal

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from tadamun.funds.profiles import FundProfile

FONT = Path(__file__).parent / "fonts" / "DejaVuSans.ttf"
FAMILY = "DejaVu"
LANGUAGES = ("fr", "ar", "en")

#: Where a table column's text sits, in reading order (mirrored in Arabic).
Align = Literal["start", "center", "end"]
_LTR_ALIGN = {"start": "LEFT", "center": "CENTER", "end": "RIGHT"}
_RTL_ALIGN = {"start": "RIGHT", "center": "CENTER", "end": "LEFT"}


def language_of(language: str | None) -> str:
    """``fr``, ``ar`` or ``en`` (anything else reads as English)."""
    lang = (language or "").split("-")[0]
    return lang if lang in LANGUAGES else "en"


class Document:
    """One A4 page (or more) in ``language``, with the font loaded and shaping set up."""

    def __init__(self, *, language: str, title: str) -> None:
        self.language = language_of(language)
        self.rtl = self.language == "ar"
        self.align = "R" if self.rtl else "L"
        pdf = FPDF(format="A4")
        pdf.set_title(title)
        pdf.add_font(FAMILY, fname=str(FONT))
        pdf.set_font(FAMILY, size=11)
        if self.rtl:
            pdf.set_text_shaping(
                use_shaping_engine=True, direction="rtl", script="arab", language="ara"
            )
        else:
            pdf.set_text_shaping(use_shaping_engine=True, direction="ltr")
        pdf.add_page()
        self.pdf = pdf

    def ltr(self, value: str) -> str:
        """``value`` (a number, date, code) kept left-to-right inside Arabic text."""
        return f"\u2066{value}\u2069" if self.rtl and value else value

    def line(self, text: str, *, size: float = 11, height: float = 7) -> None:
        """A paragraph, wrapped to the page width, aligned to the start of the line."""
        self.pdf.set_font(FAMILY, size=size)
        self.pdf.multi_cell(
            self.pdf.epw, height, text, align=self.align, new_x=XPos.LMARGIN, new_y=YPos.NEXT
        )

    def heading(self, text: str) -> None:
        self.line(text, size=16, height=10)

    def pair(self, label: str, value: str, *, ltr: bool = True) -> None:
        """``label: value`` (``label : value`` in French); the value is kept left-to-right
        unless ``ltr`` is false (a name, which may itself be Arabic)."""
        separator = " : " if self.language == "fr" else ": "
        self.line(f"{label}{separator}{self.ltr(value) if ltr else value}")

    def notice(self, text: str) -> None:
        """A framed line that cannot be missed (the SANDBOX label)."""
        self.pdf.set_font(FAMILY, size=11)
        self.pdf.set_draw_color(180, 30, 30)
        self.pdf.set_text_color(180, 30, 30)
        self.pdf.multi_cell(
            self.pdf.epw,
            8,
            text,
            border=1,
            align="C",
            padding=(1, 2),
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
        self.pdf.set_text_color(0, 0, 0)
        self.pdf.set_draw_color(0, 0, 0)
        self.gap()

    def gap(self, height: float = 3) -> None:
        self.pdf.ln(height)

    def table(
        self,
        headings: Sequence[str],
        rows: Iterable[Sequence[str]],
        *,
        widths: Sequence[int],
        align: Sequence[Align],
        ltr: Sequence[bool] = (),
        size: float = 10,
    ) -> None:
        """A table whose ``headings``, ``rows``, ``widths`` (relative) and ``align`` are given in
        reading order; in Arabic the columns run right to left. Columns flagged in ``ltr``
        (amounts, dates, codes) keep their left-to-right order."""
        keep = list(ltr) + [False] * (len(headings) - len(ltr))
        order = list(range(len(headings)))
        if self.rtl:
            order.reverse()
        mapping = _RTL_ALIGN if self.rtl else _LTR_ALIGN
        self.pdf.set_font(FAMILY, size=size)
        with self.pdf.table(
            first_row_as_headings=False,
            col_widths=tuple(widths[i] for i in order),
            text_align=tuple(mapping[align[i]] for i in order),
        ) as table:
            table.row([headings[i] for i in order])
            for row in rows:
                table.row([self.ltr(row[i]) if keep[i] else row[i] for i in order])
        self.gap()

    def output(self) -> bytes:
        return bytes(self.pdf.output())


def fund_header(document: Document, fund: FundProfile) -> None:
    """The issuing fund at the top of the page: short name and country, then its full name."""
    lang = document.language
    country = fund.country_name.get(lang, fund.country_name["en"])
    document.pdf.set_text_color(11, 110, 79)
    document.line(f"{fund.short_name_in(lang)} · {country}", size=10, height=5)
    document.pdf.set_text_color(89, 99, 110)
    document.line(fund.name_in(lang), size=8, height=4)
    document.pdf.set_text_color(0, 0, 0)
    document.gap(4)
