"""``audit.together``: a referral submission's rows, their history versions, the audit
event and the acknowledgement's notice written in one statement on PostgreSQL are the
rows written table by table (``referrals.services._write_apart``, SQLite's way)."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from audit import together
from audit.models import AuditEvent
from notices.models import NoticeEvent, Notification
from notices.services import notice_rows
from referrals import services
from referrals.models import Channel, HouseholdMember, Referral, ReferralConcern, Submission
from tests.factories import UserFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="SQLite has no INSERT in a WITH clause"
    ),
]

CHILDREN = [
    {"child_first_name": name, "child_last_name": "Testfield", "child_date_of_birth": born}
    for name, born in (("Ava", date(2017, 4, 3)), ("Ben", date(2019, 1, 9)))
]
DETAILS = {
    "worry": "No food at home over the weekend.",
    "lived_experience": "Gets herself up and to school; no breakfast.",
    "child_voice": "'Mum stays in bed.'",
    "parental_consent": "consented",
}
HOUSEHOLD = [{"name": "Test Parent", "relationship": "mother", "lives_with_child": True}]

# What differs between two submissions, whichever way they are written.
APART = {
    "id",
    "history_id",
    "history_date",
    "reference",
    "submission_id",
    "referral_id",
    "event_id",
    "created_at",
    "received_at",
    "decision_due_at",
    "sent_at",
    "at",
}


def _same(values: dict) -> dict:
    return {k: v for k, v in values.items() if k not in APART}


def _written(referrals) -> dict:
    """Everything a submission wrote, less its keys and times, in a comparable form."""
    ids = [r.pk for r in referrals]
    submission = Submission.objects.filter(referrals__in=ids).distinct().values().get()
    events = NoticeEvent.objects.filter(referral_id__in=ids).order_by("pk")
    return {
        "submission": _same(submission),
        "referrals": [
            _same(v) for v in Referral.objects.filter(pk__in=ids).order_by("pk").values()
        ],
        "versions": [
            _same(v)
            for model in (Referral, ReferralConcern, HouseholdMember)
            for v in model.history.model.objects.filter(
                **({"id__in": ids} if model is Referral else {"referral_id__in": ids})
            )
            .order_by("history_id")
            .values()
        ],
        "concerns": [
            _same(v) for v in ReferralConcern.objects.filter(referral_id__in=ids).values()
        ],
        "household": [
            _same(v) for v in HouseholdMember.objects.filter(referral_id__in=ids).values()
        ],
        "audit": [
            {**_same(v), "detail": {**v["detail"], "submission": None}}
            for v in AuditEvent.objects.filter(referral_id__in=ids).order_by("pk").values()
        ],
        "notices": [{**_same(v), "key": v["key"].split(":")[0]} for v in events.values()],
        "notifications": [
            {**_same(v), "link": v["link"].rsplit("/", 2)[0], "subject": "", "body": ""}
            for v in Notification.objects.filter(event__in=events).order_by("pk").values()
        ],
    }


def _submit(by, **kwargs):
    return services.submit_referrals(
        by=by,
        children=CHILDREN,
        details=DETAILS,
        concerns=["neglect", "domestic_abuse"],
        household=HOUSEHOLD,
        channel=Channel.WEB,
        **kwargs,
    )


def test_a_submission_written_together_is_the_submission_written_apart(
    monkeypatch, django_capture_on_commit_callbacks
):
    by = UserFactory()
    with django_capture_on_commit_callbacks() as apart_callbacks:
        monkeypatch.setattr(together, "available", lambda alias: False)
        apart = _submit(by)
    monkeypatch.undo()
    with (
        django_capture_on_commit_callbacks() as together_callbacks,
        CaptureQueriesContext(connection) as queries,
    ):
        joined = _submit(by)

    statements = [q["sql"] for q in queries.captured_queries]
    # The keys, the references, then every row in one statement.
    assert [s.split()[0] for s in statements[-3:]] == ["SELECT", "SELECT", "WITH"]
    assert "nextval" in statements[-3] and "nextval" in statements[-2]
    assert _written(joined) == _written(apart)
    assert len(_written(joined)["versions"]) == 2 + 4 + 2  # referrals, concerns, household
    assert len(_written(joined)["notifications"]) == 4  # inbox and email for each child
    # The objects are as inserts leave them: keyed, saved, in their database.
    for obj in [*joined, *joined[0].concerns.all()]:
        assert obj.pk is not None and not obj._state.adding and obj._state.db == "default"
    assert joined[0].submission_id == joined[1].submission_id
    # Each child's email is handed to the workers at the commit, as apart.
    assert len(together_callbacks) == len(apart_callbacks) == 2


def test_on_behalf_of_a_caller_no_acknowledgement_is_written():
    screener = UserFactory(role="screener")

    made = services.submit_referrals(
        by=screener,
        children=CHILDREN[:1],
        details=DETAILS,
        concerns=["neglect"],
        channel=Channel.PHONE,
        caller_type="anonymous",
    )

    assert not NoticeEvent.objects.filter(referral_id=made[0].pk).exists()
    assert AuditEvent.objects.filter(referral_id=made[0].pk).count() == 1


def test_a_notice_whose_key_is_taken_writes_neither_event_nor_notifications(
    django_capture_on_commit_callbacks,
):
    person = UserFactory(email="someone@example.org")
    arguments = {
        "key": "taken:1",
        "kind": "acknowledgement",
        "recipients": [person],
        "reference": "FD-2026-000001",
        "due": person.date_joined,
        "link": "https://example.org/referrals/1/",
    }
    first, _ = notice_rows(**arguments)
    first.save()
    event, rows = notice_rows(**arguments)
    [event.pk] = together.take_keys("default", [(NoticeEvent, 1)])[0]

    with transaction.atomic():
        writes = together.Together("default")
        number = writes.add([event], unless_taken="key")
        following = writes.add(rows, only_if=number)
        written = writes.write()

    assert number not in written and following not in written
    assert NoticeEvent.objects.filter(key="taken:1").get().pk == first.pk
    assert not Notification.objects.exists()
    assert all(n.pk is None for n in rows)


def test_keys_taken_are_those_the_tables_would_have_given_next():
    [submission_keys, referral_keys] = together.take_keys(
        "default", [(Submission, 1), (Referral, 3)]
    )

    assert len(submission_keys) == 1 and len(referral_keys) == 3
    assert referral_keys == sorted(referral_keys)
    later = Submission.objects.create(submitted_by=UserFactory())
    assert later.pk > submission_keys[0]


def test_a_part_of_rows_with_their_own_history_user_is_refused():
    by = UserFactory()
    concern = ReferralConcern(category="neglect")
    concern._history_user = by
    writes = together.Together("default")

    with pytest.raises(ValueError, match="own history"):
        writes.add([concern], by=by)
