"""Browser journey: a person opening pages faster than FRONTDOOR_PAGE_RATE sees a page
saying how long to wait, and carries on after it. Each page is audited by axe (conftest)."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import Page, expect

from agencies.models import Role
from tests.browser.shots import shoot
from tests.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_too_many_pages_say_how_long_to_wait(page: Page, live_server, settings):
    from frontdoor.middleware import PageRateThrottle

    rates = dict(settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], page="4/minute")
    settings.REST_FRAMEWORK = dict(settings.REST_FRAMEWORK, DEFAULT_THROTTLE_RATES=rates)
    original = PageRateThrottle.THROTTLE_RATES
    PageRateThrottle.THROTTLE_RATES = rates
    try:
        UserFactory(username="sam.rate", role=Role.SCREENER)
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("Username").fill("sam.rate")
        page.get_by_label("Password", exact=True).fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        for _ in range(4):
            page.goto(f"{live_server.url}/triage/")

        heading = page.get_by_role("heading", name="You have opened too many pages")
        expect(heading).to_be_visible()
        expect(page.locator("main")).to_contain_text(re.compile(r"Wait \d+ seconds?"))
        for width in (1280, 320):
            page.set_viewport_size({"width": width, "height": 800})
            shoot(page, f"page-rate-{width}.png")

        with time_machine.travel(timezone.now() + timedelta(seconds=61), tick=True):
            page.goto(f"{live_server.url}/triage/")
            expect(
                page.get_by_role("heading", name="You have opened too many pages")
            ).to_have_count(0)
    finally:
        PageRateThrottle.THROTTLE_RATES = original
