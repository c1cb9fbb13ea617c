"""The rows the database keeps as written can still be emptied whole by the tables' owner,
as the test runner does between transactional tests (TRUNCATE on PostgreSQL, DELETE on
SQLite): the refusal is for changing or removing rows, not for a database reset. A
module of its own: transactional tests cannot run inside the open transaction of
test_kept_as_written.py's fixture."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client

from agencies.models import Role
from audit.models import AccessLog
from audit.triggers import ACCESS_LOG_TABLE, kept_tables
from oversight import triggers
from referrals.models import Referral
from tests import factories as f


@pytest.mark.django_db(transaction=True)
def test_the_kept_tables_can_be_emptied_as_the_test_runner_does():
    referral = f.ReferralFactory()
    client = Client()
    client.force_login(f.UserFactory(role=Role.AUDITOR))
    client.get(f"/triage/referrals/{referral.pk}/")
    assert Referral.history.exists() and AccessLog.objects.exists()

    # What the test runner does between transactional tests.
    call_command("flush", interactive=False, verbosity=0)

    assert not Referral.history.exists() and not AccessLog.objects.exists()
    # And the refusal is still in place afterwards.
    assert kept_tables(connection) >= {ACCESS_LOG_TABLE, *triggers.history_tables()}
