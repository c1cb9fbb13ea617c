"""Erase what the retention schedule makes due (oversight.erasure)."""

from django.core.management.base import BaseCommand, CommandError

from oversight.erasure import ErasureRefused, check_owner, erase_due


class Command(BaseCommand):
    help = (
        "Erase what the retention schedule makes due (see retention_review first): each "
        "child due with everything about them, referrals linked to no child, and "
        "access-log rows, audit events, delivered notifications, failed emails and the "
        "notice events about no case past their periods; in batches, each a "
        "transaction with an audit event of its counts. Run it as the role that owns the "
        "tables (the one that runs migrate). Safe to run again: it erases only what is due. "
        "Erased is gone for good: it erases nothing without --yes."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--yes",
            action="store_true",
            help="Erase: the council has looked at retention_review's list (a scheduled run "
            "passes it too). Without it nothing is erased.",
        )

    def handle(self, *args, verbosity: int, yes: bool, **options):
        try:
            check_owner()
            if not yes:
                raise CommandError(
                    "Nothing was erased: erasure cannot be undone. Look at what is due with "
                    "manage.py retention_review, then run retention_erase --yes."
                )
            erased = erase_due()
        except ErasureRefused as exc:
            raise CommandError(str(exc)) from None
        if not erased.total:
            self.stdout.write(self.style.SUCCESS("Nothing was due for erasure; nothing erased."))
            return
        self.stdout.write("Erased under the retention schedule:")
        for name, number in sorted(erased.counts.items()):
            self.stdout.write(f"  {name}: {number:,}")
        self.stdout.write(
            self.style.SUCCESS("Done. Each batch wrote an audit event of its counts.")
        )
