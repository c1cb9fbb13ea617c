"""Without DATABASE_REPLICA_URL (the tests' own settings): no "replica" alias, and the
reads that may lag read from the primary like everything else."""

from __future__ import annotations

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.db import PRIMARY, REPLICA, lag_tolerant_reads
from frontdoor.db_router import ReplicaRouter
from referrals.models import Referral
from tests.factories import ChildFactory, ReferralFactory

pytestmark = pytest.mark.django_db


def test_there_is_no_replica_alias():
    assert REPLICA not in connections.settings


def test_lag_tolerant_reads_use_the_primary():
    router = ReplicaRouter()
    with lag_tolerant_reads():
        assert router.db_for_read(Referral) == PRIMARY
    assert router.db_for_write(Referral) == PRIMARY


def test_the_dashboard_and_an_export_read_from_the_primary(manager_client, auditor_client):
    child = ChildFactory()
    ReferralFactory(child=child)

    with CaptureQueriesContext(connections[PRIMARY]) as queries:
        assert manager_client.get("/api/v1/dashboard/").status_code == 200
        export = auditor_client.get(reverse("oversight:child-export", args=[child.pk]))

    assert export.status_code == 200
    selects = [q["sql"] for q in queries.captured_queries if "referrals_referral" in q["sql"]]
    assert len(selects) >= 3
