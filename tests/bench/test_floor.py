"""The referral POST's floor (bench/baseline/floor.py) writes what a real POST of the same
submission writes, row for row and value for value, and hands the same email to Celery:
so the floor's figures are those of the POST's own database and broker work."""

from __future__ import annotations

import json
import re
from types import SimpleNamespace

import pytest
import time_machine
from django.db import connection
from django.test import override_settings
from rest_framework.test import APIClient

from agencies.models import Role
from bench import loadgen
from bench.baseline import floor
from bench.pages_subjects import REFERRAL_BODY
from notices import tasks
from notices.models import NoticeEvent, Notification
from referrals.models import Referral
from tests.factories import ApiTokenFactory, UserFactory

ON_POSTGRES = pytest.mark.postgres(reason="the floor replays PostgreSQL's WITH ... INSERT chain")

SUBMIT = "/api/v1/referrals/"
FLOOR = "/bench-baseline/floor/"


def _tables() -> dict[str, str]:
    """Every table with an integer key: its key's column."""
    keys = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            column = connection.introspection.get_primary_key_column(cursor, table)
            if column is not None:
                keys[table] = column
    return keys


def _snapshot(tables: dict[str, str]) -> dict[str, tuple[int, object]]:
    seen = {}
    with connection.cursor() as cursor:
        for table, key in tables.items():
            quoted = connection.ops.quote_name
            cursor.execute(f"SELECT count(*), max({quoted(key)}) FROM {quoted(table)}")  # noqa: S608 - the database's own tables
            seen[table] = cursor.fetchone()
    return seen


def _new_rows(tables, before) -> dict[str, list[dict]]:
    """The rows each table gained since ``before``, by their keys (every table the
    submission writes is keyed by a sequence)."""
    after = _snapshot(tables)
    rows = {}
    for table, (count, _) in after.items():
        if count == before[table][0]:
            continue
        key, since = tables[table], before[table][1]
        with connection.cursor() as cursor:
            quoted = connection.ops.quote_name
            cursor.execute(
                f"SELECT * FROM {quoted(table)} WHERE %s IS NULL OR {quoted(key)} > %s "  # noqa: S608 - the database's own tables
                f"ORDER BY {quoted(key)}",
                [since, since],
            )
            names = [c.name for c in cursor.description]
            rows[table] = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
        assert len(rows[table]) == count - before[table][0], table
    return rows


def _without_own_keys(rows: dict[str, list[dict]], tables, referral: Referral) -> dict:
    """The rows with this submission's own keys, reference and link written as names, so
    that two submissions' rows compare: a column that points at the submission, the
    referral or the notice event names it when it holds its key."""
    event = NoticeEvent.objects.get(referral_id=referral.pk).pk
    own = {"submission_id": referral.submission_id, "referral_id": referral.pk, "event_id": event}

    def plain(column, value):
        if column in own:
            return f"<{column}>" if value == own[column] else value
        if column == "detail":  # the audit event's: which submission
            detail = json.loads(value) if isinstance(value, str) else value
            if detail.get("submission") == referral.submission_id:
                detail["submission"] = "<submission_id>"
            return detail
        if isinstance(value, str):
            value = value.replace(referral.reference, "<reference>")
            return re.sub(rf"(?<=[:/]){referral.pk}(?=/|$)", "<referral_id>", value)
        return value

    # A version's "id" is its row's key: the row's place among the rows written.
    places = {
        table: {row[tables[table]]: f"<{table} {n}>" for n, row in enumerate(table_rows)}
        for table, table_rows in rows.items()
    }
    plained = {}
    for table, table_rows in rows.items():
        tracked = (
            places.get(table.replace("_historical", "_"), {}) if "_historical" in table else {}
        )
        plained[table] = [
            {
                column: tracked[value] if column == "id" and tracked else plain(column, value)
                for column, value in row.items()
                if column != tables[table]
            }
            for row in table_rows
        ]
    return plained


@pytest.fixture
def referrer_client():
    floor._plans.clear()
    holder = UserFactory(role=Role.REFERRER)
    client = APIClient()
    client.credentials(
        HTTP_AUTHORIZATION=f"Token {ApiTokenFactory(user=holder).raw}",
        HTTP_X_FORWARDED_PROTO="https",
    )
    yield client
    floor._plans.clear()


def _submit(client, path, tables, monkeypatch, captured):
    sent = []
    monkeypatch.setattr(tasks.deliver_notification, "delay", sent.append)
    before = _snapshot(tables)
    body = json.loads(json.dumps(REFERRAL_BODY).replace(loadgen.PLACEHOLDER, "Alike"))
    with captured(execute=True):
        answer = client.post(path, body, format="json")
    assert answer.status_code == 201, answer.content
    referral = Referral.objects.get(pk=answer.json()["id"])
    return _without_own_keys(_new_rows(tables, before), tables, referral), sent, referral


@pytest.mark.django_db
@ON_POSTGRES
@override_settings(ROOT_URLCONF="bench.baseline.urls")
def test_the_floor_writes_the_rows_a_real_post_of_the_same_submission_writes(
    referrer_client, monkeypatch, django_capture_on_commit_callbacks
):
    tables = _tables()
    with connection.cursor() as cursor:  # keys of each kind far apart, none taken for another
        for table, start in (("referrals_referral", 10_000), ("notices_noticeevent", 20_000)):
            cursor.execute("SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)", [table, start])
    # The floor's first request records the real path's statements (rolled back).
    with time_machine.travel("2026-11-27 10:00:00+00:00", tick=False):
        _submit(referrer_client, FLOOR, tables, monkeypatch, django_capture_on_commit_callbacks)
    with time_machine.travel("2026-11-27 10:05:00+00:00", tick=False):
        real, real_sent, real_referral = _submit(
            referrer_client, SUBMIT, tables, monkeypatch, django_capture_on_commit_callbacks
        )
        floored, floor_sent, floor_referral = _submit(
            referrer_client, FLOOR, tables, monkeypatch, django_capture_on_commit_callbacks
        )

    written = {
        "referrals_submission", "referrals_referral", "referrals_historicalreferral",
        "referrals_referralconcern", "referrals_historicalreferralconcern",
        "referrals_householdmember", "referrals_historicalhouseholdmember",
        "audit_auditevent", "notices_noticeevent", "notices_notification",
    }  # fmt: skip
    assert set(real) == written
    assert {table: len(rows) for table, rows in floored.items()} == {
        table: len(rows) for table, rows in real.items()
    }
    for table in real:
        assert floored[table] == real[table], table
    assert real["notices_noticeevent"][0]["key"] == "acknowledgement:<referral_id>"
    assert real["audit_auditevent"][0]["referral_id"] == "<referral_id>"
    assert floor_referral.reference != real_referral.reference
    # One email each, handed to Celery at the commit: the acknowledgement's.
    for referral, sent in ((real_referral, real_sent), (floor_referral, floor_sent)):
        email = Notification.objects.get(
            event__referral_id=referral.pk, channel=Notification.Channel.EMAIL
        )
        assert sent == [email.pk]


@pytest.mark.django_db
@ON_POSTGRES
@override_settings(ROOT_URLCONF="bench.baseline.urls")
def test_the_floor_refuses_what_the_real_post_refuses_before_it_runs():
    """The POST's access decision, before anything: no token, no floor; a role that
    cannot refer, no floor."""
    floor._plans.clear()
    assert APIClient().post(FLOOR, {}, format="json").status_code == 401
    screener = APIClient()
    screener.credentials(
        HTTP_AUTHORIZATION=f"Token {ApiTokenFactory(user=UserFactory(role=Role.AUDITOR)).raw}"
    )
    assert screener.post(FLOOR, {}, format="json").status_code == 403
    assert not floor._plans


def test_the_floor_stops_if_the_real_post_sends_other_statements():
    """The floor replays the keys, the reference and the rows' chain: a real POST that
    sent anything else (a look-up, a table apart) would make it no longer the POST's."""
    with pytest.raises(floor.NotTheExpectedStatements):
        floor.Plan._from([("SELECT 1", [])], referral=None, event=None, told=[])


def test_bench_post_ab_serves_this_checkout_alone_and_the_floor_when_asked():
    from bench import bench_post_ab

    def asked(before=None, floor=False):
        return bench_post_ab.servers_and_scenarios(SimpleNamespace(before=before, floor=floor))

    labels, scenarios = asked(before="../wt-main")
    assert labels == ["before", "after"] and list(scenarios) == list(bench_post_ab.SCENARIOS)
    labels, scenarios = asked(floor=True)
    assert labels == ["after"]
    assert scenarios["POST's floor"] == ("/bench-baseline/floor/", json.dumps(REFERRAL_BODY))
    assert len(scenarios) == len(bench_post_ab.SCENARIOS) + 1
