"""A child's chronology: one timeline of everything known about them.

A child referred every few weeks for eight years has hundreds of events (issue 14), and
the page shows them a piece at a time, newest first. So the chronology is read in two
steps: ``timeline`` reads when each event happened and what it is about, every event of
every kind in one statement of narrow rows; ``read`` then reads and describes only the
events of the piece shown (``chronology`` reads them all). A piece starts after the last
event of the one before (``after``, a keyset position: an event recorded meanwhile does
not shift the pieces), so nothing is skipped or shown twice. What each event says is in
triage.chronology_events.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import NamedTuple

from django.db import connection
from django.db.models import Model
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.dates import MONTHS, WEEKDAYS

from referrals import pagination
from referrals.census import ConcernCategory
from referrals.models import Child, Referral
from triage.chronology_events import DESCRIBE, Event, describe_referral
from triage.models import (
    Challenge,
    ChallengeResponse,
    ChildLinkRemoval,
    DecisionAmendment,
    DiscussionAction,
    InformationRequest,
    StrategyDiscussion,
)
from triage.repeat_flags import repeat_flags_of_times

# Every kind of event, in the order events recorded at the same moment are listed.
KINDS = (
    "referral",
    "decision",
    "amendment",
    "information_request",
    "information_answer",
    "challenge",
    "challenge_resolved",
    "challenge_response",
    "strategy_discussion",
    "discussion_action",
    "link_removed",
)
_RANK = {kind: rank for rank, kind in enumerate(KINDS)}


class Entry(NamedTuple):
    """One event's place in the timeline: when, what kind, the row's id (the decision's,
    the challenge's...), the referral it is about (none for a referral unlinked from the
    child: it is about another child now) and the strategy discussion; for a referral,
    its concern categories."""

    at: datetime
    kind: str
    pk: int
    referral_id: int | None
    discussion_id: int | None
    concerns: tuple[str, ...]

    @property
    def position(self) -> tuple:
        """Sorts the timeline oldest first; the reverse, newest first, is the page's."""
        return (self.at, -_RANK[self.kind], -self.pk)


# --- The timeline: one statement ----------------------------------------------------------


# Every event of one child as (at, kind, id, referral id, discussion id, concerns), the
# child's id its only parameter (once a part). Written out rather than built with the ORM:
# compiling eleven querysets united cost five times what running the statement does.
# The first part types the columns (PostgreSQL takes a column of NULLs for text). A
# referral unlinked from the child keeps its place (that it was linked, and why the link
# was removed) by reference only: it is about another child.
_TIMELINE = """
SELECT r.received_at, 'referral', r.id, r.id, CAST(NULL AS BIGINT), CONCERNS
  FROM referrals_referral r WHERE r.child_id = %s
UNION ALL
SELECT d.decided_at, 'decision', d.id, d.referral_id, NULL, NULL
  FROM triage_decision d JOIN referrals_referral r ON r.id = d.referral_id
 WHERE r.child_id = %s
UNION ALL
SELECT a.amended_at, 'amendment', a.id, d.referral_id, NULL, NULL
  FROM triage_decisionamendment a JOIN triage_decision d ON d.id = a.decision_id
  JOIN referrals_referral r ON r.id = d.referral_id
 WHERE r.child_id = %s
UNION ALL
SELECT q.requested_at, 'information_request', q.id, q.referral_id, NULL, NULL
  FROM triage_informationrequest q JOIN referrals_referral r ON r.id = q.referral_id
 WHERE r.child_id = %s
UNION ALL
SELECT q.answered_at, 'information_answer', q.id, q.referral_id, NULL, NULL
  FROM triage_informationrequest q JOIN referrals_referral r ON r.id = q.referral_id
 WHERE r.child_id = %s AND q.answered_at IS NOT NULL
UNION ALL
SELECT h.raised_at, 'challenge', h.id, h.referral_id, NULL, NULL
  FROM triage_challenge h JOIN referrals_referral r ON r.id = h.referral_id
 WHERE r.child_id = %s
UNION ALL
SELECT h.resolved_at, 'challenge_resolved', h.id, h.referral_id, NULL, NULL
  FROM triage_challenge h JOIN referrals_referral r ON r.id = h.referral_id
 WHERE r.child_id = %s AND h.resolved_at IS NOT NULL
UNION ALL
SELECT s.at, 'challenge_response', s.id, h.referral_id, NULL, NULL
  FROM triage_challengeresponse s JOIN triage_challenge h ON h.id = s.challenge_id
  JOIN referrals_referral r ON r.id = h.referral_id
 WHERE r.child_id = %s
UNION ALL
SELECT g.held_at, 'strategy_discussion', g.id, g.referral_id, g.id, NULL
  FROM triage_strategydiscussion g JOIN referrals_referral r ON r.id = g.referral_id
 WHERE r.child_id = %s
UNION ALL
SELECT x.done_at, 'discussion_action', x.id, g.referral_id, g.id, NULL
  FROM triage_discussionaction x JOIN triage_strategydiscussion g ON g.id = x.discussion_id
  JOIN referrals_referral r ON r.id = g.referral_id
 WHERE r.child_id = %s AND x.done_at IS NOT NULL
UNION ALL
SELECT l.removed_at, 'link_removed', l.id, NULL, NULL, NULL
  FROM triage_childlinkremoval l WHERE l.child_id = %s
"""
# A referral's concern categories in the order they were recorded, comma-separated (a
# category is never a comma: ReferralConcern's check constraint), as
# triage.selectors.ConcernList writes them; SQLite's GROUP_CONCAT reads an ordered
# subquery for the order.
_CONCERNS = {
    "postgresql": "(SELECT STRING_AGG(c.category, ',' ORDER BY c.id) "
    "FROM referrals_referralconcern c WHERE c.referral_id = r.id)",
    "sqlite": "(SELECT GROUP_CONCAT(category, ',') FROM (SELECT c.category "
    "FROM referrals_referralconcern c WHERE c.referral_id = r.id ORDER BY c.id))",
}
_PARTS = _TIMELINE.count("%s")


def _aware(value) -> datetime:
    # SQLite hands back a column of a compound SELECT in UTC without its zone (as text, or
    # as a datetime where the column's declared type is known); PostgreSQL with it.
    if isinstance(value, str):
        value = parse_datetime(value)
    return timezone.make_aware(value, UTC) if timezone.is_naive(value) else value


def timeline(child_id: int) -> list[Entry]:
    """Every event of the child's chronology, newest first: one statement."""
    sql = _TIMELINE.replace("CONCERNS", _CONCERNS[connection.vendor])
    with connection.cursor() as cursor:
        cursor.execute(sql, [child_id] * _PARTS)
        rows = cursor.fetchall()
    entries = [
        Entry(
            _aware(at),
            kind,
            pk,
            referral,
            discussion,
            tuple(concerns.split(",")) if concerns else (),
        )
        for at, kind, pk, referral, discussion, concerns in rows
    ]
    entries.sort(key=lambda entry: entry.position, reverse=True)
    return entries


# --- Pieces --------------------------------------------------------------------------------


class InvalidPosition(ValueError):
    """Not a position this page wrote."""


def position_token(entry: Entry) -> str:
    """Where the next piece starts: after ``entry``, opaque in the URL."""
    return pagination.encode([entry.at, entry.kind, entry.pk])


def piece(entries: list[Entry], *, after: str | None, size: int | None) -> list[Entry]:
    """``size`` entries (all when None) from just after the position ``after`` (from the
    newest when None); raises InvalidPosition for a token this module did not write."""
    start = 0
    if after:
        position = _decode(after)
        start = next((i for i, e in enumerate(entries) if e.position < position), len(entries))
    return entries[start:] if size is None else entries[start : start + size]


def _decode(token: str) -> tuple:
    if len(token) > 200:
        raise InvalidPosition(token)
    try:
        raw = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise InvalidPosition(token) from None
    if not (isinstance(raw, list) and len(raw) == 4 and raw[0] == 0):
        raise InvalidPosition(token)
    _, at, kind, pk = raw
    moment = parse_datetime(at) if isinstance(at, str) else None
    if moment is None or moment.tzinfo is None or kind not in _RANK:
        raise InvalidPosition(token)
    if not isinstance(pk, int) or isinstance(pk, bool):
        raise InvalidPosition(token)
    return (moment, -_RANK[kind], -pk)


# --- The events of a piece ----------------------------------------------------------------


@dataclass
class Piece:
    events: list[Event]
    # Every referral read: those the events are about and any asked for besides.
    referrals: dict[int, Referral]


def chronology(child: Child) -> list[Event]:
    """Every event, newest first: referrals, decisions, amendments, information requests
    and their answers, challenges (raised, each response, resolved), strategy discussions,
    the discussion actions done and referrals unlinked from the child."""
    entries = timeline(child.pk)
    return read(entries, history=entries).events


def read(shown: list[Entry], *, history: list[Entry], also: Iterable[int] = ()) -> Piece:
    """The events of ``shown`` (entries of one child's ``history``), in its order, and
    besides them the referrals ``also`` names (of that history). The repeat-referral flags
    come from the whole history's times and concerns, the same as the queue's."""
    wanted = {kind: [] for kind in KINDS}
    for entry in shown:
        wanted[entry.kind].append(entry.pk)
    referral_ids = {e.referral_id for e in shown if e.referral_id} | set(also)
    referrals = (
        {
            r.pk: r
            for r in Referral.objects.filter(pk__in=referral_ids).select_related(
                "agency", "decision", "decision__decided_by", "decision__screened_by"
            )
        }
        if referral_ids
        else {}
    )
    rows = {
        "amendment": _rows(
            DecisionAmendment.objects.select_related("amended_by"), wanted["amendment"]
        ),
        "information_request": _rows(
            InformationRequest.objects.select_related("agency", "requested_by"),
            wanted["information_request"] + wanted["information_answer"],
        ),
        "challenge": _rows(
            Challenge.objects.select_related("raised_by", "raised_by__agency", "resolved_by"),
            wanted["challenge"] + wanted["challenge_resolved"],
        ),
        "challenge_response": _rows(
            ChallengeResponse.objects.select_related("by", "stage"), wanted["challenge_response"]
        ),
        "strategy_discussion": _rows(
            StrategyDiscussion.objects.select_related("convened_by"),
            wanted["strategy_discussion"],
        ),
        "discussion_action": _rows(
            DiscussionAction.objects.select_related("agency"), wanted["discussion_action"]
        ),
        "link_removed": _rows(
            ChildLinkRemoval.objects.select_related("removed_by", "referral"),
            wanted["link_removed"],
        ),
    }
    rows["information_answer"] = rows["information_request"]
    rows["challenge_resolved"] = rows["challenge"]
    flags = repeat_flags_of_times(
        [(e.pk, e.at, set(e.concerns)) for e in history if e.kind == "referral"]
    )
    concern_names = {value: str(label) for value, label in ConcernCategory.choices}
    events = []
    for entry in shown:
        referral = referrals.get(entry.referral_id)
        if entry.kind == "referral":
            row = referral
        elif entry.kind == "decision":
            row = getattr(referral, "decision", None)
        else:
            row = rows[entry.kind].get(entry.pk)
        if row is None or (entry.referral_id and referral is None):
            continue  # removed between the two statements
        if entry.kind == "referral":
            event = describe_referral(referral, flags[referral.pk], entry.concerns, concern_names)
        else:
            event = DESCRIBE[entry.kind](row, entry, referral)
        event.referral = referral
        event.discussion_id = entry.discussion_id
        events.append(event)
    return Piece(events=events, referrals=referrals)


def _rows(queryset, ids: list[int]) -> dict[int, Model]:
    return {row.pk: row for row in queryset.filter(pk__in=ids)} if ids else {}


# --- The page -----------------------------------------------------------------------------
#
# A chronology may hold hundreds of events, each with a date in two forms and a link or
# two. The page reads them ready-made, as plain dicts (the template language looks a key up
# in a dict at once; an attribute only after a failed key lookup): one `date` filter and
# one `{% url %}` per event cost about as much as all the rest of the page.


def page_items(events: list[Event]) -> list[dict]:
    """What the chronology page shows of each event, formatted once here."""
    months = [""] + [str(MONTHS[number]) for number in range(1, 13)]
    weekdays = [str(WEEKDAYS[number]) for number in range(7)]  # Monday is 0
    referral_url = _url_maker("triage:referral")
    discussion_url = _url_maker("strategy:detail")
    zone = timezone.get_current_timezone()
    items = []
    for event in events:
        at = timezone.localtime(event.at, zone)
        referral = event.referral
        items.append(
            {
                "kind": event.kind,
                "title": event.title,
                "by": event.by,
                # As `date:"c"` and `date:"l j F Y, H:i"` wrote them: with the day of
                # the week, as the project's deadlines and other events are shown.
                "at_iso": at.isoformat(),
                "at_text": f"{weekdays[at.weekday()]} {at.day} {months[at.month]} {at.year}, "
                f"{at:%H:%M}",
                "tags": [{"text": tag, "colour": _tag_colour(tag)} for tag in event.tags],
                "lines": event.lines,
                "discussion_url": discussion_url(event.discussion_id)
                if event.discussion_id
                else "",
                "referral_url": referral_url(referral.pk) if referral else "",
                "reference": referral.reference if referral else "",
            }
        )
    return items


def _tag_colour(tag: str) -> str:
    if tag == "Immediate risk":
        return "red"
    if "neglect" in tag or "pattern" in tag:
        return "orange"
    return "purple"


def _url_maker(name: str) -> Callable[[int], str]:
    """The URL of the view ``name`` for a primary key, reversed once: hundreds of links
    to the same view differ only in the key."""
    marker = 987654321
    head, tail = reverse(name, args=[marker]).split(str(marker))
    return lambda pk: f"{head}{int(pk)}{tail}"
