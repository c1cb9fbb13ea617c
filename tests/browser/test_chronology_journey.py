"""A screener reads a long chronology a piece at a time (issue 14): "Show earlier events"
adds the next piece below in place, the focus on its first event and the count of events
shown updated (announced: a status region); without JavaScript (here: htmx not loaded) the same
link opens the piece as a page. At 1280 and 320 pixels wide."""

import re
import time
from importlib import import_module
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from playwright.sync_api import Page, expect

from demo.data.agencies import DEMO_PASSWORD, seed_agencies_and_users
from frontdoor.middleware import LAST_SEEN
from tests.factories import ChildFactory
from tests.triage.test_chronology_page import a_history
from triage import child_views
from triage.chronology import chronology

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-results" / "screenshots"
WIDE = {"width": 1280, "height": 900}
NARROW = {"width": 320, "height": 720}
PIECE = 7


def sign_in(page: Page, base: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill("screener")
    page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_test_id("identity")).to_be_visible()


def shot(page: Page, name: str) -> None:
    page.screenshot(path=SCREENSHOTS / f"chronology-{name}.png")


@pytest.fixture
def long_history(monkeypatch):
    monkeypatch.setattr(child_views, "PIECE_SIZE", PIECE)
    seed_agencies_and_users()
    child = ChildFactory(first_name="Marlow", last_name="Quennell")
    a_history(child, 3)  # 31 events: five pieces of seven
    return child


def test_earlier_events_are_added_in_place_with_the_focus_on_the_first(
    page: Page, live_server, long_history
):
    child = long_history
    titles = [event.title for event in chronology(child)]
    url = f"{live_server.url}{reverse('children:chronology', args=[child.pk])}"
    page.set_viewport_size(WIDE)
    sign_in(page, live_server.url)

    page.goto(url)
    shown = page.get_by_test_id("chronology-shown")
    expect(shown).to_have_text("Events 1 to 7 of 31, newest first.")
    events = page.locator(".moj-timeline__item")
    expect(events).to_have_count(PIECE)
    shot(page, "1-newest-1280")

    earlier = page.get_by_role("button", name="Show earlier events")
    earlier.click()
    expect(events).to_have_count(2 * PIECE)
    expect(shown).to_have_text("Events 1 to 14 of 31, newest first.")
    expect(page.locator(".moj-timeline__title").nth(PIECE)).to_be_focused()
    assert page.url == url  # added in place: the address is the page's
    page.get_by_test_id("chronology-earlier").scroll_into_view_if_needed()
    shot(page, "2-added-1280")

    # The keyboard asks for the rest. (The focus moves once htmx has settled the piece,
    # and with it the next link: pressed before, the link opens the piece as a page.)
    for before, after in ((14, 21), (21, 28), (28, 31)):
        page.get_by_role("button", name="Show earlier events").focus()
        page.keyboard.press("Enter")
        expect(events).to_have_count(after)
        expect(page.locator(".moj-timeline__title").nth(before)).to_be_focused()
    expect(shown).to_have_text("Events 1 to 31 of 31, newest first.")
    expect(page.get_by_role("button", name="Show earlier events")).to_have_count(0)
    expect(page.get_by_test_id("chronology-earlier")).to_contain_text(
        "These are the earliest events recorded."
    )
    assert page.locator(".moj-timeline__title").all_inner_texts() == titles

    page.set_viewport_size(NARROW)
    page.goto(url)
    shot(page, "3-newest-320")
    page.get_by_role("button", name="Show earlier events").click()
    expect(events).to_have_count(2 * PIECE)
    page.get_by_test_id("chronology-earlier").scroll_into_view_if_needed()
    shot(page, "4-added-320")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= NARROW["width"]


def test_without_htmx_the_link_opens_the_earlier_events_as_a_page(
    page: Page, live_server, long_history
):
    child = long_history
    titles = [event.title for event in chronology(child)]
    # As without JavaScript (htmx not loaded); the axe-core audit needs the page's own.
    page.route(re.compile(r"/htmx/"), lambda route: route.abort())
    page.set_viewport_size(WIDE)
    sign_in(page, live_server.url)
    page.goto(f"{live_server.url}{reverse('children:chronology', args=[child.pk])}")

    page.get_by_role("button", name="Show earlier events").click()

    expect(page).to_have_url(re.compile(r"\?cursor="))
    expect(page.get_by_test_id("chronology-shown")).to_have_text(
        "Events 8 to 14 of 31, newest first."
    )
    assert page.locator(".moj-timeline__title").all_inner_texts() == titles[PIECE : 2 * PIECE]
    shot(page, "5-no-javascript-1280")
    page.get_by_role("link", name="Back to the newest events").click()
    expect(page.get_by_test_id("chronology-shown")).to_have_text(
        "Events 1 to 7 of 31, newest first."
    )
    page.get_by_role("link", name="Show all 31 events on one page").click()
    expect(page.get_by_test_id("chronology-shown")).to_have_text("All 31 events, newest first.")
    expect(page.locator(".moj-timeline__item")).to_have_count(31)


def test_a_session_that_ran_out_sends_the_window_to_sign_in_not_into_the_timeline(
    page: Page, live_server, long_history
):
    child = long_history
    page.set_viewport_size(WIDE)
    sign_in(page, live_server.url)
    page.goto(f"{live_server.url}{reverse('children:chronology', args=[child.pk])}")
    expect(page.locator(".moj-timeline__item")).to_have_count(PIECE)
    # The screener went to a meeting with the page open: the session is now idle too long.
    key = next(
        c["value"] for c in page.context.cookies() if c["name"] == settings.SESSION_COOKIE_NAME
    )
    store = import_module(settings.SESSION_ENGINE).SessionStore(session_key=key)
    store[LAST_SEEN] = time.time() - settings.SESSION_IDLE_TIMEOUT.total_seconds() - 60
    store.save()

    page.get_by_role("button", name="Show earlier events").click()

    expect(page).to_have_url(re.compile(r"/accounts/login/\?next="))
    expect(page.get_by_text("You were signed out because you were inactive")).to_be_visible()
    expect(page.locator(".moj-timeline__item")).to_have_count(0)
    shot(page, "6-signed-out-1280")
    page.get_by_label("Username").fill("screener")
    page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    # Back to the piece asked for, as a page of its own.
    expect(page).to_have_url(re.compile(r"\?cursor="))
    expect(page.get_by_test_id("chronology-shown")).to_have_text(
        "Events 8 to 14 of 31, newest first."
    )
