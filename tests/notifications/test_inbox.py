"""The inbox page: one's own messages only, the unread badge, marking read."""

from __future__ import annotations

import pytest
from django.test import Client

from tadamun.accounts.models import User
from tadamun.notifications.models import Notification
from tadamun.notifications.selectors import unread_count
from tadamun.notifications.services import notify
from tests.support.people import sign_in

pytestmark = pytest.mark.django_db

TEMPLATE = "dossiers/notifications/status_changed.txt"


def _note(user: User, reference: str = "D2026-000001") -> Notification:
    return notify(
        user=user,
        template=TEMPLATE,
        context={"reference": reference, "kind": "k", "status": "s", "reason": "", "expected": "e"},
        link="/fr/dossiers/",
    )


def test_the_inbox_lists_only_ones_own_messages_with_the_unread_badge(
    client: Client, amina: User, karim: User
) -> None:
    _note(amina, "D2026-000001")
    _note(amina, "D2026-000002")
    _note(karim, "D2026-000099")
    sign_in(client, amina)
    page = client.get("/fr/inbox/").content.decode()
    assert "D2026-000001" in page and "D2026-000002" in page
    assert "D2026-000099" not in page
    assert "2 messages non lus" in page
    assert 'id="inbox-unread">2' in page  # the header badge
    assert 'id="inbox-unread"' in client.get("/fr/").content.decode()


def test_mark_read_and_all_read(client: Client, amina: User) -> None:
    first, second = _note(amina), _note(amina)
    sign_in(client, amina)
    response = client.post(f"/fr/inbox/{first.pk}/read/")
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.read_at is not None
    assert unread_count(user=amina) == 1
    client.post("/fr/inbox/read-all/")
    second.refresh_from_db()
    assert second.read_at is not None
    assert 'id="inbox-unread"' not in client.get("/fr/inbox/").content.decode()


def test_another_persons_message_is_404_and_unchanged(
    client: Client, amina: User, karim: User
) -> None:
    theirs = _note(karim)
    sign_in(client, amina)
    assert client.post(f"/fr/inbox/{theirs.pk}/read/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_read_needs_post_and_csrf(amina: User) -> None:
    note = _note(amina)
    client = Client()
    sign_in(client, amina)
    client.handler.enforce_csrf_checks = True  # signed in; now forms must carry the token
    assert client.get(f"/fr/inbox/{note.pk}/read/").status_code == 405
    assert client.post(f"/fr/inbox/{note.pk}/read/").status_code == 403


def test_a_visitor_is_sent_to_sign_in(client: Client) -> None:
    response = client.get("/fr/inbox/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_in_arabic(client: Client, karim: User) -> None:
    _note(karim)
    sign_in(client, karim)
    page = client.get("/ar/inbox/").content.decode()
    assert "الرسائل" in page and 'dir="rtl"' in page
