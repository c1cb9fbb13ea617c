"""Bounds on the dates and times staff type on the triage side, in one place: the
services ask these functions, so the web forms and the API (which both call the
services) refuse the same dates with the same words; the API's field validators ask
them too, so that its schema can state the rule (referrals.api_rules.NotInFuture).

Two kinds of moment:

- something that happened (a discussion held, a child seen, minutes circulated, an
  action done): not in the future, with ``CLOCK_SKEW`` for a clock a little ahead, and
  not before the thing it follows (the referral received, or the discussion held);
- something due (an answer, a visit, an action): in the future when it is set, and no
  further ahead than a setting says (settings.INFORMATION_REQUEST_DUE_WITHIN,
  SEE_CHILD_BY_WITHIN, ACTION_DUE_WITHIN).

Each message names the field in plain words, the way the form labels it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

# A time typed to the minute, or sent by a client whose clock runs a little ahead, is
# not refused as "in the future" for that.
CLOCK_SKEW = timedelta(minutes=5)

HELD = "The date the discussion was held"
CHILD_SEEN = "The date the child was seen"
MINUTES_CIRCULATED = "The date the minutes were circulated"
ACTION_DONE = "The date the action was done"
ACTION_DUE = "The date the action is due"
SEE_CHILD_BY = "The date the child must be seen by"
ANSWER_DUE = "The date the answer is due"

RECEIVED = "the referral was received"
DISCUSSION = "the discussion was held"


def shown(moment: datetime) -> str:
    """A moment as the pages show one, in London time: "Mon 2 Nov 2026, 14:05"."""
    local = timezone.localtime(moment)
    return f"{local:%a} {local.day} {local:%b %Y}, {local:%H:%M}"


def in_future(what: str) -> str:
    return f"{what} cannot be in the future"


def happened_error(
    value: datetime, *, what: str, now: datetime, after: datetime, after_what: str
) -> str | None:
    """What is wrong with the time something happened: later than now (give or take
    ``CLOCK_SKEW``), or earlier than ``after`` (``after_what`` says what that is)."""
    if value > now + CLOCK_SKEW:
        return in_future(what)
    # To the minute, as the pages take a time: a discussion typed as held at 10:37 is not
    # before a referral received at 10:37:40.
    if value < after.replace(second=0, microsecond=0):
        return f"{what} must be on or after {after_what} ({shown(after)})"
    return None


def due_error(value: datetime, *, what: str, now: datetime, within: timedelta) -> str | None:
    """What is wrong with a time something is due, as it is set: not after now, or
    further from now than ``within``."""
    if value <= now:
        return f"{what} must be in the future"
    if value > now + within:
        days = max(1, within.days)
        return (
            f"{what} must be within {days} day{'s' if days != 1 else ''} from now "
            f"({shown(now + within)} at the latest)"
        )
    return None
