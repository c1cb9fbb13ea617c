from datetime import timedelta

from django import template
from django.utils import dateformat, timezone

from core.clock import describe_duration
from frontdoor import navigation
from referrals import display
from referrals.models import Outcome
from triage import queue_markup

register = template.Library()


@register.simple_tag
def clock_badge(referral, now=None):
    """The state of a referral's decision clock in words and colour (never colour alone)."""
    return display.clock_badge(referral.decision_due_at, now=now or timezone.now())


@register.simple_tag
def referral_flags(referral, flags):
    """A referral's flags (immediate risk, chronic neglect, repeat, siblings)."""
    return queue_markup.referral_flags(referral, flags)


@register.simple_tag
def address(name: str) -> str:
    """As ``{% url name %}`` for an address with no arguments, reversed once a process
    (frontdoor.navigation.address): the header's links are on every page."""
    return navigation.address(name)


@register.filter
def navigation_markup(items) -> str:
    """The navigation's list items (frontdoor.navigation.navigation_markup)."""
    return navigation.navigation_markup(items)


@register.filter
def outcome_label(value: str) -> str:
    try:
        return Outcome(value).label
    except ValueError:
        return value or ""


@register.filter
def age(born) -> str:
    """'7 years', '14 months' or '3 weeks', as a front-door worker would say it."""
    return display.age(born, today=timezone.localdate())


@register.filter
def deadline(moment, day_format: str = "D j M Y") -> str:
    """A deadline with its day, and one at midnight as the end of the day before: "by Tue
    1 Dec, 00:00" is read as some time on Tuesday when it means Monday night."""
    if moment is None:
        return ""
    local = timezone.localtime(moment)
    if local.hour == 0 and local.minute == 0:
        return f"the end of {dateformat.format(local - timedelta(days=1), day_format)}"
    return f"{dateformat.format(local, day_format)}, {local:%H:%M}"


@register.filter
def duration(length) -> str:
    """A timedelta as people say it: '5 days 6 hours', never '126 hours 6 minutes'."""
    if length is None:
        return ""
    return describe_duration(length)
