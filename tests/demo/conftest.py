import io

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from referrals.references import renumber_from_stored


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """seed_demo once for the module that asks (it takes several seconds), rolled back
    after its last test. A module that uses it is an xdist group of its own, so that one
    pytest-xdist worker seeds it, not each worker its tests land in."""
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]),
        transaction.atomic(),
    ):
        # A year's sequence (PostgreSQL) keeps what earlier tests took from it.
        renumber_from_stored()
        call_command("seed_demo", stdout=io.StringIO())
        yield
        transaction.set_rollback(True)


@pytest.fixture
def now(seeded):
    """The moment of a test in a seeded module: after the demo was seeded."""
    return timezone.now()
