"""My referrals' rows, written in Python rather than by the template engine.

A police force's agency lead reads this page over hundreds of thousands of referrals
(issue 14), and through templates each row (a url tag per link, a date filter per time,
an include for its clock, the decision's and the discussions' challenges) cost more than
the rest of the page. Here each row is a few f-strings: every text that comes from the
database goes through ``html.escape`` (what Django's autoescaping does), the rest are
fixed words, numbers and addresses reversed once. The markup is the template's, line for
line, without the lines its tags left blank.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from html import escape

from django.urls import reverse
from django.utils import timezone
from django.utils.dates import MONTHS_3, WEEKDAYS_ABBR
from django.utils.safestring import SafeString, mark_safe

from referrals import display
from referrals.models import Outcome, Status
from referrals.selectors import AfterDecision, ChallengeSummary

_MARKER = 2147483647  # an id no row has, to split a reversed address around


def _address(name: str) -> tuple[str, str]:
    """The address of ``name`` for any id, as the text either side of the id."""
    head, tail = escape(reverse(name, args=[_MARKER])).split(str(_MARKER))
    return head, tail


STATUS_COLOURS = {Status.DECIDED: "green", Status.RECEIVED: "grey"}  # blue otherwise


class RowWriter:
    """Writes the rows of one page: the time zone, the month names and the addresses
    are looked up once."""

    def __init__(self, *, now: datetime, agency_wide: bool, after: AfterDecision):
        self.now = now
        self.agency_wide = agency_wide
        self.after = after
        self.zone = timezone.get_current_timezone()
        self.months = [""] + [str(MONTHS_3[month]).title() for month in range(1, 13)]
        self.weekdays = [str(WEEKDAYS_ABBR[day]) for day in range(7)]
        self.statuses = {str(value): str(label) for value, label in Status.choices}
        self.outcomes = {str(value): str(label) for value, label in Outcome.choices}
        self.detail = _address("referrals:detail")
        self.challenge = _address("challenges:detail")
        self.raise_on_decision = _address("challenges:raise")
        self.raise_on_discussion = _address("challenges:raise-discussion")

    def day(self, moment: datetime) -> str:
        """As the date filter's "j M Y" reads it, in the current time zone."""
        local = moment.astimezone(self.zone)
        return f"{local.day} {self.months[local.month]} {local.year}"

    def time(self, moment: datetime) -> str:
        """As "j M Y, H:i" reads it: "5 Jan 2027, 09:30"."""
        local = moment.astimezone(self.zone)
        return (
            f"{local.day} {self.months[local.month]} {local.year}, "
            f"{local.hour:02d}:{local.minute:02d}"
        )

    def deadline(self, moment: datetime) -> str:
        """As "D j M Y, H:i" reads it: "Tue 5 Jan 2027, 09:30". A deadline names its day,
        so that "due Monday" is not missed on a Friday afternoon; so do the received and
        decided times beside it, as on the referral's own page."""
        local = moment.astimezone(self.zone)
        return f"{self.weekdays[local.weekday()]} {self.time(moment)}"

    def due_by(self, moment: datetime) -> str:
        """As the deadline filter reads it (frontdoor.templatetags): one at midnight is the
        end of the day before, "the end of Tue 1 Dec 2026", not "Wed 2 Dec 2026, 00:00"."""
        local = moment.astimezone(self.zone)
        if local.hour == 0 and local.minute == 0:
            return f"the end of {self.day_named(local - timedelta(days=1))}"
        return self.deadline(moment)

    def day_named(self, local: datetime) -> str:
        return f"{self.weekdays[local.weekday()]} {self.day(local)}"

    @staticmethod
    def link(address: tuple[str, str], pk: int) -> str:
        return f"{address[0]}{int(pk)}{address[1]}"

    def clock(self, row: dict) -> str:
        """templates/referrals/_clock.html: the clock's badge while undecided; once
        decided, whether the decision came in time, and when."""
        if row["status"] != Status.DECIDED:
            return display.clock_badge(row["decision_due_at"], now=self.now)
        decided_at = row["decision__decided_at"]
        if decided_at is not None and decided_at >= row["decision_due_at"]:
            tag = (
                '<strong class="govuk-tag govuk-tag--grey" data-clock-state="decided_late">'
                "Decided late</strong>"
            )
        else:
            tag = (
                '<strong class="govuk-tag govuk-tag--green" data-clock-state="decided">'
                "Decided on time</strong>"
            )
        if row["decision__id"] is None:
            return tag
        return f'{tag} <span class="fd-time-left">{self.deadline(decided_at)}</span>'

    def challenge_line(self, challenge: ChallengeSummary, *, margin: int, about: str) -> str:
        if challenge.is_open:
            state = (
                f"Challenge open: stage {int(challenge.stage_order)}, response due by "
                f"{self.due_by(challenge.stage_due_at)}"
            )
        else:
            state = f"Challenge resolved: {escape(challenge.resolution)}"
        return (
            f'          <p class="govuk-body-s govuk-!-margin-top-{margin} '
            f'govuk-!-margin-bottom-0"><a class="govuk-link" '
            f'href="{self.link(self.challenge, challenge.pk)}">{state}'
            f'<span class="govuk-visually-hidden"> ({about})</span></a></p>\n'
        )

    def decision(self, row: dict, reference: str) -> str:
        """The outcome as it stands (the latest amendment, or the decision), its
        feedback, and the challenge to it or the link to raise one."""
        pk = row["id"]
        amended = self.after.amendments.get(pk)
        outcome = amended.outcome if amended else row["decision__outcome"]
        feedback = amended.feedback if amended else row["decision__feedback"]
        label = escape(self.outcomes.get(outcome, outcome))
        lines = [
            f"          <strong>{label}</strong>"
            + (' <span class="govuk-body-s">(amended)</span>' if amended else "")
            + "\n"
        ]
        if feedback:
            lines.append(
                '          <details class="govuk-details govuk-!-margin-top-2 '
                'govuk-!-margin-bottom-0">\n'
                '            <summary class="govuk-details__summary"><span '
                'class="govuk-details__summary-text">Feedback<span '
                f'class="govuk-visually-hidden"> on {reference}</span></span></summary>\n'
                '            <div class="govuk-details__text fd-preserve-lines">'
                f"{escape(feedback)}</div>\n"
                "          </details>\n"
            )
        challenge = self.after.challenges.get(pk)
        if challenge is not None:
            lines.append(self.challenge_line(challenge, margin=2, about=reference))
        if challenge is None or not challenge.is_open:
            lines.append(
                '          <p class="govuk-body-s govuk-!-margin-top-2 govuk-!-margin-bottom-0">'
                f'<a class="govuk-link" href="{self.link(self.raise_on_decision, pk)}">'
                'Challenge this decision<span class="govuk-visually-hidden"> on '
                f"{reference}</span></a></p>\n"
            )
        return "".join(lines)

    def discussions(self, row: dict, reference: str) -> str:
        lines = []
        for discussion in self.after.discussions.get(row["id"], ()):
            lines.append(
                '          <p class="govuk-body-s govuk-!-margin-top-2 govuk-!-margin-bottom-0" '
                f'data-testid="discussion-outcome">{escape(discussion.kind)}, '
                f"{self.day(discussion.held_at)}: <strong>{escape(discussion.outcome)}"
                "</strong></p>\n"
            )
            challenge = discussion.challenge
            if challenge is not None:
                lines.append(
                    self.challenge_line(
                        challenge,
                        margin=1,
                        about=f"the discussion's outcome on {reference}",
                    )
                )
            if challenge is None or not challenge.is_open:
                lines.append(
                    '          <p class="govuk-body-s govuk-!-margin-top-1 '
                    'govuk-!-margin-bottom-0"><a class="govuk-link" '
                    f'href="{self.link(self.raise_on_discussion, discussion.pk)}">'
                    'Challenge this outcome<span class="govuk-visually-hidden"> of the '
                    f"discussion on {reference}</span></a></p>\n"
                )
        return "".join(lines)

    def row(self, row: dict, siblings: list[tuple[int, str]]) -> str:
        """One row; ``siblings`` the (id, reference) of the others referred with it."""
        reference = escape(row["reference"])
        status = row["status"]
        head = f'    <tr class="govuk-table__row{" fd-sibling-row" if siblings else ""}" '
        head += f'data-reference="{reference}"'
        if siblings:
            head += f' data-submission="{int(row["submission_id"])}"'
        risk = (
            '<br><strong class="govuk-tag govuk-tag--red">Immediate risk</strong>'
            if row["immediate_risk"]
            else ""
        )
        lines = [
            f"{head}>\n",
            f'      <td class="govuk-table__cell"><a class="govuk-link" '
            f'href="{self.link(self.detail, row["id"])}">{reference}</a>{risk}\n',
        ]
        if siblings:
            together = ", ".join(
                f'<a class="govuk-link" href="{self.link(self.detail, pk)}">{escape(other)}</a>'
                for pk, other in siblings
            )
            lines.append(
                '        <p class="govuk-body-s govuk-!-margin-top-1 govuk-!-margin-bottom-0" '
                f'data-testid="siblings">Referred together with {together}</p>\n'
            )
        child = f"{row['child_first_name']} {row['child_last_name']}".strip()
        lines += [
            "      </td>\n",
            f'      <td class="govuk-table__cell">{escape(child)}</td>\n',
        ]
        if self.agency_wide:
            lines.append(
                f'      <td class="govuk-table__cell">{escape(row["referrer_name"] or "—")}</td>\n'
            )
        lines += [
            f'      <td class="govuk-table__cell">{self.deadline(row["received_at"])}</td>\n',
            f'      <td class="govuk-table__cell">{self.deadline(row["decision_due_at"])}</td>\n',
            '      <td class="govuk-table__cell"><strong class="govuk-tag '
            f'govuk-tag--{STATUS_COLOURS.get(status, "blue")}">'
            f"{escape(self.statuses.get(status, status))}</strong></td>\n",
            f'      <td class="govuk-table__cell" data-testid="clock">\n{self.clock(row)}\n</td>\n',
            '      <td class="govuk-table__cell">\n',
        ]
        if status == Status.DECIDED and row["decision__id"] is not None:
            lines.append(self.decision(row, reference))
        else:
            lines.append("        Not decided yet\n")
        lines += [self.discussions(row, reference), "      </td>\n", "    </tr>\n"]
        return "".join(lines)

    def rows(self, rows: list[dict], siblings: dict[int, list[tuple[int, str]]]) -> SafeString:
        """The page's rows; ``siblings`` by submission, every referral in it (as
        referrals.selectors.siblings_by_submission gives them)."""
        written = []
        for row in rows:
            together = [s for s in siblings.get(row["submission_id"], []) if s[0] != row["id"]]
            written.append(self.row(row, together))
        return mark_safe("".join(written))  # noqa: S308 - each row escapes what it writes
