"""Loading and validating parameter packs (see docs/rules-packs.md for the format).

Packs are OpenFisca-style YAML: every value dated and cited. Loading is strict, so that a pack a
legal department edits by hand fails loudly with the file and key at fault rather than yielding a
wrong number later.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Literal

import yaml

from tadamun.rules.errors import NotInForce, PackError, UnknownPack, UnknownParameter
from tadamun.rules.money import CURRENCY_DECIMALS, Currency, Rounding

PACKS_DIR = Path(__file__).parent / "packs"

Unit = Literal[
    "/1", "currency", "multiple", "day", "month", "year", "quarter", "count", "month-day", "code"
]
UNITS: tuple[str, ...] = (
    "/1",
    "currency",
    "multiple",
    "day",
    "month",
    "year",
    "quarter",
    "count",
    "month-day",
    "code",
)
INTEGER_UNITS = ("day", "month", "year", "quarter", "count")
STATUSES = ("S", "D", "C", "U")
LANGUAGES = ("fr", "ar", "en")
RESERVED_KEYS = frozenset({"description", "metadata", "documentation"})
ROUNDING_KINDS = ("contribution", "penalty", "pension")

#: Rates and multiples are held exactly as integer parts per million.
PPM = 1_000_000

Value = Decimal | int | str | tuple[int, int]

_URL_RE = re.compile(r"^https?://\S+$")
_MONTH_DAY_RE = re.compile(r"^(\d{2})-(\d{2})$")


class _DecimalLoader(yaml.SafeLoader):
    """SafeLoader that reads YAML floats from their text as Decimal, never through float."""


def _construct_decimal(loader: yaml.SafeLoader, node: yaml.Node) -> Decimal:
    text = str(loader.construct_scalar(node)).replace("_", "")  # type: ignore[arg-type]
    try:
        value = Decimal(text)
    except InvalidOperation:
        value = Decimal("NaN")
    if not value.is_finite():
        raise yaml.constructor.ConstructorError(
            None, None, f"{text!r} is not a finite number", node.start_mark
        )
    return value


_DecimalLoader.add_constructor("tag:yaml.org,2002:float", _construct_decimal)


@dataclass(frozen=True)
class Reference:
    title: str
    href: str

    def __str__(self) -> str:
        return f"{self.title} <{self.href}>"


@dataclass(frozen=True)
class DatedValue:
    start: dt.date
    value: Value | None
    references: tuple[Reference, ...]
    status: str
    note: str | None

    @property
    def ppm(self) -> int:
        """A rate or multiple as exact integer parts per million."""
        if not isinstance(self.value, Decimal):
            raise TypeError(f"{self.value!r} is not a rate")
        return int(self.value * PPM)


@dataclass(frozen=True)
class Parameter:
    path: str
    unit: Unit
    description: str
    values: tuple[DatedValue, ...]
    file: str

    def at(self, when: dt.date) -> DatedValue:
        """The value in force on ``when``; raises :class:`NotInForce` before the first date."""
        found: DatedValue | None = None
        for dated in self.values:
            if dated.start <= when:
                found = dated
            else:
                break
        if found is None:
            raise NotInForce(
                f"{self.path}: no value in force on {when.isoformat()} "
                f"(its first value starts {self.values[0].start.isoformat()})"
            )
        if found.value is None:
            raise NotInForce(
                f"{self.path}: not in force on {when.isoformat()} (ended {found.start.isoformat()})"
            )
        return found

    def value_at(self, when: dt.date) -> Value:
        value = self.at(when).value
        assert value is not None  # at() refuses ended parameters
        return value

    def decimal_at(self, when: dt.date) -> Decimal:
        value = self.value_at(when)
        if not isinstance(value, Decimal):
            raise TypeError(f"{self.path} is not a rate or multiple")
        return value

    def int_at(self, when: dt.date) -> int:
        value = self.value_at(when)
        if not isinstance(value, int):
            raise TypeError(f"{self.path} is not an amount or a count")
        return value

    @property
    def first_date(self) -> dt.date:
        return self.values[0].start


@dataclass(frozen=True)
class ParameterNode:
    path: str
    description: str
    children: Mapping[str, Parameter | ParameterNode]
    file: str


@dataclass(frozen=True)
class Bound:
    """A ceiling or floor of a branch's base: a parameter times a factor, per month or not."""

    param: str
    factor: Decimal | str  # a number, or the path of a `multiple` parameter
    per_month: bool


@dataclass(frozen=True)
class RateSpec:
    """Where a payer's rate comes from: one parameter, or a node with one child per class."""

    param: str
    by_class: bool


@dataclass(frozen=True)
class Branch:
    id: str
    label: Mapping[str, str]
    rates: Mapping[str, RateSpec]
    ceiling: Bound | None
    floor: Bound | None


@dataclass(frozen=True)
class Variant:
    id: str
    description: Mapping[str, str]
    flat: Mapping[str, str]  # payer -> currency parameter, an amount per month of base


@dataclass
class Pack:
    id: str
    kind: Literal["regime", "shared"]
    title: Mapping[str, str]
    country: str
    fund: str
    currency: Currency
    includes: tuple[str, ...]
    base_months: int
    base_description: Mapping[str, str]
    payers: tuple[str, ...]
    rounding: Mapping[str, Rounding]
    branches: Mapping[str, Branch]
    variants: Mapping[str, Variant]
    parameters: dict[str, Parameter]
    nodes: dict[str, ParameterNode]
    directory: Path
    description: str = ""
    included: dict[str, Pack] = field(default_factory=dict, repr=False)
    #: Derived tables (the engine's parameter segments), built on first use.
    cache: dict[str, object] = field(default_factory=dict, repr=False, compare=False)

    def __repr__(self) -> str:
        return f"<Pack {self.id} ({self.kind}, {len(self.parameters)} parameters)>"

    def _split(self, path: str) -> tuple[Pack, str]:
        if ":" in path:
            pack_id, inner = path.split(":", 1)
            if pack_id == self.id:
                return self, inner
            if pack_id not in self.included:
                raise UnknownParameter(
                    f"{self.id}: {path!r} refers to pack {pack_id!r}, "
                    f"which {self.id} does not include"
                )
            return self.included[pack_id], inner
        return self, path

    def param(self, path: str) -> Parameter:
        pack, inner = self._split(path)
        try:
            return pack.parameters[inner]
        except KeyError:
            raise UnknownParameter(f"{pack.id}: no parameter {inner!r}") from None

    def node(self, path: str) -> ParameterNode:
        pack, inner = self._split(path)
        try:
            return pack.nodes[inner]
        except KeyError:
            raise UnknownParameter(f"{pack.id}: no parameter group {inner!r}") from None

    def has_param(self, path: str) -> bool:
        try:
            self.param(path)
        except UnknownParameter:
            return False
        return True

    def all_parameters(self) -> Iterator[tuple[str, Parameter]]:
        """This pack's parameters, then those of the packs it includes (prefixed with their id)."""
        yield from sorted(self.parameters.items())
        for pack_id, pack in sorted(self.included.items()):
            for path, param in sorted(pack.parameters.items()):
                yield f"{pack_id}:{path}", param

    def in_force(self, when: dt.date) -> list[tuple[str, Parameter, DatedValue]]:
        """Every parameter in force on ``when``, with the dated value that applies."""
        rows = []
        for path, param in self.all_parameters():
            try:
                rows.append((path, param, param.at(when)))
            except NotInForce:
                continue
        return rows

    def contribution_parameters(self) -> list[str]:
        """Paths of every parameter the branches use (rates, bounds, factors, class rates)."""
        paths: list[str] = []
        for branch in self.branches.values():
            for spec in branch.rates.values():
                if spec.by_class:
                    paths.extend(
                        f"{spec.param}.{child}" for child in self.node(spec.param).children
                    )
                else:
                    paths.append(spec.param)
            for bound in (branch.ceiling, branch.floor):
                if bound is not None:
                    paths.append(bound.param)
                    if isinstance(bound.factor, str):
                        paths.append(bound.factor)
        return paths

    @property
    def first_date(self) -> dt.date:
        """The first day on which every parameter the branches use is in force.

        Strict on purpose: a period where one branch has no value would otherwise be billed without
        it. A branch created later carries an explicit, referenced rate of 0 before its creation.
        """
        return max(self.param(p).first_date for p in self.contribution_parameters())

    def activity_classes(self) -> tuple[str, ...]:
        classes: list[str] = []
        for branch in self.branches.values():
            for spec in branch.rates.values():
                if spec.by_class:
                    classes.extend(c for c in self.node(spec.param).children if c not in classes)
        return tuple(classes)

    def rounding_for(self, kind: str) -> Rounding:
        return self.rounding[kind]


class PackSet(Mapping[str, Pack]):
    """All packs of a folder, with shared packs resolved into the regimes that include them."""

    def __init__(self, packs: dict[str, Pack]) -> None:
        self._packs = packs

    def __getitem__(self, key: str) -> Pack:
        try:
            return self._packs[key]
        except KeyError:
            known = ", ".join(self.regimes())
            raise UnknownPack(f"unknown regime {key!r}; known regimes: {known}") from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._packs)

    def __len__(self) -> int:
        return len(self._packs)

    def __repr__(self) -> str:
        return f"<PackSet {', '.join(sorted(self._packs))}>"

    def regimes(self) -> tuple[str, ...]:
        return tuple(sorted(k for k, p in self._packs.items() if p.kind == "regime"))

    def regime(self, key: str) -> Pack:
        pack = self[key]
        if pack.kind != "regime":
            raise UnknownPack(
                f"{key!r} is a shared pack, not a regime; "
                f"known regimes: {', '.join(self.regimes())}"
            )
        return pack


# --- loading ---------------------------------------------------------------------------------


def _rel(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root.parent))
    except ValueError:
        return str(path)


def _read_yaml(path: Path, root: Path) -> Any:
    try:
        with path.open(encoding="utf-8") as fh:
            return yaml.load(fh, Loader=_DecimalLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise PackError(_rel(path, root), where, f"not valid YAML: {problem}") from None
    except UnicodeDecodeError:
        raise PackError(_rel(path, root), "", "not UTF-8 text") from None


def _languages(raw: Any, file: str, key: str) -> dict[str, str]:
    if not isinstance(raw, dict):
        raise PackError(file, key, "must give the text in fr, ar and en")
    missing = [lang for lang in LANGUAGES if not isinstance(raw.get(lang), str) or not raw[lang]]
    if missing:
        raise PackError(file, key, f"missing text in {', '.join(missing)}")
    return {lang: raw[lang] for lang in LANGUAGES}


def _as_date(raw: Any, file: str, key: str) -> dt.date:
    if isinstance(raw, dt.datetime):
        raise PackError(file, key, f"{raw!r} is a timestamp; write a date YYYY-MM-DD")
    if isinstance(raw, dt.date):
        return raw
    if isinstance(raw, str):
        try:
            return dt.date.fromisoformat(raw)
        except ValueError:
            pass
    raise PackError(file, key, f"{raw!r} is not a date YYYY-MM-DD")


def _references(raw: Any, file: str, key: str) -> tuple[Reference, ...]:
    if raw is None:
        raise PackError(file, key, "every value needs metadata.reference (title and href)")
    items = raw if isinstance(raw, list) else [raw]
    if not items:
        raise PackError(file, key, "metadata.reference is empty")
    refs = []
    for i, item in enumerate(items):
        where = f"{key}[{i}]" if isinstance(raw, list) else key
        if not isinstance(item, dict):
            raise PackError(file, where, "a reference is a mapping with title and href")
        title, href = item.get("title"), item.get("href")
        if not isinstance(title, str) or not title.strip():
            raise PackError(file, where, "reference has no title")
        if not isinstance(href, str) or not _URL_RE.match(href):
            raise PackError(file, where, f"reference href {href!r} is not an http(s) URL")
        refs.append(Reference(title=title.strip(), href=href))
    return tuple(refs)


def _convert_value(raw: Any, unit: str, currency: Currency, file: str, key: str) -> Value | None:
    if raw is None:
        return None
    if unit in ("/1", "multiple"):
        if isinstance(raw, bool) or not isinstance(raw, int | Decimal):
            raise PackError(file, key, f"{raw!r} is not a number")
        value = Decimal(raw)
        if value < 0:
            raise PackError(file, key, f"{raw} is negative")
        if unit == "/1" and value > 1:
            raise PackError(file, key, f"{raw} is not a rate between 0 and 1 (write 5% as 0.05)")
        scaled = value * PPM
        if scaled != scaled.to_integral_value():
            raise PackError(file, key, f"{raw} has more than 6 decimals")
        return value
    if unit == "currency":
        if isinstance(raw, bool) or not isinstance(raw, int | Decimal | str):
            raise PackError(file, key, f"{raw!r} is not an amount")
        try:
            minor = currency.parse(raw if not isinstance(raw, str) else raw.strip(), field=key)
        except Exception as exc:  # InvalidAmount, with the reason
            raise PackError(file, key, str(exc)) from None
        if minor < 0:
            raise PackError(file, key, f"{raw} is negative")
        return minor
    if unit in INTEGER_UNITS:
        if isinstance(raw, bool) or not isinstance(raw, int) or raw < 0:
            raise PackError(file, key, f"{raw!r} is not a non-negative whole number of {unit}s")
        return raw
    if unit == "month-day":
        match = _MONTH_DAY_RE.match(str(raw))
        if not match:
            raise PackError(file, key, f'{raw!r} is not a month-day written "MM-DD"')
        month, day = int(match.group(1)), int(match.group(2))
        try:
            dt.date(2024, month, day)  # a leap year accepts every real month-day
        except ValueError:
            raise PackError(file, key, f"{raw!r} is not a real day of the year") from None
        return (month, day)
    if unit == "code":
        if not isinstance(raw, str) or not raw:
            raise PackError(file, key, f"{raw!r} is not a code")
        return raw
    raise PackError(file, key, f"unknown unit {unit!r}")  # pragma: no cover - checked earlier


def _parameter(raw: dict[str, Any], path: str, currency: Currency, file: str) -> Parameter:
    metadata = raw.get("metadata") or {}
    if not isinstance(metadata, dict):
        raise PackError(file, f"{path}.metadata", "must be a mapping")
    unit = metadata.get("unit")
    if unit not in UNITS:
        raise PackError(
            file, f"{path}.metadata.unit", f"{unit!r} is not a known unit {list(UNITS)}"
        )
    description = raw.get("description")
    if not isinstance(description, str) or not description.strip():
        raise PackError(file, f"{path}.description", "every parameter needs a description")
    values_raw = raw.get("values")
    if not isinstance(values_raw, dict) or not values_raw:
        raise PackError(file, f"{path}.values", "must map start dates to values")
    values: list[DatedValue] = []
    for date_key, entry in values_raw.items():
        start = _as_date(date_key, file, f"{path}.values.{date_key}")
        key = f"{path}.values.{start.isoformat()}"
        if values and start <= values[-1].start:
            raise PackError(
                file,
                key,
                f"dates must be strictly increasing: {start.isoformat()} comes after "
                f"{values[-1].start.isoformat()}",
            )
        if not isinstance(entry, dict) or "value" not in entry:
            raise PackError(file, key, "each dated entry needs `value` and `metadata`")
        value = _convert_value(entry["value"], unit, currency, file, f"{key}.value")
        meta = entry.get("metadata")
        if not isinstance(meta, dict):
            raise PackError(file, f"{key}.metadata", "needs reference and status")
        refs = _references(meta.get("reference"), file, f"{key}.metadata.reference")
        status = meta.get("status")
        if status not in STATUSES:
            raise PackError(
                file, f"{key}.metadata.status", f"{status!r} is not one of {list(STATUSES)}"
            )
        note = meta.get("note")
        if note is not None and (not isinstance(note, str) or not note.strip()):
            raise PackError(file, f"{key}.metadata.note", "a note must be text")
        if status in ("C", "U") and not note:
            raise PackError(
                file,
                f"{key}.metadata.note",
                f"status {status} ({'conflicting' if status == 'C' else 'unconfirmed'}) "
                "needs a note saying what is uncertain",
            )
        values.append(DatedValue(start, value, refs, status, note.strip() if note else None))
    if values[0].value is None:
        raise PackError(file, f"{path}.values", "the first value cannot be null")
    return Parameter(
        path=path, unit=unit, description=description.strip(), values=tuple(values), file=file
    )


def _walk(
    raw: Any,
    path: str,
    currency: Currency,
    file: str,
    params: dict[str, Parameter],
    nodes: dict[str, ParameterNode],
) -> Parameter | ParameterNode:
    if not isinstance(raw, dict):
        raise PackError(file, path or "(top)", "must be a mapping (a parameter or a group)")
    if "values" in raw:
        param = _parameter(raw, path, currency, file)
        params[path] = param
        return param
    children: dict[str, Parameter | ParameterNode] = {}
    for key, child in raw.items():
        if key in RESERVED_KEYS:
            continue
        if not isinstance(key, str | int) or isinstance(key, bool):
            raise PackError(file, f"{path}.{key}", "keys must be names")
        child_path = f"{path}.{key}" if path else str(key)
        children[str(key)] = _walk(child, child_path, currency, file, params, nodes)
    description = raw.get("description", "")
    node = ParameterNode(path=path, description=str(description), children=children, file=file)
    nodes[path] = node
    return node


def _load_tree(
    directory: Path,
    prefix: str,
    currency: Currency,
    root: Path,
    params: dict[str, Parameter],
    nodes: dict[str, ParameterNode],
) -> dict[str, Parameter | ParameterNode]:
    children: dict[str, Parameter | ParameterNode] = {}
    description = ""
    for entry in sorted(directory.iterdir()):
        if entry.name.startswith(".") or (entry.name == "pack.yaml" and not prefix):
            continue
        if entry.is_dir():
            sub = f"{prefix}.{entry.name}" if prefix else entry.name
            sub_children = _load_tree(entry, sub, currency, root, params, nodes)
            children[entry.name] = (
                nodes[sub]
                if sub in nodes
                else ParameterNode(sub, "", sub_children, _rel(entry, root))
            )
            continue
        if entry.suffix != ".yaml":
            if entry.suffix in (".yml", ".json"):
                raise PackError(_rel(entry, root), "", "parameter files end in .yaml")
            continue
        raw = _read_yaml(entry, root)
        file = _rel(entry, root)
        if entry.name == "index.yaml":
            if isinstance(raw, dict):
                description = str(raw.get("description", ""))
            continue
        name = entry.stem
        path = f"{prefix}.{name}" if prefix else name
        children[name] = _walk(raw, path, currency, file, params, nodes)
    if prefix:
        nodes[prefix] = ParameterNode(prefix, description, children, _rel(directory, root))
    return children


def _bound(raw: Any, file: str, key: str) -> Bound | None:
    if raw is None:
        return None
    if not isinstance(raw, dict) or not isinstance(raw.get("param"), str):
        raise PackError(file, key, "a ceiling or floor needs `param` (a currency parameter)")
    factor_raw = raw.get("factor", 1)
    factor: Decimal | str
    if isinstance(factor_raw, str):
        factor = factor_raw
    elif isinstance(factor_raw, int | Decimal) and not isinstance(factor_raw, bool):
        factor = Decimal(factor_raw)
        if factor <= 0:
            raise PackError(file, f"{key}.factor", "must be positive")
    else:
        raise PackError(file, f"{key}.factor", f"{factor_raw!r} is neither a number nor a path")
    per_month = raw.get("per_month", False)
    if not isinstance(per_month, bool):
        raise PackError(file, f"{key}.per_month", "must be true or false")
    return Bound(param=raw["param"], factor=factor, per_month=per_month)


def _manifest(directory: Path, root: Path) -> dict[str, Any]:
    manifest_path = directory / "pack.yaml"
    if not manifest_path.exists():
        raise PackError(_rel(directory, root), "pack.yaml", "every pack folder needs a manifest")
    raw = _read_yaml(manifest_path, root)
    file = _rel(manifest_path, root)
    if not isinstance(raw, dict):
        raise PackError(file, "", "the manifest must be a mapping")
    if raw.get("id") != directory.name:
        raise PackError(
            file, "id", f"{raw.get('id')!r} must equal the folder name {directory.name!r}"
        )
    if raw.get("kind") not in ("regime", "shared"):
        raise PackError(file, "kind", f"{raw.get('kind')!r} is neither 'regime' nor 'shared'")
    if raw.get("currency") not in CURRENCY_DECIMALS:
        raise PackError(
            file, "currency", f"{raw.get('currency')!r} is not one of {sorted(CURRENCY_DECIMALS)}"
        )
    return raw


def _build_pack(directory: Path, root: Path) -> Pack:
    raw = _manifest(directory, root)
    file = _rel(directory / "pack.yaml", root)
    currency = Currency.of(raw["currency"])
    kind = raw["kind"]
    params: dict[str, Parameter] = {}
    nodes: dict[str, ParameterNode] = {}
    _load_tree(directory, "", currency, root, params, nodes)

    includes = raw.get("includes") or []
    if not isinstance(includes, list) or not all(isinstance(i, str) for i in includes):
        raise PackError(file, "includes", "must be a list of shared pack ids")

    title = _languages(raw.get("title"), file, "title")
    for key in ("country", "fund"):
        if not isinstance(raw.get(key), str) or not raw[key]:
            raise PackError(file, key, "is required")

    rounding: dict[str, Rounding] = {}
    rounding_raw = raw.get("rounding") or {}
    if not isinstance(rounding_raw, dict):
        raise PackError(file, "rounding", "must be a mapping")
    for kind_name, spec in rounding_raw.items():
        if kind_name not in ROUNDING_KINDS:
            raise PackError(file, f"rounding.{kind_name}", f"not one of {list(ROUNDING_KINDS)}")
        rounding[kind_name] = Rounding.from_yaml(spec, file=file, key=f"rounding.{kind_name}")

    base_raw = raw.get("base") or {}
    payers_raw = raw.get("payers") or []
    branches: dict[str, Branch] = {}
    variants: dict[str, Variant] = {}
    base_months = 1
    base_description: dict[str, str] = {}
    payers: tuple[str, ...] = ()
    if kind == "regime":
        if "contribution" not in rounding:
            raise PackError(file, "rounding.contribution", "a regime must say how it rounds")
        if not isinstance(base_raw, dict):
            raise PackError(file, "base", "must be a mapping with months and description")
        base_months = base_raw.get("months", 1)
        if not isinstance(base_months, int) or isinstance(base_months, bool) or base_months < 1:
            raise PackError(file, "base.months", f"{base_months!r} is not a positive whole number")
        base_description = _languages(base_raw.get("description"), file, "base.description")
        if (
            not isinstance(payers_raw, list)
            or not payers_raw
            or not all(isinstance(p, str) for p in payers_raw)
        ):
            raise PackError(file, "payers", "must list who pays (employer, employee, ...)")
        payers = tuple(payers_raw)
        branches_raw = raw.get("branches")
        if not isinstance(branches_raw, dict) or not branches_raw:
            raise PackError(file, "branches", "a regime needs at least one branch")
        for branch_id, spec in branches_raw.items():
            key = f"branches.{branch_id}"
            if not isinstance(spec, dict):
                raise PackError(file, key, "must be a mapping")
            rates_raw = spec.get("rates")
            if not isinstance(rates_raw, dict) or not rates_raw:
                raise PackError(file, f"{key}.rates", "must map payers to rate parameters")
            rates: dict[str, RateSpec] = {}
            for payer, rate in rates_raw.items():
                if payer not in payers:
                    raise PackError(file, f"{key}.rates.{payer}", f"{payer!r} is not in payers")
                if isinstance(rate, str):
                    rates[payer] = RateSpec(rate, by_class=False)
                elif isinstance(rate, dict) and isinstance(rate.get("by_class"), str):
                    rates[payer] = RateSpec(rate["by_class"], by_class=True)
                else:
                    raise PackError(
                        file, f"{key}.rates.{payer}", "must be a parameter path or {by_class: path}"
                    )
            branches[str(branch_id)] = Branch(
                id=str(branch_id),
                label=_languages(spec.get("label"), file, f"{key}.label"),
                rates=rates,
                ceiling=_bound(spec.get("ceiling"), file, f"{key}.ceiling"),
                floor=_bound(spec.get("floor"), file, f"{key}.floor"),
            )
        for variant_id, spec in (raw.get("variants") or {}).items():
            key = f"variants.{variant_id}"
            if not isinstance(spec, dict) or not isinstance(spec.get("flat"), dict):
                raise PackError(file, key, "a variant needs a description and `flat` amounts")
            flat = {}
            for payer, path in spec["flat"].items():
                if payer not in payers or not isinstance(path, str):
                    raise PackError(file, f"{key}.flat.{payer}", "must map a payer to a parameter")
                flat[payer] = path
            variants[str(variant_id)] = Variant(
                id=str(variant_id),
                description=_languages(spec.get("description"), file, f"{key}.description"),
                flat=flat,
            )

    return Pack(
        id=raw["id"],
        kind=kind,
        title=title,
        country=raw["country"],
        fund=raw["fund"],
        currency=currency,
        includes=tuple(includes),
        base_months=base_months,
        base_description=base_description,
        payers=payers,
        rounding=rounding,
        branches=branches,
        variants=variants,
        parameters=params,
        nodes=nodes,
        directory=directory,
        description=str(raw.get("description", "")),
    )


def _check_paths(pack: Pack, root: Path) -> None:
    """Every path the manifest names exists, with the unit its use requires."""
    file = _rel(pack.directory / "pack.yaml", root)

    def need(path: str, unit: str, key: str) -> None:
        try:
            param = pack.param(path)
        except Exception as exc:
            raise PackError(file, key, str(exc)) from None
        if param.unit != unit:
            raise PackError(file, key, f"{path} has unit {param.unit!r}; {unit!r} is required")

    for branch in pack.branches.values():
        for payer, spec in branch.rates.items():
            key = f"branches.{branch.id}.rates.{payer}"
            if spec.by_class:
                try:
                    node = pack.node(spec.param)
                except Exception as exc:
                    raise PackError(file, key, str(exc)) from None
                if not node.children:
                    raise PackError(file, key, f"{spec.param} has no activity classes")
                for cls, child in node.children.items():
                    if not isinstance(child, Parameter):
                        raise PackError(file, key, f"class {cls!r} must be a rate parameter")
                    need(child.path, "/1", key)
            else:
                need(spec.param, "/1", key)
        for name, bound in (("ceiling", branch.ceiling), ("floor", branch.floor)):
            if bound is None:
                continue
            key = f"branches.{branch.id}.{name}"
            need(bound.param, "currency", f"{key}.param")
            if isinstance(bound.factor, str):
                need(bound.factor, "multiple", f"{key}.factor")
    for variant in pack.variants.values():
        for payer, path in variant.flat.items():
            need(path, "currency", f"variants.{variant.id}.flat.{payer}")


def load_packs_from(root: Path) -> PackSet:
    """Load and validate every pack under ``root``; raises :class:`PackError` on the first fault."""
    if not root.is_dir():
        raise PackError(str(root), "", "no such folder of packs")
    packs: dict[str, Pack] = {}
    for directory in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")):
        if directory.name == "__pycache__":
            continue
        pack = _build_pack(directory, root)
        packs[pack.id] = pack
    for pack in packs.values():
        file = _rel(pack.directory / "pack.yaml", root)
        for inc in pack.includes:
            if inc not in packs:
                raise PackError(file, "includes", f"no pack {inc!r} to include")
            if packs[inc].kind != "shared":
                raise PackError(
                    file, "includes", f"{inc!r} is a regime; only shared packs are included"
                )
            if packs[inc].currency != pack.currency:
                raise PackError(file, "includes", f"{inc!r} is in another currency")
            pack.included[inc] = packs[inc]
        _check_paths(pack, root)
    return PackSet(packs)


@functools.cache
def load_packs(root: str | None = None) -> PackSet:
    """The packs shipped with Tadamun (or under ``root``), loaded once per process."""
    return load_packs_from(Path(root) if root else PACKS_DIR)
