"""bench/pages_cleanup.py: after a run of bench_pages.py, what the benchmark's referrer
POSTed is gone (the referral and everything the POST wrote with it, the audit event and
history versions too, whose triggers refuse a DELETE), the loaded data is all still
there, and a second cleanup removes nothing."""

from __future__ import annotations

import pytest
from django.db import connection

from agencies.models import Role
from audit.models import AccessLog
from bench import bench_pages, pages_cleanup
from bench.pages_subjects import REFERRAL_BODY, REFERRER_USERNAME
from tests.clients import api_as
from tests.factories import ReferralFactory

# The cleanup's SQL is PostgreSQL's (ANY(... ::bigint[]), session_replication_role).
on_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the cleanup's SQL is PostgreSQL's"
)
# VACUUM cannot run inside a test's transaction.
in_transactions = pytest.mark.django_db(transaction=True)

# Every table one API POST writes to (a submission, the referral, its concerns and
# household, the Idempotency-Key, the acknowledgement and its two notifications, the
# audit event, three history versions), with how each row names its referral.
BY_REFERRAL = {
    "referrals_referral": "id",
    "referrals_referralconcern": "referral_id",
    "referrals_householdmember": "referral_id",
    "referrals_idempotencyrecord": "referral_id",
    "notices_noticeevent": "referral_id",
    "audit_auditevent": "referral_id",
    "audit_accesslog": "object_id",
    "referrals_historicalreferral": "id",
    "referrals_historicalreferralconcern": "referral_id",
    "referrals_historicalhouseholdmember": "referral_id",
}


def rows_of(referral_id: int) -> dict[str, int]:
    counts = {}
    with connection.cursor() as cursor:
        for table, column in BY_REFERRAL.items():
            cursor.execute(f"SELECT count(*) FROM {table} WHERE {column} = %s", [referral_id])  # noqa: S608
            counts[table] = cursor.fetchone()[0]
        cursor.execute(
            "SELECT count(*) FROM notices_notification AS n JOIN notices_noticeevent AS e "
            "ON e.id = n.event_id WHERE e.referral_id = %s",
            [referral_id],
        )
        counts["notices_notification"] = cursor.fetchone()[0]
        cursor.execute(
            "SELECT count(*) FROM referrals_submission AS s JOIN referrals_referral AS r "
            "ON r.submission_id = s.id WHERE r.id = %s",
            [referral_id],
        )
        counts["referrals_submission"] = cursor.fetchone()[0]
    return counts


def post(user, n: int, key: str) -> int:
    body = {**REFERRAL_BODY, "child_last_name": f"Child{'abcdefgh'[n]}"}
    response = api_as(user).post(
        "/api/v1/referrals/", body, format="json", headers={"Idempotency-Key": key}
    )
    assert response.status_code == 201, response.content
    AccessLog.objects.create(
        user_id=user.pk, username="someone", role=Role.SCREENER, kind="referral",
        object_id=response.json()["id"], path="/triage/",
    )  # fmt: skip
    return response.json()["id"]


@on_postgres
@in_transactions
def test_the_benchmarks_posts_are_removed_and_the_loaded_data_kept(make_user):
    # The loaded data: a referral POSTed by another referrer (every table the POST
    # writes has a row of it), and one being screened.
    loaded_referrer = make_user(Role.REFERRER, username="referrer-of-the-data")
    loaded = post(loaded_referrer, 0, "loaded-1")
    screened = ReferralFactory(in_screening=True).pk
    # The benchmark's referrer and the run's POSTs.
    bench_referrer = make_user(Role.REFERRER, username=REFERRER_USERNAME)
    posted = [post(bench_referrer, n, f"bench-{n}") for n in range(1, 4)]
    kept_before = rows_of(loaded)
    assert all(rows_of(posted[0]).values()), rows_of(posted[0])  # each table has its rows

    removed = pages_cleanup.remove_posted()

    assert removed["referrals_referral"] == 3
    assert removed["audit_auditevent"] == 3
    assert removed["referrals_historicalreferral"] == 3
    for referral in posted:
        assert not any(rows_of(referral).values()), rows_of(referral)
    assert rows_of(loaded) == kept_before
    assert rows_of(screened)["referrals_referral"] == 1
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM referrals_submission WHERE submitted_by_id = %s",
            [bench_referrer.pk],
        )
        assert cursor.fetchone()[0] == 0
    assert pages_cleanup.describe(removed).startswith("3 referrals and ")

    # The triggers that keep the audit events as written are on again.
    with pytest.raises(Exception, match="never changed or removed"), connection.cursor() as c:
        c.execute("DELETE FROM audit_auditevent WHERE referral_id = %s", [loaded])

    assert pages_cleanup.remove_posted() == {}
    assert pages_cleanup.describe({}) == "nothing to remove"
    assert rows_of(loaded) == kept_before


@on_postgres
@in_transactions
def test_nothing_is_removed_when_the_benchmark_has_not_run(make_user):
    loaded = post(make_user(Role.REFERRER), 0, "loaded-1")
    before = rows_of(loaded)

    assert pages_cleanup.remove_posted() == {}
    assert rows_of(loaded) == before


def test_a_failed_cleanup_is_said_and_the_run_goes_on(monkeypatch, capsys):
    """A run's figures are written even when the cleanup after it fails."""

    def fails():
        raise RuntimeError("a row still points at a referral")

    monkeypatch.setattr(pages_cleanup, "remove_posted", fails)

    said = bench_pages.remove_posted("after the run")

    assert said.startswith("NOT removed, the cleanup failed (RuntimeError: a row still")
    assert said in capsys.readouterr().out
