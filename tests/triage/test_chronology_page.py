"""A child's chronology at any length (issue 14): the same statements for two referrals or
twelve, dates and links formatted once in Python exactly as the template filters and tags
wrote them, and the repeat-referral flags worked out from the child's own history exactly
as the queue's subqueries work them out. Its pieces: tests/triage/test_chronology_pieces.py."""

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
    UserFactory,
)
from triage.chronology import KINDS, Event, chronology, page_items
from triage.chronology_markup import events_markup
from triage.models import ChildLinkRemoval
from triage.repeat_flags import repeat_flags, repeat_flags_of_history, with_repeat_flags

pytestmark = pytest.mark.django_db

# A page's statements, whatever the child's history, when its piece holds every kind of
# event: session, user (with their agency, for the header), child, the closed-record
# check, the timeline (every event's time and ids, and the referrals' concerns, in one
# statement), the piece's referrals, amendments, information requests, challenges,
# challenge responses, discussions, discussion actions, unlinked referrals, the
# access-log row; the layout's unread-notices count. A kind the piece does not hold is
# not read (fewer statements). The session is not saved: its last-seen time is written
# at most once a minute (tests/frontdoor/test_session_writes.py).
CHRONOLOGY_QUERIES = 15


def a_history(child, referrals: int, *, first: int = 0) -> None:
    """Referrals with something of every kind the chronology shows, each referral's
    events within the hours after it was received (40 days apart, the newest a day ago),
    and a referral unlinked from the child today."""
    now = timezone.now()
    for n in range(first, first + referrals):
        at = now - timedelta(days=40 * n + 1)

        def hours(h, at=at):
            return at + timedelta(hours=h)

        referral = ReferralFactory(
            child=child,
            received_at=at,
            concerns=[ConcernCategory.NEGLECT] if n % 2 else [ConcernCategory.PHYSICAL_ABUSE],
        )
        decision = DecisionFactory(referral=referral, decided_at=hours(1))
        DecisionAmendmentFactory(decision=decision, amended_at=hours(2))
        request = InformationRequestFactory(referral=referral, requested_at=hours(3))
        request.answer, request.answered_at = "Known to us since birth.", hours(4)
        request.answered_by = request.requested_by
        request.save()
        challenge = ChallengeFactory(decision=decision, raised_at=hours(5))
        ChallengeResponseFactory(challenge=challenge, at=hours(6))
        challenge.resolved_at, challenge.resolved_by = hours(7), decision.decided_by
        challenge.resolution, challenge.resolution_reasons = "not_upheld", "The threshold was met."
        challenge.status = "resolved"
        challenge.save()
        discussion = StrategyDiscussionFactory(referral=referral, held_at=hours(8))
        DiscussionActionFactory(discussion=discussion, done_at=hours(9))
    unlinked(child)


def unlinked(child) -> ChildLinkRemoval:
    return ChildLinkRemoval.objects.create(
        referral=ReferralFactory(),
        child=child,
        reason="Another child with the same name.",
        removed_by=UserFactory(),
    )


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
    a_history(child, 10, first=2)
    many = statements(manager_client, url)

    assert few == many == CHRONOLOGY_QUERIES
    page = manager_client.get(url).content.decode()
    assert {f'data-kind="{kind}"' in page for kind in KINDS} == {True}


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
        assert item["at_text"] == dateformat.format(local, "l j F Y, H:i")
        if event.referral:
            assert item["referral_url"] == reverse("triage:referral", args=[event.referral.pk])
            assert item["reference"] == event.referral.reference
        else:
            assert item["referral_url"] == ""
        if event.discussion_id:
            assert item["discussion_url"] == reverse("strategy:detail", args=[event.discussion_id])
        else:
            assert item["discussion_url"] == ""
    assert items[-1]["at_text"] == "Sunday 29 March 2026, 02:00"  # British Summer Time


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


def test_the_events_are_written_with_every_text_from_the_database_escaped():
    event = Event(
        at=datetime(2026, 1, 5, 9, 30, tzinfo=UTC),
        kind="referral",
        title='Referral <script>alert("t")</script> received',
        by="O'Brien & Sons <Ltd>",
        lines=["Worry: <img src=x onerror=alert(1)>", "Second\nline"],
        tags=["Immediate risk", "Repeat: 2 earlier in 12 months"],
        referral=ReferralFactory(reference='REF-"1"'),
        discussion_id=7,
    )

    html = events_markup(page_items([event]))

    assert "<script>" not in html and "<img" not in html and "<Ltd>" not in html
    assert "Referral &lt;script&gt;alert(&quot;t&quot;)&lt;/script&gt; received" in html
    # The byline runs on from the heading: apart from it.
    assert '</h2>\n<p class="moj-timeline__byline">by O&#x27;Brien &amp; Sons &lt;Ltd&gt;' in html
    assert '<p class="govuk-body fd-preserve-lines">Second\nline</p>' in html
    assert '<strong class="govuk-tag govuk-tag--red fd-flag">Immediate risk</strong>' in html
    assert '<time datetime="2026-01-05T09:30:00+00:00">Monday 5 January 2026, 09:30</time>' in html
    assert f'href="{reverse("strategy:detail", args=[7])}">Open the discussion' in html
    assert "Open REF-&quot;1&quot;</a>" in html
    assert "autofocus" not in html


def test_the_first_event_of_a_piece_added_in_place_takes_the_focus():
    events = [Event(at=timezone.now(), kind="decision", title=f"Decision {n}") for n in range(3)]

    html = events_markup(page_items(events), focus_first=True)

    assert html.count("autofocus") == 1
    assert '<h2 class="moj-timeline__title" tabindex="-1" autofocus>Decision 0</h2>' in html


@pytest.mark.parametrize("came_from", ["\u00b2", "9" * 5000], ids=["sup2", "5000-digits"])
def test_a_referral_to_go_back_to_that_is_not_a_number_is_ignored_not_a_server_error(
    manager_client, came_from
):
    child = ChildFactory()
    ReferralFactory(child=child)

    response = manager_client.get(
        reverse("children:chronology", args=[child.pk]), {"referral": came_from}
    )

    assert response.status_code == 200
