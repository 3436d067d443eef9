"""``tadamun declarations check``: exit codes, text and JSON, without Django."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from tadamun.cli import main as tadamun_main
from tadamun.formats.cli import main
from tadamun.formats.ma_bds import ExpectedEmployee, write_prefilled
from tests.formats.builders import DEFAULT_DECLARED, EMPLOYER, build, declared, set_field


def _file(tmp_path: Path, lines: list[bytes], name: str = "DS.txt") -> str:
    path = tmp_path / name
    path.write_bytes(b"".join(lines))
    return str(path)


def _run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    return main(list(argv), out=out), out.getvalue()


def test_valid_file_exit_0_with_summary(tmp_path: Path) -> None:
    code, out = _run("check", _file(tmp_path, build()))
    assert code == 0
    assert out.startswith("accepted: affiliate 0012344, period 202501, 3 employees")
    assert "pension: employer" in out


def test_valid_file_json(tmp_path: Path) -> None:
    code, out = _run("check", _file(tmp_path, build()), "--json", "--format", "ma-bds")
    assert code == 0
    payload = json.loads(out)
    assert payload["accepted"] is True and payload["problems"] == []
    assert payload["summary"]["employees"] == 3
    assert payload["summary"]["totals"]["total_actual_salary"] == 1800000
    assert set(payload["summary"]["contributions"]) >= {"pension", "amo", "short_term"}


def test_invalid_file_exit_1_lists_problems_in_the_chosen_language(tmp_path: Path) -> None:
    lines = set_field(build([declared(1, days=27)]), 4, "total_days", 1)
    path = _file(tmp_path, lines)
    code, out = _run("check", path, "--lang", "fr")
    assert code == 1
    assert out.splitlines() == [
        "rejected: 2 problem(s)",
        "line 3, days [too_many_days]: Jours déclarés : 27 jours dépassent le maximum de 26",
        "line 4, total_days [total_mismatch]: Total des jours : 1 ne correspond pas à la somme des lignes B02 (27)",
    ]
    code, out = _run("check", path, "--json", "--lang", "ar")
    assert code == 1
    payload = json.loads(out)
    assert payload["accepted"] is False and payload["summary"] is None
    assert [(p["line"], p["field"], p["code"]) for p in payload["problems"]] == [
        (3, "days", "too_many_days"),
        (4, "total_days", "total_mismatch"),
    ]
    assert payload["problems"][0]["message"] == payload["problems"][0]["messages"]["ar"]


def test_expected_list_from_the_prefilled_file(tmp_path: Path) -> None:
    expected = [ExpectedEmployee(d.insured_number) for d in DEFAULT_DECLARED]
    prefilled = _file(tmp_path, list(write_prefilled(EMPLOYER, expected)), "AFFEBDS.txt")
    declaration = _file(tmp_path, build(DEFAULT_DECLARED[:2]))
    code, out = _run("check", declaration, "--expected", prefilled)
    assert code == 1 and "missing_employee" in out
    code, _ = _run("check", declaration, "--affiliate", "0012352", "--period", "202501")
    assert code == 1


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["check"],
        ["check", "/no/such/file"],
        ["check", "x", "--format", "dz-das"],
        ["check", "x", "--lang", "de"],
        ["frobnicate"],
    ],
)
def test_usage_errors_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and err.strip()


def test_a_directory_is_a_usage_error(tmp_path: Path) -> None:
    assert main(["check", str(tmp_path)]) == 2


def test_help_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--help"]) == 0
    assert "--json" in capsys.readouterr().out


def test_the_tadamun_command_dispatches_without_django(tmp_path: Path) -> None:
    path = _file(tmp_path, build())
    assert tadamun_main(["declarations", "check", path]) == 0
    probe = (
        "import sys; from tadamun.cli import main; "
        f"code = main(['declarations', 'check', {path!r}, '--json']); "
        "assert 'django' not in sys.modules, 'django imported'; sys.exit(code)"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["accepted"] is True
