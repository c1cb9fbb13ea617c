"""Checks behind /health/: does the database answer, does the broker answer, is the
outbox moving, and (in the details alone) have emails failed for good lately."""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import connection
from kombu import Connection

from notices.models import Heartbeat, Notification

logger = logging.getLogger("frontdoor.health")


def check_database() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any failure to answer means unhealthy
        logger.warning("health: database did not answer (%s)", type(exc).__name__)
        return {"ok": False, "error": type(exc).__name__}
    return {"ok": True, "vendor": connection.vendor}


def check_broker() -> dict:
    url = settings.CELERY_BROKER_URL
    transport = url.split("://", 1)[0]
    try:
        with Connection(
            url,
            transport_options=settings.CELERY_BROKER_TRANSPORT_OPTIONS,
            connect_timeout=settings.HEALTH_BROKER_TIMEOUT_SECONDS,
        ) as conn:
            conn.ensure_connection(
                max_retries=1,
                interval_start=0,
                interval_step=0,
                timeout=settings.HEALTH_BROKER_TIMEOUT_SECONDS,
            )
            # Opening a channel proves the broker answers, not only that a socket opened.
            conn.default_channel  # noqa: B018
    except Exception as exc:
        logger.warning("health: broker did not answer (%s)", type(exc).__name__)
        return {"ok": False, "transport": transport, "error": type(exc).__name__}
    return {"ok": True, "transport": transport}


def worker_heartbeat() -> dict:
    heartbeat = Heartbeat.objects.filter(name="worker").first()
    return {"last_heartbeat_at": heartbeat.last_run_at.isoformat() if heartbeat else None}


def check_notices(now) -> dict:
    """Is the outbox moving? The oldest email not yet sent, and when the clocks were
    last scanned. Either one too old means alerts are not reaching people."""
    oldest = (
        Notification.objects.filter(
            channel=Notification.Channel.EMAIL,
            status__in=[Notification.Status.PENDING, Notification.Status.SENDING],
        )
        .order_by("created_at")
        .values_list("created_at", flat=True)
        .first()
    )
    scan = Heartbeat.objects.filter(name="scan").values_list("last_run_at", flat=True).first()
    pending_age = (now - oldest).total_seconds() if oldest else 0
    problems = []
    if oldest and now - oldest > settings.HEALTH_MAX_PENDING_AGE:
        problems.append("oldest pending notice is too old")
    if scan is None or now - scan > settings.HEALTH_MAX_SCAN_AGE:
        problems.append("the clocks have not been scanned recently")
    return {
        "ok": not problems,
        "oldest_pending_seconds": round(pending_age),
        "last_scan_at": scan.isoformat() if scan else None,
        "problems": problems,
    }


def check_failed_emails(now) -> dict:
    """Emails that failed for good (their attempts spent, their recipient deactivated, or
    unsent too long and given up) in the last ``HEALTH_FAILED_EMAIL_WINDOW``, by their
    last attempt or when they were given up (``claimed_at``:
    ``manage.py notices --retry`` clears it, so a retried email counts again only if it
    fails again). Not ok while there is one: someone was not told something, perhaps an
    overdue alert about a child at risk.

    Reported in the details only; it does not make /health/ 503. A failure for good is
    something that happened, not a state of this process or of the system now: the mail
    server being down now already shows as the oldest pending email growing old (503
    after HEALTH_MAX_PENDING_AGE, long before the attempts run out); and a 503 held for a
    day after one address bounced would page someone about nothing they can mend from
    here, and take the web servers out of a balancer that reads it (docs/DEPLOYMENT.md)."""
    window = settings.HEALTH_FAILED_EMAIL_WINDOW
    count = Notification.objects.filter(
        channel=Notification.Channel.EMAIL,
        status=Notification.Status.FAILED,
        claimed_at__gte=now - window,
    ).count()
    return {"ok": count == 0, "count": count, "hours": round(window.total_seconds() / 3600)}
