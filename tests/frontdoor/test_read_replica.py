"""The read replica (DATABASE_REPLICA_URL): the dashboard, the performance pages and the
exports read from it; the access log of an export is written to the primary; nothing
else reads from it. Here the replica is a second connection to the test database, as
Django's TEST MIRROR makes it (settings.py sets it so), so the tests are transactional:
a connection of its own sees only what is committed."""

from __future__ import annotations

import json
import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connections, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.models import AccessLog
from core.db import PRIMARY, REPLICA, lag_tolerant_reads
from frontdoor.db_router import ReplicaRouter
from referrals.models import Outcome, Referral
from tests.factories import ChildFactory, DecisionFactory, ReferralFactory
from tests.replica import replica_alias  # noqa: F401 - the fixture (autouse)
from tests.reporting.live_fixture import EXPECTED, NOW, build

LONDON = ZoneInfo("Europe/London")
BOTH = [PRIMARY, REPLICA]
with_replica = pytest.mark.django_db(transaction=True, databases=BOTH)


class Queries:
    """What each connection ran while the block ran."""

    def __init__(self):
        self.primary = CaptureQueriesContext(connections[PRIMARY])
        self.replica = CaptureQueriesContext(connections[REPLICA])

    def __enter__(self):
        self.primary.__enter__()
        self.replica.__enter__()
        return self

    def __exit__(self, *exc):
        self.replica.__exit__(*exc)
        self.primary.__exit__(*exc)

    @staticmethod
    def _sql(captured, verb: str, table: str) -> list[str]:
        pattern = re.compile(rf'^\s*{verb}\b.*\b"?{table}"?\b', re.IGNORECASE | re.DOTALL)
        return [q["sql"] for q in captured.captured_queries if pattern.search(q["sql"])]

    def on_replica(self, verb: str, table: str) -> list[str]:
        return self._sql(self.replica, verb, table)

    def on_primary(self, verb: str, table: str) -> list[str]:
        return self._sql(self.primary, verb, table)


@with_replica
def test_the_live_dashboard_reads_its_figures_from_the_replica(manager_client):
    with time_machine.travel(NOW, tick=False):
        build()
        with Queries() as queries:
            response = manager_client.get(reverse("dashboard:live"), headers={"HX-Request": "true"})

    assert response.status_code == 200
    assert response.context["figures"].overdue == EXPECTED["overdue"]
    assert queries.on_replica("SELECT", "referrals_referral")
    assert queries.on_replica("SELECT", "triage_challenge")
    assert not queries.on_primary("SELECT", "referrals_referral")
    assert not queries.on_primary("SELECT", "triage_challenge")


@with_replica
def test_the_dashboard_api_reads_from_the_replica(manager_client):
    with time_machine.travel(NOW, tick=False):
        build()
        with Queries() as queries:
            body = manager_client.get("/api/v1/dashboard/").json()

    assert {k: body[k] for k in EXPECTED} == EXPECTED
    assert len(queries.on_replica("SELECT", "referrals_referral")) == 2  # counts, caseloads
    assert not queries.on_primary("SELECT", "referrals_referral")


@with_replica
def test_the_performance_page_and_its_csv_read_from_the_replica(manager_client):
    with time_machine.travel(datetime(2026, 6, 10, 12, tzinfo=LONDON), tick=False):
        DecisionFactory(
            referral=ReferralFactory(received_at=datetime(2026, 6, 1, 9, tzinfo=LONDON)),
            outcome=Outcome.NO_FURTHER_ACTION,
        )
        with Queries() as page:
            response = manager_client.get(reverse("dashboard:performance"))
        with Queries() as csv:
            download = manager_client.get(
                reverse("dashboard:performance-csv"), {"table": "in_time"}
            )

    assert response.status_code == 200
    assert download.status_code == 200
    for queries in (page, csv):
        assert queries.on_replica("SELECT", "referrals_referral")
        assert not queries.on_primary("SELECT", "referrals_referral")


@with_replica
@time_machine.travel(datetime(2026, 11, 27, 12, tzinfo=LONDON), tick=False)
def test_the_census_export_reads_from_the_replica_and_logs_to_the_primary(manager_client):
    DecisionFactory(
        referral=ReferralFactory(received_at=datetime(2026, 6, 1, 9, tzinfo=LONDON)),
        outcome=Outcome.NO_FURTHER_ACTION,
    )

    with Queries() as queries:
        response = manager_client.get(
            reverse("api-census-cin"), {"collection_year": "2027", "format": "csv"}
        )

    assert response.status_code == 200
    assert queries.on_replica("SELECT", "referrals_referral")
    assert not queries.on_primary("SELECT", "referrals_referral")
    assert len(queries.on_primary("INSERT", "audit_accesslog")) == 1
    assert not queries.on_replica("INSERT", "audit_accesslog")
    logged = AccessLog.objects.using(PRIMARY).get(kind=AccessLog.Kind.CENSUS_EXPORT)
    assert logged.detail["referrals"] == 1


@with_replica
def test_the_subject_access_export_reads_from_the_replica_and_logs_to_the_primary(
    auditor_client,
):
    child = ChildFactory()
    referral = ReferralFactory(child=child)

    with Queries() as queries:
        response = auditor_client.get(reverse("oversight:child-export", args=[child.pk]))

    assert response.status_code == 200
    data = json.loads(response.content)
    assert [r["id"] for r in data["referrals"]] == [referral.pk]
    assert queries.on_replica("SELECT", "referrals_child")
    assert queries.on_replica("SELECT", "referrals_referral")
    assert queries.on_replica("SELECT", "audit_accesslog")
    assert not queries.on_primary("SELECT", "referrals_referral")
    assert len(queries.on_primary("INSERT", "audit_accesslog")) == 1
    assert not queries.on_replica("INSERT", "audit_accesslog")
    # The download's own row is in the file (the replica here is never behind).
    assert [e["kind"] for e in data["access_log"]] == [AccessLog.Kind.CHILD_EXPORT]


@with_replica
def test_the_exports_own_access_log_row_is_in_the_file_when_the_replica_lags(
    auditor_client, monkeypatch
):
    """A replica that has not yet replayed the row just written to the primary: the row
    is read back from the primary, so the file still holds its own download."""
    from oversight import export

    child = ChildFactory()
    ReferralFactory(child=child)
    real = export.rows_about_child

    def lagging(queryset, child_id):
        assert queryset.db == REPLICA
        return real(queryset, child_id).exclude(kind=AccessLog.Kind.CHILD_EXPORT)

    monkeypatch.setattr(export, "rows_about_child", lagging)
    with Queries() as queries:
        response = auditor_client.get(reverse("oversight:child-export", args=[child.pk]))

    data = json.loads(response.content)
    assert [e["kind"] for e in data["access_log"]] == [AccessLog.Kind.CHILD_EXPORT]
    assert len(queries.on_primary("SELECT", "audit_accesslog")) == 1


@with_replica
def test_other_pages_read_from_the_primary_only(screener_client):
    ReferralFactory()

    with Queries() as queries:
        response = screener_client.get(reverse("triage:queue"))

    assert response.status_code == 200
    assert queries.on_primary("SELECT", "referrals_referral")
    assert queries.replica.captured_queries == []


@with_replica
def test_reads_inside_a_transaction_stay_on_the_primary():
    ReferralFactory()

    with Queries() as queries, transaction.atomic(), lag_tolerant_reads():
        assert Referral.objects.count() == 1

    assert queries.on_primary("SELECT", "referrals_referral")
    assert queries.replica.captured_queries == []


@with_replica
def test_writes_go_to_the_primary_even_inside_lag_tolerant_reads():
    referral = ReferralFactory()

    with Queries() as queries, lag_tolerant_reads():
        read = Referral.objects.get(pk=referral.pk)
        assert read._state.db == REPLICA
        read.worry = "Changed."
        read.save(update_fields=["worry"])

    assert queries.on_primary("UPDATE", "referrals_referral")
    assert not queries.on_replica("UPDATE", "referrals_referral")
    assert Referral.objects.using(PRIMARY).get(pk=referral.pk).worry == "Changed."


def test_the_router_keeps_migrations_on_the_primary():
    router = ReplicaRouter()

    assert router.allow_migrate(PRIMARY, "referrals") is True
    assert router.allow_migrate(REPLICA, "referrals") is False
