from django import template
from django.conf import settings
from django.utils import timezone

from core.clock import ClockState, describe_duration, describe_time_left, read_clock
from referrals.models import Outcome

register = template.Library()

STATE_TAGS = {
    ClockState.ON_TIME: ("On time", "govuk-tag--green"),
    ClockState.DUE_SOON: ("Due soon", "govuk-tag--yellow"),
    ClockState.OVERDUE: ("Overdue", "govuk-tag--red"),
}


def clock_for(referral, now=None):
    return read_clock(
        due_at=referral.decision_due_at,
        now=now or timezone.now(),
        due_soon=settings.DUE_SOON,
    )


@register.inclusion_tag("_components/clock_badge.html")
def clock_badge(referral, now=None):
    """The state of a referral's decision clock in words and colour (never colour alone)."""
    reading = clock_for(referral, now)
    label, css = STATE_TAGS[reading.state]
    return {
        "label": label,
        "css": css,
        "state": reading.state.value,
        "time_left": describe_time_left(reading.time_left),
        "due_at": referral.decision_due_at,
    }


@register.filter
def outcome_label(value: str) -> str:
    try:
        return Outcome(value).label
    except ValueError:
        return value or ""


@register.filter
def age(born) -> str:
    """'7 years', '14 months' or '3 weeks', as a front-door worker would say it."""
    if not born:
        return "Age not known"
    today = timezone.localdate()
    months = (today.year - born.year) * 12 + today.month - born.month - (today.day < born.day)
    if months >= 24:
        return f"{months // 12} years"
    if months >= 1:
        return f"{months} month{'s' if months != 1 else ''}"
    weeks = max((today - born).days // 7, 0)
    return f"{weeks} week{'s' if weeks != 1 else ''}"


@register.filter
def duration(length) -> str:
    """A timedelta as people say it: '5 days 6 hours', never '126 hours 6 minutes'."""
    if length is None:
        return ""
    return describe_duration(length)
