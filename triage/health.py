"""Checks behind /health/: does the database answer, does the broker answer."""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import connection
from kombu import Connection

from triage.models import Heartbeat

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
