"""Browser journey: signing out in one tab takes Front Door's pages off the screen in the
browser's other tabs (static/js/app.mjs), and signing in again from there brings the
person back to the page that tab showed. Each page is audited by axe (conftest)."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.shots import shoot
from tests.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_signing_out_in_one_tab_clears_the_others(page: Page, live_server):
    UserFactory(username="pat.tabs", first_name="Pat", last_name="Tabs")
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("pat.tabs")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_test_id("identity")).to_contain_text("Pat Tabs")

    other = page.context.new_page()
    other.goto(f"{live_server.url}/accounts/?from=tab")
    expect(other.get_by_role("heading", name="Your account")).to_be_visible()

    page.get_by_role("button", name="Sign out").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("You have signed out.")

    # The other tab left its page for the sign-in page, keeping where it was.
    expect(other).to_have_url(re.compile(r"/accounts/login/\?next=%2Faccounts%2F%3Ffrom%3Dtab$"))
    expect(other.get_by_test_id("identity")).to_have_count(0)
    for width in (1280, 320):
        page.set_viewport_size({"width": width, "height": 800})
        shoot(page, f"signed-out-{width}.png")

    other.get_by_label("Username").fill("pat.tabs")
    other.get_by_label("Password", exact=True).fill(PASSWORD)
    other.get_by_role("button", name="Sign in").click()
    expect(other).to_have_url(re.compile(r"/accounts/\?from=tab$"))
    expect(other.get_by_role("heading", name="Your account")).to_be_visible()
