"""Notice events under the retention schedule (oversight.retention.notice_events_due):
an event about no case, of a kind whose key cannot be made again
(``EVENTS_THAT_CANNOT_RECUR``), older than ``RETENTION_NOTIFICATION_DAYS`` and with no
notification left to keep, is erased by ``retention_erase``; an event about a case stays
while its case does (it is what stops the notice being raised twice), and goes with it
(oversight.erasure). And a failed email goes by when it was written."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.core.management import call_command

from agencies.models import Role
from notices.models import NoticeEvent, NoticeKind, Notification
from oversight import retention
from tests import factories as f
from tests.oversight.retention_cases import at

pytestmark = pytest.mark.django_db

WRITTEN = datetime(2026, 3, 2, 9, tzinfo=UTC)
LATER = WRITTEN + timedelta(days=400)

Status = Notification.Status
Channel = Notification.Channel

# Every kind whose event names a case, and goes with it: its key is the case's id (or a
# request's, a challenge's, a discussion's, an action's), asked for before each raise.
ABOUT_A_CASE = {
    NoticeKind.ACKNOWLEDGEMENT,
    NoticeKind.DUE_SOON,
    NoticeKind.OVERDUE,
    NoticeKind.ESCALATION,
    NoticeKind.FEEDBACK,
    NoticeKind.FEEDBACK_AMENDED,
    NoticeKind.INFORMATION_REQUEST,
    NoticeKind.INFORMATION_REQUEST_OVERDUE,
    NoticeKind.CHALLENGE_RAISED,
    NoticeKind.CHALLENGE_ESCALATED,
    NoticeKind.CHALLENGE_REPLY,
    NoticeKind.CHALLENGE_STAGE_OVERDUE,
    NoticeKind.CHALLENGE_RESOLVED,
    NoticeKind.MINUTES_OVERDUE,
    NoticeKind.ACTION_OVERDUE,
    NoticeKind.CHILD_SEEN_DUE_SOON,
    NoticeKind.CHILD_SEEN_MISSED,
}


@pytest.fixture(autouse=True)
def period(settings):
    settings.RETENTION_NOTIFICATION_DAYS = 365


def _erase() -> str:
    out = StringIO()
    call_command("retention_erase", yes=True, stdout=out)
    return out.getvalue()


def _event(kind, *, referral_id=None, **fields) -> NoticeEvent:
    with at(WRITTEN):
        return f.NoticeEventFactory(kind=kind, referral_id=referral_id, **fields)


def _exists(event: NoticeEvent) -> bool:
    return NoticeEvent.objects.filter(pk=event.pk).exists()


def test_every_kind_is_either_about_a_case_or_one_whose_key_cannot_recur():
    """A new kind is kept for ever until someone reads its key and puts it in one list or
    the other (with its reason, in oversight/retention.py)."""
    assert not ABOUT_A_CASE & retention.EVENTS_THAT_CANNOT_RECUR
    # Break-glass names a referral or a child: about a referral it goes with its case.
    assert set(NoticeKind) == ABOUT_A_CASE | retention.EVENTS_THAT_CANNOT_RECUR


@pytest.mark.parametrize("kind", sorted(retention.EVENTS_THAT_CANNOT_RECUR))
def test_an_old_event_about_no_case_whose_key_cannot_recur_is_erased(kind):
    event = _event(kind)

    with at(LATER):
        text = _erase()

    assert not _exists(event)
    assert "notice events: 1" in text


def test_an_event_inside_its_period_is_kept():
    event = _event(NoticeKind.SIGN_IN_LOCKED)

    with at(WRITTEN + timedelta(days=364)):
        _erase()

    assert _exists(event)


def test_an_event_with_a_notification_still_kept_is_kept():
    """Its pending email (never due), or an inbox notice delivered inside the period."""
    waiting = _event(NoticeKind.PASSWORD_CHANGED)
    recent = _event(NoticeKind.RATE_LIMITED)
    with at(WRITTEN):
        f.NotificationFactory(
            event=waiting, channel=Channel.EMAIL, status=Status.PENDING, sent_at=None
        )
    with at(LATER - timedelta(days=10)):
        f.NotificationFactory(event=recent)

    with at(LATER):
        _erase()

    assert _exists(waiting) and _exists(recent)


def test_an_event_whose_notifications_are_due_goes_with_them_in_one_run():
    event = _event(NoticeKind.SIGN_IN_LOCKED)
    with at(WRITTEN):
        f.NotificationFactory(event=event, recipient=f.UserFactory(role=Role.ADMIN))

    with at(LATER):
        plan = retention.due()
        text = _erase()

    assert (plan.notifications, plan.notice_events) == (1, 1)
    assert not _exists(event)
    assert "notifications: 1" in text and "notice events: 1" in text


@pytest.mark.parametrize("kind", sorted(ABOUT_A_CASE))
def test_an_old_event_about_a_case_stays_while_its_case_does(kind):
    event = _event(kind, referral_id=f.ReferralFactory().pk)

    with at(LATER):
        _erase()

    assert _exists(event)


def test_a_break_glass_event_about_a_referral_stays_with_its_case_and_one_about_a_child_goes():
    referral = f.ReferralFactory()
    about_the_referral = _event(NoticeKind.BREAK_GLASS, referral_id=referral.pk)
    about_a_child = _event(NoticeKind.BREAK_GLASS)

    with at(LATER):
        _erase()

    assert _exists(about_the_referral)
    assert not _exists(about_a_child)


def test_an_event_of_a_kind_about_a_case_is_kept_even_with_no_case_id():
    """Were one ever written with no id, its kind still says its key is a case's: kept."""
    event = _event(NoticeKind.OVERDUE)

    with at(LATER):
        _erase()

    assert _exists(event)


def test_erasing_the_old_events_never_lets_an_overdue_notice_be_raised_twice():
    """The scan asks whether ``overdue:<referral>`` was told before raising it: a year
    on, with the notifications erased, the undecided referral's event is still there, and
    the scan raises nothing again."""
    from triage.services.notices import scan_clocks

    f.UserFactory(role=Role.MANAGER, email="")  # told in the inbox alone
    with at(WRITTEN):
        referral = f.ReferralFactory()
    with at(WRITTEN + timedelta(hours=25)):
        scan_clocks()
    told = NoticeEvent.objects.get(kind=NoticeKind.OVERDUE, referral_id=referral.pk)
    locked = _event(NoticeKind.SIGN_IN_LOCKED)

    with at(LATER):
        text = _erase()
        scan_clocks()

    assert "notifications:" in text and "notice events: 1" in text
    assert not _exists(locked)
    assert list(NoticeEvent.objects.filter(kind=NoticeKind.OVERDUE)) == [told]
    # Its notifications were delivered a year ago and erased; none was written again.
    assert not Notification.objects.filter(kind=NoticeKind.OVERDUE).exists()


def test_an_erased_alert_windows_key_is_not_made_again():
    """The same lockout alert, raised again after its event was erased, is a new window's
    key: the old one never comes round (a window a year past)."""
    from notices import receivers

    f.UserFactory(role=Role.ADMIN, email="")  # in the inbox alone: nothing left to send
    with at(WRITTEN):
        receivers.alert_administrators(
            sender=None, request=None, username="nobody", ip_address="203.0.113.66"
        )
    (first,) = NoticeEvent.objects.filter(kind=NoticeKind.SIGN_IN_LOCKED)

    with at(LATER):
        _erase()
        receivers.alert_administrators(
            sender=None, request=None, username="nobody", ip_address="203.0.113.66"
        )

    (second,) = NoticeEvent.objects.filter(kind=NoticeKind.SIGN_IN_LOCKED)
    assert second.key != first.key


def test_a_failed_email_goes_by_when_it_was_written_and_a_recent_one_stays():
    with at(WRITTEN):
        old = f.NotificationFactory(
            channel=Channel.EMAIL, status=Status.FAILED, sent_at=None, last_error="relay"
        )
    with at(LATER - timedelta(days=30)):
        recent = f.NotificationFactory(
            channel=Channel.EMAIL, status=Status.FAILED, sent_at=None, last_error="relay"
        )
    with at(WRITTEN):
        feedback = f.NotificationFactory(
            event=f.NoticeEventFactory(kind=NoticeKind.FEEDBACK),
            channel=Channel.EMAIL,
            status=Status.FAILED,
            sent_at=None,
        )

    with at(LATER):
        _erase()

    left = set(Notification.objects.values_list("pk", flat=True))
    assert old.pk not in left
    assert {recent.pk, feedback.pk} <= left
