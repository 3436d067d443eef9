from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tadamun.accounts.models import User
from tadamun.declarations.models import Declaration
from tadamun.registry.models import Employer, InsuredPerson
from tests.declarations.conftest import Hire, make_user

PERIOD = "2026-01"


@pytest.fixture(autouse=True)
def _today(monkeypatch: pytest.MonkeyPatch) -> None:
    import datetime as dt

    from tadamun.declarations import views

    monkeypatch.setattr(views.timezone, "localdate", lambda: dt.date(2026, 2, 5))


def url(name: str, employer: Employer, lang: str = "fr", **kw: Any) -> str:
    return (
        f"/{lang}" + reverse(f"declarations:{name}", kwargs={"employer_id": employer.pk, **kw})[3:]
    )


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def form_data(html: str) -> dict[str, str]:
    """Every input of the form as the browser would post it."""
    data = {}
    for m in re.finditer(
        r'<input (?:type="(?:hidden|date)" )?name="([^"]+)" value="([^"]*)"', html
    ):
        data[m.group(1)] = m.group(2)
    return data


def post_form(
    client: Client, employer: Employer, changes: dict[str, str], action: str, lang: str = "fr"
) -> Any:
    page = client.get(url("declare", employer, lang, period_label=PERIOD))
    data = form_data(page.content.decode())
    data.update(changes)
    data["action"] = action
    return client.post(url("declare", employer, lang, period_label=PERIOD), data)


def wages_filled(people: list[InsuredPerson]) -> dict[str, str]:
    return {f"w{i}": "4500.00" for i in range(1, len(people) + 1)}


def test_periods_page_in_french_and_arabic(employer: Employer, user: User, hire: Hire) -> None:
    hire(employer, 2)
    client = signed_in(user)
    page = client.get(url("periods", employer, "fr"))
    assert page.status_code == 200
    assert 'lang="fr" dir="ltr"' in page.content.decode()
    assert "Déclarations" in page.content.decode()
    page = client.get(url("periods", employer, "ar"))
    assert 'lang="ar" dir="rtl"' in page.content.decode()
    assert "التصريحات" in page.content.decode()


def test_the_form_is_prefilled_and_submits_to_a_receipt(
    employer: Employer, user: User, hire: Hire
) -> None:
    people = hire(employer, 3)
    client = signed_in(user)
    page = client.get(url("declare", employer, period_label=PERIOD))
    html = page.content.decode()
    assert all(p.ssn in html for p in people)
    preview = post_form(client, employer, wages_filled(people), "preview")
    assert preview.status_code == 200
    assert "Cotisations" in preview.content.decode()
    assert not Declaration.objects.exists()
    done = post_form(client, employer, wages_filled(people), "submit")
    assert done.status_code == 302
    declaration = Declaration.objects.get()
    receipt = client.get(done["Location"])
    body = receipt.content.decode()
    assert declaration.receipt_number in body
    assert "13\u202f500,00\u00a0MAD" in body or "13 500,00" in body.replace("\u202f", " ").replace(
        "\u00a0", " "
    )


def test_double_click_declares_once(employer: Employer, user: User, hire: Hire) -> None:
    people = hire(employer, 2)
    client = signed_in(user)
    page = client.get(url("declare", employer, period_label=PERIOD))
    data = {**form_data(page.content.decode()), **wages_filled(people), "action": "submit"}
    first = client.post(url("declare", employer, period_label=PERIOD), data)
    second = client.post(url("declare", employer, period_label=PERIOD), data)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Declaration.objects.count() == 1


def test_errors_are_shown_next_to_their_line_in_arabic(
    employer: Employer, user: User, hire: Hire
) -> None:
    people = hire(employer, 2)
    client = signed_in(user)
    changes = {**wages_filled(people), "d2": "40"}
    page = post_form(client, employer, changes, "submit", lang="ar")
    html = page.content.decode()
    assert page.status_code == 200
    assert 'dir="rtl"' in html
    assert f"السطر 2 ({people[1].ssn}) — الأيام: يجب أن يكون بين 0 و26 (المُدخل: 40)" in html
    assert 'name="d2" value="40"' in html and 'aria-invalid="true"' in html
    assert not Declaration.objects.exists()


def test_a_tampered_hidden_insured_id_is_refused(
    employer: Employer, other_employer: Employer, user: User, hire: Hire
) -> None:
    people = hire(employer, 2)
    theirs = hire(other_employer, 1)
    client = signed_in(user)
    page = post_form(
        client, employer, {**wages_filled(people), "i2": str(theirs[0].pk)}, "submit", lang="en"
    )
    html = page.content.decode()
    assert (
        f"Line 2 — Insured person: {theirs[0].pk} is not an employee of this employer for the period"
        in html
    )
    assert not Declaration.objects.exists()


def test_garbage_posts_never_answer_500(employer: Employer, user: User, hire: Hire) -> None:
    hire(employer, 1)
    client = signed_in(user)
    target = url("declare", employer, period_label=PERIOD)
    for data in (
        {},
        {"n": "abc", "action": "submit"},
        {"n": "999999", "action": "submit", "token": "x"},
        {"n": "1", "i1": "", "d1": "", "w1": "", "action": "preview"},
        {"n": "1", "replaces": "abc", "action": "submit"},
    ):
        assert client.post(target, data).status_code == 200
    assert client.get(url("declare", employer, period_label="2026-13")).status_code == 404
    assert client.get(url("declare", employer, period_label="2026-Q1")).status_code == 404
    assert not Declaration.objects.exists()


def test_another_employers_declaration_is_404(
    employer: Employer, other_employer: Employer, user: User, hire: Hire
) -> None:
    from tadamun.declarations import services
    from tadamun.declarations.services import LineInput
    from tadamun.funds import Period
    from tests.declarations.conftest import BEFORE_DUE, token

    theirs = hire(other_employer, 1)
    foreign = services.declaration_submit(
        employer=other_employer,
        period=Period.parse(PERIOD),
        user=make_user(other_employer, "b@example.ma"),
        lines=[LineInput(insured_id=theirs[0].pk, days=26, wage="100")],
        token=token(),
        today=BEFORE_DUE,
    )
    client = signed_in(user)
    # Through my employer's URL with their declaration id, and through their employer's URL.
    assert client.get(url("receipt", employer, declaration_id=foreign.pk)).status_code == 404
    assert client.get(url("receipt_pdf", employer, declaration_id=foreign.pk)).status_code == 404
    assert client.get(url("receipt", other_employer, declaration_id=foreign.pk)).status_code == 404
    assert client.get(url("periods", other_employer)).status_code == 404
    assert client.get(url("declare", other_employer, period_label=PERIOD)).status_code == 404


def test_signed_out_visitors_are_sent_to_sign_in(employer: Employer) -> None:
    page = Client().get(url("periods", employer))
    assert page.status_code == 302


def test_nil_and_replace_through_the_pages(employer: Employer, user: User, hire: Hire) -> None:
    client = signed_in(user)
    done = post_form(client, employer, {}, "nil")
    assert done.status_code == 302
    first = Declaration.objects.get()
    assert first.kind == "nil"
    page = client.get(url("declare", employer, period_label=PERIOD))
    assert "?replace=1" in page.content.decode()
    form = client.get(url("declare", employer, period_label=PERIOD) + "?replace=1")
    data = {**form_data(form.content.decode()), "action": "nil"}
    assert data["replaces"] == str(first.pk)
    again = client.post(url("declare", employer, period_label=PERIOD), data)
    assert again.status_code == 302
    assert [d.status for d in Declaration.objects.order_by("version")] == [
        "cancelled_replaced",
        "accepted",
    ]
    history = client.get(url("history", employer, "ar"))
    assert history.content.decode().count("DEC-MA-CNSS-2026-") == 2


def test_receipt_pdf(employer: Employer, user: User, hire: Hire) -> None:
    people = hire(employer, 2)
    client = signed_in(user)
    done = post_form(client, employer, wages_filled(people), "submit")
    declaration = Declaration.objects.get()
    for lang in ("fr", "ar", "en"):
        pdf = client.get(url("receipt_pdf", employer, lang, declaration_id=declaration.pk))
        assert pdf.status_code == 200
        assert pdf["Content-Type"] == "application/pdf"
        assert pdf.content.startswith(b"%PDF")
    assert done.status_code == 302


@pytest.mark.parametrize("size", [10, 2000])
def test_form_page_query_count_is_constant(
    employer: Employer, user: User, hire: Hire, size: int, django_assert_max_num_queries: Any
) -> None:
    hire(employer, size)
    client = signed_in(user)
    with django_assert_max_num_queries(8):
        page = client.get(url("declare", employer, period_label=PERIOD))
    assert page.status_code == 200
    assert page.content.decode().count('<tr id="line-') == size


def test_arabic_receipt_pdf_renders_right_to_left(
    employer: Employer, user: User, hire: Hire, tmp_path: Any
) -> None:
    import shutil
    import subprocess

    from PIL import Image

    if shutil.which("pdftoppm") is None:
        pytest.skip("poppler-utils (pdftoppm) is not installed")
    people = hire(employer, 1)
    client = signed_in(user)
    post_form(client, employer, wages_filled(people), "submit")
    declaration = Declaration.objects.get()
    pdf = client.get(url("receipt_pdf", employer, "ar", declaration_id=declaration.pk))
    (tmp_path / "r.pdf").write_bytes(pdf.content)
    subprocess.run(
        [
            "pdftoppm",
            "-r",
            "40",
            "-png",
            "-f",
            "1",
            "-l",
            "1",
            str(tmp_path / "r.pdf"),
            str(tmp_path / "r"),
        ],
        check=True,
    )
    image = Image.open(next(tmp_path.glob("r*.png"))).convert("L")
    width, height = image.size
    title = image.crop((0, 0, width, height // 12))
    ink = [x for x in range(width) for y in range(title.size[1]) if title.getpixel((x, y)) < 128]
    # The title is set right-aligned: its ink is in the right half of the page.
    assert ink and min(ink) > width // 2
