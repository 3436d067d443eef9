"""``tadamun rules``: each command, its JSON form, and one-line errors for every bad input."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from tadamun.rules.cli import main
from tests.rules.packbuilder import regime_files, regime_manifest, write_pack


def run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    code = main(list(argv), out=out)
    return code, out.getvalue()


def test_check_validates_every_pack() -> None:
    code, out = run("check")
    assert code == 0
    for regime in ("dz-cnas", "dz-casnos", "dz-abroad", "ma-cnss", "tn-cnss-rsna", "dz-common"):
        assert regime in out
    code, out = run("check", "--json")
    assert json.loads(out)["valid"] is True


def test_show_lists_parameters_with_references() -> None:
    code, out = run("show", "ma-cnss", "--at", "2025-01-01")
    assert code == 0
    assert "6000.00 MAD" in out and "source:" in out
    code, out = run("show", "ma-cnss", "--at", "2025-01-01", "--json")
    data = json.loads(out)
    assert data["currency"] == "MAD"
    assert all(
        p["references"] and p["references"][0]["href"].startswith("http")
        for p in data["parameters"]
    )


def test_show_a_shared_value_in_its_own_currency() -> None:
    _, out = run("show", "dz-casnos", "--at", "2026-02-01", "--json")
    smig = [p for p in json.loads(out)["parameters"] if p["path"] == "dz-common:smig.monthly"]
    assert smig and smig[0]["value"] == 2_400_000  # minor units in JSON; 24,000.00 DZD


def test_compute_prints_a_payslip() -> None:
    code, out = run("compute", "ma-cnss", "--base", "3266.96", "--period", "2025-01")
    assert code == 0
    assert "909.19 MAD" in out


def test_compute_json_has_major_and_minor_units() -> None:
    code, out = run(
        "compute",
        "tn-cnss-rsna",
        "--base",
        "1000.000",
        "--period",
        "2016-01",
        "--class",
        run_classes()[0],
        "--json",
    )
    data = json.loads(out)
    assert code == 0 and data["currency"] == "TND" and data["declared_base"] == "1000.000"
    assert data["total"].count(".") == 1 and len(data["total"].split(".")[1]) == 3
    assert data["total_minor"] == sum(line["amount_minor"] for line in data["lines"])


def run_classes() -> list[str]:
    from tadamun.rules.parameters import load_packs

    return list(load_packs().regime("tn-cnss-rsna").activity_classes())


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["compute", "xx-none", "--base", "1", "--period", "2025-01"], "unknown regime 'xx-none'"),
        (
            ["compute", "dz-common", "--base", "1", "--period", "2025-01"],
            "'dz-common' is a shared pack, not a regime",
        ),
        (["compute", "ma-cnss", "--base", "-5", "--period", "2025-01"], "--base: -5 is negative"),
        (
            ["compute", "ma-cnss", "--base", "abc", "--period", "2025-01"],
            "--base: 'abc' is not an amount in MAD",
        ),
        (
            ["compute", "ma-cnss", "--base", "10.123", "--period", "2025-01"],
            "--base: '10.123' has more than 2 decimals",
        ),
        (
            ["compute", "ma-cnss", "--base", "10", "--period", "2025-13"],
            "--period: '2025-13' has month 13",
        ),
        (
            ["compute", "ma-cnss", "--base", "10", "--period", "Jan 2025"],
            "--period: 'Jan 2025' is not a period written YYYY-MM",
        ),
        (
            ["compute", "ma-cnss", "--base", "10", "--period", "1990-01"],
            "period 1990-01 is not covered by regime ma-cnss",
        ),
        (
            ["compute", "tn-cnss-rsna", "--base", "10", "--period", "2025-01", "--class", "ZZ"],
            "activity class 'ZZ' is not a class of regime tn-cnss-rsna",
        ),
        (
            ["compute", "tn-cnss-rsna", "--base", "10", "--period", "2025-01"],
            "needs an activity class",
        ),
        (
            ["compute", "dz-abroad", "--base", "10", "--period", "2025-01", "--variant", "x"],
            "no variant 'x'",
        ),
        (
            ["compute", "ma-cnss", "--base", "99999999999999", "--period", "2025-01"],
            "above the limit",
        ),
        (["show", "ma-cnss", "--at", "2025-02-30"], "--at: '2025-02-30' is not a date"),
        (
            ["compute", "ma-cnss", "--period", "2025-01"],
            "the following arguments are required: --base",
        ),
        (["frobnicate"], "invalid choice: 'frobnicate'"),
    ],
)
def test_bad_input_is_one_line_naming_value_and_rule(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _ = run(*argv)
    err = capsys.readouterr().err
    assert code == 2
    assert message in err
    assert "Traceback" not in err


def test_bad_input_in_json_mode_is_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run("compute", "xx-none", "--base", "1", "--period", "2025-01", "--json")
    assert code == 2 and json.loads(out)["error"] == "UnknownPack"


def test_check_fails_on_a_malformed_pack(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = regime_files()
    files["ceiling.yaml"]["values"]["2010-01-01"]["metadata"]["status"] = "U"
    write_pack(tmp_path, regime_manifest(), files)
    code, _ = run("--packs", str(tmp_path), "check")
    err = capsys.readouterr().err
    assert code == 1
    assert "xx-test/ceiling.yaml: ceiling.values.2010-01-01.metadata.note: status U" in err


def test_the_installed_command_runs_without_django() -> None:
    script = Path(sys.executable).parent / "tadamun"
    proc = subprocess.run(
        [
            str(script),
            "rules",
            "compute",
            "dz-cnas",
            "--base",
            "45000.00",
            "--period",
            "2026-01",
            "--json",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["total"] == "15525.00"  # 34.5 % of 45,000.00


def test_penalty_command_straddles_the_moroccan_reform() -> None:
    code, out = run(
        "penalty",
        "ma-cnss",
        "--amount",
        "10000.00",
        "--due",
        "2025-01-10",
        "--paid",
        "2025-05-02",
        "--json",
    )
    data = json.loads(out)
    assert code == 0 and data["months_of_delay"] == 4
    assert data["penalty"] == "550.00"  # 3 % + 1 % + 1 % + 0.5 % (reform in force for month 4)


def test_penalty_paid_on_time_is_zero() -> None:
    code, out = run(
        "penalty", "dz-cnas", "--amount", "100000.00", "--due", "2025-01-31", "--paid", "2025-01-31"
    )
    assert code == 0 and "0.00" in out


def test_pension_command_reads_the_example_history() -> None:
    example = Path(__file__).resolve().parents[2] / "docs" / "examples" / "career-ma.yaml"
    code, out = run("pension", "ma-cnss", "--history", str(example), "--json")
    data = json.loads(out)
    assert code == 0 and data["outcome"] == "pension"
    assert data["monthly_gross"] == "3017.25"  # 54 % × 5,587.50 MAD


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["penalty", "ma-cnss", "--amount", "-1", "--due", "2025-01-10", "--paid", "2025-05-02"],
            "negative",
        ),
        (
            ["penalty", "ma-cnss", "--amount", "10", "--due", "2025-01-32", "--paid", "2025-05-02"],
            "--due: '2025-01-32' is not a date",
        ),
        (
            [
                "penalty",
                "ma-cnss",
                "--amount",
                "10",
                "--due",
                "2025-01-10",
                "--paid",
                "2025-05-02",
                "--branch",
                "nope",
            ],
            "'nope'",
        ),
        (
            ["pension", "ma-cnss", "--history", "/nonexistent/career.yaml"],
            "/nonexistent/career.yaml",
        ),
    ],
)
def test_penalty_and_pension_bad_input(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _ = run(*argv)
    err = capsys.readouterr().err
    assert code == 2 and message in err and "Traceback" not in err


def test_pension_history_with_a_bad_wage_names_the_entry(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    history = tmp_path / "career.yaml"
    history.write_text(
        "currency: MAD\nbirth_date: 1960-01-01\nsex: M\nchildren: 0\ncareer:\n"
        "  - {period: 2010-01, wage: '100.00', days: 26}\n"
        "  - {period: 2010-02, wage: '12.345', days: 26}\n",
        "utf-8",
    )
    code, _ = run("pension", "ma-cnss", "--history", str(history))
    err = capsys.readouterr().err
    assert code == 2 and ("career[2]" in err or "entry 2" in err) and "12.345" in err, err
