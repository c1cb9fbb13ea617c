"""GET /api/v1/referrals/ for a screener or a manager leaves closed referrals out row by
row, and a page reads at most its budget of referrals beyond its cursor (closed or not):
deep in the history, where nearly every referral is closed, a page may hold fewer than
the page size, or none, and its ``next`` starts after the last referral it read. A
client that follows ``next`` to the end (or ``previous`` back to the start) sees every
referral it may see exactly once, in order, whatever the budget; ``next`` is null only
at the end."""

from __future__ import annotations

import base64
import json
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from agencies.models import Role
from audit.models import AccessLog
from referrals import break_glass
from referrals.models import Referral
from referrals.pagination import ReferralCursorPagination
from tests.clients import api_as
from tests.factories import ChildFactory, DecisionFactory, ReferralFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/referrals/"


def decided(received_days_ago: float, *, decided_days_ago: float, **referral) -> Referral:
    received = timezone.now() - timedelta(days=received_days_ago)
    referral = ReferralFactory(received_at=received, awaiting_decision=True, **referral)
    decision = DecisionFactory(
        referral=referral, decided_at=timezone.now() - timedelta(days=decided_days_ago)
    )
    return decision.referral


@pytest.fixture
def budget(monkeypatch):
    def set_to(rows: int, *, page_size: int = 50) -> None:
        monkeypatch.setattr(ReferralCursorPagination, "budget", rows)
        monkeypatch.setattr(ReferralCursorPagination, "page_size", page_size)

    return set_to


@pytest.fixture
def history() -> list[Referral]:
    """A history newest first: recent referrals (none closed), then long runs of closed
    ones with a few that are not closed among them (an old referral whose child has
    one open, one decided lately), some received at the same moment across runs."""
    child_with_open = ChildFactory()
    made = [ReferralFactory(received_at=timezone.now() - timedelta(hours=n)) for n in range(4)]
    made.append(ReferralFactory(child=child_with_open, received_at=timezone.now()))
    made.append(decided(10, decided_days_ago=5))
    for n in range(9):
        made.append(decided(100 + n, decided_days_ago=90 + n))  # closed
    made.append(decided(112, decided_days_ago=100, child=child_with_open))  # not closed
    for n in range(7):
        made.append(decided(120 + n, decided_days_ago=110, child=ChildFactory()))  # closed
    same_moment = timezone.now() - timedelta(days=130)
    for closed in (True, False, True, True, False, True):
        if closed:
            made.append(decided(130, decided_days_ago=120))
        else:
            made.append(decided(130, decided_days_ago=3))
        Referral.objects.filter(pk=made[-1].pk).update(received_at=same_moment)
    for n in range(5):
        made.append(decided(200 + n, decided_days_ago=190))  # closed, the oldest
    return made


def expected_for_screeners() -> list[int]:
    now = timezone.now()
    everything = Referral.objects.select_related("decision").order_by("-received_at", "-id")
    return [r.pk for r in everything if not break_glass.referral_is_closed(r, now=now)]


def walk(client, url: str, link: str) -> list[dict]:
    pages = []
    while url:
        cache.clear()  # the API's throttle counts requests there: a walk may take hundreds
        body = client.get(url).json()
        pages.append(body)
        url = body[link]
        assert len(pages) < 500, "the walk does not end"
    return pages


def ids(pages: list[dict]) -> list[int]:
    return [row["id"] for page in pages for row in page["results"]]


def position(link: str) -> list:
    token = link.split("cursor=")[1]
    return json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))


@pytest.mark.parametrize(
    ("rows", "page_size"), [(1, 1), (1, 4), (2, 3), (3, 2), (5, 5), (7, 3), (40, 4), (1000, 50)]
)
def test_following_next_then_previous_shows_every_referral_not_closed_once_in_order(
    history, budget, rows, page_size
):
    budget(rows, page_size=page_size)
    expected = expected_for_screeners()
    client = api_as(UserFactory(role=Role.SCREENER))

    forward = walk(client, URL, "next")
    back = walk(client, forward[-1]["previous"], "previous") if forward[-1]["previous"] else []

    assert ids(forward) == expected
    assert all(len(page["results"]) <= page_size for page in forward)
    assert all(page["next"] for page in forward[:-1])
    # Back from the last page to the first: every page before the last, in order.
    assert ids(list(reversed(back))) + ids(forward[-1:]) == expected
    if rows < 6:
        # The budget, not the page size, ended some page: the runs of closed referrals.
        assert any(len(page["results"]) < page_size for page in forward[:-1])
        assert any(not page["results"] and page["next"] for page in forward)
    if rows >= len(history):
        assert [len(page["results"]) for page in forward[:-1]] == [page_size] * (len(forward) - 1)


@pytest.mark.parametrize(("rows", "page_size"), [(2, 3), (5, 2)])
def test_turning_back_on_any_page_then_forward_again_skips_and_repeats_nothing(
    history, budget, rows, page_size
):
    """From an empty page, the way back starts at the page's own cursor (including the
    referral at it), and the way on from an empty page reached backwards likewise."""
    budget(rows, page_size=page_size)
    expected = expected_for_screeners()
    client = api_as(UserFactory(role=Role.SCREENER))
    forward = walk(client, URL, "next")
    assert any(not page["results"] for page in forward[1:])

    for at, page in enumerate(forward[1:], start=1):
        back = client.get(page["previous"]).json()
        tail = ids([back]) + (ids(walk(client, back["next"], "next")) if back["next"] else [])

        assert tail == expected[len(expected) - len(tail) :]
        assert len(tail) >= len(ids(forward[at:]))


def test_a_page_reads_no_further_than_its_budget(history, budget):
    budget(4)
    client = api_as(UserFactory(role=Role.SCREENER))
    everything = list(Referral.objects.order_by("-received_at", "-id"))

    first = client.get(URL).json()
    second = client.get(first["next"]).json()
    third = client.get(second["next"]).json()

    # Four read a page; the newest six are not closed, the next nine are.
    assert [r["id"] for r in first["results"]] == [r.pk for r in everything[:4]]
    assert [r["id"] for r in second["results"]] == [r.pk for r in everything[4:6]]
    assert third["results"] == []
    # Onward from the last referral read, shown or not.
    assert position(second["next"])[2] == everything[7].pk
    assert position(third["next"])[2] == everything[11].pk
    assert third["previous"] is not None


def test_the_page_that_reads_the_last_referral_has_no_next(history, budget):
    budget(len(history))  # exactly every referral: the first page reads the last one too
    client = api_as(UserFactory(role=Role.SCREENER))

    body = client.get(URL).json()

    assert [r["id"] for r in body["results"]] == expected_for_screeners()
    assert body["next"] is None


def test_an_empty_page_is_logged_as_showing_nothing(history, budget):
    budget(4)
    client = api_as(UserFactory(role=Role.SCREENER))
    first = client.get(URL).json()
    second = client.get(first["next"]).json()

    third = client.get(second["next"]).json()

    logged = list(AccessLog.objects.filter(kind=AccessLog.Kind.REFERRAL_LIST).order_by("pk"))
    assert third["results"] == []
    assert [row.detail["referrals"] for row in logged] == [
        [r["id"] for r in first["results"]],
        [r["id"] for r in second["results"]],
        [],
    ]


def test_a_short_page_takes_no_more_statements_than_a_full_one(history, budget):
    budget(4)
    client = api_as(UserFactory(role=Role.SCREENER))

    def statements(url) -> tuple[int, int]:
        with CaptureQueriesContext(connection) as captured:
            body = client.get(url).json()
        return len(captured), len(body["results"])

    first = client.get(URL).json()
    second = client.get(first["next"]).json()
    # A full page: authentication aside, the budget's edge, the rows, their concerns, the
    # access log; an empty one has no concerns to read.
    full, shown = statements(URL)
    empty, none = statements(second["next"])

    assert (shown, none) == (4, 0)
    assert empty == full - 1


@pytest.mark.parametrize("role", [Role.AUDITOR, Role.AGENCY_LEAD])
def test_lists_that_leave_nothing_out_fill_every_page_whatever_the_budget(history, budget, role):
    budget(1, page_size=4)
    reader = UserFactory(role=role)
    if role == Role.AGENCY_LEAD:
        Referral.objects.update(agency=reader.agency)
    everything = list(Referral.objects.order_by("-received_at", "-id").values_list("pk", flat=True))

    forward = walk(api_as(reader), URL, "next")

    assert ids(forward) == everything
    full, rest = divmod(len(everything), 4)
    assert [len(page["results"]) for page in forward] == [4] * full + ([rest] if rest else [])
