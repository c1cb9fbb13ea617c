"""Celery tasks for intake: thin, each calling one function in referrals.drafts."""

from celery import shared_task

from referrals import drafts


@shared_task(name="referrals.purge_old_drafts", acks_late=True)
def purge_old_drafts() -> int:
    """Nightly from beat: delete the drafts not sent and not saved for
    settings.DRAFT_RETENTION_DAYS. Run twice, the second finds nothing more to delete."""
    return drafts.purge_unsent_drafts()
