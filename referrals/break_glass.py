"""Break the glass: opening a closed record is outside a screener's or a manager's normal
scope. They state why first; the reason goes into the access log and the auditors are
alerted. On the website the reason then holds for that record for a short while, never
beyond the session; through the API each request carries its own reason (a header: see
``referrals.break_glass_api``).

A record is closed when nothing about the child is in hand: a referral decided more than
``BREAK_GLASS_CLOSED_AFTER_DAYS`` ago whose child has no open referral, or a child with
no open referral and none decided within those days (so the chronology a screener opens
from the case they have just decided is not "closed"). Records that hang from a referral
(its strategy discussions and challenges, in ``triage``) are closed when their referral
is and they themselves are settled that long ago (``long_ago``): their rules are in
``triage.selectors``, on these.

The rules live here, in ``referrals``, so that the referral API can apply them; the pages
that ask for the reason are ``triage.break_glass_views``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from agencies.policy import Capability, breaks_glass_for_closed_records, users_with
from audit.models import AccessLog
from audit.services import log_access
from core import security_log
from core.text import clean_text
from notices.models import NoticeKind
from notices.services import raise_notice
from referrals.models import Referral, Status

SESSION_KEY = "break_glass"
REASON_MAX_CHARS = 2000
REASON_MIN_WORDS = 3
REASON_REQUIRED = "Say why you need to open this closed record"
REASON_TOO_THIN = "Give a reason of substance: a few words on why you need this record"
REASON_TOO_LONG = f"Keep the reason to {REASON_MAX_CHARS:,} characters or fewer"


class InvalidReason(ValueError):
    """The reason given is empty, too thin or too long: ``str(error)`` says which."""


def applies_to(user) -> bool:
    """Whether closed records are outside this user's normal scope (screeners and
    managers); auditors read everything as the oversight."""
    return breaks_glass_for_closed_records(user)


def clean_reason(text: str) -> str:
    """The reason as kept: control characters stripped, whitespace collapsed; at least
    ``REASON_MIN_WORDS`` words and at most ``REASON_MAX_CHARS`` characters. The web form
    and the API header take the same rules from here."""
    reason = " ".join(clean_text(text or "").split())
    if not reason:
        raise InvalidReason(REASON_REQUIRED)
    if len(reason) > REASON_MAX_CHARS:
        raise InvalidReason(REASON_TOO_LONG)
    if len(reason.split()) < REASON_MIN_WORDS:
        raise InvalidReason(REASON_TOO_THIN)
    return reason


# --- What is closed ----------------------------------------------------------------------


def closed_before(now: datetime) -> datetime:
    """The closed line: what was settled before it is long ago."""
    return now - timedelta(days=settings.BREAK_GLASS_CLOSED_AFTER_DAYS)


def long_ago(moment: datetime | None, *, now: datetime) -> bool:
    """Whether ``moment`` is further back than the closed line (a discussion held, a
    challenge resolved); None, something not settled, is never long ago."""
    return moment is not None and moment < closed_before(now)


def _child_has_recent_or_open(child_id: int, *, now: datetime) -> bool:
    return (
        Referral.objects.filter(child_id=child_id)
        .exclude(status=Status.DECIDED, decision__decided_at__lt=closed_before(now))
        .exists()
    )


def referral_is_closed(referral: Referral, *, now: datetime) -> bool:
    # ``decision`` is triage's Decision, reached by its reverse relation: referrals does
    # not import it.
    if referral.status != Status.DECIDED:
        return False
    decision = getattr(referral, "decision", None)
    if decision is None:
        return False
    if decision.decided_at >= closed_before(now):
        return False
    if referral.child_id is None:
        return True
    return (
        not Referral.objects.filter(child_id=referral.child_id)
        .exclude(status=Status.DECIDED)
        .exists()
    )


def closed_referrals(*, now: datetime, prefix: str = "") -> Q:
    """``referral_is_closed`` as a filter, for lists: ``prefix`` reaches the referral
    from another model (``"referral__"``)."""
    p = prefix
    open_about_child = Referral.objects.filter(child_id=OuterRef(f"{p}child_id")).exclude(
        status=Status.DECIDED
    )
    return Q(
        **{
            f"{p}status": Status.DECIDED,
            f"{p}decision__decided_at__lt": closed_before(now),
        }
    ) & (Q(**{f"{p}child__isnull": True}) | ~Exists(open_about_child))


def not_closed(*, user, closed: Q) -> Q | None:
    """What of a list ``user`` is shown: the records that are not closed (``closed``, a
    filter such as ``closed_referrals``) where break the glass applies to them, since a
    list would otherwise show what the record's own address asks a reason for (they open
    one by its id, with a reason); None, everything, for anyone else. A filter for a
    keyset page's rows (``referrals.pagination.page``'s ``keep``), which bounds how many
    it reads."""
    return ~closed if applies_to(user) else None


def keep_only_open(queryset: QuerySet, *, user, open_records: Q) -> QuerySet:
    """A list as ``user`` sees it, given the records that are not closed
    (``open_records``, such as triage.selectors.open_discussions) rather than those that
    are (``not_closed``): the form a list in newest-first keyset pages can test row by
    row cheaply."""
    return queryset.filter(open_records) if applies_to(user) else queryset


def child_is_closed(child_id: int, *, now: datetime) -> bool:
    return not _child_has_recent_or_open(child_id, now=now)


def _is_closed(kind: str, record, *, now: datetime) -> bool:
    if kind == AccessLog.Kind.REFERRAL:
        return referral_is_closed(record, now=now)
    return child_is_closed(record.pk, now=now)


# --- Grants on the website: held in the session ------------------------------------------


def _key(kind: str, object_id: int) -> str:
    return f"{kind}:{object_id}"


def is_granted(request, *, kind: str, object_id: int) -> bool:
    until = request.session.get(SESSION_KEY, {}).get(_key(kind, object_id))
    return until is not None and timezone.now().timestamp() < until


def hold(request, *, kind: str, object_id: int) -> None:
    """Let a reason given on the website hold for this record, in this session, for
    ``BREAK_GLASS_MINUTES``."""
    grants = dict(request.session.get(SESSION_KEY, {}))
    until = timezone.now() + timedelta(minutes=settings.BREAK_GLASS_MINUTES)
    grants[_key(kind, object_id)] = until.timestamp()
    request.session[SESSION_KEY] = grants


def asks(request, *, kind: str, object_id: int, closed: Callable[[], bool]) -> bool:
    """Whether the user must state a reason before the record is shown to them: break
    the glass applies to them, no reason holds for it in this session, and ``closed()``
    (asked last: it may read the database) says the record is closed."""
    if not applies_to(request.user):
        return False
    if is_granted(request, kind=kind, object_id=object_id):
        return False
    return closed()


def needs_reason(request, *, kind: str, record) -> bool:
    """``asks`` for a referral or a child."""
    return asks(
        request,
        kind=kind,
        object_id=record.pk,
        closed=lambda: _is_closed(kind, record, now=timezone.now()),
    )


def describe(kind: str, record) -> str:
    """How the notice and the page name the record: a reference or an id, never a name."""
    if kind == AccessLog.Kind.REFERRAL:
        return f"referral {record.reference}"
    return f"child record {record.pk}"


# --- Breaking the glass -------------------------------------------------------------------


def _alert_key(*, kind: str, object_id: int, user_id: int, at: datetime) -> str:
    """One alert per person, record and ``BREAK_GLASS_MINUTES`` of the clock: an API
    client sending its reason with every request does not flood the auditors (each
    request is still in the access log with its reason)."""
    window = int(at.timestamp()) // (settings.BREAK_GLASS_MINUTES * 60)
    return f"break-glass:{kind}:{object_id}:user:{user_id}:window:{window}"


@transaction.atomic
def break_glass(
    *, request, kind: str, record, reason: str, detail: dict | None = None
) -> AccessLog:
    """Open a closed record with a stated reason: log it (the reason kept with the
    access; the security log names the record by id only) and alert every auditor (a
    reference and a link only), at most once per person, record and
    ``BREAK_GLASS_MINUTES``. ``detail`` adds ids to the log row (the
    discussion or challenge the referral was opened for). The website then holds the
    grant in the session (``hold``); the API asks for the reason again each time."""
    entry = log_access(
        request=request,
        kind=AccessLog.Kind(kind),
        object_id=record.pk,
        break_glass_reason=reason,
        detail={"break_glass": True, **(detail or {})},
    )
    security_log.break_glass(user_id=request.user.pk, record=kind, record_id=record.pk)
    raise_notice(
        key=_alert_key(kind=kind, object_id=record.pk, user_id=request.user.pk, at=entry.at),
        kind=NoticeKind.BREAK_GLASS,
        recipients=users_with(Capability.VIEW_ACCESS_LOG),
        reference=describe(kind, record),
        due=entry.at,
        link=settings.BASE_URL + reverse("oversight:access-log") + "?break_glass=on",
        referral_id=record.pk if kind == AccessLog.Kind.REFERRAL else None,
    )
    return entry
