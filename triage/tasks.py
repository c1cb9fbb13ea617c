from celery import shared_task

from triage.services import record_heartbeat


@shared_task(name="triage.tasks.heartbeat")
def heartbeat() -> None:
    """Sent by beat every minute and run by a worker: proof that both are alive."""
    record_heartbeat(name="worker")
