"""Delivering an email notice exactly once: the claim and its lease, a failing mail
server's retries, and giving up after the last attempt. Celery tasks run in this
process here (tests/conftest.py)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from notices.delivery import DeliveryFailed, claim, deliver
from notices.models import Notification
from notices.tasks import dispatch
from tests.notices.outbox_support import pending_email

pytestmark = pytest.mark.django_db


def test_delivering_the_same_notice_twice_sends_it_once(mailoutbox):
    notice = pending_email()

    assert deliver(notice.pk) is True
    assert deliver(notice.pk) is False

    assert len(mailoutbox) == 1
    notice.refresh_from_db()
    assert (notice.status, notice.attempts) == (Notification.Status.SENT, 1)
    assert notice.sent_at is not None


def test_a_duplicate_task_for_a_sent_notice_sends_nothing(mailoutbox):
    notice = pending_email()

    dispatch([notice.pk, notice.pk, notice.pk])

    assert len(mailoutbox) == 1


def test_only_one_claim_on_a_notice_succeeds():
    notice = pending_email()
    now = timezone.now()

    assert claim(notice.pk, now=now) is True
    assert claim(notice.pk, now=now) is False


def test_a_claim_held_past_its_lease_can_be_taken_over(settings):
    notice = pending_email()
    now = timezone.now()
    claim(notice.pk, now=now)

    assert claim(notice.pk, now=now + settings.NOTICE_CLAIM_LEASE - timedelta(seconds=1)) is False
    assert claim(notice.pk, now=now + settings.NOTICE_CLAIM_LEASE + timedelta(seconds=1)) is True
    notice.refresh_from_db()
    assert (notice.status, notice.attempts) == (Notification.Status.SENDING, 2)


def test_a_sent_notice_cannot_be_claimed_even_long_after(settings, mailoutbox):
    notice = pending_email()
    deliver(notice.pk)

    assert claim(notice.pk, now=timezone.now() + settings.NOTICE_CLAIM_LEASE * 10) is False


def test_a_failing_mail_server_leaves_the_notice_pending_with_its_error(settings, mailoutbox):
    settings.EMAIL_BACKEND = "tests.notices.outbox_harness.FailingBackend"
    notice = pending_email()

    with pytest.raises(DeliveryFailed):
        deliver(notice.pk)

    notice.refresh_from_db()
    assert notice.status == Notification.Status.PENDING
    assert notice.attempts == 1
    assert "SMTPServerDisconnected" in notice.last_error
    assert mailoutbox == []


def test_a_notice_fails_after_the_maximum_attempts(settings, mailoutbox):
    settings.EMAIL_BACKEND = "tests.notices.outbox_harness.FailingBackend"
    settings.NOTICE_MAX_ATTEMPTS = 3
    notice = pending_email()

    for _ in range(2):
        with pytest.raises(DeliveryFailed):
            deliver(notice.pk)
    assert deliver(notice.pk) is False  # the last attempt: marked failed, no more retries

    notice.refresh_from_db()
    assert (notice.status, notice.attempts) == (Notification.Status.FAILED, 3)
    assert "SMTPServerDisconnected" in notice.last_error
    assert deliver(notice.pk) is False  # a failed notice is left for an operator
    notice.refresh_from_db()
    assert notice.attempts == 3


def test_the_delivery_task_retries_until_the_notice_fails(settings, mailoutbox):
    settings.EMAIL_BACKEND = "tests.notices.outbox_harness.FailingBackend"
    settings.NOTICE_MAX_ATTEMPTS = 3
    notice = pending_email()

    dispatch([notice.pk])  # eager here: the task's retries run one after another

    notice.refresh_from_db()
    assert (notice.status, notice.attempts) == (Notification.Status.FAILED, 3)


def test_a_recovered_mail_server_sends_a_notice_that_failed_once(settings, mailoutbox):
    settings.EMAIL_BACKEND = "tests.notices.outbox_harness.FailingBackend"
    notice = pending_email()
    with pytest.raises(DeliveryFailed):
        deliver(notice.pk)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

    assert deliver(notice.pk) is True

    notice.refresh_from_db()
    assert (notice.status, notice.attempts, notice.last_error) == ("sent", 2, "")
    assert len(mailoutbox) == 1


def test_a_notice_to_someone_deactivated_since_is_not_sent(mailoutbox):
    notice = pending_email()
    notice.recipient.is_active = False
    notice.recipient.save()

    assert deliver(notice.pk) is False

    notice.refresh_from_db()
    assert notice.status == Notification.Status.FAILED
    assert mailoutbox == []
