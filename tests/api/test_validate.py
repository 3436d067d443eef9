"""``POST /api/v1/validate``: the command line's check, over HTTP, without a key."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from pytest_django.fixtures import Settings as SettingsWrapper

from tadamun.api.models import ApiRequest
from tadamun.formats.cli import main as cli_main
from tests.formats.builders import build, declared, set_field

URL = "/api/v1/validate"
pytestmark = pytest.mark.django_db


def _upload(content: bytes, name: str = "DS.txt") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="text/plain")


def _post(client: Client, content: bytes | None, **fields: object) -> tuple[int, Any]:
    data: dict[str, object] = dict(fields)
    if content is not None:
        data["file"] = _upload(content)
    data.setdefault("HTTP_ACCEPT_LANGUAGE", "en")
    headers = {k: v for k, v in data.items() if k.startswith("HTTP_")}
    for name in headers:
        data.pop(name)
    response = client.post(URL, data, **headers)  # type: ignore[arg-type]
    return response.status_code, response.json()


def test_valid_file_accepted_with_the_summary_the_command_gives(tmp_path: object) -> None:
    content = b"".join(build())
    status, body = _post(Client(), content)
    assert status == 200, body
    assert body["accepted"] is True and body["problems"] == [] and body["problem_count"] == 0
    out = io.StringIO()
    path = f"{tmp_path}/DS.txt"
    with open(path, "wb") as fh:
        fh.write(content)
    assert cli_main(["check", path, "--json"], out=out) == 0
    assert body["summary"] == json.loads(out.getvalue())["summary"]


def test_invalid_file_lists_every_problem_in_the_language_asked() -> None:
    lines = set_field(build([declared(1, days=27)]), 4, "total_days", 1)
    status, body = _post(Client(), b"".join(lines), HTTP_ACCEPT_LANGUAGE="fr-FR,fr;q=0.9")
    assert status == 200
    assert body["accepted"] is False and body["summary"] is None
    assert body["problems"] == [
        {
            "line": 3,
            "field": "days",
            "code": "too_many_days",
            "message": "Jours déclarés : 27 jours dépassent le maximum de 26",
        },
        {
            "line": 4,
            "field": "total_days",
            "code": "total_mismatch",
            "message": "Total des jours : 1 ne correspond pas à la somme des lignes B02 (27)",
        },
    ]
    # ?lang= wins over Accept-Language.
    response = Client().post(
        URL + "?lang=ar", {"file": _upload(b"".join(lines))}, HTTP_ACCEPT_LANGUAGE="fr"
    )
    message = response.json()["problems"][0]["message"]
    assert message.endswith("26") and any("\u0600" <= ch <= "\u06ff" for ch in message)


def test_missing_file_is_named() -> None:
    status, body = _post(Client(), None, format="ma-bds")
    assert status == 422
    assert body == {
        "problems": [{"field": "file", "code": "required", "message": "File: is required"}]
    }


def test_empty_file_is_refused() -> None:
    status, body = _post(Client(), b"")
    assert status == 400
    assert [p["field"] for p in body["problems"]] == ["file"]


def test_unknown_format_is_named_with_the_choices() -> None:
    status, body = _post(Client(), b"".join(build()), format="xls")
    assert status == 400
    (item,) = body["problems"]
    assert item["field"] == "format" and item["code"] == "not_a_choice"
    assert "ma-bds" in item["message"] and "xls" in item["message"]


def test_wrong_period_label_is_named() -> None:
    status, body = _post(Client(), b"".join(build()), period="2025-1")
    assert status == 400
    assert [(p["field"], p["code"]) for p in body["problems"]] == [("period", "bad_format")]


def test_period_of_another_month_is_a_file_problem() -> None:
    status, body = _post(Client(), b"".join(build()), period="202502")
    assert status == 200 and body["accepted"] is False
    assert "other_period" in {p["code"] for p in body["problems"]}


def test_tn_ds_without_class_is_named() -> None:
    status, body = _post(Client(), b"x\n", format="tn-ds")
    assert status == 400
    assert [(p["field"], p["code"]) for p in body["problems"]] == [("activity_class", "required")]


def test_quarter_not_a_number_is_named() -> None:
    status, body = _post(Client(), b"".join(build()), quarter="first")
    assert status == 422
    assert [p["field"] for p in body["problems"]] == ["quarter"]


def test_binary_garbage_is_a_file_problem_not_a_crash() -> None:
    status, body = _post(Client(), bytes(range(256)) * 50)
    assert status == 200 and body["accepted"] is False and body["problems"]


def test_file_over_the_portal_limit_is_refused(settings: SettingsWrapper) -> None:
    settings.TADAMUN_FILING_MAX_BYTES = 1000
    status, body = _post(Client(), b"".join(build()))
    assert status == 400
    assert [(p["field"], p["code"]) for p in body["problems"]] == [("file", "too_large")]


def test_body_over_the_limit_is_refused_before_it_is_read(settings: SettingsWrapper) -> None:
    settings.TADAMUN_FILING_MAX_BYTES = 10
    response = Client().generic(
        "POST", URL, b"x" * 3_000_000, content_type="multipart/form-data; boundary=zz"
    )
    assert response.status_code == 413
    assert response.json()["problems"][0]["code"] == "too_large"


def test_burst_gets_429_with_retry_after() -> None:
    client = Client()
    content = b"".join(build())
    statuses = [client.post(URL, {"file": _upload(content)}).status_code for _ in range(31)]
    assert statuses[:30] == [200] * 30
    assert statuses[30] == 429
    response = client.post(URL, {"file": _upload(content)})
    assert response.status_code == 429
    assert int(response["Retry-After"]) >= 1
    assert response.json()["problems"][0]["code"] == "rate_limited"
    # Another address is not held back.
    assert client.post(URL, {"file": _upload(content)}, REMOTE_ADDR="10.1.2.3").status_code == 200


def test_every_request_is_logged() -> None:
    _post(Client(), b"".join(build()))
    _post(Client(), None)
    rows: list[Any] = list(
        ApiRequest.objects.order_by("id").values_list("route", "method", "status", "key")
    )
    assert rows == [
        ("api/v1/validate", "POST", 200, None),
        ("api/v1/validate", "POST", 422, None),
    ]


def test_csv_without_regime_is_named() -> None:
    status, body = _post(Client(), b"a;b\n", format="csv")
    assert status == 400
    assert [(p["field"], p["code"]) for p in body["problems"]] == [("regime", "required")]


def test_das_zip_that_is_not_a_zip_names_the_uploaded_file_not_a_temporary_path() -> None:
    status, body = _post(Client(), b"not a zip at all", format="dz-das")
    assert status == 400
    (item,) = body["problems"]
    assert item["field"] == "file" and item["code"] == "usage"
    assert "DS.txt" in item["message"] and "/tmp" not in item["message"]


def test_das_zip_bomb_is_refused_before_it_is_read() -> None:
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("D25E1.TXT", b"0" * 5_000_000)
        archive.writestr("D25S1.TXT", b"0" * 10)
    status, body = _post(Client(), buffer.getvalue(), format="dz-das")
    assert status == 400
    assert "refused" in body["problems"][0]["message"]
