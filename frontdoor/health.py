"""Checks behind /health/: does the database answer, does the broker answer."""

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
