"""Builds small parameter packs on disk for tests, from plain Python data."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

REF = {"title": "Test source", "href": "https://example.org/source"}


def value(v: Any, status: str = "S", note: str | None = None) -> dict[str, Any]:
    meta: dict[str, Any] = {"reference": dict(REF), "status": status}
    if note:
        meta["note"] = note
    return {"value": v, "metadata": meta}


def param(
    unit: str, values: dict[str, Any], description: str = "A test parameter"
) -> dict[str, Any]:
    return {
        "description": description,
        "metadata": {"unit": unit},
        "values": {k: v if isinstance(v, dict) else value(v) for k, v in values.items()},
    }


LANG = {"fr": "Test", "ar": "اختبار", "en": "Test"}
ROUNDING = {"mode": "half_up", "unit": 1, "applies_to": "each branch and payer amount"}


def regime_manifest(pack_id: str = "xx-test", **overrides: Any) -> dict[str, Any]:
    manifest: dict[str, Any] = {
        "id": pack_id,
        "kind": "regime",
        "title": LANG,
        "country": "XX",
        "fund": "TEST",
        "currency": "TND",
        "includes": [],
        "base": {"months": 1, "description": LANG},
        "payers": ["employer", "employee"],
        "rounding": {"contribution": ROUNDING, "penalty": ROUNDING, "pension": ROUNDING},
        "branches": {
            "main": {
                "label": LANG,
                "ceiling": {"param": "ceiling", "per_month": True},
                "rates": {"employer": "rates.main.employer", "employee": "rates.main.employee"},
            },
            "accident": {
                "label": LANG,
                "rates": {"employer": {"by_class": "rates.accident"}},
            },
            "late": {"label": LANG, "rates": {"employee": "rates.late"}},
        },
    }
    manifest.update(overrides)
    return manifest


def regime_files() -> dict[str, Any]:
    """A regime with a rate change on 2020-01-01, a branch at 0 until 2022-07-01, and classes."""
    return {
        "rates.yaml": {
            "main": {
                "employer": param("/1", {"2010-01-01": "0.10", "2020-01-01": "0.125"}),
                "employee": param("/1", {"2010-01-01": "0.05"}),
            },
            "accident": {
                "A": param("/1", {"2010-01-01": "0.004"}),
                "B": param("/1", {"2010-01-01": "0.04"}),
            },
            "late": param("/1", {"2010-01-01": "0", "2022-07-01": "0.005"}),
        },
        "ceiling.yaml": param("currency", {"2010-01-01": "6000.000", "2021-01-01": "7000.000"}),
    }


def _decimalise(data: Any) -> Any:
    """Rates written as strings in the builder become YAML floats, as a pack author writes them."""
    if isinstance(data, dict):
        return {k: _decimalise(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_decimalise(v) for v in data]
    return data


def write_pack(root: Path, manifest: dict[str, Any], files: dict[str, Any]) -> Path:
    directory = root / manifest["id"]
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "pack.yaml").write_text(yaml.safe_dump(manifest, allow_unicode=True), "utf-8")
    for name, content in files.items():
        path = directory / name
        path.parent.mkdir(parents=True, exist_ok=True)
        text = yaml.safe_dump(copy.deepcopy(content), allow_unicode=True, sort_keys=False)
        # Rates are written unquoted, as in a real pack, so the loader's decimal reading is exercised.
        text = text.replace("value: '", "value: ").replace("'\n", "\n")
        path.write_text(text, "utf-8")
    return directory
