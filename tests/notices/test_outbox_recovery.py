"""Notices that went astray: the sweeper that dispatches what no worker took or
finished, and the notices command that lists and retries stuck and failed ones."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from notices import delivery
from notices.delivery import DeliveryFailed, claim, deliver
from notices.models import Notification
from notices.tasks import sweep
from tests.notices.outbox_support import (
    DUE,
    assert_no_case_details,
    pending_email,
    referral_due,
    scan,
)

pytestmark = pytest.mark.django_db


# --- The sweeper ------------------------------------------------------------------------


def test_the_sweeper_dispatches_pending_emails_older_than_a_minute(mailoutbox):
    notice = pending_email()

    assert sweep(now=notice.created_at + timedelta(seconds=59)) == 0
    assert mailoutbox == []

    assert sweep(now=notice.created_at + timedelta(seconds=61)) == 1
    assert len(mailoutbox) == 1
    assert sweep(now=notice.created_at + timedelta(seconds=120)) == 0  # sent: left alone


def test_the_sweeper_takes_over_a_claim_whose_worker_died(settings, mailoutbox):
    notice = pending_email()
    claim(notice.pk, now=timezone.now() - settings.NOTICE_CLAIM_LEASE - timedelta(seconds=1))

    assert sweep() == 1

    notice.refresh_from_db()
    assert (notice.status, notice.attempts) == (Notification.Status.SENT, 2)
    assert len(mailoutbox) == 1


def test_the_sweeper_leaves_a_notice_waiting_for_its_retry_alone(settings, mailoutbox):
    # A failed attempt is retried by its task with back-off: were the sweeper to send it
    # again every minute, a mail server down for a few minutes would use up every attempt
    # and leave overdue alerts failed for good.
    settings.EMAIL_BACKEND = "tests.notices.outbox_harness.FailingBackend"
    notice = pending_email()
    with pytest.raises(DeliveryFailed):
        deliver(notice.pk)
    notice.refresh_from_db()

    assert sweep(now=notice.claimed_at + timedelta(minutes=5)) == 0
    notice.refresh_from_db()
    assert notice.attempts == 1


def test_the_sweeper_dispatches_a_failed_attempt_whose_retry_never_came(mailoutbox):
    notice = pending_email()
    Notification.objects.filter(pk=notice.pk).update(
        attempts=1, claimed_at=timezone.now(), last_error="SMTPServerDisconnected"
    )
    retry_overdue = timezone.now() + delivery.RETRY_BACKOFF_MAX + timedelta(seconds=61)

    assert sweep(now=retry_overdue) == 1

    notice.refresh_from_db()
    assert (notice.status, notice.attempts) == (Notification.Status.SENT, 2)
    assert len(mailoutbox) == 1


def test_the_sweeper_leaves_a_live_claim_alone(mailoutbox):
    notice = pending_email()
    claim(notice.pk, now=timezone.now() - timedelta(seconds=5))

    assert sweep() == 0
    assert mailoutbox == []


# --- The notices command ----------------------------------------------------------------


def test_the_notices_command_lists_stuck_and_failed_notices_without_names(settings):
    settings.EMAIL_BACKEND = "tests.notices.outbox_harness.FailingBackend"
    settings.NOTICE_MAX_ATTEMPTS = 1
    failed = pending_email()
    deliver(failed.pk)
    stuck = pending_email()
    Notification.objects.filter(pk=stuck.pk).update(
        created_at=timezone.now() - timedelta(minutes=20)
    )
    fresh = pending_email()
    out = StringIO()

    call_command("notices", stdout=out)

    lines = out.getvalue().splitlines()
    assert [line.split("\t")[:2] for line in lines] == [
        [str(stuck.pk), "pending"],  # oldest first
        [str(failed.pk), "failed"],
    ]
    assert str(fresh.pk) not in [line.split("\t")[0] for line in lines]
    for user in (failed.recipient, stuck.recipient):
        for private in (user.username, user.email, user.first_name, user.last_name):
            assert private not in out.getvalue()
    assert_no_case_details(out.getvalue())


def test_the_notices_command_retries_stuck_and_failed_notices(settings, mailoutbox):
    settings.EMAIL_BACKEND = "tests.notices.outbox_harness.FailingBackend"
    settings.NOTICE_MAX_ATTEMPTS = 1
    failed = pending_email()
    deliver(failed.pk)
    stuck = pending_email()
    Notification.objects.filter(pk=stuck.pk).update(
        created_at=timezone.now() - timedelta(minutes=20)
    )
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    out = StringIO()

    call_command("notices", "--retry", stdout=out)

    assert "2 notice(s) dispatched again." in out.getvalue()
    for notice in (failed, stuck):
        notice.refresh_from_db()
        assert (notice.status, notice.attempts) == (Notification.Status.SENT, 1)
    assert len(mailoutbox) == 2


def test_the_notices_command_says_when_nothing_is_stuck():
    out = StringIO()

    call_command("notices", stdout=out)

    assert out.getvalue().strip() == "No stuck or failed notices."


def test_the_notices_command_leaves_alone_a_notice_a_live_worker_is_sending(managers):
    referral_due()
    scan(DUE)
    email = Notification.objects.filter(channel="email").first()
    Notification.objects.filter(pk=email.pk).update(
        status="sending", claimed_at=timezone.now(), created_at=timezone.now() - timedelta(hours=1)
    )
    out = StringIO()

    call_command("notices", "--retry", stdout=out)

    email.refresh_from_db()
    assert email.status == "sending"
    assert f"{email.pk}\t" not in out.getvalue()
