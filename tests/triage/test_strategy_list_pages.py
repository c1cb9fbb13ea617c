"""The strategy discussion lists (GET /api/v1/strategy-discussions/ and /strategy/) page by
position, newest first by when the discussion was held: no count, no page numbers, so
neither the first page nor a deep one sorts or counts the whole history. The closed-record
filter is written the other way round (the discussions that are not closed) and must
leave out exactly what ``discussion_is_closed`` says is closed."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from agencies.models import Role
from audit.models import AccessLog
from referrals import break_glass
from referrals.pagination import encode
from tests.clients import ago, api_as, client_for
from tests.factories import (
    AttendeeFactory,
    ChildFactory,
    DecisionFactory,
    DiscussionActionFactory,
    ReferralFactory,
    StrategyDiscussionFactory,
    UserFactory,
)
from triage import selectors
from triage.models import StrategyDiscussion
from triage.strategy_api import DiscussionCursorPagination

pytestmark = pytest.mark.django_db

API = "/api/v1/strategy-discussions/"
WEB = "/strategy/"


def decided(days_ago: float, **referral):
    referral = ReferralFactory(
        received_at=ago(days_ago) - timedelta(hours=3), awaiting_decision=True, **referral
    )
    return DecisionFactory(referral=referral, decided_at=ago(days_ago)).referral


def held(referral, days_ago: float) -> StrategyDiscussion:
    return StrategyDiscussionFactory(referral=referral, held_at=ago(days_ago))


def _references(html: str) -> list[str]:
    return re.findall(r'data-reference="([^"]+)"', html)


# --- The closed-record filter --------------------------------------------------------------


def test_open_discussions_is_exactly_what_is_not_closed():
    child_with_open = ChildFactory()
    ReferralFactory(child=child_with_open)  # still open: the child's old records are not closed
    child_all_decided = ChildFactory()
    made = {
        "closed, no child": held(decided(60), 40),
        "closed, child with nothing open": held(decided(60, child=child_all_decided), 40),
        "child decided twice, both long ago": held(decided(90, child=child_all_decided), 80),
        "held lately, decided long ago": held(decided(60), 3),
        "held long ago, decided lately": held(decided(5), 40),
        "held long ago, referral undecided": held(ReferralFactory(), 40),
        "held long ago, referral in screening": held(ReferralFactory(in_screening=True), 40),
        "held long ago, decided long ago, child has an open referral": held(
            decided(60, child=child_with_open), 40
        ),
        "on the line's other side": held(decided(31), 31),
    }
    now = timezone.now()
    everything = StrategyDiscussion.objects.select_related("referral__decision")

    by_python = {d.pk for d in everything if not selectors.discussion_is_closed(d, now=now)}
    by_open = set(
        StrategyDiscussion.objects.filter(selectors.open_discussions(now=now)).values_list(
            "pk", flat=True
        )
    )
    by_closed = set(
        StrategyDiscussion.objects.exclude(selectors.closed_discussions(now=now)).values_list(
            "pk", flat=True
        )
    )

    assert by_open == by_python == by_closed
    closed = {name for name, d in made.items() if d.pk not in by_open}
    assert closed == {
        "closed, no child",
        "closed, child with nothing open",
        "child decided twice, both long ago",
        "on the line's other side",
    }


@pytest.mark.postgres(reason="PostgreSQL's query plans")
def test_the_referrals_of_children_with_one_open_are_read_from_an_index_alone():
    """Issue 14: past the closed line the website's list asks for every referral of a
    child with an open referral; the index on (child, received_at) holds the ids, so
    PostgreSQL reads no referral to build that set (from the foreign key's own index it
    read 45,000 at national scale: 0.7 s a page)."""
    from django.db import connection

    from referrals.models import Referral, Status

    child = ChildFactory()
    for days in (40, 20, 1):
        ReferralFactory(child=child, received_at=ago(days))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE referrals_referral")
        for method in ("seqscan", "bitmapscan"):
            cursor.execute(f"SET LOCAL enable_{method} = off")
    open_children = Referral.objects.exclude(status=Status.DECIDED).filter(child__isnull=False)
    plan = (
        Referral.objects.filter(child_id__in=open_children.values("child_id"))
        .order_by()
        .values("pk")
        .explain()
    )
    assert "Index Only Scan using referral_child_received_idx" in plan, plan


def test_auditors_lists_are_not_filtered_for_closed_records():
    auditor = UserFactory(role=Role.AUDITOR)
    queryset = StrategyDiscussion.objects.all()

    assert (
        break_glass.keep_only_open(
            queryset, user=auditor, open_records=selectors.open_discussions(now=timezone.now())
        )
        is queryset
    )


# --- The API's pages -----------------------------------------------------------------------


def test_the_api_list_is_newest_first_without_a_count():
    manager = UserFactory(role=Role.MANAGER)
    middle = held(ReferralFactory(), 2)
    newest = held(ReferralFactory(), 1)
    oldest = held(ReferralFactory(), 3)

    body = api_as(manager).get(API).json()

    assert [d["id"] for d in body["results"]] == [newest.pk, middle.pk, oldest.pk]
    assert set(body) == {"next", "previous", "results"}
    assert body["next"] is None and body["previous"] is None


def test_next_and_previous_walk_every_discussion_once_even_when_held_together():
    screener = UserFactory(role=Role.SCREENER)
    referral = ReferralFactory()
    made = [held(referral, n / 24) for n in range(80)]
    at = ago(1.5)
    made += [StrategyDiscussionFactory(referral=referral, held_at=at) for _ in range(25)]
    expected = sorted(made, key=lambda d: (d.held_at, d.pk), reverse=True)
    client = api_as(screener)

    pages, url = [], API
    while url:
        body = client.get(url).json()
        pages.append(body)
        url = body["next"]
    back = client.get(pages[-1]["previous"]).json()

    assert [len(p["results"]) for p in pages] == [50, 50, 5]
    assert [d["id"] for p in pages for d in p["results"]] == [d.pk for d in expected]
    assert pages[0]["previous"] is None
    assert back["results"] == pages[1]["results"]
    logged = AccessLog.objects.filter(kind=AccessLog.Kind.DISCUSSION_LIST).order_by("pk")
    assert [row.detail["discussions"] for row in logged][:3] == [
        [d["id"] for d in p["results"]] for p in pages
    ]


def test_the_api_pages_leave_closed_discussions_out_for_a_screener_at_any_depth():
    screener = UserFactory(role=Role.SCREENER)
    for n in range(30):
        held(decided(400 + n), 300 + n)  # closed
    kept = [held(ReferralFactory(), 100 + n) for n in range(55)]
    for n in range(30):
        held(decided(700 + n), 600 + n)  # closed, older than any kept
    client = api_as(screener)

    first = client.get(API).json()
    second = client.get(first["next"]).json()

    assert [d["id"] for d in first["results"] + second["results"]] == [d.pk for d in kept]
    assert second["next"] is None


def test_an_api_page_takes_the_same_queries_however_deep(django_assert_num_queries):
    client = api_as(UserFactory(role=Role.SCREENER))
    for n in range(55):
        discussion = held(ReferralFactory(child=ChildFactory()), n)
        AttendeeFactory(discussion=discussion)
        DiscussionActionFactory(discussion=discussion)
    second = client.get(API).json()["next"]

    # Where the page's budget ends (test_api_pages_within_a_budget_...); the page with its
    # referrals, children and conveners; its attendees (with their agencies: the warnings
    # read them, not a query a discussion), actions, decisions and information shared, a
    # query each however many discussions; the access log.
    with django_assert_num_queries(7):
        assert client.get(API).status_code == 200
    with django_assert_num_queries(7):
        assert client.get(second).status_code == 200


@pytest.mark.parametrize(("rows", "page_size"), [(1, 2), (3, 2), (4, 5), (1000, 50)])
def test_api_pages_within_a_budget_show_every_discussion_not_closed_once_in_order(
    monkeypatch, rows, page_size
):
    """A screener's page reads at most its budget of discussions beyond its cursor, closed
    or not: a page may then hold fewer than the page size, or none, and its next goes on
    after the last discussion it read. Following next to the end, and previous back to
    the start, shows every discussion not closed once."""
    monkeypatch.setattr(DiscussionCursorPagination, "budget", rows)
    monkeypatch.setattr(DiscussionCursorPagination, "page_size", page_size)
    child_with_open = ChildFactory()
    ReferralFactory(child=child_with_open)
    for n in range(3):
        held(ReferralFactory(), n)
    for n in range(6):
        held(decided(400 + n), 300 + n)  # closed
    held(decided(400, child=child_with_open), 310)  # not closed: the child has one open
    for n in range(5):
        held(decided(500 + n), 320)  # closed, held at one moment
    held(decided(5), 320)  # not closed: decided lately
    now = timezone.now()
    expected = [
        d.pk
        for d in StrategyDiscussion.objects.select_related("referral__decision").order_by(
            "-held_at", "-id"
        )
        if not selectors.discussion_is_closed(d, now=now)
    ]
    client = api_as(UserFactory(role=Role.SCREENER))

    def walk(url, link):
        pages = []
        while url:
            cache.clear()  # the API's throttle counts requests there
            pages.append(client.get(url).json())
            url = pages[-1][link]
        return pages

    forward = walk(API, "next")
    back = walk(forward[-1]["previous"], "previous") if forward[-1]["previous"] else []

    def ids(pages):
        return [d["id"] for p in pages for d in p["results"]]

    assert ids(forward) == expected
    assert ids(list(reversed(back))) + ids(forward[-1:]) == expected
    assert all(len(p["results"]) <= page_size for p in forward)
    if rows < 5:
        assert any(not p["results"] and p["next"] for p in forward)


@pytest.mark.parametrize(
    "cursor",
    ["", "not a cursor", "cD0yMDI2LTAxLTAx", "A" * 401, encode(["yesterday", 1])],
)
def test_a_cursor_that_is_not_a_link_is_a_400_naming_cursor(cursor):
    response = api_as(UserFactory(role=Role.AUDITOR)).get(API, {"cursor": cursor})

    assert response.status_code == 400
    assert list(response.json()) == ["cursor"]


def test_a_cursor_never_shows_a_closed_discussion_to_a_screener():
    closed = held(decided(60), 40)
    far_back = encode([closed.held_at + timedelta(seconds=1), closed.pk])

    body = api_as(UserFactory(role=Role.SCREENER)).get(API, {"cursor": far_back}).json()

    assert body["results"] == []


# --- The website's pages -------------------------------------------------------------------


def test_the_web_list_pages_by_older_and_newer_links_that_keep_the_filters():
    manager = UserFactory(role=Role.MANAGER)
    made = [held(ReferralFactory(), n / 24) for n in range(53)]
    for discussion in made[:52]:
        DiscussionActionFactory(discussion=discussion, due_at=ago(0.01) - timedelta(hours=1))
    client = client_for(manager)

    first = client.get(WEB, {"actions_overdue": "on"}).content.decode()
    older = re.search(r'href="\?([^"]+)" rel="next"', first).group(1).replace("&amp;", "&")
    second = client.get(f"{WEB}?{older}").content.decode()
    newer = re.search(r'href="\?([^"]+)" rel="prev"', second).group(1).replace("&amp;", "&")
    back = client.get(f"{WEB}?{newer}").content.decode()

    references = [d.referral.reference for d in made[:52]]
    assert "actions_overdue=on" in older and "page=" not in older
    assert _references(first) == references[:50]
    assert _references(second) == references[50:]
    assert 'rel="next"' not in second
    assert _references(back) == references[:50]
    assert 'rel="prev"' not in back
    assert 'Older<span class="govuk-visually-hidden"> discussions</span>' in first


def test_a_web_cursor_that_is_not_a_link_shows_the_first_page():
    discussion = held(ReferralFactory(), 1)

    response = client_for(UserFactory(role=Role.SCREENER)).get(WEB, {"cursor": "not a cursor"})

    assert response.status_code == 200
    assert _references(response.content.decode()) == [discussion.referral.reference]


def test_the_web_list_counts_overdue_actions_for_each_row():
    discussion = held(ReferralFactory(), 5)
    for _ in range(3):
        DiscussionActionFactory(discussion=discussion, due_at=ago(1))
    DiscussionActionFactory(discussion=discussion, due_at=ago(1), done_at=ago(2))
    DiscussionActionFactory(discussion=discussion, due_at=ago(-1))
    held(ReferralFactory(), 4)

    html = client_for(UserFactory(role=Role.MANAGER)).get(WEB).content.decode()

    assert re.findall(r'data-testid="overdue-actions">(.*?)</td>', html) == [
        "None",
        '<strong class="govuk-tag govuk-tag--red">3 overdue</strong>',
    ]


@pytest.mark.parametrize(("role", "queries"), [(Role.SCREENER, 5), (Role.AUDITOR, 5)])
def test_a_web_page_takes_the_same_queries_however_deep(role, queries, django_assert_num_queries):
    client = client_for(UserFactory(role=role))
    for n in range(55):
        DiscussionActionFactory(discussion=held(ReferralFactory(), n))
    first = client.get(WEB).content.decode()
    older = re.search(r'href="\?([^"]+)" rel="next"', first).group(1).replace("&amp;", "&")

    # The session and its user (with their agency); the page's rows (with their
    # referrals, conveners, overdue actions and late minutes: no count); the access log;
    # the header's inbox count.
    with django_assert_num_queries(queries):
        client.get(WEB)
    with django_assert_num_queries(queries):
        client.get(f"{WEB}?{older}")
