"""Writes of the API app: keys, partners, the request log. Keyword-only, all or nothing.

A key is ``tdm_<prefix>_<secret>``: the prefix (public) finds the row, the secret (32 random
bytes) is shown once and only its SHA-256 is kept. A fast hash is enough here — unlike passwords,
the secret has 256 bits of entropy, so nobody can guess it from a stolen hash whatever the hash's
speed, and a slow hash (Argon2: tens of milliseconds) on every request would cap the API at a few
dozen requests per second per core.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.db import connection, models, transaction
from django.db.models import Model
from django.utils import timezone

from tadamun import hotsql
from tadamun.accounts import selectors as account_selectors
from tadamun.accounts.models import User
from tadamun.api import keycache
from tadamun.api.models import ApiKey, ApiRequest, Partner, PartnerKind, Scope
from tadamun.api.problems import problem, refuse
from tadamun.errors import InvalidInput, Problem
from tadamun.funds import current_fund
from tadamun.registry.models import Employer
from tadamun.registry.validation import squash

TOKEN_MARK = "tdm"
PREFIX_LENGTH = 12
#: A key lives at most this long; the default when no date is given is one year.
MAX_VALIDITY_DAYS = 730
DEFAULT_VALIDITY_DAYS = 365
#: ``last_used_at`` is written at most once a minute per key, so a busy key does not turn every
#: request into an UPDATE of the same row.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)
_PREFIX_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789"


def _now(now: dt.datetime | None) -> dt.datetime:
    return now if now is not None else timezone.now()


def secret_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _new_token() -> tuple[str, str]:
    prefix = "".join(secrets.choice(_PREFIX_ALPHABET) for _ in range(PREFIX_LENGTH))
    return prefix, f"{TOKEN_MARK}_{prefix}_{secrets.token_urlsafe(32)}"


def split_token(token: str) -> str | None:
    """The prefix of a well-formed token, else None (nothing to look up)."""
    parts = token.strip().split("_", 2)
    if len(parts) != 3 or parts[0] != TOKEN_MARK or len(parts[1]) != PREFIX_LENGTH:
        return None
    if not parts[2] or len(token) > 200:
        return None
    return parts[1]


@dataclass(frozen=True)
class NewKey:
    """A key just created and its secret token: show ``token`` once, it is not kept."""

    key: ApiKey
    token: str


def _clean_name(problems: list[Problem], value: object) -> str:
    name = squash(value)
    if not name:
        problems.append(problem("name", "required"))
    elif len(name) > 100:
        problems.append(problem("name", "too_long", max=100))
    return name


def _clean_expiry(problems: list[Problem], value: object, now: dt.datetime) -> dt.datetime | None:
    """The end of the given day (the fund's time zone), within two years; a year by default."""
    today = timezone.localdate(now)
    if value is None or (isinstance(value, str) and not value.strip()):
        day = today + dt.timedelta(days=DEFAULT_VALIDITY_DAYS)
    elif isinstance(value, dt.date):
        day = value
    else:
        try:
            day = dt.date.fromisoformat(str(value).strip())
        except ValueError:
            problems.append(problem("expires_on", "not_a_date"))
            return None
    if day <= today:
        problems.append(problem("expires_on", "in_past"))
        return None
    if day > today + dt.timedelta(days=MAX_VALIDITY_DAYS):
        problems.append(problem("expires_on", "too_far", max=MAX_VALIDITY_DAYS))
        return None
    end = dt.datetime.combine(day, dt.time(23, 59, 59))
    return timezone.make_aware(end, timezone.get_current_timezone())


def _create_key(
    *,
    name: str,
    scope: str,
    expires_at: dt.datetime,
    created_by: User,
    now: dt.datetime,
    employer: Employer | None = None,
    partner: Partner | None = None,
) -> NewKey:
    prefix, token = _new_token()
    key = ApiKey.objects.create(
        fund=current_fund().code,
        prefix=prefix,
        secret_hash=secret_hash(token),
        name=name,
        scope=scope,
        employer=employer,
        partner=partner,
        created_by=created_by,
        created_at=now,
        expires_at=expires_at,
    )
    return NewKey(key=key, token=token)


def employer_key_create(
    *,
    owner: User,
    employer: Employer,
    name: object,
    scope: object,
    expires_on: object = None,
    now: dt.datetime | None = None,
) -> NewKey:
    """A key for ``employer``, created by one of its owners (``PermissionDenied`` otherwise)."""
    moment = _now(now)
    if not account_selectors.is_owner(user=owner, employer=employer):
        raise PermissionDenied("only an owner creates the employer's keys")
    problems: list[Problem] = []
    clean_name = _clean_name(problems, name)
    clean_scope = squash(scope)
    if clean_scope not in (Scope.READ, Scope.DECLARE):
        problems.append(
            problem("scope", "not_a_choice", value=clean_scope, choices="read, declare")
        )
    expires_at = _clean_expiry(problems, expires_on, moment)
    if problems or expires_at is None:
        raise InvalidInput(problems)
    with transaction.atomic():
        return _create_key(
            name=clean_name,
            scope=clean_scope,
            expires_at=expires_at,
            created_by=owner,
            now=moment,
            employer=employer,
        )


def employer_key_revoke(
    *, owner: User, employer: Employer, key_id: int, now: dt.datetime | None = None
) -> ApiKey:
    """Revoke one of ``employer``'s keys; another employer's key is ``PermissionDenied``."""
    if not account_selectors.is_owner(user=owner, employer=employer):
        raise PermissionDenied("only an owner revokes the employer's keys")
    with transaction.atomic():
        key = ApiKey.objects.select_for_update().filter(pk=key_id, employer=employer).first()
        if key is None:
            raise PermissionDenied("no such key")
        return _revoke(key, owner, _now(now))


def _revoke(key: ApiKey, actor: User, now: dt.datetime) -> ApiKey:
    if key.revoked_at is not None:
        raise refuse("key", "already_revoked")
    key.revoked_at = now
    key.revoked_by = actor
    key.save(update_fields=["revoked_at", "revoked_by"])
    keycache.forget_all()
    return key


def _staff_agency_partner(staff_user: User, partner_id: int, *, lock: bool) -> Partner:
    profile = account_selectors.staff_profile_for_user(user=staff_user)
    if profile is None:
        raise PermissionDenied("not agency staff")
    partners = Partner.objects.filter(pk=partner_id, agency=profile.agency)
    if lock:
        partners = partners.select_for_update()
    partner = partners.first()
    if partner is None:
        raise PermissionDenied("no such partner in this agency")
    return partner


def partner_create(
    *, staff_user: User, name: object, kind: object, now: dt.datetime | None = None
) -> Partner:
    """Register a partner (pharmacy, doctor…) at the staff member's agency."""
    profile = account_selectors.staff_profile_for_user(user=staff_user)
    if profile is None:
        raise PermissionDenied("not agency staff")
    problems: list[Problem] = []
    clean_name = squash(name)
    if not clean_name:
        problems.append(problem("name", "required"))
    elif len(clean_name) > 200:
        problems.append(problem("name", "too_long", max=200))
    clean_kind = squash(kind)
    if clean_kind not in PartnerKind.values:
        problems.append(
            problem("kind", "not_a_choice", value=clean_kind, choices=", ".join(PartnerKind.values))
        )
    if problems:
        raise InvalidInput(problems)
    return Partner.objects.create(
        fund=profile.agency.fund,
        agency=profile.agency,
        name=clean_name,
        kind=clean_kind,
        created_by=staff_user,
        created_at=_now(now),
    )


def partner_suspend(
    *, staff_user: User, partner_id: int, now: dt.datetime | None = None
) -> Partner:
    """Suspend a partner of the staff member's agency: all its keys stop working."""
    with transaction.atomic():
        partner = _staff_agency_partner(staff_user, partner_id, lock=True)
        if partner.suspended_at is None:
            partner.suspended_at = _now(now)
            partner.save(update_fields=["suspended_at"])
            keycache.forget_all()
        return partner


def partner_key_create(
    *,
    staff_user: User,
    partner_id: int,
    name: object,
    expires_on: object = None,
    now: dt.datetime | None = None,
) -> NewKey:
    """A rights-check key for a partner of the staff member's agency."""
    moment = _now(now)
    with transaction.atomic():
        partner = _staff_agency_partner(staff_user, partner_id, lock=True)
        problems: list[Problem] = []
        if partner.suspended_at is not None:
            problems.append(problem("partner", "suspended"))
        clean_name = _clean_name(problems, name)
        expires_at = _clean_expiry(problems, expires_on, moment)
        if problems or expires_at is None:
            raise InvalidInput(problems)
        return _create_key(
            name=clean_name,
            scope=Scope.RIGHTS,
            expires_at=expires_at,
            created_by=staff_user,
            now=moment,
            partner=partner,
        )


def partner_key_revoke(
    *, staff_user: User, partner_id: int, key_id: int, now: dt.datetime | None = None
) -> ApiKey:
    with transaction.atomic():
        partner = _staff_agency_partner(staff_user, partner_id, lock=False)
        key = ApiKey.objects.select_for_update().filter(pk=key_id, partner=partner).first()
        if key is None:
            raise PermissionDenied("no such key")
        return _revoke(key, staff_user, _now(now))


def api_key_authenticate(*, token: str, now: dt.datetime | None = None) -> ApiKey | None:
    """The live key for ``token``, or None — unknown, wrong secret, expired, revoked, suspended
    partner, an employer key whose creator is no longer an owner, another fund: the caller gives
    the same answer for all of them. 1 query (2 for an employer key), and an UPDATE at most once
    a minute to note the key's use."""
    prefix = split_token(token)
    if prefix is None:
        return None
    moment = _now(now)
    key = (
        ApiKey.objects.select_related("employer", "partner", "created_by")
        .filter(prefix=prefix, fund=current_fund().code)
        .first()
    )
    # The hash is compared even when the key is dead, so timing does not tell the two apart.
    expected = key.secret_hash if key is not None else "0" * 64
    if not hmac.compare_digest(expected, secret_hash(token.strip())) or key is None:
        return None
    if key.revoked_at is not None or key.expires_at <= moment:
        return None
    if key.partner is not None and key.partner.suspended_at is not None:
        return None
    # An employer key acts for the owner who made it: it dies with that owner's access (1 query).
    if key.employer is not None and (
        key.created_by is None
        or not account_selectors.is_owner(user=key.created_by, employer=key.employer)
    ):
        return None
    if key.last_used_at is None or moment - key.last_used_at >= LAST_USED_RESOLUTION:
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=moment)
        key.last_used_at = moment
    return key


def api_request_record(
    *,
    key: ApiKey | None,
    method: str,
    route: str,
    status: int,
    duration_ms: int,
    ip: str | None,
    now: dt.datetime | None = None,
) -> ApiRequest:
    """One line of the request log: 1 INSERT, committed without waiting for the disk
    (:func:`log_row_insert`), together with the log rows the request deferred."""
    return log_row_insert(
        ApiRequest(
            at=_now(now),
            key=key,
            method=method[:8],
            route=route[:200],
            status=status,
            duration_ms=max(0, min(duration_ms, 2**31 - 1)),
            ip=ip,
        ),
        flush=True,
    )


_LogRow = TypeVar("_LogRow", bound=Model)
_deferred = threading.local()


@contextmanager
def log_rows_deferred() -> Iterator[None]:
    """Inside (one API request, :mod:`tadamun.api.requestlog`), the rows given to
    :func:`log_row_insert` outside a transaction are kept and written with the request's log
    line, in the same statement; whatever is still kept on the way out is written then."""
    _deferred.rows = []
    try:
        yield
    finally:
        left: list[Model] = _deferred.rows
        _deferred.rows = None
        if left:
            _insert_relaxed(left)


def log_row_insert(row: _LogRow, *, flush: bool = False) -> _LogRow:
    """Insert one row of an append-only log in one statement and one round trip.

    On PostgreSQL, when no transaction is open, the statement is its own transaction and sets
    ``synchronous_commit`` off for it alone (``set_config(…, true)``): the request does not wait
    for the WAL flush (several ms on this kind of disk, more than the whole rights look-up). The
    line sits in the WAL buffer and reaches the disk within ``wal_writer_delay`` (200 ms by
    default): a crash of the database server in that window loses the last lines of the log,
    never corrupts anything, and never touches a record written with a normal commit. That is
    the risk accepted for the request log and the partners' look-up log. Inside a transaction
    (a caller's ``atomic()``, the test suite) the row is saved normally and commits with it.

    Within :func:`log_rows_deferred` the row is kept (no primary key yet) and written with the
    next ``flush=True`` row, the request log line: one statement for both logs."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        row.save(force_insert=True)
        return row
    kept: list[Model] | None = getattr(_deferred, "rows", None)
    if kept is not None and not flush:
        kept.append(row)
        return row
    rows: list[Model] = [*kept, row] if kept else [row]
    if kept:
        kept.clear()
    _insert_relaxed(rows)
    return row


_AS_IS = frozenset(
    {
        models.CharField,
        models.BooleanField,
        models.IntegerField,
        models.BigIntegerField,
        models.PositiveIntegerField,
        models.PositiveSmallIntegerField,
        models.ForeignKey,
    }
)


@lru_cache(maxsize=16)
def _relaxed_sql(
    shapes: tuple[type[Model], ...],
) -> tuple[str, tuple[tuple[tuple[str, Any], ...], ...]]:
    """The statement inserting one row of each of ``shapes`` (the same few shapes come back on
    every request: built once, and prepared once per connection by :mod:`tadamun.hotsql`), and
    each model's fields in parameter order: (attribute, field) — field None when the value goes
    to the driver as it is (text, integers, booleans, ids: Django's preparation would return it
    unchanged, at a tenth of the request's CPU)."""
    quote = connection.ops.quote_name
    parts: list[str] = []
    fields_of: list[tuple[tuple[str, Any], ...]] = []
    for model in shapes:
        meta = model._meta
        fields = tuple(f for f in meta.concrete_fields if not f.primary_key)
        columns = ", ".join(quote(f.column) for f in fields)
        values = ", ".join(["%s"] * len(fields))
        parts.append(f"INSERT INTO {quote(meta.db_table)} ({columns}) SELECT {values} FROM relaxed")
        fields_of.append(tuple((f.attname, None if type(f) in _AS_IS else f) for f in fields))
    last = shapes[-1]._meta.pk
    assert last is not None
    ctes = "".join(f", logged{i} AS ({part})" for i, part in enumerate(parts[:-1]))
    sql = (
        "WITH relaxed AS (SELECT set_config('synchronous_commit', 'off', true))"
        f"{ctes} {parts[-1]} RETURNING {quote(last.column)}"
    )
    return sql, tuple(fields_of)


def _insert_relaxed(rows: list[Model]) -> None:
    """All ``rows`` in one autocommitted statement with ``synchronous_commit`` off; the last
    row gets its primary key."""
    sql, fields_of = _relaxed_sql(tuple(type(row) for row in rows))
    params: list[Any] = []
    for row, fields in zip(rows, fields_of, strict=True):
        for attname, field in fields:
            value = getattr(row, attname)
            params.append(value if field is None else field.get_db_prep_save(value, connection))
    found = hotsql.fetch_one(sql, params)
    last = rows[-1]
    last.pk = found[0] if found else None
    last._state.adding = False


def api_requests_purge(*, older_than: dt.timedelta, now: dt.datetime | None = None) -> int:
    """Delete the request log older than ``older_than``; how many lines went."""
    deleted, _ = ApiRequest.objects.filter(at__lt=_now(now) - older_than).delete()
    return deleted
