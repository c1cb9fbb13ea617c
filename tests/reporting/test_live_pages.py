"""The live dashboard page, its htmx partial, and the lists its counts open: each list
shows what its count counts."""

import re
from datetime import UTC, datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agencies.models import Role
from tests import factories as f
from tests.reporting.live_fixture import EXPECTED, EXPECTED_STAGES, NOW, build

pytestmark = pytest.mark.django_db


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def world(clock):
    return build()


def _figure(page: str, key: str) -> tuple[int, str]:
    match = re.search(
        rf'data-figure="{key}">\s*<a class="[^"]*" href="([^"]+)"><span class="fd-figure__count"'
        r' data-testid="count">(\d+)</span>',
        page,
    )
    assert match, f"no figure {key}"
    return int(match.group(2)), match.group(1).replace("&amp;", "&")


def _rows(client, href: str) -> int:
    return client.get(href).content.decode().count("data-reference=")


def test_the_manager_sees_each_count_as_of_now_in_london_time(world, manager_client):
    page = manager_client.get("/dashboard/").content.decode()

    for key in ("overdue", "due_soon", "unallocated", "awaiting_decision"):
        assert _figure(page, key)[0] == EXPECTED[key]
    for key in ("information_requests_overdue", "minutes_overdue", "actions_overdue"):
        assert _figure(page, key)[0] == EXPECTED[key]
    # 12:00 UTC in July is 13:00 in London; each figure says so.
    assert "Figures as of <strong>13:00</strong>" in page
    assert page.count("as of 13:00") >= 7


def test_in_winter_the_time_shown_is_gmt(manager_client):
    with time_machine.travel(datetime(2026, 1, 15, 12, 0, tzinfo=UTC), tick=False):
        page = manager_client.get("/dashboard/").content.decode()

    assert "Figures as of <strong>12:00</strong>" in page


LISTED = [
    "overdue", "due_soon", "unallocated", "awaiting_decision", "information_requests_overdue",
    "minutes_overdue",
]  # fmt: skip


@pytest.mark.parametrize("key", LISTED)
def test_each_count_opens_a_list_of_exactly_what_it_counts(world, manager_client, key):
    count, href = _figure(manager_client.get("/dashboard/").content.decode(), key)

    assert _rows(manager_client, href) == count == EXPECTED[key]


def test_the_actions_count_opens_the_discussions_with_those_actions(world, manager_client):
    count, href = _figure(manager_client.get("/dashboard/").content.decode(), "actions_overdue")
    listing = manager_client.get(href).content.decode()

    # Two discussions, three overdue actions between them.
    assert listing.count("data-reference=") == 2
    assert sum(int(n) for n in re.findall(r"(\d+) overdue</strong>", listing)) == count == 3


def test_each_stage_opens_its_challenges_and_those_past_the_timescale(world, manager_client):
    page = manager_client.get("/dashboard/").content.decode()

    for order, (open_count, past) in EXPECTED_STAGES.items():
        row = re.search(rf'data-stage="{order}">(.*?)</tr>', page, re.S).group(1)
        links = [h.replace("&amp;", "&") for h in re.findall(r'href="([^"]+)"', row)]
        listed = [manager_client.get(h).content.decode().count("open the challenge") for h in links]
        assert listed == [open_count, past]


def test_each_persons_open_work_opens_their_referrals(world, manager_client):
    page = manager_client.get("/dashboard/").content.decode()

    for user, (open_count, overdue) in ((world.screener, (2, 1)), (world.manager, (1, 0))):
        row = re.search(rf'data-user="{user.pk}">(.*?)</tr>', page, re.S).group(1)
        assert user.display_name in row
        links = [h.replace("&amp;", "&") for h in re.findall(r'href="([^"]+)"', row)]
        assert [_rows(manager_client, h) for h in links] == [open_count, overdue]


def test_htmx_gets_only_the_figures_to_swap_in(world, manager_client):
    response = manager_client.get("/dashboard/", headers={"HX-Request": "true"})
    fragment = response.content.decode()

    assert fragment.lstrip().startswith('<div id="live-figures"')
    assert 'hx-trigger="every 60s"' in fragment
    assert "<html" not in fragment
    assert _figure(fragment, "overdue")[0] == EXPECTED["overdue"]
    assert "HX-Request" in response["Vary"]


def test_without_javascript_the_page_offers_a_refresh_link(world, manager_client):
    page = manager_client.get("/dashboard/").content.decode()

    assert 'href="/dashboard/" data-testid="refresh"' in page
    assert 'hx-get="/dashboard/"' in page


def test_the_auditor_sees_the_same_figures(world, auditor_client):
    page = auditor_client.get("/dashboard/").content.decode()

    assert _figure(page, "overdue")[0] == EXPECTED["overdue"]


def test_a_screener_may_not_open_the_dashboard(screener_client):
    assert screener_client.get("/dashboard/").status_code == 403


def _queries(client) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/dashboard/").status_code == 200
    return len(captured)


def test_the_page_takes_the_same_number_of_queries_however_much_there_is(world, manager_client):
    before = _queries(manager_client)
    for _ in range(4):
        someone = f.UserFactory(role=Role.SCREENER)
        f.ReferralFactory(in_screening=True, assigned_to=someone, assigned_at=NOW)
        f.InformationRequestFactory(requested_at=NOW.replace(hour=1), due_at=NOW)
        f.StrategyDiscussionFactory(held_at=NOW.replace(day=1), minutes_due_at=NOW)

    assert _queries(manager_client) == before


def test_the_overdue_requests_list_names_no_child(world, manager_client):
    page = manager_client.get("/dashboard/information-requests/").content.decode()

    assert world.request_due_now.referral.reference in page
    assert world.request_not_yet.referral.reference not in page
    assert world.request_due_now.referral.child_first_name not in page


def test_the_dashboard_links_the_reports_over_time_and_the_census(manager_client):
    page = manager_client.get("/dashboard/").content.decode()

    for address in ("/dashboard/performance/", "/dashboard/agency/", "/dashboard/census/"):
        assert f'href="{address}"' in page
