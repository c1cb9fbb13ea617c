"""A referral is decided when, and only when, it has a decision: the database holds it
(triage/triggers.py), on SQLite and PostgreSQL alike, whatever code writes."""

import subprocess
import sys
import threading
from pathlib import Path

import pytest
from django.db import IntegrityError, connection, connections, transaction
from rest_framework.test import APIClient

from agencies.models import Role
from referrals.models import Referral, Status
from tests.database import refused
from tests.factories import DecisionFactory, ReferralFactory, UserFactory
from tests.sqlite_file import GROUP, embedded_environment
from triage import triggers
from triage.apps import reinstall_triggers
from triage.models import Decision
from triage.services.decisions import decide

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]

DECISION = {
    "outcome": "s17",
    "threshold_level": 3,
    "rationale": "Three referrals for neglect this year; early help did not change the day.",
    "lived_experience_impact": "Ava looks after Leo each morning; neither eats breakfast.",
    "feedback": "A social worker will meet the family to understand the children's needs.",
    "proceed_reason": "Not screened, but the police need an answer tonight.",
}


def disagreements() -> list[str]:
    """Referrals whose status and decision row disagree, by reference."""
    decided_without = Referral.objects.filter(status=Status.DECIDED, decision__isnull=True)
    undecided_with = Referral.objects.exclude(status=Status.DECIDED).filter(decision__isnull=False)
    return [r.reference for r in [*decided_without, *undecided_with]]


def status_of(referral) -> str:
    return Referral.objects.values_list("status", flat=True).get(pk=referral.pk)


def test_every_way_of_deciding_leaves_the_status_and_the_decision_in_step(manager_client):
    manager = UserFactory(role=Role.MANAGER)
    by_service, by_page, by_api, open_ = (ReferralFactory() for _ in range(4))
    api = APIClient()
    api.force_authenticate(manager)

    decide(referral_id=by_service.pk, by=manager, **DECISION)
    page = manager_client.post(f"/triage/referrals/{by_page.pk}/decide/", DECISION)
    answer = api.post(f"/api/v1/referrals/{by_api.pk}/decision/", DECISION, format="json")

    assert (page.status_code, answer.status_code) == (302, 201)
    assert {status_of(r) for r in (by_service, by_page, by_api)} == {Status.DECIDED}
    assert status_of(open_) == Status.RECEIVED
    assert Decision.objects.count() == 3
    assert disagreements() == []


def test_the_history_shows_the_decision_and_the_referral_decided_by_the_manager():
    """Also when the decision comes through the API, where no web session names the user."""
    manager = UserFactory(role=Role.MANAGER)
    referral = ReferralFactory(awaiting_decision=True)

    decide(referral_id=referral.pk, by=manager, **DECISION)

    latest = referral.history.first()
    assert latest.status == Status.DECIDED
    assert latest.history_user == manager
    recorded = Decision.history.get()
    assert (recorded.history_type, recorded.history_user) == ("+", manager)
    assert recorded.threshold_level_id == 3


def test_recording_a_decision_by_any_means_marks_the_referral_decided():
    referral = ReferralFactory(in_screening=True)

    Decision.objects.create(
        referral=referral,
        outcome="nfa",
        threshold_level_id=1,
        rationale="Written without the service, as a data fix in a shell might be.",
        decided_by=UserFactory(role=Role.MANAGER),
        decided_at=referral.received_at,
    )

    assert status_of(referral) == Status.DECIDED


def test_a_referral_cannot_be_marked_decided_without_a_decision():
    referral = ReferralFactory(awaiting_decision=True)

    assert refused(lambda: Referral.objects.filter(pk=referral.pk).update(status="decided"))
    referral.status = Status.DECIDED
    with pytest.raises(IntegrityError, match="referral_decided_iff_decision"), transaction.atomic():
        referral.save()
    assert status_of(referral) == Status.AWAITING_DECISION


def test_a_referral_cannot_be_made_decided_from_the_start():
    assert refused(lambda: ReferralFactory(status=Status.DECIDED))
    assert not Referral.objects.exists()


@pytest.mark.parametrize("status", ["received", "screening", "awaiting_decision"])
def test_a_decided_referral_cannot_be_reopened_while_it_has_its_decision(status):
    referral = DecisionFactory(referral=ReferralFactory(awaiting_decision=True)).referral

    assert refused(lambda: Referral.objects.filter(pk=referral.pk).update(status=status))
    assert status_of(referral) == Status.DECIDED


def test_a_stale_write_cannot_undo_a_decision_made_meanwhile():
    """A copy read before the decision, saved after it, would reopen the referral."""
    referral = ReferralFactory(in_screening=True)
    stale = Referral.objects.get(pk=referral.pk)
    decide(referral_id=referral.pk, by=UserFactory(role=Role.MANAGER), **DECISION)

    stale.child_school = "Hillside Primary"
    with pytest.raises(IntegrityError), transaction.atomic():
        stale.save()
    assert status_of(referral) == Status.DECIDED


def test_a_decision_cannot_move_to_another_referral():
    decision = DecisionFactory()
    other = ReferralFactory()

    assert refused(lambda: Decision.objects.filter(pk=decision.pk).update(referral=other))
    assert status_of(other) == Status.RECEIVED


@pytest.mark.parametrize(
    ("screened", "reopened_at"),
    [
        ({}, Status.RECEIVED),
        ({"in_screening": True}, Status.SCREENING),
        ({"awaiting_decision": True}, Status.AWAITING_DECISION),
    ],
)
def test_deleting_a_decision_reopens_the_referral_where_screening_left_it(screened, reopened_at):
    """Nothing in Front Door deletes a decision (an amendment corrects one); if anything
    does, the referral goes back to the queue rather than staying decided with none."""
    decision = DecisionFactory(referral=ReferralFactory(**screened))

    Decision.objects.filter(pk=decision.pk).delete()

    assert status_of(decision.referral) == reopened_at
    assert disagreements() == []


def test_the_triggers_come_back_when_a_migration_has_dropped_them():
    """SQLite drops a table's triggers when a migration rebuilds the table: every
    migrate puts back what is missing."""
    assert triggers.installed(connection) == set(triggers.TRIGGERS[connection.vendor])
    with connection.cursor() as cursor:
        for name in triggers.installed(connection):
            table = "referrals_referral" if name.startswith("referral") else "triage_decision"
            on = f" ON {table}" if connection.vendor == "postgresql" else ""
            cursor.execute(f"DROP TRIGGER {name}{on}")
    assert not refused(lambda: ReferralFactory(status=Status.DECIDED))

    reinstall_triggers(sender=None, using=connection.alias)

    assert triggers.installed(connection) == set(triggers.TRIGGERS[connection.vendor])
    assert refused(lambda: ReferralFactory(status=Status.DECIDED))


REBUILD = """
import django
django.setup()
from django.core.management import call_command
from django.core.management.sql import emit_post_migrate_signal, emit_pre_migrate_signal
from django.db import connection
from referrals.models import Referral
from triage import triggers
from triage.models import Decision

call_command("migrate", verbosity=0)
assert len(triggers.installed(connection)) == 5, triggers.installed(connection)
# What migrate does around a later migration that changes a field of each table, which
# SQLite carries out by rebuilding the table.
emit_pre_migrate_signal(0, False, "default")
for model, name in ((Referral, "child_school"), (Decision, "onward_referrals")):
    old = model._meta.get_field(name)
    new = old.clone()
    new.max_length += 100
    new.set_attributes_from_name(name)
    new.model = model
    with connection.schema_editor() as editor:
        editor.alter_field(model, old, new)
emit_post_migrate_signal(0, False, "default")
print(sorted(triggers.installed(connection)))
"""


@GROUP
def test_on_sqlite_a_later_migration_can_rebuild_the_tables_and_the_triggers_come_back(
    migrated_sqlite_var,
):
    """SQLite rebuilds a table to change a field, and cannot put the new one in place while
    a trigger on another table names it: the triggers are off while migrations run. (The
    file is migrated already: the script's migrate applies nothing and sends the signals
    around it, as any later migrate does.)"""
    env = embedded_environment(migrated_sqlite_var)

    run = subprocess.run(
        [sys.executable, "-c", REBUILD],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )

    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == str(sorted(triggers.SQLITE))


@pytest.mark.postgres(reason="needs concurrent transactions")
@pytest.mark.django_db(transaction=True)
def test_a_reopening_that_waited_on_a_decision_being_recorded_is_refused_when_it_commits():
    """One connection records a decision; another, meanwhile, puts the referral back to
    screening (from a copy read before). The second waits on the first's row lock, then
    sees the decision and is refused: the two never end up disagreeing."""
    referral = ReferralFactory(in_screening=True)
    manager = UserFactory(role=Role.MANAGER)
    recorded, outcome = threading.Event(), []
    commit = threading.Event()

    def record_decision():
        try:
            with transaction.atomic():
                DecisionFactory(referral=referral, decided_by=manager)
                recorded.set()
                commit.wait(timeout=30)
        finally:
            connections.close_all()

    def reopen():
        try:
            recorded.wait(timeout=30)
            with transaction.atomic():
                Referral.objects.filter(pk=referral.pk).update(status="screening")
            outcome.append("reopened")
        except IntegrityError as exc:
            outcome.append(str(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=record_decision), threading.Thread(target=reopen)]
    for thread in threads:
        thread.start()
    _wait_until_a_connection_waits_on_a_lock()
    commit.set()
    for thread in threads:
        thread.join(timeout=30)

    assert len(outcome) == 1 and "referral_decided_iff_decision" in outcome[0]
    assert status_of(referral) == Status.DECIDED
    assert disagreements() == []


def _wait_until_a_connection_waits_on_a_lock(tries: int = 300) -> None:
    import time

    with connection.cursor() as cursor:
        for _ in range(tries):
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                return
            time.sleep(0.01)
    raise AssertionError("the second connection never waited on the first")
