"""Writes to the audit records."""

from __future__ import annotations

from audit import inserts
from audit.models import AccessLog, AuditEvent


def client_address(request) -> str | None:
    """The address the request came from, as django-axes works it out (proxy-aware)."""
    from axes.helpers import get_client_ip_address

    return get_client_ip_address(request) or None


def log_access(
    *,
    request,
    kind: AccessLog.Kind,
    object_id: int | None,
    break_glass_reason: str = "",
    detail: dict | None = None,
) -> AccessLog:
    """Record that the signed-in user viewed a record (or searched for children). Written
    by ``inserts.insert`` (its INSERT made once), not ``objects.create()``, which compiled
    it afresh on every page: nothing listens to an access log row's saving."""
    user = request.user
    (row,) = inserts.insert(
        [
            AccessLog(
                user_id=user.pk,
                username=user.get_username(),
                role=getattr(user, "role", ""),
                kind=kind,
                object_id=object_id,
                path=request.path[:300],  # not the query string: searches carry names, dates
                ip_address=client_address(request),
                break_glass_reason=break_glass_reason,
                detail=detail or {},
            )
        ]
    )
    return row


def log_list(*, request, kind: AccessLog.Kind, ids: dict[str, list[int]]) -> AccessLog:
    """Record that the signed-in user was shown a list: one row for the page, naming what
    it showed by id (``{"referrals": [3, 7]}``), never one row per item."""
    return log_access(
        request=request,
        kind=kind,
        object_id=None,
        detail={key: [int(i) for i in values] for key, values in ids.items()},
    )


def record_event(
    *,
    kind: AuditEvent.Kind,
    by=None,
    referral=None,
    object_type: str = "",
    object_id: int | None = None,
    detail: dict | None = None,
) -> AuditEvent:
    """Append a significant event. Call it inside the transaction that makes the change,
    so that the event and the change are kept or lost together. ``by`` is None for what
    the system does itself (a notice sent by a worker)."""
    return AuditEvent.objects.create(
        kind=kind,
        actor_id=getattr(by, "pk", None),
        actor_username=by.get_username() if by is not None else "",
        actor_role=getattr(by, "role", "") if by is not None else "",
        referral_id=getattr(referral, "pk", None),
        reference=getattr(referral, "reference", "") or "",
        object_type=object_type,
        object_id=object_id,
        detail=detail or {},
    )


def record_events(
    *, kind: AuditEvent.Kind, by, referrals, detail: dict | None = None
) -> list[AuditEvent]:
    """The same event about each of several referrals (siblings referred together), in
    one statement (its SQL made once: ``audit.inserts``); as ``record_event``, inside the
    transaction that makes the change."""
    return inserts.insert(event_rows(kind=kind, by=by, referrals=referrals, detail=detail))


def event_rows(
    *, kind: AuditEvent.Kind, by, referrals, detail: dict | None = None
) -> list[AuditEvent]:
    """The events ``record_events`` writes, not yet written (for a caller that writes
    them with the change's other rows in one statement: ``audit.together``)."""
    return [
        AuditEvent(
            kind=kind,
            actor_id=by.pk,
            actor_username=by.get_username(),
            actor_role=getattr(by, "role", ""),
            referral_id=referral.pk,
            reference=referral.reference or "",
            detail=detail or {},
        )
        for referral in referrals
    ]
