"""A national-scale registry in PostgreSQL: 50,000 employers and 1,000,000 insured persons.

Fills the database of ``DATABASE_URL`` (PostgreSQL only: SQLite is refused) for the fund of
``TADAMUN_FUND``: a dozen agencies (through the registry's services), then employers, insured
persons and their employment links written with PostgreSQL ``COPY`` (psycopg 3
``cursor.copy``), in one transaction — all of it or nothing. One employer has 2,000 employees
(the one the page benchmark renders); the others share the rest, most of them small, a few
large, as in a real fund. About one person in ten also has an earlier, ended employment.

Every number is issued with its key by ``tadamun.registry.identifiers`` (through the fund
profile's schemes), names are plausible Latin and Arabic pairs, national identity numbers have
the fund's format, and a sample of rows is checked by the registry's own validators afterwards.

Idempotent: when the dataset is there (its 2,000-employee employer exists) it reports the counts
and writes nothing. Prints how long each step took.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tadamun_bench TADAMUN_SECRET_KEY=x \\
        .venv/bin/python benchmarks/platform_dataset.py [--employers 50000] [--insured 1000000]

The database is created when it does not exist, and migrated.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import numpy as np
import numpy.typing as npt
import psycopg
import psycopg.sql

Cursor = psycopg.Cursor[Any]

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tadamun.settings")

from tadamun.demo.names import FIRST_NAMES, SURNAMES  # noqa: E402 - pure data, no Django

#: Serial numbers of this dataset start here, away from the demo's (a few hundred from 1).
EMPLOYER_SERIAL_BASE = 500_000
INSURED_SERIAL_BASE = 2_000_000
BIG_EMPLOYER_SIZE = 2_000
LARGEST_OTHER = 1_500
AGENCY_COUNT = 12
SEED = 20261201

_TRADES = [
    ("Boulangerie", "مخبزة"),
    ("Transports", "نقل"),
    ("Bâtiment", "بناء"),
    ("Pharmacie", "صيدلية"),
    ("Textiles", "نسيج"),
    ("Conserverie", "مصبرة"),
    ("Cabinet comptable", "مكتب محاسبة"),
    ("Librairie", "مكتبة"),
    ("Menuiserie", "نجارة"),
    ("Hôtel", "فندق"),
    ("Clinique", "عيادة"),
    ("Imprimerie", "مطبعة"),
    ("Informatique", "إعلام آلي"),
    ("Plasturgie", "صناعة البلاستيك"),
    ("Agroalimentaire", "صناعات غذائية"),
    ("Garage", "مرأب"),
]
_PLACES = [
    ("El Amel", "الأمل"),
    ("Essalam", "السلام"),
    ("Ennour", "النور"),
    ("du Sahel", "الساحل"),
    ("El Andalous", "الأندلس"),
    ("Atlas", "الأطلس"),
    ("du Nord", "الشمال"),
    ("El Fajr", "الفجر"),
    ("Ezzahra", "الزهراء"),
    ("El Wiam", "الوئام"),
    ("El Baraka", "البركة"),
    ("Medina", "المدينة"),
]
_AGENCY_NAMES = [
    ("Centre", "الوسط", "Centre"),
    ("Nord", "الشمال", "North"),
    ("Sud", "الجنوب", "South"),
    ("Est", "الشرق", "East"),
    ("Ouest", "الغرب", "West"),
    ("Port", "الميناء", "Port"),
    ("Zone industrielle", "المنطقة الصناعية", "Industrial zone"),
    ("Médina", "المدينة", "Medina"),
    ("Gare", "المحطة", "Station"),
    ("Université", "الجامعة", "University"),
    ("Aéroport", "المطار", "Airport"),
    ("Plateau", "الهضبة", "Plateau"),
]
_END_REASONS = ("resignation", "end_of_contract", "dismissal", "transfer")


@dataclass(frozen=True)
class Plan:
    fund: str
    employers: int
    insured: int

    @property
    def big_employer_serial(self) -> int:
        return EMPLOYER_SERIAL_BASE + 1


def big_employer_number(fund: str) -> str:
    """The affiliate number of the dataset's 2,000-employee employer in ``fund``."""
    from tadamun.funds import get_fund

    issue = get_fund(fund).employer_number.issue
    assert issue is not None
    return issue(EMPLOYER_SERIAL_BASE + 1)


def require_postgresql() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit(
            "This benchmark needs PostgreSQL: set DATABASE_URL=postgres://… "
            "(SQLite is refused; the national-scale figures are for the production database)."
        )
    return url


def ensure_database(url: str) -> None:
    """Create the database named in ``url`` when it does not exist."""
    base, name = url.rsplit("/", 1)
    name = name.split("?", 1)[0]
    with psycopg.connect(base + "/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if exists is None:
            print(f"creating database {name}")
            conn.execute(psycopg.sql.SQL("CREATE DATABASE {}").format(psycopg.sql.Identifier(name)))


@contextmanager
def step(label: str) -> Iterator[None]:
    start = time.perf_counter()
    yield
    print(f"  {label:<48} {time.perf_counter() - start:8.1f} s", flush=True)


def team_sizes(rng: np.random.Generator, employers: int, people: int) -> npt.NDArray[np.int64]:
    """How many current employees each employer has: the first exactly 2,000, the others from a
    heavy-tailed draw (most employers small, a few hundred large), adding up to ``people``."""
    others = employers - 1
    rest = people - BIG_EMPLOYER_SIZE
    if others <= 0 or rest < others:
        raise SystemExit(f"{people} insured cannot fill {employers} employers")
    weights = rng.pareto(1.3, size=others) + 1.0
    sizes = np.maximum(1, np.floor(weights / weights.sum() * rest)).astype(np.int64)
    sizes = np.minimum(sizes, LARGEST_OTHER)
    # Hand out (or take back) the rounding difference one by one, on employers with room.
    diff = int(rest - sizes.sum())
    order = rng.permutation(others)
    i = 0
    while diff != 0:
        j = order[i % others]
        if diff > 0 and sizes[j] < LARGEST_OTHER:
            sizes[j] += 1
            diff -= 1
        elif diff < 0 and sizes[j] > 1:
            sizes[j] -= 1
            diff += 1
        i += 1
    return np.concatenate([np.array([BIG_EMPLOYER_SIZE], dtype=np.int64), sizes])


def national_id_maker(scheme_id: str) -> Callable[[int], str]:
    """Format-valid national identity numbers (no public key exists for these)."""
    if scheme_id == "dz-nin":
        return lambda serial: f"1{serial:017d}"
    if scheme_id == "ma-cin":
        letters = ["BK", "BE", "AB", "J", "G", "EE", "CD", "X"]
        return lambda serial: f"{letters[serial % len(letters)]}{serial % 1_000_000:06d}"
    return lambda serial: f"{serial % 100_000_000:08d}"


def _copy(cursor: Cursor, table: str, columns: list[str], buffer: io.StringIO) -> None:
    statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
    data = buffer.getvalue().encode()
    with cursor.copy(sql(statement)) as copy:
        for start in range(0, len(data), 8 << 20):
            copy.write(data[start : start + (8 << 20)])


def _reserve_ids(cursor: Cursor, table: str) -> int:
    """Lock ``table`` and return its highest id: this dataset's rows get the ids after it."""
    cursor.execute(sql(f"LOCK TABLE {table} IN EXCLUSIVE MODE"))
    row = cursor.execute(sql(f"SELECT COALESCE(MAX(id), 0) FROM {table}")).fetchone()
    assert row is not None
    return int(row[0])


def _set_sequence(cursor: Cursor, table: str) -> None:
    cursor.execute(
        sql(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
            f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"
        )
    )


def sql(text: str) -> psycopg.sql.SQL:
    """A statement built from this module's own table names (never from input)."""
    return psycopg.sql.SQL(text)


def build(plan: Plan) -> None:
    from django.db import connection, transaction
    from django.utils import timezone

    from tadamun.funds import get_fund
    from tadamun.registry import selectors, services
    from tadamun.registry.models import Agency, Employer, Employment, InsuredPerson

    profile = get_fund(plan.fund)
    issue_employer = profile.employer_number.issue
    issue_insured = profile.insured_number.issue
    assert issue_employer is not None and issue_insured is not None
    rng = np.random.default_rng(SEED)
    today = timezone.localdate()
    now = timezone.now().isoformat()

    with step(f"agencies ({AGENCY_COUNT}, through registry services)"):
        agencies: list[Agency] = []
        for index, (fr, ar, en) in enumerate(_AGENCY_NAMES[:AGENCY_COUNT]):
            code = f"B{index + 1:02d}"
            agency = selectors.agency_get(fund=profile.code, code=code)
            if agency is None:
                agency = services.agency_create(
                    code=code,
                    name_fr=f"Agence {fr}",
                    name_ar=f"وكالة {ar}",
                    name_en=f"{en} agency",
                    fund=profile.code,
                )
            agencies.append(agency)

    with step("employer sizes and periodicities"):
        sizes = team_sizes(rng, plan.employers, plan.insured)
        periodicity_of: dict[int, str] = {}
        for size in np.unique(sizes).tolist():
            periodicity_of[size] = profile.periodicity_for(headcount=size, on=today).value
        classes = profile.activity_classes()

    tables = {
        "agency": Agency._meta.db_table,
        "employer": Employer._meta.db_table,
        "insured": InsuredPerson._meta.db_table,
        "employment": Employment._meta.db_table,
    }
    with transaction.atomic(), connection.cursor() as django_cursor:
        cursor = cast(Cursor, django_cursor.cursor)  # psycopg 3's own cursor: it has .copy()

        with step(f"employers ({plan.employers:,}, COPY)"):
            first_employer = _reserve_ids(cursor, tables["employer"])
            buffer = io.StringIO()
            trades = rng.integers(0, len(_TRADES), size=plan.employers)
            places = rng.integers(0, len(_PLACES), size=plan.employers)
            agency_ids = [a.pk for a in agencies]
            for i in range(plan.employers):
                serial = EMPLOYER_SERIAL_BASE + 1 + i
                if i == 0:
                    latin, arabic = "Groupe Industriel El Wiam", "مجمع الوئام الصناعي"
                else:
                    trade, place = _TRADES[trades[i]], _PLACES[places[i]]
                    latin = f"{trade[0]} {place[0]} {i}"
                    arabic = f"{trade[1]} {place[1]} {i}"
                activity = classes[i % len(classes)] if classes else ""
                buffer.write(
                    f"{first_employer + 1 + i}\t{profile.code}\t{issue_employer(serial)}\t\t"
                    f"{latin}\t{arabic}\t{agency_ids[i % len(agency_ids)]}\t{activity}\t"
                    f"{periodicity_of[int(sizes[i])]}\t{now}\temployer\n"
                )
            _copy(
                cursor,
                tables["employer"],
                [
                    "id",
                    "fund",
                    "affiliate_number",
                    "legal_identifier",
                    "name_latin",
                    "name_arabic",
                    "agency_id",
                    "activity_class",
                    "declaration_periodicity",
                    "created_at",
                    "kind",
                ],
                buffer,
            )
            _set_sequence(cursor, tables["employer"])

        with step(f"insured persons ({plan.insured:,}, COPY)"):
            first_person = _reserve_ids(cursor, tables["insured"])
            n = plan.insured
            sex_is_f = rng.random(n) < 0.42
            surname = rng.integers(0, len(SURNAMES), size=n)
            first = rng.integers(0, len(FIRST_NAMES["M"]), size=n)
            second = rng.integers(0, len(FIRST_NAMES["M"]), size=n)
            # Ages 19 to 62 today.
            age_days = rng.integers(19 * 365, 62 * 365, size=n)
            national = national_id_maker(profile.national_id.id)
            birth_dates = [today - dt.timedelta(days=int(d)) for d in age_days]
            buffer = io.StringIO()
            for i in range(n):
                serial = INSURED_SERIAL_BASE + 1 + i
                sex = "F" if sex_is_f[i] else "M"
                names = FIRST_NAMES[sex]
                s_lat, s_ar = SURNAMES[surname[i]]
                f_lat, f_ar = names[first[i]]
                if i % 3 == 0:  # a second given name for a third of the people
                    g_lat, g_ar = names[second[i]]
                    f_lat, f_ar = f"{f_lat} {g_lat}", f"{f_ar} {g_ar}"
                buffer.write(
                    f"{first_person + 1 + i}\t{profile.code}\t{issue_insured(serial)}\t"
                    f"{national(serial)}\t{s_lat}\t{f_lat}\t{s_ar}\t{f_ar}\t"
                    f"{birth_dates[i].isoformat()}\t{sex}\t{now}\n"
                )
            _copy(
                cursor,
                tables["insured"],
                [
                    "id",
                    "fund",
                    "ssn",
                    "national_id",
                    "surname_latin",
                    "first_names_latin",
                    "surname_arabic",
                    "first_names_arabic",
                    "birth_date",
                    "sex",
                    "created_at",
                ],
                buffer,
            )
            _set_sequence(cursor, tables["insured"])

        with step("employment links (COPY)"):
            first_link = _reserve_ids(cursor, tables["employment"])
            employer_of = np.repeat(np.arange(plan.employers, dtype=np.int64), sizes)
            rng.shuffle(employer_of[BIG_EMPLOYER_SIZE:])
            # Current job: started between the 18th birthday (or 2000-01-01) and 30 days ago.
            earliest = np.maximum(age_days - 18 * 365, 0)
            days_ago = np.minimum(earliest, (today - dt.date(2000, 1, 1)).days)
            started_ago = 30 + (rng.random(n) * np.maximum(days_ago - 30, 1)).astype(np.int64)
            # One in ten also had an earlier job, ended before the current one started.
            previous = rng.random(n) < 0.10
            buffer = io.StringIO()
            link_id = first_link
            history = 0
            for i in range(n):
                start = today - dt.timedelta(days=int(started_ago[i]))
                employer_id = first_employer + 1 + int(employer_of[i])
                person_id = first_person + 1 + i
                link_id += 1
                buffer.write(f"{link_id}\t{employer_id}\t{person_id}\t{start}\t\\N\t\t{now}\n")
                room = int(earliest[i] - started_ago[i])
                if previous[i] and room > 400:
                    ended = start - dt.timedelta(days=1 + int(rng.integers(0, 60)))
                    began = ended - dt.timedelta(days=200 + int(rng.integers(0, room - 300)))
                    other = 1 + int(rng.integers(1, plan.employers))  # never the big one
                    reason = _END_REASONS[i % len(_END_REASONS)]
                    link_id += 1
                    history += 1
                    buffer.write(
                        f"{link_id}\t{first_employer + other}\t{person_id}\t{began}\t{ended}\t"
                        f"{reason}\t{now}\n"
                    )
            _copy(
                cursor,
                tables["employment"],
                [
                    "id",
                    "employer_id",
                    "insured_id",
                    "start_date",
                    "end_date",
                    "end_reason",
                    "created_at",
                ],
                buffer,
            )
            _set_sequence(cursor, tables["employment"])
            print(f"    {n:,} current links and {history:,} ended earlier ones")

    with step("ANALYZE"), connection.cursor() as c:
        for table in tables.values():
            c.execute(f"ANALYZE {table}")


def check_sample(plan: Plan, sample: int = 2000) -> None:
    """Re-read a sample of the rows written and put them through the registry's validators."""
    from tadamun.funds import get_fund
    from tadamun.registry import selectors
    from tadamun.registry.models import Employer, InsuredPerson

    profile = get_fund(plan.fund)
    employers = Employer.objects.filter(fund=profile.code).order_by("-id")[:sample]
    for employer in employers:
        profile.employer_number.validate(employer.affiliate_number)
    people = InsuredPerson.objects.filter(fund=profile.code).order_by("-id")[:sample]
    for person in people:
        profile.insured_number.validate(person.ssn)
        profile.national_id.validate(person.national_id)
    big = selectors.employer_get(fund=profile.code, affiliate_number=big_employer_number(plan.fund))
    assert big is not None
    from django.utils import timezone

    headcount = selectors.employer_headcount(employer=big, on=timezone.localdate())
    assert headcount == BIG_EMPLOYER_SIZE, headcount
    print(f"  sample of {sample:,} employers and people re-validated; big employer: {headcount}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--employers", type=int, default=50_000)
    parser.add_argument("--insured", type=int, default=1_000_000)
    args = parser.parse_args(argv)

    url = require_postgresql()
    ensure_database(url)

    import django

    django.setup()
    from django.core.management import call_command

    from tadamun.funds import current_fund
    from tadamun.registry import selectors

    fund = current_fund().code
    plan = Plan(fund=fund, employers=args.employers, insured=args.insured)
    started = time.perf_counter()
    print(f"Dataset for {fund} in {url.rsplit('@', 1)[-1]}")
    with step("migrate"):
        call_command("migrate", verbosity=0, interactive=False)
    number = big_employer_number(fund)
    if selectors.employer_get(fund=fund, affiliate_number=number) is not None:
        counts = selectors.registry_counts(fund=fund)
        print(
            f"The dataset is already there (employer {number} exists): {counts.employers:,} "
            f"employers, {counts.insured_persons:,} insured persons. Nothing written."
        )
        return 0
    build(plan)
    check_sample(plan)
    counts = selectors.registry_counts(fund=fund)
    print(
        f"Done in {time.perf_counter() - started:.1f} s: {counts.employers:,} employers, "
        f"{counts.insured_persons:,} insured persons in {fund}; "
        f"the 2,000-employee employer is {number}."
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
