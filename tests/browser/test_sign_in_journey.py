"""Browser journeys: Playwright driving the system Chromium against a live server."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from demo.data.agencies import DEMO_PASSWORD, seed_agencies_and_users

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-results" / "screenshots"


def test_a_screener_signs_in_sees_their_home_page_and_signs_out(page: Page, live_server):
    seed_agencies_and_users()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    expect(page.get_by_role("heading", name="Sign in to Front Door")).to_be_visible()
    page.screenshot(path=SCREENSHOTS / "sign-in.png", full_page=True)

    page.get_by_label("Username").fill("screener")
    page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("heading", name="Screening referrals")).to_be_visible()
    expect(page.get_by_test_id("identity")).to_contain_text("Alex Moss")
    expect(page.get_by_test_id("identity")).to_contain_text("Northshire Children's Social Care")
    expect(page.get_by_test_id("identity")).to_contain_text("Screener")
    page.screenshot(path=SCREENSHOTS / "home-screener.png", full_page=True)

    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/"))


def test_a_wrong_password_shows_the_error_summary(page: Page, live_server):
    seed_agencies_and_users()

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("manager")
    page.get_by_label("Password", exact=True).fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()

    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("Enter a correct username and password")
    # GOV.UK Frontend's script moved focus to the summary: the JavaScript loaded under the CSP.
    expect(summary).to_be_focused()
    page.screenshot(path=SCREENSHOTS / "sign-in-error.png", full_page=True)


def test_the_password_can_be_shown_to_check_it_and_hidden_again(page: Page, live_server):
    page.goto(f"{live_server.url}/accounts/login/")
    password = page.get_by_label("Password", exact=True)
    password.fill("copper kettle marsh")

    page.get_by_role("button", name="Show password").click()
    expect(password).to_have_attribute("type", "text")
    page.screenshot(path=SCREENSHOTS / "sign-in-password-shown.png", full_page=True)

    page.get_by_role("button", name="Hide password").click()
    expect(password).to_have_attribute("type", "password")


def test_the_new_password_meter_says_how_strong_it_is_as_it_is_typed(page: Page, live_server):
    """ASVS 2.1.8: the change-password page shows the new password's strength, and
    whether it would be accepted, while it is typed (htmx, under the CSP)."""
    seed_agencies_and_users()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("referrer.school")
    page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{live_server.url}/accounts/password/")

    page.get_by_label("New password", exact=True).press_sequentially("aaaaaaaaaaaa")
    meter = page.get_by_test_id("password-meter")
    expect(meter).to_contain_text("Very weak")
    expect(meter).to_contain_text("Not accepted yet")
    page.screenshot(path=SCREENSHOTS / "password-meter-weak.png", full_page=True)

    page.get_by_label("New password", exact=True).fill("velvet harbour pencil tundra")
    expect(meter).to_contain_text("This password would be accepted")
    for width in (1280, 320):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=SCREENSHOTS / f"password-meter-strong-{width}.png", full_page=True)
