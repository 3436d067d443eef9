"""The pack loader: valid packs load exactly; every malformation names its file and key."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from tadamun.rules.errors import NotInForce, PackError, UnknownPack
from tadamun.rules.parameters import load_packs, load_packs_from
from tests.rules.packbuilder import param, regime_files, regime_manifest, value, write_pack


def _load(
    tmp_path: Path, manifest: dict[str, Any] | None = None, files: dict[str, Any] | None = None
):
    write_pack(tmp_path, manifest or regime_manifest(), files or regime_files())
    return load_packs_from(tmp_path)


def test_synthetic_pack_loads_with_exact_values(tmp_path: Path) -> None:
    packs = _load(tmp_path)
    pack = packs.regime("xx-test")
    rate = pack.param("rates.main.employer")
    assert rate.value_at(dt.date(2019, 12, 31)) == Decimal("0.10")
    assert rate.value_at(dt.date(2020, 1, 1)) == Decimal("0.125")
    assert pack.param("ceiling").int_at(dt.date(2020, 1, 1)) == 6_000_000  # millimes
    assert pack.activity_classes() == ("A", "B")
    assert pack.first_date == dt.date(2022, 7, 1) or pack.first_date == dt.date(2010, 1, 1)


def test_value_before_first_date_is_not_in_force(tmp_path: Path) -> None:
    pack = _load(tmp_path).regime("xx-test")
    with pytest.raises(NotInForce, match=r"rates.main.employer.*2009-12-31.*2010-01-01"):
        pack.param("rates.main.employer").at(dt.date(2009, 12, 31))


def test_unknown_regime_lists_known_ones(tmp_path: Path) -> None:
    with pytest.raises(UnknownPack, match=r"'nope'.*xx-test"):
        _load(tmp_path).regime("nope")


def test_yaml_floats_are_read_as_decimals_not_binary_floats(tmp_path: Path) -> None:
    files = regime_files()
    files["rates.yaml"]["main"]["employee"] = param("/1", {"2010-01-01": "0.0918"})
    pack = _load(tmp_path, files=files).regime("xx-test")
    dated = pack.param("rates.main.employee").at(dt.date(2020, 1, 1))
    assert dated.value == Decimal("0.0918") and dated.ppm == 91_800


# Each case: how to break the pack, then what the message must name.
def _files_with(path: list[str], new: Any) -> dict[str, Any]:
    files = regime_files()
    node: Any = files
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = new
    return files


BROKEN_FILES = [
    pytest.param(
        _files_with(
            ["rates.yaml", "main", "employee"],
            param("/1", {"2012-01-01": "0.05", "2011-01-01": "0.06"}),
        ),
        r"rates\.yaml: rates\.main\.employee\.values\.2011-01-01: dates must be strictly increasing",
        id="dates-out-of-order",
    ),
    pytest.param(
        _files_with(
            ["rates.yaml", "main", "employee"],
            {
                "description": "x",
                "metadata": {"unit": "percent"},
                "values": {"2010-01-01": value("5")},
            },
        ),
        r"main\.employee\.metadata\.unit: 'percent' is not a known unit",
        id="unknown-unit",
    ),
    pytest.param(
        _files_with(
            ["rates.yaml", "main", "employee"],
            {
                "description": "x",
                "metadata": {"unit": "/1"},
                "values": {"2010-01-01": {"value": "0.05", "metadata": {"status": "S"}}},
            },
        ),
        r"main\.employee\.values\.2010-01-01\.metadata\.reference: every value needs",
        id="missing-reference",
    ),
    pytest.param(
        _files_with(
            ["rates.yaml", "main", "employee"],
            param("/1", {"2010-01-01": value("0.05", status="U")}),
        ),
        r"main\.employee\.values\.2010-01-01\.metadata\.note: status U",
        id="unconfirmed-without-note",
    ),
    pytest.param(
        _files_with(["rates.yaml", "main", "employee"], param("/1", {"2010-01-01": "5"})),
        r"main\.employee\.values\.2010-01-01\.value: 5 is not a rate between 0 and 1",
        id="rate-as-percent",
    ),
    pytest.param(
        _files_with(["rates.yaml", "main", "employee"], param("/1", {"2010-01-01": "0.0000001"})),
        r"has more than 6 decimals",
        id="rate-too-precise",
    ),
    pytest.param(
        _files_with(["ceiling.yaml"], param("currency", {"2010-01-01": "6000.0001"})),
        r"ceiling\.yaml: ceiling\.values\.2010-01-01\.value: .*more than 3 decimals",
        id="amount-too-precise",
    ),
    pytest.param(
        _files_with(["ceiling.yaml"], param("currency", {"2010-01-01": "-5"})),
        r"ceiling\.values\.2010-01-01\.value: .*negative",
        id="negative-amount",
    ),
    pytest.param(
        _files_with(["ceiling.yaml"], param("currency", {"2010-13-01": "5"})),
        r"ceiling\.values\.2010-13-01: '2010-13-01' is not a date",
        id="impossible-date",
    ),
    pytest.param(
        _files_with(["ceiling.yaml"], param("currency", {"2010-01-01": value("5", status="X")})),
        r"metadata\.status: 'X' is not one of",
        id="unknown-status",
    ),
]


@pytest.mark.parametrize(("files", "message"), BROKEN_FILES)
def test_malformed_parameter_is_named(tmp_path: Path, files: dict[str, Any], message: str) -> None:
    with pytest.raises(PackError, match=message) as info:
        _load(tmp_path, files=files)
    assert "xx-test/" in str(info.value)  # the file is named


def test_reference_href_must_be_a_url(tmp_path: Path) -> None:
    bad = param("currency", {"2010-01-01": "5"})
    bad["values"]["2010-01-01"]["metadata"]["reference"] = {"title": "JO", "href": "JO 61 p. 3"}
    with pytest.raises(PackError, match=r"reference href 'JO 61 p\. 3' is not an http\(s\) URL"):
        _load(tmp_path, files=_files_with(["ceiling.yaml"], bad))


BROKEN_MANIFESTS = [
    pytest.param({"id": "other"}, r"pack\.yaml: id: 'other' must equal the folder name", id="id"),
    pytest.param({"currency": "EUR"}, r"pack\.yaml: currency: 'EUR' is not one of", id="currency"),
    pytest.param({"kind": "plan"}, r"pack\.yaml: kind: 'plan' is neither", id="kind"),
    pytest.param(
        {"title": {"fr": "x", "en": "x"}}, r"pack\.yaml: title: missing text in ar", id="title-ar"
    ),
    pytest.param(
        {"rounding": {"contribution": {"mode": "bankers", "unit": 1, "applies_to": "x"}}},
        r"rounding\.contribution\.mode: 'bankers' is not one of",
        id="rounding-mode",
    ),
]


@pytest.mark.parametrize(("override", "message"), BROKEN_MANIFESTS)
def test_malformed_manifest_is_named(
    tmp_path: Path, override: dict[str, Any], message: str
) -> None:
    manifest = regime_manifest()
    manifest.update(override)
    # the folder keeps the original id so the id check can fire
    write_pack(
        tmp_path,
        {**manifest, "id": "xx-test"} if "id" not in override else manifest,
        regime_files(),
    )
    if "id" in override:
        (tmp_path / "other").rename(tmp_path / "xx-test")
    with pytest.raises(PackError, match=message):
        load_packs_from(tmp_path)


def test_manifest_path_must_exist_with_the_right_unit(tmp_path: Path) -> None:
    manifest = regime_manifest()
    manifest["branches"]["main"]["rates"]["employee"] = "rates.main.nobody"
    with pytest.raises(
        PackError,
        match=r"branches\.main\.rates\.employee: xx-test: no parameter 'rates\.main\.nobody'",
    ):
        _load(tmp_path, manifest=manifest)
    manifest = regime_manifest()
    manifest["branches"]["main"]["ceiling"] = {"param": "rates.main.employee"}
    with pytest.raises(
        PackError,
        match=r"ceiling\.param: rates\.main\.employee has unit '/1'; 'currency' is required",
    ):
        _load(tmp_path / "2", manifest=manifest)


def test_invalid_yaml_names_the_line(tmp_path: Path) -> None:
    write_pack(tmp_path, regime_manifest(), regime_files())
    (tmp_path / "xx-test" / "ceiling.yaml").write_text("description: [unclosed\n", "utf-8")
    with pytest.raises(PackError, match=r"ceiling\.yaml: line \d+: not valid YAML"):
        load_packs_from(tmp_path)


def test_shipped_packs_all_load() -> None:
    packs = load_packs()
    assert set(packs.regimes()) >= {"dz-cnas", "dz-casnos", "dz-abroad", "ma-cnss", "tn-cnss-rsna"}
    for regime in packs.regimes():
        pack = packs.regime(regime)
        for _, parameter in pack.all_parameters():
            for dated in parameter.values:
                assert dated.references, f"{regime}: {parameter.path} has a value without reference"
                if dated.status in ("C", "U"):
                    assert dated.note
