"""The database refuses to change or remove a kept version or an access-log row: on
PostgreSQL an UPDATE and a DELETE on the access log or any history table fail, whatever
code sends them; on SQLite an UPDATE does (a DELETE is how SQLite empties a table for the
test runner and ``flush``). Emptying the tables whole, as the test runner does, still
works (test_kept_emptied.py)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.apps import apps
from django.core.management.sql import emit_post_migrate_signal
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone

from agencies.models import Role
from audit import triggers as kept
from audit.models import AccessLog
from oversight import triggers
from tests import factories as f
from tests.database import refused
from triage.models import ChildLinkRemoval, EscalationStage, SupportService, ThresholdLevel

POSTGRES_ONLY = pytest.mark.postgres(
    reason="SQLite empties a table with DELETE (the test runner, flush): only UPDATE is "
    "refused there; PostgreSQL refuses DELETE too",
)

HISTORY_TABLES = triggers.history_tables()
KEPT_TABLES = [kept.ACCESS_LOG_TABLE, *HISTORY_TABLES]


@pytest.fixture(scope="module")
def rows(django_db_setup, django_db_blocker):
    """A row in the access log and in every history table, made once for the module in a
    transaction rolled back at the end."""
    with django_db_blocker.unblock(), transaction.atomic():
        manager = f.UserFactory(role=Role.MANAGER)
        decision = f.DecisionFactory(decided_by=manager)
        referral = decision.referral
        child = f.ChildFactory()
        f.HouseholdMemberFactory(referral=referral)
        f.ScreeningNoteFactory(referral=referral)
        f.QualityRatingFactory(referral=referral)
        f.InformationRequestFactory(referral=referral)
        f.DecisionAmendmentFactory(decision=decision)
        ChildLinkRemoval.objects.create(
            referral=referral, child=child, reason="Wrong child.", removed_by=manager
        )
        f.ChallengeResponseFactory(challenge=f.ChallengeFactory(decision=decision))
        discussion = f.StrategyDiscussionFactory(referral=referral)
        f.AttendeeFactory(discussion=discussion)
        f.AgencyContributionFactory(discussion=discussion)
        f.DiscussionDecisionFactory(discussion=discussion)
        f.DiscussionActionFactory(discussion=discussion, due_at=timezone.now() + timedelta(1))
        SupportService.objects.create(name="Family hub", description="Help.", contact="-")
        for reference in (ThresholdLevel.objects.first(), EscalationStage.objects.first()):
            reference.save()
        client = Client()
        client.force_login(f.UserFactory(role=Role.AUDITOR))
        assert client.get(f"/children/{child.pk}/").status_code == 200  # an access-log row
        yield
        transaction.set_rollback(True)


def _count(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {table}")  # noqa: S608 - our table names
        return cursor.fetchone()[0]


def _execute(sql: str):
    def write():
        with connection.cursor() as cursor:
            cursor.execute(sql)

    return write


@pytest.mark.django_db
def test_every_history_table_and_the_access_log_is_kept(rows):
    """Also a test of the fixture: it has a row in every table the others write to."""
    assert {m._meta.label for m in triggers.history_models()} >= {
        "referrals.HistoricalReferral",
        "referrals.HistoricalChild",
        "triage.HistoricalDecision",
        "triage.HistoricalStrategyDiscussion",
        "triage.HistoricalChallenge",
    }
    assert kept.kept_tables(connection) >= set(KEPT_TABLES)
    assert [table for table in KEPT_TABLES if _count(table) == 0] == []


@pytest.mark.django_db
@pytest.mark.parametrize("table", KEPT_TABLES)
def test_an_update_of_a_kept_row_is_refused(rows, table):
    pk = apps.get_model(*_label(table))._meta.pk.column

    assert refused(_execute(f"UPDATE {table} SET {pk} = {pk}"))


@POSTGRES_ONLY
@pytest.mark.django_db
@pytest.mark.parametrize("table", KEPT_TABLES)
def test_a_delete_of_a_kept_row_is_refused_on_postgresql(rows, table):
    assert refused(_execute(f"DELETE FROM {table}"))  # noqa: S608 - our table names


@pytest.mark.django_db
def test_the_orm_is_refused_too(rows):
    history = f.ReferralFactory().history.all()

    assert refused(lambda: history.update(history_change_reason="Rewritten"))
    assert refused(lambda: AccessLog.objects.update(username="someone.else"))


@pytest.mark.django_db
def test_kept_rows_are_still_added(rows):
    referral = f.ReferralFactory()
    referral.worry = "A second version of the worry, kept beside the first one."
    referral.save()

    assert referral.history.count() == 2


@pytest.mark.django_db
def test_the_refusal_comes_back_after_every_migrate(rows):
    """SQLite drops a table's triggers when a migration rebuilds it, and a history table
    a later migration adds has none: every migrate adds what is missing."""
    triggers.uninstall(connection)
    kept.release(connection, [kept.ACCESS_LOG_TABLE])
    assert kept.kept_tables(connection) & set(KEPT_TABLES) == set()

    # As migrate sends it (the handlers were once called directly here, and the oversight
    # app's never ran from migrate itself: Django sends post_migrate only for apps with
    # models, and oversight has none).
    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")

    assert kept.kept_tables(connection) >= set(KEPT_TABLES)
    assert refused(_execute(f"UPDATE {HISTORY_TABLES[0]} SET history_id = history_id"))


@pytest.mark.django_db
def test_a_user_who_changed_a_record_cannot_be_deleted(rows):
    """Deleting an account would blank ``history_user`` on the versions it made: the
    database refuses, and the administrator deactivates accounts instead."""
    screener = f.UserFactory(role=Role.SCREENER)
    note = f.ScreeningNoteFactory(author=f.UserFactory(role=Role.SCREENER))
    note.text = "Corrected by another screener."
    note._history_user = screener
    note.save()

    assert refused(screener.delete)


def _label(table: str) -> tuple[str, str]:
    for model in apps.get_models():
        if model._meta.db_table == table:
            return model._meta.app_label, model.__name__
    raise LookupError(table)


@pytest.mark.django_db
def test_the_administrator_deactivates_an_account_rather_than_deleting_it(rows):
    user = f.UserFactory(role=Role.SCREENER)
    client = Client()
    client.force_login(f.UserFactory(role=Role.ADMIN))

    page = client.get(f"/admin/agencies/user/{user.pk}/change/")
    delete = client.get(f"/admin/agencies/user/{user.pk}/delete/")

    assert page.status_code == 200
    assert f"/admin/agencies/user/{user.pk}/delete/" not in page.content.decode()
    assert delete.status_code == 403
