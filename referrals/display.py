"""How a referral's clock and a child's age read on a page, written in Python rather than
by a template: the queue shows fifty of each on every page, and a template include or
filter for each costs more than the rest of the row. The site's template tags
(``frontdoor.templatetags.frontdoor``: ``clock_badge``, ``age``) call these, so every
page says it the same way."""

from __future__ import annotations

from datetime import date, datetime

from django.conf import settings
from django.utils.safestring import SafeString, mark_safe

from core.clock import ClockState, describe_time_left, read_clock

STATE_TAGS = {
    ClockState.ON_TIME: ("On time", "govuk-tag--green"),
    ClockState.DUE_SOON: ("Due soon", "govuk-tag--yellow"),
    ClockState.OVERDUE: ("Overdue", "govuk-tag--red"),
}


def clock_badge(due_at: datetime, *, now: datetime) -> SafeString:
    """The state of a decision clock in words and colour (never colour alone), and the
    time left."""
    return mark_safe(clock_badge_text(due_at, now=now))  # noqa: S308 - see clock_badge_text


def clock_badge_text(due_at: datetime, *, now: datetime) -> str:
    """``clock_badge``'s markup as plain text, for a writer that marks the whole of what it
    writes safe once (the queue's rows) rather than each badge."""
    reading = read_clock(due_at=due_at, now=now, due_soon=settings.DUE_SOON)
    label, css = STATE_TAGS[reading.state]
    # An f-string, not format_html: the queue writes fifty a page, and nothing in it comes
    # from a person (fixed words, the state's value, a duration in numbers and words).
    return (
        f'<strong class="govuk-tag {css}" data-clock-state="{reading.state.value}">{label}'
        f'</strong>\n<span class="fd-time-left">{describe_time_left(reading.time_left)}</span>'
    )


def age(born: date | None, *, today: date) -> str:
    """'7 years', '14 months' or '3 weeks', as a front-door worker would say it."""
    if not born:
        return "Age not known"
    months = (today.year - born.year) * 12 + today.month - born.month - (today.day < born.day)
    if months >= 24:
        return f"{months // 12} years"
    if months >= 1:
        return f"{months} month{'s' if months != 1 else ''}"
    weeks = max((today - born).days // 7, 0)
    return f"{weeks} week{'s' if weeks != 1 else ''}"
