"""Celery tasks for the outbox: thin. Each takes ids and calls ``notices.delivery``,
which checks the current state first, so that a retry or a duplicate delivery does
nothing harmful."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.utils import timezone

from notices import delivery

logger = logging.getLogger("frontdoor.notices")


@shared_task(name="notices.heartbeat")
def heartbeat() -> None:
    """Sent by beat every minute and run by a worker: proof that both are alive."""
    delivery.record_heartbeat(name="worker")


@shared_task(
    name="notices.deliver_notification",
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(delivery.DeliveryFailed,),
    retry_backoff=5,
    retry_backoff_max=int(delivery.RETRY_BACKOFF_MAX.total_seconds()),
    retry_jitter=True,
    # The attempts that count are the row's (FRONTDOOR_NOTICE_MAX_ATTEMPTS): delivery
    # marks the notice failed and stops raising once they are spent.
    max_retries=None,
    soft_time_limit=30,
    time_limit=60,
)
def deliver_notification(self, notification_id: int) -> bool:
    return delivery.deliver(notification_id)


def dispatch(notification_ids: Iterable[int]) -> None:
    """Hand emails to the workers. If the broker cannot take them now, the sweeper will:
    the rows are already safe in the database."""
    for notification_id in notification_ids:
        try:
            deliver_notification.delay(notification_id)
        except SoftTimeLimitExceeded:
            raise
        except Exception as exc:  # the broker is down: the sweeper re-dispatches
            logger.warning(
                "notice %s not dispatched (%s); the sweeper will retry",
                notification_id,
                type(exc).__name__,
            )


def sweep(*, now=None, older_than_seconds: int = 60) -> int:
    """Re-dispatch emails that are pending (their broker message may be lost) or whose
    claim has expired (their worker died)."""
    now = now or timezone.now()
    ids = delivery.due_for_sweep(now=now, older_than_seconds=older_than_seconds)
    dispatch(ids)
    delivery.record_heartbeat(name="sweep", at=now)
    return len(ids)


@shared_task(name="notices.sweep_outbox", acks_late=True, soft_time_limit=50, time_limit=55)
def sweep_outbox() -> int:
    return sweep()


@shared_task(name="notices.give_up_expired_emails", acks_late=True)
def give_up_expired_emails() -> int:
    """Sent by beat every ten minutes: emails unsent past ``EMAIL_GIVE_UP_AFTER`` are
    marked failed and the administrators told (notices.delivery.give_up_expired)."""
    return delivery.give_up_expired()
