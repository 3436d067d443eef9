"""Benchmark: the declaration file readers of ``tadamun.formats`` on valid files.

For each reader and size, one valid file is written to a temporary directory with the format's
own writer, then read from disk through ``iter_lines`` as the validator and the upload do: the
best of ``--repeat`` timed runs gives the lines per second; one more run under ``tracemalloc``
gives the peak memory the reader allocates (interpreter and file excluded).

    .venv/bin/python benchmarks/formats_readers.py [--lines 50000 500000] [--repeat 3] [--json]
        [--only ma-bds]
    .venv/bin/python benchmarks/formats_readers.py --many 10000 [--repeat 3] [--json]

Readers: Morocco BDS (``check_declaration``, the column API ``read_declaration``, and iterating
``DeclarationReader`` record by record, the line-by-line path), Morocco supplementary E00–E06,
Tunisia DS, and Algeria DAS and the CSV template when they are there.
Target (issue 4): the BDS check of 50,000 lines in at most 0.3 s.

``--many N``: N small BDS files (~19 lines, 1–30 employees) read at once with
``ma_bds_many.read_declarations_many`` (in memory, CPU by ``time.process_time``), against reading
them one by one with ``read_declaration``. Target: at most 0.15 ms CPU per file.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import io
import json
import platform
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tadamun.formats.fixed import iter_lines
from tadamun.formats.ma_bds import (
    DeclarationReader,
    DeclaredEmployee,
    Employer,
    NewEmployee,
    check_declaration,
    check_supplementary,
    read_declaration,
    write_declaration,
    write_supplementary,
)
from tadamun.formats.tn_ds import DSEmployee, check_ds, write_ds
from tadamun.registry.identifiers import (
    issue_ma_affiliate_number,
    issue_ma_insured_number,
    issue_tn_employer_number,
    issue_tn_insured_number,
)
from tadamun.rules.parameters import load_packs

Run = Callable[[Path], bool]  # reads the file, True when accepted
SITUATIONS = ["", "", "", "", "", "", "", "IL", "IT", "SO"]


def _bds_declared(n: int, rng: np.random.Generator) -> Iterator[DeclaredEmployee]:
    salaries = rng.lognormal(np.log(500_000), 0.6, n).astype(np.int64) + 1
    situations = rng.integers(0, len(SITUATIONS), n)
    for i in range(n):
        situation = SITUATIONS[int(situations[i])]
        yield DeclaredEmployee(
            insured_number=issue_ma_insured_number(i + 1),
            surname="ALAMI",
            first_names=f"SARA {i}",
            children=2,
            af_to_pay=60000,
            af_net=60000,
            af_payback=60000 if situation == "SO" else 0,
            days=26 if situation == "" else 12,
            actual_salary=int(salaries[i]),
            situation=situation,
        )


def _new(n: int, start: int) -> Iterator[NewEmployee]:
    for i in range(n):
        yield NewEmployee(
            issue_ma_insured_number(start + i), "BENNANI", "OMAR", "BE123456", 20, 300000
        )


EMPLOYER = Employer(issue_ma_affiliate_number(1234), "202501", company_name="ACME SARL")


def write_bds(path: Path, n: int) -> None:
    rng = np.random.default_rng(n)
    new = max(1, n // 100)
    lines = write_declaration(EMPLOYER, _bds_declared(n - new, rng), _new(new, n))
    path.write_bytes(b"".join(lines))


def write_bds_e(path: Path, n: int) -> None:
    path.write_bytes(b"".join(write_supplementary(EMPLOYER, _new(n, 1))))


#: A DS file numbers its lines on at most 999 pages of 12: it cannot hold more.
TN_MAX_LINES = 999 * 12


def write_tn(path: Path, n: int) -> None:
    n = min(n, TN_MAX_LINES)
    people = (
        DSEmployee(
            issue_tn_insured_number(100 + i), f"HEDI BEN SALAH {i}", 3_000_000 + i, "01234567"
        )
        for i in range(n)
    )
    path.write_bytes(b"".join(write_ds(issue_tn_employer_number(4321), "0001", 1, 2025, people)))


TN_CLASS = load_packs().regime("tn-cnss-rsna").activity_classes()[0]


def readers() -> dict[str, tuple[Callable[[Path, int], None], dict[str, Run]]]:
    def lines(path: Path) -> Iterator[bytes]:
        with path.open("rb") as stream:
            yield from iter_lines(stream)

    def records(path: Path) -> bool:
        reader = DeclarationReader(lines(path))
        for _ in reader:
            pass
        return reader.ok

    found: dict[str, tuple[Callable[[Path, int], None], dict[str, Run]]] = {
        "ma-bds (Morocco B00-B06)": (
            write_bds,
            {
                "check_declaration": lambda p: check_declaration(lines(p)).accepted,
                "read_declaration (columns)": lambda p: read_declaration(lines(p)).accepted,
                "DeclarationReader, record by record": records,
            },
        ),
        "ma-bds-e (Morocco E00-E06)": (
            write_bds_e,
            {"check_supplementary": lambda p: check_supplementary(lines(p)).accepted},
        ),
        "tn-ds (Tunisia DS)": (
            write_tn,
            {"check_ds": lambda p: check_ds(lines(p), activity_class=TN_CLASS).accepted},
        ),
    }
    found.update(_other_readers(lines))
    return found


def _other_readers(
    lines: Callable[[Path], Iterator[bytes]],
) -> dict[str, tuple[Callable[[Path, int], None], dict[str, Run]]]:
    """Algeria's DAS and the CSV template, written by another helper: measured when present."""
    found: dict[str, tuple[Callable[[Path, int], None], dict[str, Run]]] = {}
    try:
        from tadamun.formats.dz_das import DASEmployee, DASEmployer, check_das, write_das
        from tadamun.registry.identifiers import issue_dz_employer_number, issue_dz_nss
    except ImportError:
        pass
    else:
        employer = DASEmployer(issue_dz_employer_number(1234), 2025, paying_centre="16001")

        def write_dz(path: Path, n: int) -> None:
            people = (
                DASEmployee(
                    issue_dz_nss(1000 + i),
                    "BENALI",
                    f"KARIMA {i}",
                    dt.date(1980, 1, 1 + i % 28),
                    (6_000_000 + i % 1000, 6_000_000, 6_000_000, 3_000_000),
                    (520, 520, 520, 260),
                )
                for i in range(n)
            )
            with path.open("wb") as detail:
                header = write_das(employer, people, detail)
            path.with_suffix(".header").write_bytes(header)

        def das(path: Path) -> bool:
            return check_das(lines(path.with_suffix(".header")), lines(path)).accepted

        found["dz-das (Algeria DAS)"] = (write_dz, {"check_das": das})
    try:
        from tadamun.formats.csv_template import CSVRow, check_csv, write_csv
        from tadamun.registry.identifiers import issue_dz_employer_number, issue_dz_nss
    except ImportError:
        pass
    else:

        def write_csv_file(path: Path, n: int) -> None:
            rows = (
                CSVRow(
                    "2025-01",
                    issue_dz_employer_number(1234),
                    issue_dz_nss(100 + i),
                    "BENALI",
                    22,
                    4_500_000 + i,
                    f"KARIMA {i}",
                )
                for i in range(n)
            )
            path.write_bytes(b"".join(write_csv(rows, currency="DZD")))

        found["csv (template, dz-cnas)"] = (
            write_csv_file,
            {"check_csv": lambda p: check_csv(lines(p), regime="dz-cnas").accepted},
        )
    return found


def measure(run: Run, path: Path, repeat: int) -> dict[str, Any]:
    times, cpu = [], []
    for _ in range(repeat):
        gc.collect()
        start, start_cpu = time.perf_counter(), time.process_time()
        accepted = run(path)
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
        if not accepted:
            raise SystemExit(f"{path.name}: the benchmark file was not accepted")
    gc.collect()
    tracemalloc.start()
    run(path)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return {"best_s": min(times), "best_cpu_s": min(cpu), "peak_mib": peak / 2**20}


def measure_many(count: int, repeat: int) -> dict[str, Any]:
    """CPU per file of ``read_declarations_many`` over ``count`` small files (one employer each)."""
    from tadamun.formats.ma_bds_many import FileInput, read_declarations_many

    rng = np.random.default_rng(count)
    files: list[FileInput] = []
    sizes = rng.integers(1, 31, count)  # employees: ~15 on average, 19 lines with the others
    for i in range(count):
        n = int(sizes[i])
        employer = Employer(issue_ma_affiliate_number(1000 + i), "202501")
        lines = write_declaration(employer, _bds_declared(n, rng), _new(int(i % 3 == 0), n + 1))
        listed = {issue_ma_insured_number(j + 1) for j in range(n)}  # the pre-filled list
        files.append(
            FileInput(
                b"".join(lines),
                expected_insured=listed,
                affiliate_number=employer.affiliate_number,
                period=employer.period,
            )
        )
    lines_total = sum(f.data.count(b"\n") for f in files)
    read_declarations_many(files[:50])  # caches (layout, packs, tables)
    cpu: list[float] = []
    accepted = 0
    for _ in range(repeat):
        gc.collect()
        start = time.process_time()
        results = read_declarations_many(files)
        cpu.append(time.process_time() - start)
        accepted = sum(r.accepted for r in results)
    sample = files[: min(count, 500)]
    start = time.process_time()
    for f in sample:
        read_declaration(
            iter_lines(io.BytesIO(f.data)),
            expected_insured=f.expected_insured,
            affiliate_number=f.affiliate_number,
            period=f.period,
        )
    one_by_one = (time.process_time() - start) / len(sample)
    return {
        "files": count,
        "lines": lines_total,
        "accepted": accepted,
        "best_cpu_s": min(cpu),
        "cpu_ms_per_file": min(cpu) / count * 1000,
        "one_by_one_cpu_ms_per_file": one_by_one * 1000,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, nargs="+", default=[50_000, 500_000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--only", help="measure only the formats whose name starts with this")
    parser.add_argument(
        "--many", type=int, help="N small files read at once (read_declarations_many)"
    )
    args = parser.parse_args()
    if args.many:
        row = measure_many(args.many, args.repeat)
        if args.json:
            print(json.dumps(row, indent=2))
        else:
            print(
                f"ma-bds many: {row['files']:,} files, {row['lines']:,} lines, "
                f"{row['accepted']:,} accepted: CPU {row['best_cpu_s'] * 1000:.1f} ms, "
                f"{row['cpu_ms_per_file']:.3f} ms per file "
                f"(one by one: {row['one_by_one_cpu_ms_per_file']:.2f} ms per file)"
            )
        return
    results: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, (write, runs) in readers().items():
            if args.only and not name.startswith(args.only):
                continue
            done: set[int] = set()
            for wanted in args.lines:
                path = Path(tmp) / f"{name.split()[0]}-{wanted}.txt"
                write(path, wanted)
                size = path.stat().st_size
                with path.open("rb") as stream:  # what the writer could put in the file
                    n = sum(1 for _ in stream)
                if n in done:
                    continue
                done.add(n)
                for label, run in runs.items():
                    if "record by record" in label and n > 60_000:
                        continue  # the slow path, for comparison only
                    m = measure(run, path, args.repeat)
                    row = {"format": name, "reader": label, "lines": n, "bytes": size, **m}
                    row["lines_per_s"] = n / m["best_s"]
                    results.append(row)
                    if not args.json:
                        print(
                            f"{name:28} {label:36} {n:>8,} lines  {m['best_s'] * 1000:8.1f} ms "
                            f"(CPU {m['best_cpu_s'] * 1000:7.1f} ms)  "
                            f"{row['lines_per_s'] / 1e6:5.2f} M lines/s  "
                            f"peak {m['peak_mib']:6.1f} MiB",
                            flush=True,
                        )
    if args.json:
        meta = {"python": platform.python_version(), "numpy": np.__version__}
        print(json.dumps({"machine": meta, "results": results}, indent=2))


if __name__ == "__main__":
    main()
