"""Break the glass: opening a closed record is outside a screener's or a manager's normal
scope. They state why first; the reason goes into the access log and the auditors are
alerted; the reason then holds for that record for a short while, never beyond the
session.

A record is closed when nothing about the child is in hand: a referral decided more than
``BREAK_GLASS_CLOSED_AFTER_DAYS`` ago whose child has no open referral, or a child with
no open referral and none decided within those days (so the chronology a screener opens
from the case they have just decided is not "closed").
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from agencies.policy import Capability, breaks_glass_for_closed_records, users_with
from audit.models import AccessLog
from audit.services import log_access
from notices.models import NoticeKind
from notices.services import raise_notice
from referrals.models import Referral, Status

SESSION_KEY = "break_glass"


def _closed_before(now: datetime) -> datetime:
    return now - timedelta(days=settings.BREAK_GLASS_CLOSED_AFTER_DAYS)


def _child_has_recent_or_open(child_id: int, *, now: datetime) -> bool:
    return (
        Referral.objects.filter(child_id=child_id)
        .exclude(status=Status.DECIDED, decision__decided_at__lt=_closed_before(now))
        .exists()
    )


def referral_is_closed(referral: Referral, *, now: datetime) -> bool:
    decision = getattr(referral, "decision", None)
    if referral.status != Status.DECIDED or decision is None:
        return False
    if decision.decided_at >= _closed_before(now):
        return False
    if referral.child_id is None:
        return True
    return (
        not Referral.objects.filter(child_id=referral.child_id)
        .exclude(status=Status.DECIDED)
        .exists()
    )


def child_is_closed(child_id: int, *, now: datetime) -> bool:
    return not _child_has_recent_or_open(child_id, now=now)


def _key(kind: str, object_id: int) -> str:
    return f"{kind}:{object_id}"


def is_granted(request, *, kind: str, object_id: int) -> bool:
    until = request.session.get(SESSION_KEY, {}).get(_key(kind, object_id))
    return until is not None and timezone.now().timestamp() < until


def needs_reason(request, *, kind: str, record) -> bool:
    """Whether the user must state a reason before this record is shown to them."""
    if not breaks_glass_for_closed_records(request.user):
        return False
    now = timezone.now()
    if kind == AccessLog.Kind.REFERRAL:
        closed = referral_is_closed(record, now=now)
    else:
        closed = child_is_closed(record.pk, now=now)
    return closed and not is_granted(request, kind=kind, object_id=record.pk)


def describe(kind: str, record) -> str:
    """How the notice and the page name the record: a reference or an id, never a name."""
    if kind == AccessLog.Kind.REFERRAL:
        return f"referral {record.reference}"
    return f"child record {record.pk}"


@transaction.atomic
def break_glass(*, request, kind: str, record, reason: str) -> AccessLog:
    """Open a closed record with a stated reason: log it, alert every auditor (a
    reference and a link only), and let the reason hold for this record a while."""
    entry = log_access(
        request=request,
        kind=AccessLog.Kind(kind),
        object_id=record.pk,
        break_glass_reason=reason,
        detail={"break_glass": True},
    )
    raise_notice(
        key=f"break-glass:{entry.pk}",
        kind=NoticeKind.BREAK_GLASS,
        recipients=users_with(Capability.VIEW_ACCESS_LOG),
        reference=describe(kind, record),
        due=entry.at,
        link=settings.BASE_URL + reverse("oversight:access-log") + "?break_glass=on",
        referral_id=record.pk if kind == AccessLog.Kind.REFERRAL else None,
    )
    grants = dict(request.session.get(SESSION_KEY, {}))
    until = timezone.now() + timedelta(minutes=settings.BREAK_GLASS_MINUTES)
    grants[_key(kind, record.pk)] = until.timestamp()
    request.session[SESSION_KEY] = grants
    return entry
