"""Count the performance figures' summary afresh: the recent weeks, or every week."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from reporting import summary


class Command(BaseCommand):
    help = (
        "Refresh the performance summary tables (the last 13 complete weeks and the "
        "current one, or --all: every complete week)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true", help="every week since the first")

    def handle(self, *args, **options):
        now = timezone.now()
        weeks = summary.all_weeks(now=now) if options["all"] else summary.recent_weeks(now=now)
        count = summary.refresh(weeks=weeks, now=now)
        self.stdout.write(f"Refreshed {count} weeks as of {timezone.localtime(now):%Y-%m-%d %H:%M}")
