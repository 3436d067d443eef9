"""Sign-up to immatriculation with no agency visit, and every refusal: bad fields, keys, age,
nationality, compulsory affiliation, a second sign-up, forged or oversized documents — each with
its reason and nothing half-created (no account, no row, no file). Mail goes through the real
SMTP mailbox."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from pytest_django.fixtures import Settings as SettingsWrapper

from tadamun.accounts.models import AuditEvent, EmployerMembership, Role, User
from tadamun.documents.models import Document
from tadamun.dossiers.models import Dossier, DossierStatus
from tadamun.dossiers.services import dossier_decide
from tadamun.errors import InvalidInput
from tadamun.registry import identifiers
from tadamun.registry.models import Agency, ContributorKind, Employer, InsuredPerson
from tadamun.registry.services import employment_create, insured_person_create
from tadamun.voluntary import services
from tadamun.voluntary.models import Membership, MembershipStatus
from tests.registry.factories import employer_for, person_fields
from tests.support.mail import Mailbox
from tests.support.people import make_user
from tests.voluntary.conftest import NIN, card_pdf, proof_pdf, values

TODAY = dt.date(2026, 11, 23)


def signup(
    capture: Any,
    *,
    card: SimpleUploadedFile | None = None,
    proof: SimpleUploadedFile | None = None,
    today: dt.date = TODAY,
    **overrides: Any,
) -> services.SignupOutcome:
    with capture(execute=True):
        return services.membership_signup(
            values=values(**overrides),
            consular_card=card or card_pdf(),
            activity_proof=proof or proof_pdf(),
            today=today,
        )


def nothing_created(document_dir: Path) -> None:
    assert not User.objects.exists()
    assert not Membership.objects.exists()
    assert not Document.objects.exists()
    assert not Employer.objects.exists()
    assert not Dossier.objects.exists()
    assert not InsuredPerson.objects.filter(national_id=NIN).exists()
    assert not [p for p in document_dir.rglob("*") if p.is_file()]  # no file left behind


def test_clear_documents_immatriculate_at_once_and_mail_the_masked_numbers(
    agency: Agency, mailbox: Mailbox, django_capture_on_commit_callbacks: Any
) -> None:
    outcome = signup(django_capture_on_commit_callbacks)
    assert outcome.immatriculated and all(c.ok for c in outcome.checks)
    membership = Membership.objects.get()
    assert membership.status == MembershipStatus.ACTIVE
    assert membership.affiliated_on == TODAY
    insured = membership.insured
    assert insured is not None and insured.national_id == NIN
    assert identifiers.validate_dz_nss(insured.ssn) == insured.ssn  # issued with its key
    account = membership.account
    assert account is not None
    assert account.kind == ContributorKind.VOLUNTARY and account.holder_id == insured.pk
    assert account.declaration_periodicity == "quarterly"
    user = outcome.user
    assert user.insured_id == insured.pk
    assert user.check_password(values()["password"])
    assert user.password.startswith("argon2")
    assert user.totp_confirmed_at is None  # enrolled at the next step, as every account
    assert EmployerMembership.objects.get(user=user).role == Role.OWNER
    # The e-mail, over SMTP, in the member's language, numbers masked.
    [message] = mailbox.messages
    assert mailbox.recipients == [["karim.haddad@example.org"]]
    body = mailbox.body(message)
    assert insured.ssn not in body and account.affiliate_number not in body
    assert insured.ssn[-3:] in body and "•" in body
    assert values()["password"] not in body
    assert "immatricul" in str(message["Subject"]).lower() or "inscrit" in body.lower()


def test_an_existing_record_is_reused_when_found_by_its_number_and_nin(
    agency: Agency, mailbox: Mailbox, django_capture_on_commit_callbacks: Any
) -> None:
    known = insured_person_create(
        **person_fields(
            serial=77,
            national_id=NIN,
            surname_latin="Haddad",
            first_names_latin="Karim",
            birth_date=dt.date(1988, 6, 15),
        )
    )
    outcome = signup(django_capture_on_commit_callbacks, previous_ssn=known.ssn)
    assert outcome.immatriculated
    assert Membership.objects.get().insured_id == known.pk
    assert InsuredPerson.objects.count() == 1


@pytest.mark.parametrize(
    ("birth", "accepted"),
    [("1971-11-24", True), ("1971-11-23", False), ("1960-01-01", False)],
)
def test_age_limit_on_the_day_of_affiliation(
    agency: Agency,
    document_dir: Path,
    django_capture_on_commit_callbacks: Any,
    birth: str,
    accepted: bool,
) -> None:
    if accepted:
        assert signup(django_capture_on_commit_callbacks, birth_date=birth).immatriculated
        return
    with pytest.raises(services.Ineligible) as refused:
        signup(django_capture_on_commit_callbacks, birth_date=birth)
    assert refused.value.fields == ("birth_date",)
    assert "55" in refused.value.messages("fr")[0]
    assert [c.code for c in refused.value.checks if not c.ok] == ["age"]
    nothing_created(document_dir)


def test_wrong_nationality_is_refused_with_the_reason(
    agency: Agency, document_dir: Path, django_capture_on_commit_callbacks: Any
) -> None:
    with pytest.raises(services.Ineligible) as refused:
        signup(django_capture_on_commit_callbacks, nationality="FR")
    assert refused.value.fields == ("nationality",)
    assert "Algerian nationality: no" in refused.value.messages("en")[0]
    nothing_created(document_dir)


def test_living_in_algeria_is_refused(
    agency: Agency, document_dir: Path, django_capture_on_commit_callbacks: Any
) -> None:
    with pytest.raises(services.Ineligible) as refused:
        signup(django_capture_on_commit_callbacks, country="DZ")
    assert refused.value.fields == ("country",)
    nothing_created(document_dir)


def test_an_open_employment_in_algeria_is_compulsory_affiliation(
    agency: Agency, document_dir: Path, django_capture_on_commit_callbacks: Any
) -> None:
    worker = insured_person_create(**person_fields(serial=5, national_id=NIN))
    employment_create(employer=employer_for(agency), insured=worker, start_date="2020-01-01")
    with pytest.raises(services.Ineligible) as refused:
        signup(django_capture_on_commit_callbacks)
    assert refused.value.fields == ("national_id",)
    assert "ongoing employment" in refused.value.messages("en")[0]
    assert not Membership.objects.exists() and not User.objects.exists()


def test_an_existing_contributor_account_is_compulsory_affiliation(
    agency: Agency, django_capture_on_commit_callbacks: Any
) -> None:
    person = insured_person_create(**person_fields(serial=6, national_id=NIN))
    employer_for(agency, serial=9, kind=ContributorKind.SELF_EMPLOYED, holder=person)
    with pytest.raises(services.Ineligible) as refused:
        signup(django_capture_on_commit_callbacks)
    assert "contributor account" in refused.value.messages("en")[0]
    assert not Membership.objects.exists()


@pytest.mark.parametrize(
    "second",
    [
        {"email": "other@example.org"},  # same NIN
        {"email": "other@example.org", "national_id": "209870123456789012"},  # same names+birth
        {
            "email": "other@example.org",
            "national_id": "209870123456789012",
            "surname_latin": "HADDAD",
            "first_names_latin": "karim",
        },  # case does not hide it
    ],
)
def test_a_second_sign_up_of_the_same_person_is_refused(
    agency: Agency, django_capture_on_commit_callbacks: Any, second: dict[str, Any]
) -> None:
    signup(django_capture_on_commit_callbacks)
    before = (User.objects.count(), Document.objects.count(), Employer.objects.count())
    with pytest.raises(InvalidInput) as refused:
        signup(django_capture_on_commit_callbacks, **second)
    assert refused.value.fields == ("national_id",)
    assert refused.value.problems[0].code == "already_signed_up"
    assert (User.objects.count(), Document.objects.count(), Employer.objects.count()) == before
    assert Membership.objects.count() == 1


def test_the_same_e_mail_twice_is_refused(
    agency: Agency, django_capture_on_commit_callbacks: Any
) -> None:
    make_user("karim.haddad@example.org")
    with pytest.raises(InvalidInput) as refused:
        signup(django_capture_on_commit_callbacks)
    assert refused.value.fields == ("email",)


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("surname_latin", "", "required"),
        ("surname_latin", "Haddad3", "not_latin"),
        ("first_names_latin", "x" * 101, "too_long"),
        ("surname_arabic", "Haddad", "not_arabic"),
        ("first_names_arabic", "", "required"),
        ("birth_date", "15/06/1988", "not_a_date"),
        ("birth_date", "2030-01-01", "implausible_date"),
        ("sex", "X", "not_a_choice"),
        ("national_id", "12345", "wrong_length"),
        ("national_id", "10987012345678901A", "not_digits"),
        ("national_id", "", "required"),
        ("previous_ssn", "000000123457", "bad_key"),
        ("previous_ssn", "12345", "wrong_length"),
        ("nationality", "", "required"),
        ("nationality", "XX", "not_a_choice"),
        ("country", "ZZ", "not_a_choice"),
        ("city", "", "required"),
        ("city", "p" * 101, "too_long"),
        ("consulate", "FR-ATLANTIS", "not_a_choice"),
        ("consular_number", "", "required"),
        ("consular_number", "A$", "bad_format"),
        ("activity", "retired", "not_a_choice"),
        ("email", "not-an-email", "not_an_email"),
        ("email", "", "required"),
        ("language", "de", "not_a_choice"),
        ("password", "", "required"),
        ("password", "short", "password_mismatch"),
    ],
)
def test_each_bad_field_is_named_and_nothing_is_written(
    agency: Agency,
    document_dir: Path,
    django_capture_on_commit_callbacks: Any,
    field: str,
    value: str,
    code: str,
) -> None:
    with pytest.raises(InvalidInput) as refused:
        wrong: dict[str, Any] = {field: value}
        signup(django_capture_on_commit_callbacks, **wrong)
    assert (field, code) in [(p.field, p.code) for p in refused.value.problems]
    for problem in refused.value.problems:
        assert all(problem.message(lang) for lang in ("fr", "ar", "en"))
    nothing_created(document_dir)


def test_a_weak_password_is_refused_in_every_language(
    agency: Agency, document_dir: Path, django_capture_on_commit_callbacks: Any
) -> None:
    with pytest.raises(InvalidInput) as refused:
        signup(django_capture_on_commit_callbacks, password="12345678", password_again="12345678")
    [problem, *_] = [p for p in refused.value.problems if p.field == "password"]
    assert problem.message("fr") != problem.message("en")
    nothing_created(document_dir)


def test_a_previous_ssn_with_a_wrong_key_says_so(
    agency: Agency, django_capture_on_commit_callbacks: Any
) -> None:
    good = identifiers.issue_dz_nss(4321)
    wrong = good[:-1] + str((int(good[-1]) + 1) % 10)
    with pytest.raises(InvalidInput) as refused:
        signup(django_capture_on_commit_callbacks, previous_ssn=wrong)
    [problem] = refused.value.problems
    assert (problem.field, problem.code) == ("previous_ssn", "bad_key")
    assert "key" in problem.message("en") and "clé" in problem.message("fr")


def _exe() -> SimpleUploadedFile:
    data = b"MZ\x90\x00" + b"\x00" * 200 + b"This program cannot be run in DOS mode."
    return SimpleUploadedFile("carte.pdf", data, content_type="application/pdf")


@pytest.mark.parametrize(
    ("which", "upload", "code"),
    [
        ("consular_card", _exe, "bad_type"),
        ("activity_proof", lambda: SimpleUploadedFile("p.pdf", b""), "empty"),
        (
            "consular_card",
            lambda: SimpleUploadedFile("c.png", b"%PDF-1.4\nfake"),
            "type_mismatch",
        ),
    ],
)
def test_a_forged_document_is_refused_through_the_document_checks(
    agency: Agency,
    document_dir: Path,
    django_capture_on_commit_callbacks: Any,
    which: str,
    upload: Any,
    code: str,
) -> None:
    files = {"card": upload()} if which == "consular_card" else {"proof": upload()}
    with pytest.raises(InvalidInput) as refused:
        signup(django_capture_on_commit_callbacks, **files)
    [problem] = refused.value.problems
    assert problem.field == which and problem.code == code
    label = "Carte d'immatriculation consulaire" if which == "consular_card" else "Justificatif"
    assert problem.message("fr").startswith(label)
    nothing_created(document_dir)


def test_an_oversized_document_is_refused_and_the_other_file_removed(
    agency: Agency,
    document_dir: Path,
    settings: SettingsWrapper,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.TADAMUN_DOCUMENT_MAX_BYTES = 2000
    big = SimpleUploadedFile("big.pdf", b"%PDF-1.4\n" + b"0" * 5000)
    with pytest.raises(InvalidInput) as refused:
        signup(django_capture_on_commit_callbacks, proof=big)
    assert [(p.field, p.code) for p in refused.value.problems] == [("activity_proof", "too_large")]
    nothing_created(document_dir)  # the card, stored first, was removed with the rollback


def test_missing_documents_are_named(agency: Agency, document_dir: Path) -> None:
    with pytest.raises(InvalidInput) as refused:
        services.membership_signup(
            values=values(), consular_card=None, activity_proof=None, today=TODAY
        )
    assert set(refused.value.fields) == {"consular_card", "activity_proof"}
    nothing_created(document_dir)


def _scan() -> SimpleUploadedFile:
    from tests.documents.samples import image_bytes

    return SimpleUploadedFile("scan.jpg", image_bytes("JPEG"), content_type="image/jpeg")


def test_an_unclear_document_goes_to_the_agency_queue_and_its_decision_immatriculates(
    agency: Agency, mailbox: Mailbox, django_capture_on_commit_callbacks: Any
) -> None:
    outcome = signup(django_capture_on_commit_callbacks, card=_scan())
    assert not outcome.immatriculated
    assert any("scanned" in r["en"] and "scanné" in r["fr"] for r in outcome.unclear)
    membership = Membership.objects.get()
    assert membership.status == MembershipStatus.IN_REVIEW and membership.account is None
    dossier = membership.dossier
    assert dossier is not None and dossier.status == DossierStatus.NEEDS_PERSON
    assert dossier.agency_id == agency.pk and dossier.kind == "voluntary_membership"
    assert set(dossier.documents.values_list("pk", flat=True)) == {
        membership.consular_card_id,
        membership.activity_proof_id,
    }
    assert not Employer.objects.exists()
    staff = make_user("agent@cnas.example")
    from tadamun.accounts.models import StaffProfile

    StaffProfile.objects.create(user=staff, agency=agency)
    mailbox.messages.clear()
    with django_capture_on_commit_callbacks(execute=True):
        dossier_decide(
            dossier=dossier, staff=staff, approve=True, reason="Carte lisible, conforme."
        )
    membership.refresh_from_db()
    assert membership.status == MembershipStatus.ACTIVE and membership.account is not None
    assert AuditEvent.objects.filter(actor=staff, object_id=str(membership.pk)).exists()
    bodies = [mailbox.body(m) for m in mailbox.messages]
    assert membership.insured is not None
    assert all(membership.insured.ssn not in b for b in bodies)
    assert any(membership.insured.ssn[-3:] in b for b in bodies)


def test_a_refusal_by_the_agency_keeps_the_reason_and_frees_the_person(
    agency: Agency, django_capture_on_commit_callbacks: Any
) -> None:
    signup(django_capture_on_commit_callbacks, proof=_scan())
    membership = Membership.objects.get()
    staff = make_user("agent@cnas.example")
    from tadamun.accounts.models import StaffProfile

    StaffProfile.objects.create(user=staff, agency=agency)
    assert membership.dossier is not None
    with django_capture_on_commit_callbacks(execute=True):
        dossier_decide(
            dossier=membership.dossier, staff=staff, approve=False, reason="Bulletin illisible."
        )
    membership.refresh_from_db()
    assert membership.status == MembershipStatus.REJECTED
    assert membership.review_reason == "Bulletin illisible."
    assert not Employer.objects.exists()
    with pytest.raises(InvalidInput):  # decided once
        services.membership_decide(
            dossier=membership.dossier, staff=staff, approve=True, reason="x"
        )


def test_a_pdf_that_does_not_show_the_consular_number_is_unclear(
    agency: Agency, django_capture_on_commit_callbacks: Any
) -> None:
    outcome = signup(django_capture_on_commit_callbacks, card=card_pdf("OTHER-999"))
    assert not outcome.immatriculated
    assert any("consular registration number" in r["en"] for r in outcome.unclear)


def test_a_look_alike_in_the_registry_needs_a_person(
    agency: Agency, django_capture_on_commit_callbacks: Any
) -> None:
    insured_person_create(
        **person_fields(
            serial=8,
            surname_latin="Haddad",
            first_names_latin="Karim",
            birth_date=dt.date(1988, 6, 15),
        )
    )
    outcome = signup(django_capture_on_commit_callbacks)
    assert not outcome.immatriculated
    assert Membership.objects.get().dossier is not None
