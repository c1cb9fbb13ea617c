"""Writes to the audit records."""

from __future__ import annotations

from audit.models import AccessLog


def client_address(request) -> str | None:
    """The address the request came from, as django-axes works it out (proxy-aware)."""
    from axes.helpers import get_client_ip_address

    return get_client_ip_address(request) or None


def log_access(
    *, request, kind: AccessLog.Kind, object_id: int | None, break_glass_reason: str = ""
) -> AccessLog:
    """Record that the signed-in user viewed a record (or searched for children)."""
    user = request.user
    return AccessLog.objects.create(
        user_id=user.pk,
        username=user.get_username(),
        role=getattr(user, "role", ""),
        kind=kind,
        object_id=object_id,
        path=request.path[:300],  # not the query string: searches carry names and dates
        ip_address=client_address(request),
        break_glass_reason=break_glass_reason,
    )
