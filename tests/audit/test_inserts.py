"""``audit.inserts``: the rows and history versions it writes are those the ORM's
``save()`` (with simple-history's ``post_save``) and ``bulk_create_with_history`` write,
in one statement a table, and its statements are made once."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from simple_history.utils import bulk_create_with_history

from audit import inserts
from referrals.models import HouseholdMember, Referral, Submission
from tests.factories import ReferralFactory, SubmissionFactory, UserFactory

pytestmark = pytest.mark.django_db

# What differs between two rows written one after the other, whichever way.
APART = {"id", "history_id", "history_date", "reference", "child_first_name"}


def _row(model, pk) -> dict:
    return {k: v for k, v in model.objects.filter(pk=pk).values().get().items() if k not in APART}


def _versions(model, pk) -> list[dict]:
    history = model.history.model
    return [
        {k: v for k, v in version.items() if k not in APART}
        for version in history.objects.filter(id=pk).values()
    ]


# How many statements write rows and their versions (audit.inserts.insert_with_history).
TOGETHER = 1 if connection.vendor == "postgresql" else 2

MOMENT = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def _unsaved_referral(submission) -> Referral:
    referral = ReferralFactory.build(
        received_at=MOMENT,
        created_at=MOMENT,
        referrer=submission.submitted_by,
        agency=submission.submitted_by.agency,
        submission=submission,
        reference=f"FD-2026-{Referral.objects.count() + 800000:06d}",
    )
    referral.child_first_name = "Same"
    return referral


def test_a_referral_and_its_version_are_written_as_save_writes_them():
    submission = SubmissionFactory()
    by = submission.submitted_by
    saved = _unsaved_referral(submission)
    saved._history_user = by
    saved.save()
    inserted = _unsaved_referral(submission)

    with CaptureQueriesContext(connection) as queries:
        inserts.insert_with_history([inserted], by=by)

    # The row and its version: one statement on PostgreSQL (WITH ... INSERT), two on SQLite.
    assert len(queries.captured_queries) == TOGETHER
    assert inserted.pk is not None and not inserted._state.adding
    assert inserted._state.db == "default"
    assert _row(Referral, inserted.pk) == _row(Referral, saved.pk)
    assert _versions(Referral, inserted.pk) == _versions(Referral, saved.pk)
    [version] = _versions(Referral, inserted.pk)
    assert version["history_type"] == "+"
    assert version["history_user_id"] == by.pk
    assert version["history_change_reason"] is None


def test_rows_and_versions_are_written_as_bulk_create_with_history_writes_them():
    referral = ReferralFactory()
    by = UserFactory()
    [bulk] = bulk_create_with_history(
        [HouseholdMember(referral=referral, name="Sam", relationship="Father")],
        HouseholdMember,
        default_user=by,
    )
    members = [
        HouseholdMember(referral=referral, name="Sam", relationship="Father"),
        HouseholdMember(referral=referral, name="Jo", relationship="Aunt", known_risk="x"),
    ]

    with CaptureQueriesContext(connection) as queries:
        inserts.insert_with_history(members, by=by)

    assert len(queries.captured_queries) == TOGETHER  # both rows and both versions
    first, second = members
    # Each object has its own row's key, in order.
    assert HouseholdMember.objects.get(pk=second.pk).name == "Jo"
    assert _row(HouseholdMember, first.pk) == _row(HouseholdMember, bulk.pk)
    assert _versions(HouseholdMember, first.pk) == _versions(HouseholdMember, bulk.pk)
    assert _versions(HouseholdMember, second.pk)[0]["known_risk"] == "x"


def test_a_statement_is_made_once_per_model_and_row_count():
    by = UserFactory()
    inserts.insert([Submission(submitted_by=by)])
    made = dict(inserts._statements)

    inserts.insert([Submission(submitted_by=by)])
    inserts.insert([Submission(submitted_by=by), Submission(submitted_by=by)])

    assert inserts._statements[(Submission, 1, "default")] is made[(Submission, 1, "default")]
    assert (Submission, 2, "default") in inserts._statements
    assert Submission.objects.filter(submitted_by=by).count() == 4


def test_more_rows_than_are_kept_go_through_bulk_create():
    referral = ReferralFactory()
    members = [
        HouseholdMember(referral=referral, name=f"Person {n}", relationship="Cousin")
        for n in range(inserts.CACHED_ROWS + 1)
    ]
    before = dict(inserts._statements)

    inserts.insert(members)

    assert all(m.pk is not None for m in members)
    assert referral.household.count() == inserts.CACHED_ROWS + 1
    assert inserts._statements == before


def test_a_related_row_saved_after_it_was_assigned_is_refused_as_bulk_create_refuses_it():
    by = UserFactory()
    submission = Submission(submitted_by=by)
    referral = _unsaved_referral(SubmissionFactory(submitted_by=by))
    referral.submission = submission  # not saved yet

    with pytest.raises(ValueError, match="unsaved related object"):
        inserts.insert([referral])


def test_a_model_something_else_listens_to_is_refused():
    """``insert`` sends no pre_save or post_save: a model with a receiver besides
    simple-history's would silently miss it, so it is refused."""
    from django.db.models.signals import post_save

    from audit.models import AuditEvent

    def listener(**kwargs):
        pass  # pragma: no cover - never sent

    inserts._fields.pop(AuditEvent, None)
    post_save.connect(listener, sender=AuditEvent, weak=False)
    try:
        with pytest.raises(ValueError, match="receivers"):
            inserts.insert([AuditEvent(kind=AuditEvent.Kind.SUBMITTED)])
    finally:
        post_save.disconnect(listener, sender=AuditEvent)
        inserts._fields.pop(AuditEvent, None)
    assert inserts._listened_to(Referral) == []  # simple-history's own is allowed


def _models_a_submission_writes():
    from audit.models import AuditEvent
    from notices.models import NoticeEvent, Notification
    from referrals.models import IdempotencyRecord, ReferralConcern

    tracked = (Referral, ReferralConcern, HouseholdMember)
    return [
        *tracked,
        *(model.history.model for model in tracked),
        Submission,
        AuditEvent,
        NoticeEvent,
        Notification,
        IdempotencyRecord,
    ]


SAMPLES = {str: ["", "Sam", "FD-2026-000001"], bool: [True, False], int: [0, 7, 2**40]}


def test_a_value_taken_as_it_is_is_what_django_would_have_prepared():
    """The fields whose values ``insert`` takes without Django's preparation: for each,
    Django's preparation gives back the same value, of the same type, for values of the
    type it is taken for (and None); and a value of another type goes through Django's."""
    plain_fields = 0
    for model in _models_a_submission_writes():
        for field, _attname, plain in inserts._preparation(model, connection):
            if plain is None:
                continue
            plain_fields += 1
            for value in [None, *SAMPLES[plain]]:
                django = field.get_db_prep_save(value, connection)
                assert django == value and type(django) is type(value), (field, value)
                assert inserts._prepared(field, value, plain, connection) is value
    assert plain_fields > 100  # the referral's text columns and its version's among them


def test_a_field_of_a_class_of_its_own_goes_through_djangos_preparation():
    from django.db import models

    class Upper(models.CharField):
        def get_prep_value(self, value):  # pragma: no cover - never called here
            return value.upper()

    assert inserts._passes_through(Upper(max_length=3), connection) is None
    assert inserts._passes_through(models.DateTimeField(), connection) is None
    assert inserts._passes_through(models.JSONField(), connection) is None
    assert inserts._passes_through(models.CharField(max_length=3), connection) is str


def test_rows_whose_versions_name_different_users_get_each_its_own():
    """The version's own values are one set a statement: rows that differ in them (one
    names another user) are written as before, the rows then their versions."""
    referral = ReferralFactory()
    by, other = UserFactory(), UserFactory()
    members = [
        HouseholdMember(referral=referral, name="Sam", relationship="Father"),
        HouseholdMember(referral=referral, name="Jo", relationship="Aunt"),
    ]
    members[1]._history_user = other

    with CaptureQueriesContext(connection) as queries:
        inserts.insert_with_history(members, by=by)

    assert len(queries.captured_queries) == 2  # the rows, then their versions
    assert [v["history_user_id"] for v in _versions(HouseholdMember, members[0].pk)] == [by.pk]
    assert [v["history_user_id"] for v in _versions(HouseholdMember, members[1].pk)] == [other.pk]


def test_each_row_gets_its_own_key_and_version_in_one_statement():
    referral = ReferralFactory()
    by = UserFactory()
    names = [f"Person {n}" for n in range(5)]
    members = [HouseholdMember(referral=referral, name=n, relationship="Cousin") for n in names]

    inserts.insert_with_history(members, by=by)

    assert [HouseholdMember.objects.get(pk=m.pk).name for m in members] == names
    for member in members:
        [version] = _versions(HouseholdMember, member.pk)
        assert version["name"] == member.name and version["history_type"] == "+"
        assert version["history_user_id"] == by.pk
