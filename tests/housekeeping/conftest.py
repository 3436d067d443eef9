from __future__ import annotations

from pathlib import Path

import pytest
from pytest_django.fixtures import Settings as SettingsWrapper


@pytest.fixture(autouse=True)
def _jobs_here(settings: SettingsWrapper, tmp_path: Path) -> None:
    # Jobs a periodic job queues run in the committing thread: the test sees their effect.
    settings.TADAMUN_JOBS = "inline"
    settings.TADAMUN_BROKER_URL = ""
    settings.VAR_DIR = tmp_path / "var"
    settings.TADAMUN_DOCUMENT_DIR = tmp_path / "documents"
