"""What the retention schedule makes due for erasure (oversight.retention): counts, and
records by number only. It writes nothing."""

import textwrap

from django.core.management.base import BaseCommand
from django.utils import timezone

from oversight import retention


def describe(schedule: retention.Schedule) -> str:
    return (
        f"Kept until the child is {schedule.until_age} and at least "
        f"{schedule.years_after_last_activity} years after the last activity on their "
        "referrals, whichever is later (no date of birth: "
        f"{max(schedule.until_age, schedule.years_after_last_activity)} years after it); "
        f"the access log {schedule.access_log_years} years; audit events "
        f"{schedule.audit_event_years} years; notifications {schedule.notification_days} "
        "days after they were delivered, or written for an email that failed (never an "
        "email still to send, nor feedback to a referrer, which goes with its case), and "
        "then the notice events about no case that cannot be raised again. The council's "
        "schedule sets these (FRONTDOOR_RETENTION_*: see docs/DATA.md)."
    )


class Command(BaseCommand):
    help = (
        "List what the retention schedule makes due for erasure: counts by kind, and "
        "children by record number and referrals by reference, never a name or a date of "
        "birth. It changes nothing; retention_erase erases."
    )

    def handle(self, *args, verbosity: int, **options):
        now = timezone.now()
        schedule = retention.Schedule.from_settings()
        due = retention.due(now=now, schedule=schedule)
        write = self.stdout.write
        write(describe(schedule))
        write(f"Due for erasure on {timezone.localdate(now):%Y-%m-%d}:")
        write(
            f"  Children: {len(due.children):,}, with {due.referrals_of_children:,} "
            "referrals linked to them"
        )
        if due.children and verbosity > 0:
            write(_wrapped("child record numbers", map(str, sorted(due.children))))
        write(f"  Referrals linked to no child's record: {len(due.unlinked):,}")
        if due.unlinked and verbosity > 0:
            write(_wrapped("references", (due.unlinked[pk] for pk in sorted(due.unlinked))))
        write(
            f"  Access-log rows from before {due.access_log_before:%Y-%m-%d}: "
            f"{due.access_log_rows:,}"
        )
        write(
            f"  Audit events from before {due.audit_events_before:%Y-%m-%d}: {due.audit_events:,}"
        )
        write(
            "  Versions of departed staff's anonymised accounts still naming them: "
            f"{due.departed_versions:,}"
        )
        write(
            f"  Notifications delivered (or emails failed) before "
            f"{due.notifications_before:%Y-%m-%d}: {due.notifications:,}"
        )
        write(
            f"  Notice events about no case from before {due.notifications_before:%Y-%m-%d}: "
            f"{due.notice_events:,}"
        )
        if (
            due.case_records
            or due.access_log_rows
            or due.audit_events
            or due.departed_versions
            or due.notifications
            or due.notice_events
        ):
            write(
                "Nothing was erased. To erase it, run manage.py retention_erase as the role "
                "that owns the tables (the one that runs migrate)."
            )
        else:
            write(self.style.SUCCESS("Nothing is due for erasure. Nothing was changed."))


def _wrapped(label: str, values) -> str:
    return textwrap.fill(
        ", ".join(values), width=88, initial_indent=f"    {label}: ", subsequent_indent="      "
    )
