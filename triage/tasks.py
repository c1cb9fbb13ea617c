"""Celery tasks: thin. Each takes ids, and calls a service that checks the current
state first, so that a retry or a duplicate delivery does nothing harmful."""

from celery import shared_task

from triage.services import notifications, record_heartbeat


@shared_task(name="triage.tasks.heartbeat")
def heartbeat() -> None:
    """Sent by beat every minute and run by a worker: proof that both are alive."""
    record_heartbeat(name="worker")


@shared_task(
    name="triage.tasks.deliver_notification",
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(notifications.DeliveryFailed,),
    retry_backoff=5,
    retry_backoff_max=int(notifications.RETRY_BACKOFF_MAX.total_seconds()),
    retry_jitter=True,
    max_retries=8,
    soft_time_limit=30,
    time_limit=60,
)
def deliver_notification(self, notification_id: int) -> bool:
    return notifications.deliver(notification_id)


@shared_task(name="triage.tasks.scan_clocks", acks_late=True, soft_time_limit=50, time_limit=55)
def scan_clocks() -> dict:
    return notifications.scan_clocks()


@shared_task(name="triage.tasks.sweep_outbox", acks_late=True, soft_time_limit=50, time_limit=55)
def sweep_outbox() -> int:
    return notifications.sweep()
