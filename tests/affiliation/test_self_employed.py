"""The self-employed (CASNOS): sign-up by category with documents, the 10-day rule, the agency's
decision, the annual income between the minimum and maximum bases, the ledger."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tadamun.accounts.models import EmployerMembership, Role, User
from tadamun.affiliation import services
from tadamun.affiliation.categories import CATEGORIES
from tadamun.affiliation.models import (
    AffiliationDocument,
    AffiliationStatus,
    IncomeDeclaration,
    SelfEmployedAffiliation,
)
from tadamun.affiliation.services import SelfEmployedInput
from tadamun.documents.models import Document
from tadamun.dossiers.models import Dossier, DossierStatus
from tadamun.dossiers.services import dossier_decide
from tadamun.errors import InvalidInput
from tadamun.funds import get_fund
from tadamun.ledger.selectors import ledger_balance
from tadamun.registry import services as registry
from tadamun.registry.models import ContributorKind, Employer, InsuredPerson
from tests.affiliation.conftest import Casnos, nin, signup_fields, trader_uploads
from tests.documents.samples import image_bytes, pdf_bytes
from tests.registry.factories import person_fields

pytestmark = pytest.mark.django_db

DZD = get_fund("dz-casnos").currency


def sign_up(**overrides: Any) -> SelfEmployedAffiliation:
    uploads = overrides.pop("uploads", None)
    return services.self_employed_signup(
        data=SelfEmployedInput(**signup_fields(**overrides)),
        uploads=trader_uploads() if uploads is None else uploads,
    )


def counts() -> tuple[int, ...]:
    return (
        User.objects.count(),
        InsuredPerson.objects.count(),
        Employer.objects.count(),
        EmployerMembership.objects.count(),
        Document.objects.count(),
        Dossier.objects.count(),
        SelfEmployedAffiliation.objects.count(),
    )


def affiliated(casnos: Casnos, **overrides: Any) -> SelfEmployedAffiliation:
    affiliation = sign_up(**overrides)
    assert affiliation.dossier is not None
    dossier_decide(
        dossier=affiliation.dossier, staff=casnos.agent, approve=True, reason="Documents checked"
    )
    affiliation.refresh_from_db()
    return affiliation


def test_a_trader_signs_up_with_account_person_contributor_account_and_dossier(
    casnos: Casnos,
) -> None:
    affiliation = sign_up()
    fund = get_fund("dz-casnos")
    user = affiliation.user
    assert user.check_password(signup_fields()["password"])
    assert user.totp_confirmed_at is None  # enrolled at the first sign-in
    assert user.insured == affiliation.insured
    assert fund.insured_number.validate(affiliation.insured.ssn)
    account = affiliation.account
    assert account.kind == ContributorKind.SELF_EMPLOYED
    assert account.holder == affiliation.insured and account.fund == "dz-casnos"
    assert fund.employer_number.validate(account.affiliate_number)
    assert EmployerMembership.objects.filter(user=user, employer=account, role=Role.OWNER).exists()
    assert affiliation.status == AffiliationStatus.PENDING and not affiliation.late
    requirements = set(
        AffiliationDocument.objects.filter(affiliation=affiliation).values_list(
            "requirement", flat=True
        )
    )
    assert requirements == {"identity_document", "commerce_register"}
    dossier = affiliation.dossier
    assert dossier is not None and dossier.status == DossierStatus.SUBMITTED
    assert dossier.agency == casnos.agency and dossier.documents.count() == 2


def test_affiliation_after_ten_days_is_accepted_and_flagged_with_the_reason(
    casnos: Casnos,
) -> None:
    start = timezone.localdate() - dt.timedelta(days=40)
    affiliation = sign_up(activity_start=start.isoformat())
    assert affiliation.late and affiliation.late_days == 30
    assert "30 day(s) after the 10-day delay" in affiliation.reason
    assert affiliation.dossier is not None and "Late affiliation" in affiliation.dossier.reason
    assert "Affiliation tardive" in affiliation.dossier.reason
    on_time = timezone.localdate() - dt.timedelta(days=10)
    second = sign_up(
        activity_start=on_time.isoformat(),
        email="b@trader.example",
        national_id=nin(501),
        surname_latin="Other",
        surname_arabic="آخر",
    )
    assert not second.late and second.late_days == 0


@pytest.mark.parametrize("code", sorted(CATEGORIES))
def test_each_category_requires_its_own_documents(casnos: Casnos, code: str) -> None:
    spec = CATEGORIES[code]
    extra = {"profession": "pharmacist"} if spec.needs_profession else {}
    before = counts()
    with pytest.raises(InvalidInput) as caught:
        sign_up(category=code, uploads={}, **extra)
    assert sorted(p.field for p in caught.value.problems) == sorted(d.code for d in spec.documents)
    assert {p.code for p in caught.value.problems} == {"missing_document"}
    assert counts() == before
    uploads = {d.code: SimpleUploadedFile(f"{d.code}.pdf", pdf_bytes()) for d in spec.documents}
    affiliation = sign_up(category=code, uploads=uploads, **extra)
    assert affiliation.category == code


def test_a_liberal_profession_names_its_profession(casnos: Casnos) -> None:
    uploads = {
        "identity_document": SimpleUploadedFile("id.pdf", pdf_bytes()),
        "professional_approval": SimpleUploadedFile("agrement.pdf", pdf_bytes()),
    }
    with pytest.raises(InvalidInput) as caught:
        sign_up(category="liberal_profession", uploads=uploads)
    assert caught.value.fields == ("profession",)
    with pytest.raises(InvalidInput) as caught:
        sign_up(category="liberal_profession", profession="astronaut", uploads=uploads)
    assert caught.value.problems[0].code == "not_a_choice"


SIGNUP_BAD = [
    ("email", "not-an-email", "not_an_email"),
    ("email", "", "required"),
    ("password", "short", "password_rule"),
    ("password_again", "Something-else-42", "password_mismatch"),
    ("surname_latin", "", "required"),
    ("first_names_latin", "K4rim", "not_latin"),
    ("surname_arabic", "Haddad", "not_arabic"),
    ("first_names_arabic", "", "required"),
    ("birth_date", "03/02/1985", "not_a_date"),
    ("birth_place", "", "required"),
    ("sex", "", "required"),
    ("national_id", "1" * 17, "wrong_length"),
    ("category", "", "required"),
    ("category", "astronaut", "not_a_choice"),
    ("register_number", "", "required"),
    ("register_number", "<script>", "bad_format"),
    ("register_number", "1" * 41, "too_long"),
    ("activity_start", "", "required"),
    ("activity_start", "yesterday", "not_a_date"),
    ("activity_start", "2999-01-01", "in_future"),
    ("activity_start", "1990-01-01", "too_young"),
    ("agency", "", "required"),
    ("agency", "9999", "not_a_choice"),
]


@pytest.mark.parametrize(("field", "value", "code"), SIGNUP_BAD)
def test_every_sign_up_field_refuses_bad_input_and_nothing_is_created(
    casnos: Casnos, field: str, value: str, code: str
) -> None:
    before = counts()
    with pytest.raises(InvalidInput) as caught:
        changes = {field: value}
        if field == "password":
            changes["password_again"] = value
        sign_up(**changes)
    expected_field = "password" if field == "password_again" else field
    assert (expected_field, code) in [(p.field, p.code) for p in caught.value.problems]
    assert counts() == before


@pytest.mark.parametrize(
    ("name", "data", "why"),
    [
        ("registre.pdf", b"%PDF-1.4 not really a pdf", "broken PDF"),
        ("registre.pdf", image_bytes("PNG"), "a PNG named .pdf"),
        ("registre.pdf", pdf_bytes(tweak="javascript"), "PDF with JavaScript"),
        ("registre.exe", b"MZ\x90\x00", "an executable"),
        ("registre.pdf", b"", "empty"),
    ],
)
def test_a_forged_document_is_refused_and_nothing_is_created(
    casnos: Casnos, name: str, data: bytes, why: str
) -> None:
    uploads = trader_uploads()
    uploads["commerce_register"] = SimpleUploadedFile(name, data)
    before = counts()
    with pytest.raises(InvalidInput) as caught:
        sign_up(uploads=uploads)
    assert caught.value.fields == ("commerce_register",), why
    assert counts() == before


def test_an_oversized_document_is_refused(casnos: Casnos, settings: Any) -> None:
    settings.TADAMUN_DOCUMENT_MAX_BYTES = 1000
    uploads = trader_uploads()
    uploads["identity_document"] = SimpleUploadedFile("cni.pdf", pdf_bytes(pages=40))
    with pytest.raises(InvalidInput) as caught:
        sign_up(uploads=uploads)
    assert "identity_document" in caught.value.fields


def test_a_second_sign_up_of_the_same_person_is_refused(casnos: Casnos) -> None:
    sign_up()
    before = counts()
    with pytest.raises(InvalidInput) as caught:
        sign_up(email="again@trader.example")
    assert [(p.field, p.code) for p in caught.value.problems] == [
        ("national_id", "already_signed_up")
    ]
    with pytest.raises(InvalidInput) as caught:
        sign_up(national_id=nin(777))  # same e-mail, and same names and birth date
    assert ("email", "duplicate") in [(p.field, p.code) for p in caught.value.problems]
    assert counts() == before


def test_a_known_person_without_an_account_is_reused(casnos: Casnos) -> None:
    known = registry.insured_person_create(
        **person_fields(
            "dz-casnos",
            3,
            national_id=nin(500),
            surname_latin="Haddad",
            first_names_latin="Karim",
            surname_arabic="حداد",
            first_names_arabic="كريم",
            birth_date=dt.date(1985, 2, 3),
            sex="M",
        )
    )
    affiliation = sign_up()
    assert affiliation.insured == known
    assert InsuredPerson.objects.count() == 1


def test_same_names_and_birth_date_put_the_dossier_in_the_queue(casnos: Casnos) -> None:
    registry.insured_person_create(
        **person_fields(
            "dz-casnos",
            3,
            national_id=nin(600),
            surname_latin="HADDAD",
            first_names_latin="karim",
            surname_arabic="حداد",
            first_names_arabic="كريم",
            birth_date=dt.date(1985, 2, 3),
        )
    )
    affiliation = sign_up()
    assert affiliation.dossier is not None
    assert affiliation.dossier.status == DossierStatus.NEEDS_PERSON
    # The agent reads the reason in their language: it is kept in the three.
    for words in ("Possible duplicate", "Doublon possible", "تكرار محتمل"):
        assert words in affiliation.dossier.reason


def test_the_agency_affiliates_or_refuses(casnos: Casnos) -> None:
    yes = affiliated(casnos)
    assert yes.status == AffiliationStatus.AFFILIATED and yes.decided_by == casnos.agent
    no = sign_up(
        email="b@trader.example", national_id=nin(501), surname_latin="Other", surname_arabic="آخر"
    )
    assert no.dossier is not None
    dossier_decide(
        dossier=no.dossier, staff=casnos.agent, approve=False, reason="Register number unreadable"
    )
    no.refresh_from_db()
    assert no.status == AffiliationStatus.REJECTED and no.reason == "Register number unreadable"


def test_the_fund_must_affiliate_the_self_employed(settings: Any, db: None) -> None:
    settings.TADAMUN_FUND = "dz-cnas"
    with pytest.raises(InvalidInput) as caught:
        sign_up()
    assert caught.value.fields == ("fund",)


# --- the annual income ---------------------------------------------------------------------------


def long_ago(casnos: Casnos) -> SelfEmployedAffiliation:
    return affiliated(casnos, activity_start="2018-05-02")


def declare(affiliation: SelfEmployedAffiliation, year: object, income: object) -> Any:
    return services.income_declare(
        account=affiliation.account,
        year=year,
        income=income,
        user=affiliation.user,
        today=dt.date(2026, 3, 1),
    )


def test_the_worked_example_minimum_is_32400_dzd_at_snmg_18000(casnos: Casnos) -> None:
    affiliation = long_ago(casnos)
    declaration = declare(affiliation, "2019", "0")
    assert declaration.floor == DZD.parse("216000.00")  # 12 × 18,000
    assert declaration.base == declaration.floor and declaration.base_rule == "floor"
    assert declaration.contribution == DZD.parse("32400.00")
    assert declaration.late  # 2019's income was due by 31 January 2019
    assert declaration.payment_due == dt.date(2019, 6, 30)
    balance = ledger_balance(employer=affiliation.account)
    assert balance.minor == DZD.parse("32400.00")


def test_an_income_between_the_bases_is_the_base(casnos: Casnos) -> None:
    affiliation = long_ago(casnos)
    declaration = declare(affiliation, 2019, "1 000 000,00")
    assert declaration.base_rule == "declared"
    assert declaration.base == DZD.parse("1000000.00")
    assert declaration.contribution == DZD.parse("150000.00")


def test_an_income_above_the_maximum_pays_on_20_annual_snmg(casnos: Casnos) -> None:
    affiliation = long_ago(casnos)
    declaration = declare(affiliation, 2021, "100000000")
    assert declaration.ceiling == DZD.parse("4800000.00")  # 20 × 12 × 20,000
    assert declaration.base_rule == "ceiling"
    assert declaration.contribution == DZD.parse("720000.00")


def test_a_farmer_pays_by_30_september(casnos: Casnos) -> None:
    uploads = {
        "identity_document": SimpleUploadedFile("id.pdf", pdf_bytes()),
        "farmer_card": SimpleUploadedFile("carte.pdf", pdf_bytes()),
    }
    affiliation = affiliated(
        casnos, category="farmer", uploads=uploads, activity_start="2020-01-01"
    )
    declaration = declare(affiliation, 2026, "500000")
    assert declaration.payment_due == dt.date(2026, 9, 30)
    assert declaration.late  # 1 March 2026 is after 31 January 2026


def test_the_first_year_of_activity_is_not_late(casnos: Casnos) -> None:
    affiliation = affiliated(casnos, activity_start="2026-02-20")
    declaration = declare(affiliation, 2026, "500000")
    assert not declaration.late


INCOME_BAD = [
    ("income", "", "required"),
    ("income", "abc", "not_an_amount"),
    ("income", "12.345", "not_an_amount"),
    ("income", "1e6", "not_an_amount"),
    ("income", "-5", "negative"),
    ("income", "99999999999999", "absurd"),
    ("year", "", "required"),
    ("year", "2017", "year_range"),
    ("year", "2027", "year_range"),
    ("year", "twenty", "year_range"),
]


@pytest.mark.parametrize(("field", "value", "code"), INCOME_BAD)
def test_bad_income_values_are_refused_and_nothing_is_posted(
    casnos: Casnos, field: str, value: str, code: str
) -> None:
    affiliation = long_ago(casnos)
    values = {"year": "2019", "income": "500000", field: value}
    with pytest.raises(InvalidInput) as caught:
        declare(affiliation, values["year"], values["income"])
    assert (field, code) in [(p.field, p.code) for p in caught.value.problems]
    assert IncomeDeclaration.objects.count() == 0
    assert ledger_balance(employer=affiliation.account).minor == 0


def test_a_year_is_declared_once(casnos: Casnos) -> None:
    affiliation = long_ago(casnos)
    first = declare(affiliation, 2019, "500000")
    with pytest.raises(InvalidInput) as caught:
        declare(affiliation, 2019, "600000")
    assert caught.value.problems[0].code == "already_declared"
    assert first.receipt_number in caught.value.problems[0].message("en")
    assert IncomeDeclaration.objects.count() == 1


def test_no_declaration_before_the_agency_affiliates(casnos: Casnos) -> None:
    affiliation = sign_up()
    with pytest.raises(InvalidInput) as caught:
        declare(affiliation, 2026, "500000")
    assert caught.value.problems[0].code == "not_affiliated"


def test_the_agency_decision_is_in_the_persons_audit_trail(casnos: Casnos) -> None:
    from tadamun.accounts.selectors import audit_history

    affiliation = affiliated(casnos)
    events = audit_history(insured=affiliation.insured)
    assert any(e.actor == casnos.agent and e.action == "change" for e in events)
