"""Notifications under the retention schedule: ``retention_review`` counts and
``retention_erase`` erases the inbox notices and emails delivered, and the emails failed
for good written, longer ago than ``RETENTION_NOTIFICATION_DAYS``; never an email still
to send, never feedback to a referrer (it goes with its case); and then the notice events
left with no notification whose key cannot recur (the rules for those:
test_retention_notice_events.py). An email still to send is never erased, but is given
up once it has waited too long, and then goes as a failed email does. On PostgreSQL and
SQLite alike: the notification tables are plain tables, with no trigger."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from audit import triggers
from audit.db_roles import append_only_tables
from audit.models import AccessLog, AuditEvent, EventKind
from notices import delivery
from notices.models import NoticeEvent, NoticeKind, Notification
from oversight import retention
from oversight.triggers import history_tables
from tests import factories as f
from tests.oversight.retention_cases import at

pytestmark = pytest.mark.django_db

WRITTEN = datetime(2026, 3, 2, 9, tzinfo=UTC)
# A year and a bit later: past the default 365 days.
LATER = WRITTEN + timedelta(days=400)

Status = Notification.Status
Channel = Notification.Channel


def _notice(kind=NoticeKind.OVERDUE, *, about_a_case=True, **fields) -> Notification:
    event = f.NoticeEventFactory(kind=kind, **({} if about_a_case else {"referral_id": None}))
    return f.NotificationFactory(event=event, created_at=WRITTEN, **fields)


def _email(status, **fields) -> Notification:
    sent = {"sent_at": WRITTEN} if status == Status.SENT else {"sent_at": None}
    if status == Status.SENDING:
        fields.setdefault("claimed_at", WRITTEN)
    return _notice(channel=Channel.EMAIL, status=status, **sent, **fields)


def _erase() -> str:
    out = StringIO()
    call_command("retention_erase", yes=True, stdout=out)
    return out.getvalue()


@pytest.fixture
def outbox(settings):
    """One of each kind of row, all written on ``WRITTEN``."""
    settings.RETENTION_NOTIFICATION_DAYS = 365
    with at(WRITTEN):
        return {
            "read": _notice(sent_at=WRITTEN, read_at=WRITTEN + timedelta(hours=1)),
            "unread": _notice(sent_at=WRITTEN),
            "sent email": _email(Status.SENT),
            "not about a case": _notice(
                NoticeKind.SIGN_IN_LOCKED, about_a_case=False, sent_at=WRITTEN
            ),
            "to an account's owner": _notice(
                NoticeKind.PASSWORD_CHANGED, about_a_case=False, sent_at=WRITTEN
            ),
            "pending email": _email(Status.PENDING),
            "sending email": _email(Status.SENDING),
            "failed email": _email(Status.FAILED, last_error="relay refused"),
            "feedback": _notice(NoticeKind.FEEDBACK, sent_at=WRITTEN),
            "feedback by email": _email(Status.SENT, kind=NoticeKind.FEEDBACK),
            "amended feedback": _notice(NoticeKind.FEEDBACK_AMENDED, sent_at=WRITTEN),
        }


DELIVERED = {"read", "unread", "sent email", "not about a case", "to an account's owner"}
# Delivered, or failed for good: what goes once past the period.
DUE = DELIVERED | {"failed email"}
# The events of "not about a case" and "to an account's owner" (a sign-in locked, a
# password changed: keys that cannot recur) go once their notifications have gone.
EVENTS_DUE = 2


def _left(outbox) -> set[str]:
    kept = set(Notification.objects.values_list("pk", flat=True))
    return {name for name, row in outbox.items() if row.pk in kept}


def test_delivered_notifications_past_their_period_are_erased_and_no_other(outbox):
    events = NoticeEvent.objects.count()

    with at(LATER):
        text = _erase()

    assert _left(outbox) == set(outbox) - DUE
    assert "notifications: 6" in text
    # The events about a case stay: they keep a scan from raising the same notice again.
    assert NoticeEvent.objects.count() == events - EVENTS_DUE
    assert not NoticeEvent.objects.filter(referral_id__isnull=True).exists()
    assert "notice events: 2" in text


def test_a_notification_inside_its_period_is_kept(outbox, settings):
    with at(WRITTEN + timedelta(days=364)):
        assert "Nothing was due for erasure" in _erase()
    settings.RETENTION_NOTIFICATION_DAYS = 500
    with at(LATER):
        assert "Nothing was due for erasure" in _erase()

    assert _left(outbox) == set(outbox)


def test_an_unsent_email_is_never_erased_however_old(outbox):
    with at(WRITTEN + timedelta(days=365 * 30)):
        _erase()

    assert _left(outbox) == {
        "pending email",
        "sending email",
        "feedback",
        "feedback by email",
        "amended feedback",
    }
    assert (
        Notification.objects.filter(status=Status.SENT)
        .exclude(kind__in=retention.KEPT_WITH_THE_CASE)
        .count()
        == 0
    )


def test_an_email_given_up_for_waiting_too_long_then_goes_as_any_failed_email(outbox):
    """An email still to send is kept by retention however old, but not by the outbox:
    beat gives it up after FRONTDOOR_EMAIL_GIVE_UP_HOURS (notices.delivery), and it is
    then erased as a failed email is, by when it was written; a referrer's feedback
    given up stays with its case."""
    with at(WRITTEN):
        unsent_feedback = _email(Status.PENDING, kind=NoticeKind.FEEDBACK)

    with at(WRITTEN + timedelta(days=4)):
        assert delivery.give_up_expired() == 3
    with at(LATER):
        _erase()

    assert _left(outbox) == set(outbox) - DUE - {"pending email", "sending email"}
    unsent_feedback.refresh_from_db()
    assert unsent_feedback.status == Status.FAILED
    assert unsent_feedback.last_error.startswith("expired without being sent")


def test_the_erasure_of_notifications_leaves_an_audit_event_of_counts_and_runs_once(outbox):
    with at(LATER):
        _erase()
        again = _erase()

    first, second = AuditEvent.objects.filter(kind=EventKind.RECORDS_ERASED).order_by("pk")
    assert first.detail["erased"] == {"notifications": 6}
    assert second.detail["erased"] == {"notice events": 2}
    assert first.detail["schedule"]["notification_days"] == 365
    assert "Nothing was due for erasure; nothing erased." in again


def test_notifications_are_erased_in_batches_each_with_its_event(outbox):
    from oversight import erasure

    with at(LATER):
        erased = erasure.erase_due(log_batch=2)

    assert erased.counts == {"notifications": 6, "notice events": 2}
    events = AuditEvent.objects.filter(kind=EventKind.RECORDS_ERASED)
    assert sorted(e.detail["erased"].get("notifications", 0) for e in events) == [0, 2, 2, 2]
    assert sorted(e.detail["erased"].get("notice events", 0) for e in events) == [0, 0, 0, 2]


def test_the_review_counts_the_notifications_due_and_erases_none(outbox):
    out = StringIO()

    with at(LATER):
        plan = retention.due()
        call_command("retention_review", stdout=out)

    text = out.getvalue()
    assert (plan.notifications, plan.notice_events) == (6, 2)
    assert "Notifications delivered (or emails failed) before 2026-04-06: 6" in text
    assert "Notice events about no case from before 2026-04-06: 2" in text
    assert "notifications 365 days after they were delivered" in text
    assert "Nothing was erased" in text
    assert _left(outbox) == set(outbox)


def test_the_notification_tables_are_plain_tables_with_no_trigger():
    """Erasing them needs no owner and no erasure setting: the access log and the history
    tables have the trigger that keeps rows as written (the check has teeth), the
    notification tables do not, and are not among the append-only tables."""
    kept = triggers.kept_tables(connection)
    tables = {Notification._meta.db_table, NoticeEvent._meta.db_table}

    assert {AccessLog._meta.db_table, *history_tables()} <= kept
    assert not tables & kept
    assert not tables & set(append_only_tables())
