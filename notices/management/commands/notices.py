from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q
from django.utils import timezone

from notices.models import Notification
from notices.services import dispatch


class Command(BaseCommand):
    help = (
        "List email notices that are stuck (pending or sending for longer than --older-than "
        "minutes) or failed; with --retry, put them back to pending and dispatch them."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--older-than",
            type=int,
            default=10,
            metavar="MINUTES",
            help="how long a notice must have waited to count as stuck",
        )
        parser.add_argument(
            "--retry",
            action="store_true",
            help="reset the listed notices to pending and dispatch them",
        )

    def handle(self, *args, older_than: int, retry: bool, **options):
        if older_than < 0:
            raise CommandError("--older-than must be 0 or more minutes")
        cutoff = timezone.now() - timedelta(minutes=older_than)
        stuck = (
            Notification.objects.filter(channel=Notification.Channel.EMAIL)
            .filter(
                Q(status=Notification.Status.FAILED)
                | Q(status=Notification.Status.PENDING, created_at__lte=cutoff)
                # One being sent is stuck only once its worker's claim has expired:
                # retrying one that a live worker holds could send it twice.
                | Q(
                    status=Notification.Status.SENDING,
                    claimed_at__lte=min(cutoff, timezone.now() - settings.NOTICE_CLAIM_LEASE),
                )
            )
            .select_related("event")
            .order_by("created_at")
        )
        rows = list(stuck)
        if not rows:
            self.stdout.write("No stuck or failed notices.")
            return
        for notice in rows:
            # Ids and keys only: no names or case details in a terminal or a log.
            self.stdout.write(
                f"{notice.pk}\t{notice.status}\t{notice.event.key}\tattempts={notice.attempts}"
                f"\tcreated={notice.created_at:%Y-%m-%d %H:%M}\t{notice.last_error[:80]}"
            )
        if retry:
            ids = [n.pk for n in rows]
            # retried_at: the time it may wait before it is given up runs afresh.
            Notification.objects.filter(pk__in=ids).update(
                status=Notification.Status.PENDING,
                claimed_at=None,
                attempts=0,
                retried_at=timezone.now(),
            )
            dispatch(ids)
            self.stdout.write(self.style.SUCCESS(f"{len(ids)} notice(s) dispatched again."))
