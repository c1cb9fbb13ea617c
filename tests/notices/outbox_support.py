"""What the outbox tests share (test_outbox.py, test_outbox_email_content.py,
test_outbox_delivery.py, test_outbox_recovery.py, test_inbox.py): a referral due at a
given moment, a clock scan run then, who was told, an email not yet handed to a worker,
and the synthetic case details no email may carry."""

from datetime import date, datetime, timedelta

import time_machine
from django.utils import timezone

from agencies.models import Role
from notices.models import NoticeKind, Notification
from tests.factories import ReferralFactory, UserFactory
from triage.services.notices import scan_clocks

DUE = datetime.fromisoformat("2026-03-10T12:00:00+00:00")
# What a scan reports about strategy discussions when there are none.
NO_DISCUSSION_NOTICES = dict.fromkeys(
    ("minutes_overdue", "child_seen_due_soon", "child_seen_missed", "action_overdue"), 0
)
EMAIL = Notification.Channel.EMAIL
INBOX = Notification.Channel.INBOX

# Distinctive, synthetic details that must never reach an email.
CHILD_FIRST = "Zephyrine"
CHILD_LAST = "Quillfeather"
CHILD_BORN = date(2017, 11, 23)
WORRY = "Unexplained burns on both hands noticed during swimming."
BORN_SPELLINGS = ["2017-11-23", "23/11/2017", "23 Nov", "23 November", "23.11.2017", "11/23/2017"]


def referral_due(at: datetime = DUE, **kwargs):
    return ReferralFactory(received_at=at - timedelta(hours=24), decision_due_at=at, **kwargs)


def scan(at: datetime, capture=None) -> dict:
    with time_machine.travel(at, tick=False):
        if capture is None:
            return scan_clocks()
        with capture(execute=True):
            return scan_clocks()


def recipients(kind: NoticeKind, channel=INBOX, referral=None) -> set:
    rows = Notification.objects.filter(kind=kind, channel=channel)
    if referral is not None:
        rows = rows.filter(event__referral_id=referral.pk)
    return set(rows.values_list("recipient__username", flat=True))


def usernames(*users) -> set:
    return {u.username for u in users}


def assert_no_case_details(text: str) -> None:
    for secret in [CHILD_FIRST, CHILD_LAST, WORRY, *BORN_SPELLINGS]:
        assert secret.lower() not in text.lower(), f"an email carries {secret!r}"


def pending_email() -> Notification:
    """An overdue notice to a new manager, raised just now, its email not yet handed to a
    worker (the test's transaction never commits)."""
    manager = UserFactory(role=Role.MANAGER)
    referral = referral_due(timezone.now() - timedelta(minutes=1))
    scan_clocks()
    return Notification.objects.get(
        channel=EMAIL, recipient=manager, event__referral_id=referral.pk
    )
