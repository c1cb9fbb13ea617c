"""A long chronology a piece at a time (issue 14): the newest events first, the earlier ones
by "Show earlier events" (a plain link without JavaScript, the piece added in place with
htmx), or all of them on one page for printing. Every piece is the page: the same
permission and break-the-glass checks, and an access-log row naming the referrals it
showed."""

import html
import re
from datetime import timedelta

import pytest
from django.urls import reverse

from agencies.models import Role
from audit.models import AccessLog
from tests.factories import ChildFactory, DecisionFactory, ReferralFactory, UserFactory
from tests.triage.test_break_glass import client_for, decided
from tests.triage.test_chronology_page import a_history
from triage import child_views
from triage.chronology import chronology

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}
TITLE = re.compile(r'<h2 class="moj-timeline__title"[^>]*>(.*?)</h2>')
EARLIER = re.compile(r'id="chronology-earlier-link"[^>]*\shref="([^"]*)"')


@pytest.fixture
def small_pieces(monkeypatch):
    monkeypatch.setattr(child_views, "PIECE_SIZE", 7)
    return 7


@pytest.fixture
def child():
    child = ChildFactory()
    a_history(child, 3)  # 31 events: 10 for each referral and a referral unlinked
    return child


def titles(page: str) -> list[str]:
    return [html.unescape(t) for t in TITLE.findall(page)]


def earlier_link(page: str) -> str | None:
    found = EARLIER.search(page)
    return html.unescape(found.group(1)) if found else None


def test_the_page_shows_the_newest_events_and_a_link_to_the_earlier(
    screener_client, child, small_pieces
):
    url = reverse("children:chronology", args=[child.pk])

    page = screener_client.get(url).content.decode()

    everything = [e.title for e in chronology(child)]
    assert titles(page) == everything[:7]
    assert 'Events 1 to <span id="chronology-last">7</span> of 31, newest first.' in page
    assert earlier_link(page).startswith("?cursor=")
    assert 'href="?all=on"' in page


def test_without_javascript_the_links_walk_through_every_event_once(
    screener_client, child, small_pieces
):
    url = reverse("children:chronology", args=[child.pk])
    shown, pages = [], 0
    page = screener_client.get(url).content.decode()
    while True:
        pages += 1
        shown += titles(page)
        link = earlier_link(page)
        if link is None:
            break
        page = screener_client.get(url + link).content.decode()
        assert "Back to the newest events" in page
        assert "Record a strategy discussion" not in page  # a screener's page

    assert shown == [e.title for e in chronology(child)]
    assert pages == 5
    assert 'Events 29 to <span id="chronology-last">31</span> of 31' in page
    assert "These are the earliest events recorded." in page


def test_htmx_gets_the_next_piece_alone_with_the_next_link_out_of_band(
    screener_client, child, small_pieces
):
    url = reverse("children:chronology", args=[child.pk])
    link = earlier_link(screener_client.get(url).content.decode())

    response = screener_client.get(url + link, headers=HTMX)

    piece = response.content.decode()
    assert "<html" not in piece and child.first_name not in piece
    assert titles(piece) == [e.title for e in chronology(child)][7:14]
    assert piece.count("autofocus") == 1
    assert '<span id="chronology-last" hx-swap-oob="true">14</span>' in piece
    (earlier_block,) = re.findall(r'<div id="chronology-earlier"[^>]*>', piece)
    assert 'hx-swap-oob="true"' in earlier_block
    assert earlier_link(piece) not in (None, link)
    assert "HX-Request" in response["Vary"]


def test_an_event_recorded_meanwhile_does_not_shift_the_pieces(
    screener_client, child, small_pieces
):
    url = reverse("children:chronology", args=[child.pk])
    link = earlier_link(screener_client.get(url).content.decode())
    before = titles(screener_client.get(url + link).content.decode())

    ReferralFactory(child=child)  # the newest event now

    assert titles(screener_client.get(url + link).content.decode()) == before


def test_all_the_events_on_one_page_for_printing(screener_client, child, small_pieces):
    url = reverse("children:chronology", args=[child.pk])

    page = screener_client.get(url + "?all=on").content.decode()

    assert titles(page) == [e.title for e in chronology(child)]
    assert "All 31 events, newest first." in page
    assert "Use your browser's print" in page
    assert earlier_link(page) is None


def test_a_short_chronology_is_all_on_the_page():
    child = ChildFactory()
    DecisionFactory(referral=ReferralFactory(child=child))
    manager = client_for(UserFactory(role=Role.MANAGER))

    page = manager.get(reverse("children:chronology", args=[child.pk])).content.decode()

    assert "All 2 events, newest first." in page
    assert earlier_link(page) is None and "?all=on" not in page
    assert "htmx.min.js" not in page


def test_a_position_the_page_did_not_write_shows_the_newest_events(
    screener_client, child, small_pieces
):
    url = reverse("children:chronology", args=[child.pk])
    newest = titles(screener_client.get(url).content.decode())

    for token in ("nonsense", "WzAsIjIwMjYiLCJ4IiwxXQ", "W10", "x" * 500):
        response = screener_client.get(url, {"cursor": token})
        assert response.status_code == 200
        assert titles(response.content.decode()) == newest


def test_each_piece_is_in_the_access_log_naming_the_referrals_it_showed(
    screener_client, child, small_pieces
):
    url = reverse("children:chronology", args=[child.pk])
    events = chronology(child)
    first = screener_client.get(url).content.decode()
    screener_client.get(url + earlier_link(first), headers=HTMX)

    rows = list(AccessLog.objects.order_by("pk"))
    assert [(r.kind, r.object_id) for r in rows] == [(AccessLog.Kind.CHILD, child.pk)] * 2
    for row, piece in zip(rows, (events[:7], events[7:14]), strict=True):
        assert row.detail == {"referrals": sorted({e.referral.pk for e in piece if e.referral})}
        assert row.detail["referrals"]


@pytest.mark.parametrize("query", ["?all=on", "?cursor=x", ""])
@pytest.mark.parametrize("headers", [{}, HTMX])
def test_roles_without_every_referral_get_no_piece(child, query, headers):
    url = reverse("children:chronology", args=[child.pk]) + query
    for role in (Role.REFERRER, Role.AGENCY_LEAD, Role.PARTNER):
        response = client_for(UserFactory(role=role)).get(url, headers=headers)
        assert response.status_code == 403
    assert not AccessLog.objects.exists()


def test_a_closed_record_asks_why_before_any_piece(small_pieces):
    child = ChildFactory()
    for days in range(60, 100, 4):
        decided(days, child=child)
    screener = client_for(UserFactory(role=Role.SCREENER))
    url = reverse("children:chronology", args=[child.pk])
    granted = client_for(UserFactory(role=Role.AUDITOR))  # no reason needed
    link = earlier_link(granted.get(url).content.decode())
    logged = AccessLog.objects.count()  # the auditor's (the log is kept as written)

    for query in (link, "?all=on"):
        page = screener.get(url + query).content.decode()
        assert "This record is closed" in page and 'name="reason"' in page
        assert child.first_name not in page and titles(page) == []
    # htmx is sent to the reason page as a page, not given it inside the timeline.
    response = screener.get(url + link, headers=HTMX)
    assert response.status_code == 204 and response.content == b""
    assert response["HX-Redirect"] == url + link
    assert AccessLog.objects.count() == logged


def test_a_link_back_to_the_referral_it_was_opened_from_stays_on_every_piece(
    screener_client, child, small_pieces
):
    referral = child.referrals.order_by("received_at").first()
    url = reverse("children:chronology", args=[child.pk])

    page = screener_client.get(url, {"referral": referral.pk}).content.decode()
    link = earlier_link(page)
    assert link.endswith(f"&referral={referral.pk}")
    earlier = screener_client.get(url + link).content.decode()

    assert f"Back to {referral.reference}" in earlier
    assert f'href="{url}?referral={referral.pk}">Back to the newest events' in earlier
    # Only the child's own referrals: another's is not named.
    other = ReferralFactory(received_at=referral.received_at - timedelta(days=1))
    page = screener_client.get(url, {"referral": other.pk}).content.decode()
    assert other.reference not in page
