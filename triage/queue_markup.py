"""The queue's rows and the referral flags, written in Python rather than by templates.

The queue shows fifty rows on every page; through Django's template engine each row cost
more than the rest of the page (an include for its flags, an inclusion tag for its clock,
a url tag, date and age filters), and the queue has to be served at about 6 ms of CPU a
page (issue 14). Here a row is one f-string, and every text in it that comes from the
database goes through ``html.escape`` (what Django's autoescaping does); the rest are
fixed words and integers. ``referral_flags`` is the one place the flags' markup is
written: the screening page and the decision screen show them through the
``referral_flags`` tag (``frontdoor.templatetags``).
"""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache
from html import escape

from django.urls import reverse
from django.utils import timezone, translation
from django.utils.dates import MONTHS_3, WEEKDAYS_ABBR
from django.utils.safestring import SafeString, mark_safe

from referrals import display
from referrals.census import CallerType, ConcernCategory
from referrals.models import Referral, Status
from triage.repeat_flags import RepeatFlags
from triage.selectors import QueueRow


def referral_flags(referral: Referral | QueueRow, flags: RepeatFlags) -> SafeString:
    """Markers for a referral row or heading: immediate risk, possible chronic neglect
    (neglect recurs or is part of a repeated pattern), a repeat-referral pattern (3+ in 12
    months without neglect), repeat, siblings referred together. Only numbers and fixed
    words go into them."""
    return mark_safe(flags_text(referral, flags))  # noqa: S308 - fixed words and integers only


def flags_text(referral: Referral | QueueRow, flags: RepeatFlags) -> str:
    """``referral_flags``' markup as plain text, for the row writer (which marks its whole
    output safe once)."""
    tags = []
    if referral.immediate_risk:
        tags.append('<strong class="govuk-tag govuk-tag--red fd-flag">Immediate risk</strong>')
    if flags.chronic_neglect:
        tags.append(
            '<strong class="govuk-tag govuk-tag--orange fd-flag" data-flag="chronic-neglect">'
            "Possible chronic neglect</strong>"
        )
    if flags.repeat_pattern:
        tags.append(
            '<strong class="govuk-tag govuk-tag--orange fd-flag" data-flag="repeat-pattern">'
            "Repeat-referral pattern</strong>"
        )
    if flags.is_repeat:
        recurs = ", concern recurs" if flags.concern_recurs else ""
        tags.append(
            '<strong class="govuk-tag govuk-tag--purple fd-flag" data-flag="repeat">'
            f"Repeat: {int(flags.earlier_count)} earlier in 12 months{recurs}</strong>"
        )
    if referral.sibling_count > 1:
        tags.append(
            '<strong class="govuk-tag govuk-tag--grey fd-flag" data-flag="siblings">'
            f"{int(referral.sibling_count)} siblings referred together</strong>"
        )
    return "\n".join(tags)


class RowWriter:
    """Writes the rows of one page: what is the same for every row (the time zone, the
    names of days, months, statuses, callers and concerns in the active language, escaped,
    and the screening page's address) is looked up once."""

    def __init__(self, *, now: datetime, unallocated_minutes: int):
        self.now = now
        self.today = timezone.localdate(now)
        self.zone = timezone.get_current_timezone()
        self.days, self.months, self.statuses, self.callers, self.concerns = _words(
            translation.get_language()
        )
        self.over = f" over {int(unallocated_minutes)} min"
        # The screening page's address for any id, reversed once: the same as
        # reverse("triage:referral", args=[id]) (the pattern is referrals/<int:id>/).
        marker = "2147483647"
        url = escape(reverse("triage:referral", args=[marker]))
        self.url_head, self.url_tail = url.split(marker)

    def due(self, moment: datetime) -> str:
        """As the date filter's "D j M, H:i" reads it: "Mon 5 Jan, 09:30"."""
        local = moment.astimezone(self.zone)
        return (
            f"{self.days[local.weekday()]} {local.day} {self.months[local.month]}, "
            f"{local.hour:02d}:{local.minute:02d}"
        )

    def day(self, moment: date) -> str:
        """As "j M Y" reads it: "5 Jan 2027"."""
        return f"{moment.day} {self.months[moment.month]} {moment.year}"

    def age(self, referral: QueueRow) -> str:
        """Fixed words, numbers and a month's name: nothing to escape."""
        if referral.child_date_of_birth:
            return display.age(referral.child_date_of_birth, today=self.today)
        if referral.child_expected_date_of_birth:
            return f"Unborn, due {self.day(referral.child_expected_date_of_birth)}"
        return "Age not known"

    def row(self, referral: QueueRow, *, flags: RepeatFlags, unallocated_too_long: bool) -> str:
        """One row. Every text that comes from the database passes through ``escape``
        (statuses, callers and concerns through the escaped names of their values)."""
        if referral.assigned_to_id is not None:
            allocated = escape(referral.assigned_to_name)
        elif unallocated_too_long:
            allocated = f'<strong class="govuk-tag govuk-tag--red">Unallocated{self.over}</strong>'
        else:
            allocated = '<strong class="govuk-tag govuk-tag--grey">Unallocated</strong>'
        if referral.agency_name:
            agency = escape(referral.agency_name)
        else:
            caller = referral.caller_type
            agency = self.callers.get(caller) or escape(caller) or "—"
        if referral.concern_list:
            concerns = self.concerns
            listed = ", ".join(
                [concerns.get(c) or escape(c) for c in referral.concern_list.split(",")]
            )
        else:
            listed = ""
        status = self.statuses.get(referral.status) or escape(referral.status)
        reference = escape(referral.reference)
        due_at = referral.decision_due_at
        return (
            f'<tr class="govuk-table__row" data-reference="{reference}">'
            f'<td class="govuk-table__cell">{display.clock_badge_text(due_at, now=self.now)}'
            f'<span class="fd-time-left">due {self.due(due_at)}</span></td>'
            f'<td class="govuk-table__cell"><a class="govuk-link" href="{self.url_head}'
            f'{int(referral.pk)}{self.url_tail}">{reference}</a><br>'
            f"{flags_text(referral, flags)}</td>"
            f'<td class="govuk-table__cell">{escape(referral.child_name)}<br>'
            f'<span class="govuk-body-s">{self.age(referral)}</span></td>'
            f'<td class="govuk-table__cell">{agency}</td>'
            f'<td class="govuk-table__cell">{listed}</td>'
            f'<td class="govuk-table__cell">{status}</td>'
            f'<td class="govuk-table__cell">{allocated}</td>'
            "</tr>\n"
        )

    def rows(self, rows: list[dict]) -> SafeString:
        return mark_safe(  # noqa: S308 - each row escapes what it writes
            "".join(
                [
                    self.row(
                        row["referral"],
                        flags=row["flags"],
                        unallocated_too_long=row["unallocated_too_long"],
                    )
                    for row in rows
                ]
            )
        )


@lru_cache(maxsize=8)
def _words(language: str | None) -> tuple:
    """The names of days and months as the date filter writes them, and the statuses',
    callers' and concerns' names, escaped, by value: in ``language`` (the active one,
    which the lazy names read), read once for each."""
    days = [str(WEEKDAYS_ABBR[day]) for day in range(7)]
    months = [""] + [str(MONTHS_3[month]).title() for month in range(1, 13)]

    def escaped(choices) -> dict[str, str]:
        return {value: escape(str(label)) for value, label in choices}

    return (
        days,
        months,
        escaped(Status.choices),
        escaped(CallerType.choices),
        escaped(ConcernCategory.choices),
    )
