"""The notification outbox: notices written in the same transaction as their cause,
delivered by workers, never lost and never sent twice.

- ``raise_notice`` writes a NoticeEvent (unique key) and one Notification per person and
  channel, inside the caller's transaction. A second call with the same key does nothing.
- In-app notices are delivered when written. Email notices are sent by ``deliver``,
  which claims the row with a conditional UPDATE first, so that of two workers only one
  sends it; a row already sent is never sent again.
- ``sweep`` re-dispatches notices whose broker message was lost, or whose worker died
  holding them; ``scan_clocks`` raises due-soon, overdue, escalation and
  information-request notices from index-backed queries over open items only.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from agencies.models import Role, User
from agencies.policy import ROLE_CAPABILITIES, Capability
from referrals.models import InformationRequest, Referral, Status
from triage.mail import NOTICE_HEADER
from triage.models import NoticeEvent, NoticeKind, Notification
from triage.services import record_heartbeat

logger = logging.getLogger("frontdoor.notices")

# What each notice says. Only a reference and a link: safeguarding details never travel
# in notices or email bodies, and nor do children's names.
TEXT = {
    NoticeKind.ACKNOWLEDGEMENT: (
        "Referral {reference} received",
        "Your referral {reference} has been received. A decision is due by {due}.",
    ),
    NoticeKind.DUE_SOON: (
        "Referral {reference}: decision due soon",
        "Referral {reference} needs a decision by {due}.",
    ),
    NoticeKind.OVERDUE: (
        "Referral {reference}: decision overdue",
        "Referral {reference} is past its decision time ({due}) and needs a decision now.",
    ),
    NoticeKind.ESCALATION: (
        "Referral {reference}: decision still overdue",
        "Referral {reference} was due a decision at {due} and is still undecided.",
    ),
    NoticeKind.FEEDBACK: (
        "Referral {reference}: decision made",
        "A decision has been made on your referral {reference}. Sign in to read it.",
    ),
    NoticeKind.INFORMATION_REQUEST: (
        "Information request for referral {reference}",
        "The front door has asked your agency for information about referral {reference}. "
        "Please answer by {due}.",
    ),
    NoticeKind.INFORMATION_REQUEST_OVERDUE: (
        "Information request overdue: referral {reference}",
        "The front door's request for information about referral {reference} was due at "
        "{due} and has not been answered.",
    ),
}


def _local(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%a %d %b %Y at %H:%M")


def raise_notice(
    *,
    key: str,
    kind: NoticeKind,
    recipients: Iterable[User],
    referral: Referral,
    due: datetime,
    link: str,
    information_request: InformationRequest | None = None,
) -> NoticeEvent | None:
    """Write a notice for each recipient, in the caller's transaction; once per key."""
    event, created = NoticeEvent.objects.get_or_create(
        key=key,
        defaults={"kind": kind, "referral": referral, "information_request": information_request},
    )
    if not created:
        return None
    subject, body = TEXT[kind]
    words = {"reference": referral.reference, "due": _local(due)}
    now = timezone.now()
    rows = []
    for person in {p.pk: p for p in recipients if p.is_active}.values():
        common = {
            "event": event,
            "kind": kind,
            "recipient": person,
            "link": link,
            "subject": subject.format(**words),
            "body": body.format(**words),
            "created_at": now,
        }
        rows.append(
            Notification(
                channel=Notification.Channel.INBOX,
                status=Notification.Status.SENT,
                sent_at=now,
                **common,
            )
        )
        if person.email:
            rows.append(Notification(channel=Notification.Channel.EMAIL, **common))
    created_rows = Notification.objects.bulk_create(rows)
    emails = [n.pk for n in created_rows if n.channel == Notification.Channel.EMAIL]
    if emails:
        transaction.on_commit(lambda: dispatch(emails))
    return event


def dispatch(notification_ids: Iterable[int]) -> None:
    """Hand emails to the workers. If the broker cannot take them now, the sweeper will:
    the rows are already safe in the database."""
    from triage.tasks import deliver_notification

    for notification_id in notification_ids:
        try:
            deliver_notification.delay(notification_id)
        except SoftTimeLimitExceeded:
            raise
        except Exception as exc:  # the broker is down: the sweeper re-dispatches
            logger.warning(
                "notice %s not dispatched (%s); the sweeper will retry",
                notification_id,
                type(exc).__name__,
            )


# --- Who is told ----------------------------------------------------------------------


def roles_with(capability: Capability) -> list[str]:
    return [role.value for role, held in ROLE_CAPABILITIES.items() if capability in held]


def managers() -> list[User]:
    """Every active user who receives overdue alerts. Nobody can opt out."""
    return list(
        User.objects.filter(is_active=True, role__in=roles_with(Capability.RECEIVE_OVERDUE_ALERTS))
    )


def heads_of_service() -> list[User]:
    return list(
        User.objects.filter(is_active=True, username__in=settings.HEAD_OF_SERVICE_USERNAMES)
    )


def escalation_recipients() -> list[User]:
    """The head-of-service list; while none is configured, the managers, so that an
    escalation is never sent to nobody."""
    return heads_of_service() or managers()


def partners_of(agency_id: int) -> list[User]:
    return list(User.objects.filter(is_active=True, agency_id=agency_id, role=Role.PARTNER))


def _referral_link(referral: Referral) -> str:
    return settings.BASE_URL + reverse("triage:referral", args=[referral.pk])


# --- Notices raised by events ---------------------------------------------------------


def acknowledge(referral: Referral) -> None:
    if referral.referrer_id is None:
        return
    raise_notice(
        key=f"acknowledgement:{referral.pk}",
        kind=NoticeKind.ACKNOWLEDGEMENT,
        recipients=[referral.referrer],
        referral=referral,
        due=referral.decision_due_at,
        link=settings.BASE_URL + reverse("referrals:mine"),
    )


def feedback(referral: Referral) -> None:
    if referral.referrer_id is None:
        return
    raise_notice(
        key=f"feedback:{referral.pk}",
        kind=NoticeKind.FEEDBACK,
        recipients=[referral.referrer],
        referral=referral,
        due=referral.decision_due_at,
        link=settings.BASE_URL + reverse("referrals:mine"),
    )


def information_requested(request: InformationRequest) -> None:
    raise_notice(
        key=f"information_request:{request.pk}",
        kind=NoticeKind.INFORMATION_REQUEST,
        recipients=partners_of(request.agency_id),
        referral=request.referral,
        due=request.due_at,
        information_request=request,
        link=settings.BASE_URL + reverse("requests:detail", args=[request.pk]),
    )


# --- Scans ----------------------------------------------------------------------------


def _open_referrals():
    return Referral.objects.exclude(status=Status.DECIDED)


def scan_clocks(*, now: datetime | None = None) -> dict[str, int]:
    """Raise every notice that is due. Safe to run twice, or on two machines at once:
    each notice's unique key lets it be raised only once."""
    now = now or timezone.now()
    counts = {}
    due_soon = (
        _open_referrals()
        .filter(decision_due_at__gt=now, decision_due_at__lte=now + settings.DUE_SOON)
        .exclude(notice_events__kind=NoticeKind.DUE_SOON)
    )
    counts["due_soon"] = _raise_for_referrals(due_soon, NoticeKind.DUE_SOON, managers)
    overdue = (
        _open_referrals()
        .filter(decision_due_at__lte=now)
        .exclude(notice_events__kind=NoticeKind.OVERDUE)
    )
    counts["overdue"] = _raise_for_referrals(overdue, NoticeKind.OVERDUE, managers)
    escalate = (
        _open_referrals()
        .filter(decision_due_at__lte=now - settings.ESCALATE_AFTER)
        .exclude(notice_events__kind=NoticeKind.ESCALATION)
    )
    counts["escalation"] = _raise_for_referrals(
        escalate, NoticeKind.ESCALATION, escalation_recipients
    )
    late_requests = (
        InformationRequest.objects.filter(answered_at__isnull=True, due_at__lte=now)
        .exclude(notice_events__kind=NoticeKind.INFORMATION_REQUEST_OVERDUE)
        .select_related("referral")
    )
    counts["information_request_overdue"] = 0
    for request in late_requests.iterator():
        with transaction.atomic():
            raised = raise_notice(
                key=f"information_request_overdue:{request.pk}",
                kind=NoticeKind.INFORMATION_REQUEST_OVERDUE,
                recipients=partners_of(request.agency_id),
                referral=request.referral,
                due=request.due_at,
                information_request=request,
                link=settings.BASE_URL + reverse("requests:detail", args=[request.pk]),
            )
        counts["information_request_overdue"] += raised is not None
    record_heartbeat(name="scan", at=now)
    return counts


def _raise_for_referrals(queryset, kind: NoticeKind, recipients) -> int:
    raised = 0
    people = None
    for referral in queryset.only("pk", "reference", "decision_due_at").iterator():
        if people is None:
            people = recipients()  # resolved when the notice is created, from current users
        with transaction.atomic():
            # The referral may have been decided since the query ran: check again.
            current = Referral.objects.select_for_update().only("status").get(pk=referral.pk)
            if current.status == Status.DECIDED:
                continue
            raised += (
                raise_notice(
                    key=f"{kind}:{referral.pk}",
                    kind=kind,
                    recipients=people,
                    referral=referral,
                    due=referral.decision_due_at,
                    link=_referral_link(referral),
                )
                is not None
            )
    return raised


# --- Delivery -------------------------------------------------------------------------


class DeliveryFailed(Exception):
    """Sending failed this time; the task retries with back-off."""


# The longest the delivery task waits between attempts (its retry_backoff_max). Until a
# failed attempt is this old its retry is still to come, and the sweeper leaves it be.
RETRY_BACKOFF_MAX = timedelta(seconds=600)


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


def deliver(notification_id: int) -> bool:
    """Send one email notice if it still needs sending. True when this call sent it."""
    now = timezone.now()
    if not claim(notification_id, now=now):
        return False
    notice = Notification.objects.select_related("recipient").get(pk=notification_id)
    person = notice.recipient
    if not person.is_active or not person.email:
        Notification.objects.filter(pk=notice.pk).update(
            status=Notification.Status.FAILED, last_error="recipient deactivated or no email"
        )
        return False
    message = EmailMessage(
        subject=f"Front Door: {notice.subject}",
        body=f"{notice.body}\n\n{notice.link}\n\nThis is an automatic message from Front Door.",
        to=[person.email],
        headers={NOTICE_HEADER: f"{notice.event.key}-{person.pk}"},
    )
    try:
        message.send(fail_silently=False)
    except Exception as exc:
        give_up = notice.attempts >= settings.NOTICE_MAX_ATTEMPTS
        Notification.objects.filter(pk=notice.pk).update(
            status=Notification.Status.FAILED if give_up else Notification.Status.PENDING,
            last_error=f"{type(exc).__name__}: {exc}"[:2000],
        )
        logger.warning("notice %s: sending failed (attempt %s)", notice.pk, notice.attempts)
        if give_up:
            return False
        raise DeliveryFailed(str(exc)) from exc
    Notification.objects.filter(pk=notice.pk).update(
        status=Notification.Status.SENT, sent_at=timezone.now(), last_error=""
    )
    return True


def sweep(*, now: datetime | None = None, older_than_seconds: int = 60) -> int:
    """Re-dispatch emails that are pending (their broker message may be lost) or whose
    claim has expired (their worker died). A pending email that has been tried is left
    to its task's back-off until its retry is overdue: sweeping it every minute would
    spend its attempts in minutes while a mail server is down."""
    now = now or timezone.now()
    stale = timedelta(seconds=older_than_seconds)
    ids = list(
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
    dispatch(ids)
    record_heartbeat(name="sweep", at=now)
    return len(ids)
