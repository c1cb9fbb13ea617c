"""Browser journey: a person signed in on two browsers sees both on their account page,
ends the other after giving their password again (a wrong one first), and the other
browser is signed out (ASVS 3.3.4). Each page is audited by axe (conftest)."""

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.shots import shoot
from tests.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FIREFOX_ON_MAC = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14.7; rv:133.0) Gecko/20100101 Firefox/133.0"
)


def sign_in(page: Page, url: str) -> None:
    page.goto(f"{url}/accounts/login/")
    page.get_by_label("Username").fill("pat.sessions")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))


def test_a_person_sees_their_sessions_and_ends_the_other(page: Page, browser: Browser, live_server):
    UserFactory(username="pat.sessions", first_name="Pat", last_name="Sessions")
    elsewhere = browser.new_context(user_agent=FIREFOX_ON_MAC)
    other = elsewhere.new_page()
    sign_in(other, live_server.url)
    sign_in(page, live_server.url)

    for width in (1280, 320):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{live_server.url}/accounts/")
        sessions = page.get_by_test_id("browser-sessions")
        expect(sessions).to_contain_text("This session")
        expect(sessions).to_contain_text("Firefox on macOS")
        shoot(page, f"account-sessions-{width}.png")

    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_role("link", name=re.compile(r"End the session on Firefox on macOS")).click()
    expect(page.get_by_role("heading", name="End the session on Firefox on macOS")).to_be_visible()
    page.get_by_label("Your password").fill("not-the-password")
    page.get_by_role("button", name="End the session").click()

    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Your password is not right")
    expect(summary.get_by_role("link")).to_have_attribute("href", "#id_password")
    shoot(page, "end-session-error-1280.png")
    page.set_viewport_size({"width": 320, "height": 900})
    shoot(page, "end-session-error-320.png")
    page.set_viewport_size({"width": 1280, "height": 900})

    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_role("button", name="End the session").click()

    expect(page.get_by_role("heading", name="Your account")).to_be_visible()
    expect(
        page.locator(".govuk-notification-banner, .govuk-panel, [role=alert], [role=status]").first
    ).to_contain_text("is ended")
    expect(page.get_by_test_id("browser-sessions")).not_to_contain_text("Firefox on macOS")
    shoot(page, "account-after-ending-1280.png")

    other.goto(f"{live_server.url}/accounts/")
    expect(other).to_have_url(re.compile(r"/accounts/login/"))
    elsewhere.close()
