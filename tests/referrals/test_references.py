"""Referral references (referrals/references.py): FD-YYYY-NNNNNN, numbered within the
year of receipt, never issued twice; on PostgreSQL taken from a sequence a year, so that
one submission does not wait for another's transaction to end."""

import threading
from datetime import date, timedelta

import pytest
import time_machine
from django.core.management.sql import emit_post_migrate_signal
from django.db import OperationalError, connection, connections, transaction
from django.utils import timezone

from agencies.models import Role
from referrals import references
from referrals.models import Channel, Referral
from referrals.services import submit_referrals
from tests.factories import ReferralFactory, UserFactory

pytestmark = pytest.mark.django_db

POSTGRES = pytest.mark.postgres(reason="the sequences are PostgreSQL's")
CHILD = {"child_first_name": "Ava", "child_last_name": "Testfield"}
DETAILS = {
    "worry": "No food at home over the weekend.",
    "lived_experience": "Gets herself up and to school; no breakfast.",
    "child_voice": "'Mum stays in bed.'",
    "parental_consent": "consented",
}


def refer(by, children=1) -> list[str]:
    born = timezone.localdate() - timedelta(days=9 * 365)
    made = submit_referrals(
        by=by,
        children=[
            {**CHILD, "child_first_name": f"Ava{n}", "child_date_of_birth": born}
            for n in range(children)
        ],
        details=DETAILS,
        concerns=["neglect"],
        channel=Channel.WEB,
    )
    return [r.reference for r in made]


def number(reference: str) -> int:
    return int(reference.rsplit("-", 1)[1])


class RolledBack(Exception):
    pass


def without_sequence(year: int) -> None:
    """No sequence for the year, as in an installation not migrated for years (put back
    when the test's transaction rolls back, or by the test)."""
    with connection.cursor() as cursor:
        cursor.execute(f"DROP SEQUENCE IF EXISTS {references.sequence_name(year)}")


# --- Both databases -------------------------------------------------------------------


def test_loaded_references_are_continued_after_and_other_schemes_ignored(
    fresh_reference_numbering,
):
    """What bench/national.py relies on: referrals written with their references by
    other means (a bulk load) and then renumbered; the next real referral takes the
    number after the highest loaded in its year, and a year with none starts at 1."""
    for reference in ("FD-2026-000120", "FD-2026-000007", "FD-2025-000300", "FD-B-000000999"):
        ReferralFactory(reference=reference)
    referrer = UserFactory(role=Role.REFERRER)

    assert references.renumber_from_stored() == {2025: 300, 2026: 120}
    with time_machine.travel("2026-06-01 10:00:00+00:00", tick=False):
        assert refer(referrer) == ["FD-2026-000121"]
    with time_machine.travel("2027-06-01 10:00:00+00:00", tick=False):
        assert refer(referrer) == ["FD-2027-000001"]
    assert references.last_issued(2026) == 121
    assert references.last_issued(2025) == 300


def test_each_year_is_numbered_from_1_across_the_new_year(fresh_reference_numbering):
    referrer = UserFactory(role=Role.REFERRER)
    with time_machine.travel("2026-12-31 23:30:00+00:00", tick=False):
        assert refer(referrer, children=2) == ["FD-2026-000001", "FD-2026-000002"]
    with time_machine.travel("2027-01-01 00:00:01+00:00", tick=False):
        assert refer(referrer) == ["FD-2027-000001"]
    with time_machine.travel("2026-12-31 23:59:00+00:00", tick=False):
        assert refer(referrer) == ["FD-2026-000003"]  # a late one for 2026, numbered on


# --- PostgreSQL: a sequence a year ----------------------------------------------------


@POSTGRES
def test_a_rolled_back_submission_leaves_a_gap_never_a_repeat(fresh_reference_numbering):
    referrer = UserFactory(role=Role.REFERRER)
    with time_machine.travel("2026-03-02 09:00:00+00:00", tick=False):
        [first] = refer(referrer)
        lost = []
        with pytest.raises(RolledBack), transaction.atomic():
            lost += refer(referrer, children=2)
            raise RolledBack
        after = refer(referrer, children=2)

    assert first == "FD-2026-000001"
    assert lost == ["FD-2026-000002", "FD-2026-000003"]
    assert after == ["FD-2026-000004", "FD-2026-000005"]  # 2 and 3 are a gap
    assert sorted(Referral.objects.values_list("reference", flat=True)) == [first, *after]


@POSTGRES
@pytest.mark.django_db(transaction=True)
def test_a_submission_does_not_wait_for_another_submissions_transaction():
    """One submission is made and its transaction held open; meanwhile another, on its
    own connection, completes and commits. With the counter row locked until commit,
    the second waited for the first (issue 14: 38.9 POSTs a second with 0.78 of 2 cores
    busy); lock_timeout makes that a failure here rather than a hang."""
    references.ensure_sequences([2026])
    references.renumber_from_stored()
    first_by, second_by = UserFactory(role=Role.REFERRER), UserFactory(role=Role.REFERRER)
    submitted, release, held = threading.Event(), threading.Event(), []

    def hold_one_open():
        try:
            with transaction.atomic():
                held.extend(refer(first_by))
                submitted.set()
                assert release.wait(timeout=20), "the other submission never finished"
        finally:
            connections.close_all()

    with time_machine.travel("2026-03-02 09:00:00+00:00", tick=True):
        holder = threading.Thread(target=hold_one_open)
        holder.start()
        try:
            assert submitted.wait(timeout=20), "the first submission never got going"
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL lock_timeout = '5s'")
                try:
                    second = refer(second_by)
                except OperationalError as exc:  # lock_timeout: it waited for the first
                    pytest.fail(f"the second submission waited for the first: {exc}")
            committed_meanwhile = Referral.objects.filter(reference__in=second).exists()
        finally:
            release.set()
            holder.join(timeout=30)

    assert committed_meanwhile, "the second submission had not committed on its own"
    assert not holder.is_alive()
    assert (held, second) == (["FD-2026-000001"], ["FD-2026-000002"])
    assert Referral.objects.filter(reference__in=held + second).count() == 2


@POSTGRES
@pytest.mark.django_db(transaction=True)
def test_many_concurrent_submissions_get_unique_references_in_order():
    references.ensure_sequences([2026])
    references.renumber_from_stored()
    referrers = [UserFactory(role=Role.REFERRER) for _ in range(4)]
    start, made, errors = threading.Barrier(4), {}, []

    def submit(referrer):
        try:
            start.wait(timeout=20)
            for _ in range(5):
                made.setdefault(referrer.pk, []).extend(refer(referrer, children=2))
        except Exception as exc:  # noqa: BLE001 - reported below, with the thread's own error
            errors.append(exc)
        finally:
            connections.close_all()

    with time_machine.travel("2026-03-02 09:00:00+00:00", tick=True):
        threads = [threading.Thread(target=submit, args=(r,)) for r in referrers]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)

    assert errors == []
    issued = [number(ref) for refs in made.values() for ref in refs]
    assert sorted(issued) == list(range(1, 41))  # nothing rolled back: no gap either
    for refs in made.values():  # each submitter's in the order it made them
        assert [number(r) for r in refs] == sorted(number(r) for r in refs)
    assert Referral.objects.count() == 40


@POSTGRES
def test_a_year_without_a_sequence_uses_the_counter_row_and_a_later_sequence_starts_after_it(
    caplog,
):
    """An installation not migrated for years: references still come, one submission at
    a time, and the log says what to do; the next migrate makes the sequence, which
    starts after the row's numbers and any stored, so nothing is issued twice."""
    without_sequence(2045)
    references._warned.discard(2045)
    referrer = UserFactory(role=Role.REFERRER)
    with time_machine.travel("2045-03-02 09:00:00+00:00", tick=False):
        assert refer(referrer, children=2) == ["FD-2045-000001", "FD-2045-000002"]
        assert "No reference sequence for 2045" in caplog.text
        assert "Run migrate" in caplog.text
        ReferralFactory(reference="FD-2045-000009")  # loaded by other means

        assert references.ensure_sequences([2045]) == [2045]
        assert refer(referrer) == ["FD-2045-000010"]
        assert references.ensure_sequences([2045]) == []  # there already: left as it is
        assert refer(referrer) == ["FD-2045-000011"]


@POSTGRES
@pytest.mark.django_db(transaction=True)
def test_a_submission_waiting_on_the_counter_row_while_the_sequence_is_made_then_uses_it():
    """The race ensure_sequences is careful about: a submission for a year without a
    sequence finds none, then waits for the counter row, which the migrate that is
    making the sequence holds. When that commits, the submission takes its number from
    the new sequence; the next one follows it: no number twice."""
    without_sequence(2046)
    referrer = UserFactory(role=Role.REFERRER)
    made, go, outcome = threading.Event(), threading.Event(), []

    def migrate():
        try:
            with transaction.atomic():
                references.ensure_sequences([2046])
                made.set()
                go.wait(timeout=20)
        finally:
            connections.close_all()

    def submit():
        try:
            outcome.extend(refer(referrer))
        finally:
            connections.close_all()

    try:
        with time_machine.travel("2046-03-02 09:00:00+00:00", tick=True):
            making = threading.Thread(target=migrate)
            making.start()
            assert made.wait(timeout=20)
            submitting = threading.Thread(target=submit)
            submitting.start()
            _wait_until_a_connection_waits_on_a_lock()
            go.set()
            for thread in (making, submitting):
                thread.join(timeout=30)
            after = refer(referrer)

        assert outcome == ["FD-2046-000001"]
        assert after == ["FD-2046-000002"]
        assert references.last_issued(2046) == 2
    finally:
        without_sequence(2046)


def _wait_until_a_connection_waits_on_a_lock(tries: int = 500) -> None:
    import time

    with connection.cursor() as cursor:
        for _ in range(tries):
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                return
            time.sleep(0.01)
    raise AssertionError("the submission never waited for the counter row")


@POSTGRES
def test_every_migrate_makes_the_coming_years_sequences():
    for year in references.years_to_prepare():
        without_sequence(year)

    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname FROM pg_class WHERE relkind = 'S' AND relname LIKE %s",
            ["referrals_reference_%"],
        )
        names = {name for (name,) in cursor.fetchall()}
    assert {references.sequence_name(y) for y in references.years_to_prepare()} <= names


def test_the_years_prepared_are_last_year_this_year_and_five_ahead():
    assert references.years_to_prepare(date(2026, 11, 28)) == list(range(2025, 2032))


@pytest.mark.parametrize("year", [999, 9999, "2026; DROP TABLE x", 2026.0])
def test_a_sequence_name_is_made_only_from_a_plausible_year(year):
    with pytest.raises(ValueError, match="not a year"):
        references.sequence_name(year)


def test_a_submission_takes_at_least_one_reference():
    with pytest.raises(ValueError, match="at least one"):
        references.next_numbers(2026, 0)
