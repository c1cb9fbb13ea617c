"""An email that has waited too long to be sent is given up (ASVS V8.3.8 and operations):
once ``FRONTDOOR_EMAIL_GIVE_UP_HOURS`` (72) have passed since it was written, or since
``manage.py notices --retry`` put it back, beat marks it failed, "expired without being
sent", and the administrators are told as of any failure; from then on retention treats
it as any failed email (tests/oversight/test_retention_notifications.py). Only an email
still to send, by one conditional UPDATE, so that one sent or claimed by a live worker
meanwhile is never marked failed."""

from __future__ import annotations

import smtplib
import threading
import time
from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
import time_machine
from django.conf import settings as django_settings
from django.core.mail import EmailMessage
from django.core.management import call_command
from django.db import connection, connections, transaction

from agencies.models import Role
from audit.models import AuditEvent, EventKind
from frontdoor import health
from frontdoor.celery import app
from notices import delivery, services
from notices.management.commands import notices as notices_command
from notices.models import NoticeEvent, NoticeKind, Notification
from notices.tasks import give_up_expired_emails
from referrals.services import acknowledge
from tests.factories import ReferralFactory, UserFactory

EMAIL = Notification.Channel.EMAIL
Status = Notification.Status
T0 = datetime(2026, 7, 1, 8, 0, tzinfo=UTC)
LIMIT = timedelta(hours=72)
EXPIRED = "expired without being sent"
DATABASE_IS_POSTGRES = connection.vendor == "postgresql"


@pytest.fixture
def admins():
    return [
        UserFactory(role=Role.ADMIN, email="admin.one@frontdoor.example"),
        UserFactory(role=Role.ADMIN, email="admin.two@frontdoor.example"),
    ]


def _email(*, written: datetime, status=Status.PENDING, **fields) -> Notification:
    """A referrer's acknowledgement email written at ``written``, then set to ``fields``."""
    with time_machine.travel(written, tick=False):
        referral = ReferralFactory()
        acknowledge(referral)
    notice = Notification.objects.get(channel=EMAIL, event__referral_id=referral.pk)
    Notification.objects.filter(pk=notice.pk).update(status=status, **fields)
    notice.refresh_from_db()
    return notice


def _alerts():
    return Notification.objects.filter(kind=NoticeKind.EMAIL_FAILED)


def _give_up(at: datetime) -> int:
    with time_machine.travel(at, tick=False):
        return give_up_expired_emails()


@pytest.mark.django_db
def test_a_pending_email_past_the_limit_is_given_up_and_the_administrators_told_once(
    admins, mailoutbox
):
    first = _email(written=T0)
    second = _email(written=T0 + timedelta(minutes=5))
    at = T0 + LIMIT + timedelta(minutes=10)

    assert _give_up(at) == 2

    for notice in (first, second):
        notice.refresh_from_db()
        assert notice.status == Status.FAILED
        assert notice.last_error.startswith(EXPIRED)
        assert "72 hours" in notice.last_error
        assert notice.claimed_at == at  # what /health/'s count of recent failures reads
    # Told as any failure is: once in the window, however many, in the inbox alone.
    (event,) = NoticeEvent.objects.filter(kind=NoticeKind.EMAIL_FAILED)
    assert {a.recipient for a in _alerts()} == set(admins)
    assert _alerts().count() == len(admins)
    assert _alerts().first().subject.startswith(f"Email could not be sent: email {first.pk} (")
    assert mailoutbox == []
    # Given up once: a second run finds nothing and tells nobody again.
    assert _give_up(at + timedelta(hours=2)) == 0
    assert NoticeEvent.objects.filter(kind=NoticeKind.EMAIL_FAILED).count() == 1
    assert health.check_failed_emails(at + timedelta(hours=1))["count"] == 2


@pytest.mark.django_db
def test_an_email_younger_than_the_limit_is_left_to_its_attempts(admins, settings):
    young = _email(written=T0 + timedelta(minutes=1))
    settings.EMAIL_GIVE_UP_AFTER = timedelta(hours=24)
    retried = _email(written=T0 - timedelta(days=10), retried_at=T0 + timedelta(minutes=2))

    assert _give_up(T0 + timedelta(hours=24)) == 0

    for notice in (young, retried):
        notice.refresh_from_db()
        assert (notice.status, notice.last_error) == (Status.PENDING, "")
    assert not _alerts().exists()
    # The setting is read when the task runs: a minute later the first is given up, and
    # the retried one a minute after that, by when it was put back, not when written.
    assert _give_up(T0 + timedelta(hours=24, minutes=1, seconds=1)) == 1
    assert _give_up(T0 + timedelta(hours=24, minutes=2, seconds=1)) == 1


@pytest.mark.django_db
def test_a_delivered_or_already_failed_email_is_never_given_up(admins):
    sent = _email(written=T0, status=Status.SENT, sent_at=T0)
    failed = _email(written=T0, status=Status.FAILED, last_error="relay refused")
    inbox = Notification.objects.filter(channel=Notification.Channel.INBOX).first()

    assert _give_up(T0 + timedelta(days=400)) == 0

    sent.refresh_from_db()
    failed.refresh_from_db()
    inbox.refresh_from_db()
    assert (sent.status, sent.last_error) == (Status.SENT, "")
    assert (failed.status, failed.last_error) == (Status.FAILED, "relay refused")
    assert inbox.status == Status.SENT
    assert not _alerts().exists()


@pytest.mark.django_db
def test_a_row_left_sending_is_given_up_once_its_claim_has_expired_never_while_held(admins):
    at = T0 + timedelta(days=5)
    lease = django_settings.NOTICE_CLAIM_LEASE
    held = _email(written=T0, status=Status.SENDING, claimed_at=at - lease + timedelta(seconds=5))
    lost = _email(written=T0, status=Status.SENDING, claimed_at=at - lease - timedelta(seconds=5))

    assert _give_up(at) == 1

    held.refresh_from_db()
    lost.refresh_from_db()
    assert held.status == Status.SENDING  # a live worker may be sending it now
    assert (lost.status, lost.last_error[: len(EXPIRED)]) == (Status.FAILED, EXPIRED)


@pytest.mark.parametrize(
    "meanwhile",
    [
        {"status": Status.SENT, "sent_at": T0 + timedelta(days=4)},
        {"status": Status.SENDING, "claimed_at": T0 + timedelta(days=4), "attempts": 1},
    ],
    ids=["sent", "claimed by a worker"],
)
@pytest.mark.django_db
def test_an_email_sent_or_claimed_after_it_was_read_as_due_is_not_marked_failed(admins, meanwhile):
    """The mark is conditional on the row as it is when written, not as it was read: a
    worker that claimed or sent the email between the task's read and its UPDATE wins."""
    at = T0 + timedelta(days=4)
    stale = _email(written=T0)
    Notification.objects.filter(pk=stale.pk).update(**meanwhile)

    with time_machine.travel(at, tick=False):
        told = delivery._give_up(stale, error=EXPIRED, only_if=delivery._expired(at), claimed_at=at)

    assert told is False
    stale.refresh_from_db()
    assert (stale.status, stale.last_error) == (meanwhile["status"], "")
    assert not _alerts().exists()


@pytest.mark.skipif(not DATABASE_IS_POSTGRES, reason="row locks: PostgreSQL's")
@pytest.mark.django_db(transaction=True)
def test_a_row_a_worker_is_sending_at_that_moment_is_not_clobbered(admins, monkeypatch):
    """A worker holds the row (it took over the expired claim and is recording it sent,
    not yet committed) while the task runs: the task's UPDATE waits for the row, then
    finds it sent and leaves it, and nobody is told."""
    monkeypatch.setattr(services, "dispatch", lambda ids: None)  # no eager send on commit
    now = T0 + timedelta(days=4)
    notice = _email(
        written=T0, status=Status.SENDING, claimed_at=now - timedelta(hours=1), attempts=1
    )
    holding, release = threading.Event(), threading.Event()
    result: dict = {}

    def worker():
        try:
            with transaction.atomic():
                Notification.objects.filter(pk=notice.pk).update(status=Status.SENT, sent_at=now)
                holding.set()
                release.wait(10)
        finally:
            connections.close_all()

    def task():
        try:
            result["given up"] = delivery.give_up_expired(now=now)
        finally:
            connections.close_all()

    first = threading.Thread(target=worker)
    first.start()
    assert holding.wait(10)
    second = threading.Thread(target=task)
    second.start()
    # The task's UPDATE is waiting for the worker's row lock.
    deadline = time.monotonic() + 10
    with connection.cursor() as cursor:
        while True:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                "AND query LIKE 'UPDATE%%notices_notification%%'"
            )
            if cursor.fetchone()[0] or time.monotonic() > deadline:
                break
            time.sleep(0.05)
    assert second.is_alive()
    release.set()
    first.join(10)
    second.join(10)

    assert result["given up"] == 0
    notice.refresh_from_db()
    assert (notice.status, notice.last_error) == (Status.SENT, "")
    assert not _alerts().exists()


@pytest.mark.django_db
def test_manage_notices_retry_sends_a_given_up_email_and_the_limit_runs_afresh(
    admins, monkeypatch, mailoutbox
):
    notice = _email(written=T0)
    assert _give_up(T0 + LIMIT + timedelta(minutes=1)) == 1
    mended = T0 + LIMIT + timedelta(hours=1)

    with monkeypatch.context() as patch:
        patch.setattr(notices_command, "dispatch", lambda ids: None)  # no worker yet
        with time_machine.travel(mended, tick=False):
            call_command("notices", "--retry", stdout=StringIO())

    notice.refresh_from_db()
    assert (notice.status, notice.retried_at, notice.attempts) == (Status.PENDING, mended, 0)
    # Written long ago, but put back just now: not given up again before a worker takes
    # it; the limit runs afresh from the retry.
    assert _give_up(mended + timedelta(minutes=20)) == 0
    assert _give_up(mended + LIMIT + timedelta(seconds=1)) == 1
    with time_machine.travel(mended + LIMIT + timedelta(minutes=5), tick=False):
        call_command("notices", "--retry", stdout=StringIO())
    notice.refresh_from_db()
    assert notice.status == Status.SENT
    assert len(mailoutbox) == 1


def test_the_default_limit_is_far_longer_than_the_attempts_take():
    """Each attempt is retried within the back-off's longest wait, or the sweeper's minute
    after it (or a claim's lease, when a worker dies): 8 attempts take under 2 hours."""
    per_attempt = max(delivery.RETRY_BACKOFF_MAX, django_settings.NOTICE_CLAIM_LEASE)
    attempts_take = django_settings.NOTICE_MAX_ATTEMPTS * (per_attempt + timedelta(minutes=2))

    assert django_settings.EMAIL_GIVE_UP_AFTER == LIMIT
    assert 10 * attempts_take < django_settings.EMAIL_GIVE_UP_AFTER


def test_beat_gives_up_expired_emails_every_ten_minutes():
    app.loader.import_default_modules()
    entry = django_settings.CELERY_BEAT_SCHEDULE["give-up-expired-emails"]

    assert entry == {"task": "notices.give_up_expired_emails", "schedule": 600.0}
    assert entry["task"] in app.tasks


def _meanwhile(monkeypatch, happen, *, then=None):
    """Make ``happen()`` run while the delivery is sending, between its claim and the
    mail server's answer (once: the alerts it writes are emails too); then the send
    goes through, or ``then`` is raised."""
    real_send = EmailMessage.send
    done: list = []

    def sending(message, *args, **kwargs):
        if not done:
            done.append(happen())
            if then is not None:
                raise then
        return real_send(message, *args, **kwargs)

    monkeypatch.setattr(EmailMessage, "send", sending)
    return done


def _claimed_at(notice: Notification):
    return Notification.objects.values_list("claimed_at", flat=True).get(pk=notice.pk)


@pytest.mark.django_db
def test_an_email_given_up_while_it_was_being_sent_is_not_marked_sent(
    admins, monkeypatch, mailoutbox
):
    """The delivery's claim outlived its lease while the mail server was slow, and beat
    gave the email up meanwhile (the administrators told): the mail server then took it.
    The row stays failed, as the administrators were told, not overwritten as sent; the
    event says honestly that it was emailed after all, and to which row state."""
    notice = _email(written=T0)
    done = _meanwhile(monkeypatch, lambda: delivery.give_up_expired(now=T0 + timedelta(days=4)))

    with time_machine.travel(T0 + timedelta(hours=1), tick=False):
        assert delivery.deliver(notice.pk) is False

    assert done == [1]
    notice.refresh_from_db()
    assert (notice.status, notice.sent_at) == (Status.FAILED, None)
    assert notice.last_error.startswith(EXPIRED)
    assert _alerts().count() == len(admins)
    assert [m.to for m in mailoutbox] == [[notice.recipient.email]]  # it did go
    event = AuditEvent.objects.get(kind=EventKind.NOTICE_SENT, object_id=notice.pk)
    assert event.detail["marked_sent"] is False
    assert event.detail["found"] == Status.FAILED


@pytest.mark.django_db
def test_an_email_taken_over_by_another_worker_while_being_sent_is_left_to_it(
    monkeypatch, mailoutbox
):
    notice = _email(written=T0)
    mine = T0 + timedelta(hours=1)
    theirs = mine + django_settings.NOTICE_CLAIM_LEASE + timedelta(seconds=1)
    done = _meanwhile(monkeypatch, lambda: delivery.claim(notice.pk, now=theirs))

    with time_machine.travel(mine, tick=False):
        assert delivery.deliver(notice.pk) is False

    assert done == [True]
    notice.refresh_from_db()
    assert (notice.status, notice.sent_at, _claimed_at(notice)) == (Status.SENDING, None, theirs)
    event = AuditEvent.objects.get(kind=EventKind.NOTICE_SENT, object_id=notice.pk)
    assert (event.detail["marked_sent"], event.detail["found"]) == (False, Status.SENDING)


@pytest.mark.django_db
def test_an_email_given_up_while_its_send_failed_is_not_put_back_to_retry(
    admins, monkeypatch, mailoutbox
):
    """The failure's way back to pending is conditional on the claim too: an email given
    up meanwhile is not brought back to be sent again, nor its task retried."""
    notice = _email(written=T0)
    done = _meanwhile(
        monkeypatch,
        lambda: delivery.give_up_expired(now=T0 + timedelta(days=4)),
        then=smtplib.SMTPServerDisconnected("relay went away"),
    )

    with time_machine.travel(T0 + timedelta(hours=1), tick=False):
        assert delivery.deliver(notice.pk) is False  # no DeliveryFailed: no retry

    assert done == [1]
    notice.refresh_from_db()
    assert notice.status == Status.FAILED
    assert notice.last_error.startswith(EXPIRED)
    assert not mailoutbox
