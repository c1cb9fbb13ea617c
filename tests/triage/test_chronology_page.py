"""A child's chronology at any length (issue 14): the same statements for two referrals or
twelve, dates and links formatted once in Python exactly as the template filters and tags
wrote them, and the repeat-referral flags worked out from the child's own history exactly
as the queue's subqueries work them out."""

import random
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import dateformat, timezone

from referrals.census import ConcernCategory
from referrals.models import Referral
from tests.factories import (
    ChallengeFactory,
    ChallengeResponseFactory,
    ChildFactory,
    DecisionAmendmentFactory,
    DecisionFactory,
    DiscussionActionFactory,
    InformationRequestFactory,
    ReferralFactory,
    StrategyDiscussionFactory,
)
from triage.chronology import Event, chronology, page_items
from triage.selectors import repeat_flags, repeat_flags_of_history, with_repeat_flags

pytestmark = pytest.mark.django_db

# The page's statements, whatever the child's history: session, user, child, the
# closed-record check, the access-log row, the referrals, their concerns, amendments,
# information requests, challenges, challenge responses, discussions, discussion actions,
# unlinked referrals; the layout's unread-notices count and the user's agency. The
# session is not saved: its last-seen time is written at most once a minute
# (tests/frontdoor/test_session_writes.py). The page reads each referral once, not again
# with every row about it, and works the repeat flags out in Python.
CHRONOLOGY_QUERIES = 16


def a_history(child, referrals: int) -> None:
    """Referrals with something of every kind the chronology shows."""
    now = timezone.now()
    for n in range(referrals):
        referral = ReferralFactory(
            child=child,
            received_at=now - timedelta(days=40 * n + 1),
            concerns=[ConcernCategory.NEGLECT] if n % 2 else [ConcernCategory.PHYSICAL_ABUSE],
        )
        decision = DecisionFactory(referral=referral)
        DecisionAmendmentFactory(decision=decision)
        request = InformationRequestFactory(referral=referral)
        request.answer, request.answered_at = "Known to us since birth.", now
        request.answered_by = request.requested_by
        request.save()
        challenge = ChallengeFactory(decision=decision)
        ChallengeResponseFactory(challenge=challenge)
        discussion = StrategyDiscussionFactory(referral=referral)
        DiscussionActionFactory(discussion=discussion, done_at=now)


def statements(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries)


def test_the_chronology_takes_the_same_statements_for_2_or_12_referrals(manager_client):
    child = ChildFactory()
    a_history(child, 2)
    url = reverse("children:chronology", args=[child.pk])
    manager_client.get(url)  # the session settles

    few = statements(manager_client, url)
    a_history(child, 10)
    many = statements(manager_client, url)

    assert few == many == CHRONOLOGY_QUERIES
    page = manager_client.get(url).content.decode()
    assert page.count('data-kind="referral"') == 12
    assert page.count('data-kind="discussion_action"') == 12


def test_dates_and_links_read_as_the_template_filters_and_tags_wrote_them():
    child = ChildFactory()
    a_history(child, 3)
    events = chronology(child)
    # Either side of the clocks changing, and a time with seconds and microseconds.
    events += [
        Event(at=datetime(2026, 3, 29, 0, 59, tzinfo=UTC), kind="x", title="winter"),
        Event(at=datetime(2026, 3, 29, 1, 0, 30, 5, tzinfo=UTC), kind="x", title="summer"),
    ]

    items = page_items(events)

    for event, item in zip(events, items, strict=True):
        local = timezone.localtime(event.at)
        assert item["at_iso"] == dateformat.format(local, "c")
        assert item["at_text"] == dateformat.format(local, "j F Y, H:i")
        if event.referral:
            assert item["referral_url"] == reverse("triage:referral", args=[event.referral.pk])
            assert item["reference"] == event.referral.reference
        else:
            assert item["referral_url"] == ""
        if event.discussion:
            assert item["discussion_url"] == reverse("strategy:detail", args=[event.discussion.pk])
        else:
            assert item["discussion_url"] == ""
    assert items[-1]["at_text"] == "29 March 2026, 02:00"  # British Summer Time


def test_tags_keep_their_colours():
    tags = ["Immediate risk", "Possible chronic neglect", "Repeat-referral pattern", "Repeat: 2"]
    event = Event(at=timezone.now(), kind="referral", title="t", tags=tags)

    (item,) = page_items([event])

    assert [(t["text"], t["colour"]) for t in item["tags"]] == [
        ("Immediate risk", "red"),
        ("Possible chronic neglect", "orange"),
        ("Repeat-referral pattern", "orange"),
        ("Repeat: 2", "purple"),
    ]


@pytest.mark.parametrize("seed", range(4))
def test_the_flags_from_the_history_are_the_flags_from_the_subqueries(seed):
    """Random histories, with referrals at the same moment and exactly 12 months apart."""
    rng = random.Random(seed)
    child = ChildFactory()
    start = timezone.now() - timedelta(days=1500)
    moments = [start + timedelta(days=rng.randrange(0, 1500)) for _ in range(14)]
    moments += [moments[0], moments[1] + timedelta(days=365), moments[2] - timedelta(days=365)]
    categories = [
        ConcernCategory.NEGLECT,
        ConcernCategory.PHYSICAL_ABUSE,
        ConcernCategory.EMOTIONAL_ABUSE,
    ]
    for at in moments:
        ReferralFactory(
            child=child, received_at=at, concerns=rng.sample(categories, rng.randint(1, 2))
        )
    ReferralFactory(received_at=start + timedelta(days=10))  # another child's

    annotated = with_repeat_flags(Referral.objects.filter(child=child)).prefetch_related("concerns")
    referrals = list(annotated)
    from_history = repeat_flags_of_history(referrals)

    assert {r.pk: repeat_flags(r) for r in referrals} == from_history
    assert any(flags.chronic_neglect for flags in from_history.values())
