from __future__ import annotations

import pytest
from pytest_django.fixtures import Settings as SettingsWrapper

from tadamun.accounts.models import User
from tests.support.people import make_user


@pytest.fixture(autouse=True)
def _algeria(settings: SettingsWrapper) -> None:
    settings.TADAMUN_FUND = "dz-cnas"
    # E-mails are jobs: run them in the committing thread so a test sees them at once (the
    # default background thread is tested on its own).
    settings.TADAMUN_JOBS = "inline"


@pytest.fixture
def amina(db: None) -> User:
    user = make_user("amina@example.dz")
    user.preferred_language = "fr"
    user.save()
    return user


@pytest.fixture
def karim(db: None) -> User:
    user = make_user("karim@example.dz")
    user.preferred_language = "ar"
    user.save()
    return user
