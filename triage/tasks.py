"""Celery tasks for the front door's clocks: thin, calling one service that checks the
current state first."""

from celery import shared_task

from triage.services import notices


@shared_task(name="triage.scan_clocks", acks_late=True, soft_time_limit=50, time_limit=55)
def scan_clocks() -> dict:
    return notices.scan_clocks()
