"""Fixed-width record layouts loaded from versioned data files (``layouts/*.yaml``).

A layout is data: correcting a position or a length is an edit of the YAML file, and the loader
refuses a layout whose fields are not contiguous or do not fill the line exactly.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml

LAYOUTS_DIR = Path(__file__).with_name("layouts")

FieldType = Literal["N", "AN"]


class LayoutError(ValueError):
    """A layout file that cannot be used: names the file, the record and the field."""


@dataclass(frozen=True)
class Field:
    name: str
    start: int  # 1-based, inclusive
    length: int
    type: FieldType
    meaning: str = ""
    # for an N field: "period" (AAAAMM), "date" (AAAAMMJJ), "dmy" (jjmmaaaa, Algeria's DAS) or
    # "right_aligned" (digits padded with spaces on the left, Algeria's DAS amounts)
    format: str | None = None
    blank_allowed: bool = False

    @property
    def end(self) -> int:
        return self.start + self.length - 1

    @property
    def slice(self) -> slice:
        return slice(self.start - 1, self.start - 1 + self.length)


@dataclass(frozen=True)
class Record:
    type: str
    meaning: str
    fields: tuple[Field, ...]
    line_length: int = 0  # characters of this record's lines (the layout's unless set)

    def field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(f"record {self.type} has no field {name!r}")


@dataclass(frozen=True)
class Layout:
    id: str
    version: int
    line_length: int
    allowed_characters: frozenset[str]
    labels: Mapping[str, Mapping[str, str]]
    situations: Mapping[str, int]  # code -> rank in the control sum
    limits: Mapping[str, int]
    records: Mapping[str, Record]
    files: Mapping[str, tuple[tuple[str, str], ...]]  # kind -> ((record, one|many|some), …)
    control_sums: Mapping[str, tuple[str, ...]]  # detail record -> fields added up
    totals: Mapping[str, Totals]  # totals record -> what it adds up
    # "reject": a total must equal the sum of its lines; "modulo": a total that cannot fit its
    # field is carried modulo 10^length (see the BDS layout for why)
    totals_overflow: str = "reject"

    def label(self, field: str) -> Mapping[str, str]:
        return self.labels.get(field, {"fr": field, "ar": field, "en": field})


@dataclass(frozen=True)
class Totals:
    of: tuple[str, ...]  # detail records
    count: str  # field holding the number of detail lines
    sums: Mapping[str, str]  # total field -> detail field


def _field(raw: Any, where: str) -> Field:
    if not isinstance(raw, dict):
        raise LayoutError(f"{where}: a field must be a mapping")
    try:
        name, start, length, kind = raw["name"], raw["start"], raw["length"], raw["type"]
    except KeyError as missing:
        raise LayoutError(f"{where}: field without {missing}") from None
    if not isinstance(name, str) or not isinstance(start, int) or not isinstance(length, int):
        raise LayoutError(f"{where}: name must be text, start and length integers")
    if kind not in ("N", "AN"):
        raise LayoutError(f"{where}.{name}: type {kind!r} is neither N nor AN")
    if length < 1:
        raise LayoutError(f"{where}.{name}: length {length} must be positive")
    fmt = raw.get("format")
    if fmt not in (None, "period", "date", "dmy", "right_aligned"):
        raise LayoutError(f"{where}.{name}: unknown format {fmt!r}")
    return Field(
        name=name,
        start=start,
        length=length,
        type=kind,
        meaning=str(raw.get("meaning", "")),
        format=fmt,
        blank_allowed=bool(raw.get("blank_allowed", False)),
    )


def _check_contiguous(rec: Record, line_length: int, where: str, typed: bool) -> None:
    position = 1
    names: set[str] = set()
    for f in rec.fields:
        if f.name in names and f.name != "filler":
            raise LayoutError(f"{where}: field {f.name} appears twice")
        names.add(f.name)
        if f.start != position:
            raise LayoutError(
                f"{where}.{f.name}: starts at {f.start}, expected {position} (fields must be "
                "contiguous, in order)"
            )
        position = f.end + 1
    if position - 1 != line_length:
        raise LayoutError(f"{where}: fields cover {position - 1} characters, not {line_length}")
    if typed and (not rec.fields or rec.fields[0].name != "record_type"):
        raise LayoutError(f"{where}: the first field must be record_type")


def parse_layout(raw: Any, source: str = "<layout>") -> Layout:
    """Build and validate a :class:`Layout` from parsed YAML data."""
    if not isinstance(raw, dict):
        raise LayoutError(f"{source}: a layout must be a mapping")
    try:
        line_length = int(raw["line_length"])
        raw_records = raw["records"]
        layout_id = str(raw["id"])
        version = int(raw["version"])
    except (KeyError, TypeError, ValueError) as exc:
        raise LayoutError(f"{source}: missing or bad {exc}") from None
    # ``typed: false``: the lines carry no record type (one record per file, e.g. Tunisia's DS);
    # a record's own ``line_length`` overrides the layout's (Algeria's DAS header and detail).
    typed = bool(raw.get("typed", True))
    records: dict[str, Record] = {}
    pending = dict(raw_records)
    while pending:
        progressed = False
        for code, spec in list(pending.items()):
            where = f"{source}:{code}"
            if "same_as" in spec:
                base = records.get(spec["same_as"])
                if base is None:
                    if spec["same_as"] not in pending:
                        raise LayoutError(f"{where}: same_as {spec['same_as']} is not a record")
                    continue
                fields = base.fields
            else:
                fields = tuple(_field(f, where) for f in spec.get("fields", ()))
            length = int(spec.get("line_length", line_length))
            rec = Record(
                type=code,
                meaning=str(spec.get("meaning", "")),
                fields=fields,
                line_length=length,
            )
            if typed and (not rec.fields or len(code) != rec.fields[0].length):
                raise LayoutError(f"{where}: record type must fill the record_type field")
            _check_contiguous(rec, length, where, typed)
            records[code] = rec
            del pending[code]
            progressed = True
        if not progressed:
            raise LayoutError(f"{source}: circular same_as among {sorted(pending)}")
    labels = {
        str(k): {str(lang): str(text) for lang, text in v.items()}
        for k, v in (raw.get("labels") or {}).items()
    }
    for name, texts in labels.items():
        if set(texts) != {"fr", "ar", "en"}:
            raise LayoutError(f"{source}: label {name} needs fr, ar and en")
    situations = {str(k): int(v["rank"]) for k, v in (raw.get("situations") or {}).items()}
    files: dict[str, tuple[tuple[str, str], ...]] = {}
    for kind, order in (raw.get("files") or {}).items():
        steps = tuple((str(r), str(m)) for r, m in order)
        for rec_code, mult in steps:
            if rec_code not in records or mult not in ("one", "many", "some"):
                raise LayoutError(f"{source}: files.{kind}: bad step {rec_code} {mult}")
        files[str(kind)] = steps
    control_sums = {
        str(k): tuple(str(f) for f in v) for k, v in (raw.get("control_sums") or {}).items()
    }
    totals_overflow = str(raw.get("totals_overflow", "reject"))
    if totals_overflow not in ("reject", "modulo"):
        raise LayoutError(f"{source}: totals_overflow must be reject or modulo")
    totals: dict[str, Totals] = {}
    for code, spec in (raw.get("totals") or {}).items():
        t = Totals(
            of=tuple(str(r) for r in spec["of"]),
            count=str(spec["count"]),
            sums={str(k): str(v) for k, v in spec["sums"].items()},
        )
        for name in (t.count, *t.sums):
            records[code].field(name)
        for detail in t.of:
            for name in t.sums.values():
                records[detail].field(name)
        totals[str(code)] = t
    return Layout(
        id=layout_id,
        version=version,
        line_length=line_length,
        allowed_characters=frozenset(str(raw.get("allowed_characters", ""))),
        labels=labels,
        situations=situations,
        limits={str(k): int(v) for k, v in (raw.get("limits") or {}).items()},
        records=records,
        files=files,
        control_sums=control_sums,
        totals=totals,
        totals_overflow=totals_overflow,
    )


@functools.cache
def load_layout(name: str = "ma_cnss_bds_v1") -> Layout:
    """The shipped layout ``name`` (a file under ``layouts/``), loaded and validated once."""
    path = LAYOUTS_DIR / f"{name}.yaml"
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        known = ", ".join(sorted(p.stem for p in LAYOUTS_DIR.glob("*.yaml")))
        raise LayoutError(f"no layout {name!r}; known: {known}") from None
    return parse_layout(yaml.safe_load(text), path.name)
