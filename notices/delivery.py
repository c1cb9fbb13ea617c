"""Sending one email notice, exactly once; finding the notices the sweeper must resend;
giving up those that have waited too long; the heartbeats of the periodic jobs."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F, Q
from django.dispatch import Signal
from django.utils import timezone

from audit.models import EventKind
from audit.services import record_event
from notices.mail import NOTICE_HEADER
from notices.models import Heartbeat, Notification

logger = logging.getLogger("frontdoor.notices")


def record_heartbeat(*, name: str, at: datetime | None = None) -> Heartbeat:
    heartbeat, _ = Heartbeat.objects.update_or_create(
        name=name, defaults={"last_run_at": at or timezone.now()}
    )
    return heartbeat


class DeliveryFailed(Exception):
    """Sending failed this time; the task retries with back-off."""


# The longest the delivery task waits between attempts (its retry_backoff_max). Until a
# failed attempt is this old its retry is still to come, and the sweeper leaves it be.
RETRY_BACKOFF_MAX = timedelta(seconds=600)
# What the sweeper adds to a wait: it runs every minute, and takes a failed attempt whose
# retry never came a minute after its back-off (due_for_sweep's older_than_seconds).
SWEEP_SLACK = timedelta(minutes=2)


def longest_retry_schedule(*, max_attempts: int, lease: timedelta) -> timedelta:
    """The longest an email's attempts can take before the last one marks it failed: each
    comes within the back-off's longest wait of the one before (or, when a worker died
    holding it, within its claim's lease), and the sweeper's slack. Checked against
    ``EMAIL_GIVE_UP_AFTER`` at start-up (frontdoor.checks): the attempts must be spent
    long before an email is given up as stuck."""
    return max_attempts * (max(RETRY_BACKOFF_MAX, lease) + SWEEP_SLACK)


def claim(notification_id: int, *, now: datetime) -> bool:
    """Take a notice for sending: one conditional UPDATE, so exactly one worker wins.
    A notice claimed by a worker that died is taken over once its lease has run out."""
    lease_expired = now - settings.NOTICE_CLAIM_LEASE
    return bool(
        Notification.objects.filter(pk=notification_id, channel=Notification.Channel.EMAIL)
        .filter(
            Q(status=Notification.Status.PENDING)
            | Q(status=Notification.Status.SENDING, claimed_at__lt=lease_expired)
        )
        .update(status=Notification.Status.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    )


def _held(notification_id: int, claimed_at: datetime) -> Q:
    """The row as this delivery's claim left it: still ``sending`` under that claim. Every
    write a delivery makes after its claim is conditional on it, so that a notice given
    up meanwhile (``give_up_expired``, once the claim's lease has run out) or taken over
    by another worker is never overwritten by this one."""
    return Q(pk=notification_id, status=Notification.Status.SENDING, claimed_at=claimed_at)


def deliver(notification_id: int) -> bool:
    """Send one email notice if it still needs sending. True when this call sent it and
    marked it sent; False when it was not this call's to send, or the row stopped being
    this call's before it could be marked (``_sent_after_all``)."""
    now = timezone.now()
    if not claim(notification_id, now=now):
        return False
    held = _held(notification_id, now)
    notice = Notification.objects.select_related("recipient", "event").get(pk=notification_id)
    person = notice.recipient
    # The address the account had before, for the email that says it was changed.
    address = notice.address or person.email
    if not person.is_active or not address:
        _give_up(notice, error="recipient deactivated or no email", only_if=held)
        return False
    message = EmailMessage(
        subject=f"Front Door: {notice.subject}",
        body=f"{notice.body}\n\n{notice.link}\n\nThis is an automatic message from Front Door.",
        to=[address],
        headers={NOTICE_HEADER: f"{notice.event.key}-{person.pk}"},
    )
    try:
        message.send(fail_silently=False)
    except Exception as exc:
        give_up = notice.attempts >= settings.NOTICE_MAX_ATTEMPTS
        error = f"{type(exc).__name__}: {exc}"[:2000]
        logger.warning("notice %s: sending failed (attempt %s)", notice.pk, notice.attempts)
        if give_up:
            _give_up(notice, error=error, only_if=held)
            return False
        if not Notification.objects.filter(held).update(
            status=Notification.Status.PENDING, last_error=error
        ):
            # Given up or taken over meanwhile: its retry is not this delivery's to ask.
            return False
        raise DeliveryFailed(str(exc)) from exc
    detail = {"kind": notice.kind, "recipient": person.pk, "referral": notice.event.referral_id}
    with transaction.atomic():
        if Notification.objects.filter(held).update(
            status=Notification.Status.SENT, sent_at=timezone.now(), last_error=""
        ):
            record_event(
                kind=EventKind.NOTICE_SENT,
                object_type="notification",
                object_id=notice.pk,
                detail=detail,
            )
            return True
        _sent_after_all(notice, detail)
    return False


def _sent_after_all(notice: Notification, detail: dict) -> None:
    """The mail server took the email, but the row is no longer this delivery's: it was
    given up meanwhile (marked failed, the administrators told), or its claim's lease ran
    out and another worker took it over (which may send it again). The row is left as
    its new holder made it, never overwritten as sent; that the email went all the same
    is not hidden: the event says so, with the state the row was found in, and the log
    warns."""
    found = Notification.objects.filter(pk=notice.pk).values_list("status", flat=True).first()
    logger.warning(
        "notice %s: emailed, but it was %s meanwhile: left %s, not marked sent",
        notice.pk,
        "given up" if found == Notification.Status.FAILED else "taken over",
        found,
    )
    record_event(
        kind=EventKind.NOTICE_SENT,
        object_type="notification",
        object_id=notice.pk,
        detail={**detail, "marked_sent": False, "found": found},
    )


# Sent when an email has failed for good: ``notification`` (the row, with its recipient
# and event) and ``at``. notices.receivers answers it by telling the administrators in
# their inbox (services.tell_administrators_email_failed): a signal, because the
# services import the tasks, which import this module.
email_failed = Signal()


def _give_up(notice: Notification, *, error: str, only_if: Q | None = None, **changes) -> bool:
    """Mark an email failed for good (nothing sends it again but ``manage.py notices
    --retry``) and say so (``email_failed``: the administrators are told). The mark stands
    whatever happens to the telling: a failure to tell is logged, and /health/'s details
    count the failed emails anyway. ``only_if``: a condition on the row, in the same
    UPDATE, for a caller that holds no claim on it (``give_up_expired``); False, and
    nobody told, when the row no longer meets it. ``changes``: more columns to set."""
    rows = Notification.objects.filter(pk=notice.pk)
    if only_if is not None:
        rows = rows.filter(only_if)
    if not rows.update(status=Notification.Status.FAILED, last_error=error, **changes):
        return False
    logger.warning("notice %s: failed for good after %s attempt(s)", notice.pk, notice.attempts)
    answers = email_failed.send_robust(sender=Notification, notification=notice, at=timezone.now())
    for _receiver, answer in answers:
        if isinstance(answer, Exception):
            logger.warning(
                "notice %s: administrators not told of its failure (%s)",
                notice.pk,
                type(answer).__name__,
            )
    return True


def due_for_sweep(*, now: datetime, older_than_seconds: int = 60) -> list[int]:
    """Re-dispatch emails that are pending (their broker message may be lost) or whose
    claim has expired (their worker died). A pending email that has been tried is left
    to its task's back-off until its retry is overdue: sweeping it every minute would
    spend its attempts in minutes while a mail server is down."""
    stale = timedelta(seconds=older_than_seconds)
    return list(
        Notification.objects.filter(channel=Notification.Channel.EMAIL)
        .filter(
            Q(
                status=Notification.Status.PENDING,
                created_at__lte=now - stale,
                claimed_at__isnull=True,
            )
            | Q(
                status=Notification.Status.PENDING,
                claimed_at__lte=now - RETRY_BACKOFF_MAX - stale,
            )
            | Q(
                status=Notification.Status.SENDING, claimed_at__lt=now - settings.NOTICE_CLAIM_LEASE
            )
        )
        .values_list("pk", flat=True)[:1000]
    )


def _expired(now: datetime) -> Q:
    """An email still to send that has waited longer than ``EMAIL_GIVE_UP_AFTER`` since it
    was written, or since ``manage.py notices --retry`` put it back (``retried_at``):
    pending, or sending under a claim past its lease (as ``claim`` takes one over: a live
    worker's claim is younger)."""
    cutoff = now - settings.EMAIL_GIVE_UP_AFTER
    return (
        Q(channel=Notification.Channel.EMAIL, created_at__lt=cutoff)
        & (Q(retried_at__isnull=True) | Q(retried_at__lt=cutoff))
        & (
            Q(status=Notification.Status.PENDING)
            | Q(
                status=Notification.Status.SENDING, claimed_at__lt=now - settings.NOTICE_CLAIM_LEASE
            )
        )
    )


def give_up_expired(*, now: datetime | None = None, limit: int = 1000) -> int:
    """Give up the emails that have waited too long to be sent (the relay down for days,
    no worker, a row left ``sending`` by a worker lost): each marked failed, "expired
    without being sent", and told to the administrators as any failure is (``_give_up``).
    Each row by one conditional UPDATE on its status and age, so that one sent, or
    claimed by a live worker, meanwhile is left as it is (on PostgreSQL the UPDATE waits
    for a worker holding the row and checks the condition again on what it committed).
    ``claimed_at`` becomes the time it was given up, which /health/'s count of recent
    failures goes by. At most ``limit`` a run; how many were given up."""
    now = now or timezone.now()
    hours = round(settings.EMAIL_GIVE_UP_AFTER.total_seconds() / 3600)
    error = f"expired without being sent: still unsent {hours} hours after it was queued"
    condition = _expired(now)
    candidates = (
        Notification.objects.filter(condition).select_related("event").order_by("pk")[:limit]
    )
    given_up = 0
    for notice in candidates:
        if _give_up(notice, error=error, only_if=condition, claimed_at=now):
            given_up += 1
    return given_up
