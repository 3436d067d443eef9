"""The standalone validator behind ``POST /api/v1/validate``: the very command vendors run,
``tadamun declarations check FILE --json``, on the uploaded file — so the API and the command line
can never disagree, and a format added to the command is served by the API at once."""

from __future__ import annotations

import contextlib
import io
import json
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile

from tadamun.api.problems import problem, refuse
from tadamun.errors import InvalidInput, Problem

EXIT_OK, EXIT_INVALID = 0, 1
_PERIOD_DIGITS = 6


def formats() -> tuple[str, ...]:
    """The formats the command line knows."""
    from tadamun.formats import cli

    return tuple(cli.FORMATS)


def max_upload_bytes() -> int:
    """The portal's limit for a declaration file (``TADAMUN_FILING_MAX_BYTES``)."""
    return int(getattr(settings, "TADAMUN_FILING_MAX_BYTES", 200 * 1024 * 1024))


@dataclass(frozen=True)
class Options:
    format: str
    affiliate: str | None = None
    period: str | None = None
    activity_class: str | None = None
    employer: str | None = None
    quarter: int | None = None
    year: int | None = None
    layout: str | None = None
    regime: str | None = None


def check_upload(upload: UploadedFile | None, field: str = "file") -> None:
    """An upload is there, not empty, and within the portal's size limit."""
    if upload is None:
        raise refuse(field, "required")
    limit = max_upload_bytes()
    if upload.size is not None and upload.size > limit:
        raise refuse(field, "too_large", max=limit)
    if not upload.size:
        raise refuse(field, "required")


def check_options(options: Options) -> None:
    """Refuse what the command line would refuse as a usage error, naming the field."""
    problems: list[Problem] = []
    if options.format not in formats():
        problems.append(
            problem("format", "not_a_choice", value=options.format, choices=", ".join(formats()))
        )
    if options.period is not None and (
        len(options.period) != _PERIOD_DIGITS or not options.period.isdigit()
    ):
        problems.append(problem("period", "bad_format", format="AAAAMM"))
    if options.format == "tn-ds" and not options.activity_class:
        problems.append(problem("activity_class", "required"))
    if options.format == "csv" and not options.regime:
        problems.append(problem("regime", "required"))
    if options.quarter is not None and not 1 <= options.quarter <= 4:
        problems.append(problem("quarter", "not_a_choice", value=options.quarter, choices="1-4"))
    if problems:
        raise InvalidInput(problems)


@contextlib.contextmanager
def _on_disk(upload: UploadedFile) -> Iterator[str]:
    """A path to the upload's bytes: Django's temporary file when it spooled one, else a copy."""
    path = getattr(upload, "temporary_file_path", None)
    if callable(path):
        yield str(path())
        return
    fd, name = tempfile.mkstemp(prefix="tadamun-validate-")
    try:
        with os.fdopen(fd, "wb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
        yield name
    finally:
        os.unlink(name)


def _argv(paths: list[str], options: Options, language: str, expected: str | None) -> list[str]:
    argv = ["check", *paths, "--format", options.format, "--json", "--lang", language]
    for flag, value in (
        ("--layout", options.layout),
        ("--regime", options.regime),
        ("--affiliate", options.affiliate),
        ("--period", options.period),
        ("--class", options.activity_class),
        ("--employer", options.employer),
        ("--quarter", options.quarter),
        ("--year", options.year),
        ("--expected", expected),
    ):
        if value is not None and value != "":
            argv += [flag, str(value)]
    return argv


def validate(
    *,
    upload: UploadedFile | None,
    options: Options,
    language: str,
    detail: UploadedFile | None = None,
    expected: UploadedFile | None = None,
) -> dict[str, Any]:
    """Run the check; the command's JSON report. Raises InvalidInput for a missing or oversized
    file or an option the command refuses (named as the command names it)."""
    check_upload(upload)
    for extra, field in ((detail, "detail"), (expected, "expected")):
        if extra is not None:
            check_upload(extra, field)
    check_options(options)
    assert upload is not None
    from tadamun.formats import cli

    out, err = io.StringIO(), io.StringIO()
    with contextlib.ExitStack() as stack:
        path = stack.enter_context(_on_disk(upload))
        paths = [path]
        if detail is not None:
            paths.append(stack.enter_context(_on_disk(detail)))
        expected_path = stack.enter_context(_on_disk(expected)) if expected is not None else None
        # The command writes its usage errors to stderr; only this call's are captured (the
        # log handlers keep the stream they were given).
        with contextlib.redirect_stderr(err):
            code = cli.main(_argv(paths, options, language, expected_path), out=out)
    if code not in (EXIT_OK, EXIT_INVALID):
        raise refuse("file", "usage", detail=_usage_message(err.getvalue(), paths, upload))
    report: dict[str, Any] = json.loads(out.getvalue())
    report["problems"] = [
        {key: item[key] for key in ("line", "field", "code", "message")}
        for item in report.get("problems", [])
    ]
    report.pop("file", None)
    return report


def _usage_message(text: str, paths: list[str], upload: UploadedFile) -> str:
    """The command's usage error without its name and without our temporary paths."""
    message = text.strip().splitlines()[-1] if text.strip() else "usage error"
    message = message.removeprefix("tadamun declarations check: ")
    for path in paths:
        message = message.replace(path, upload.name or "file")
    return message[:300]
