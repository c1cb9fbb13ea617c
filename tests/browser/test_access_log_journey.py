"""Browser journey: an auditor told of "account 12" finds that account's rows in the access
log by its number, at 1280 and at 320 pixels wide; a number mistyped is named. Each page
is audited by axe (conftest)."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from agencies.models import Role, User
from audit.models import AccessLog
from demo.data.agencies import seed_agencies_and_users
from tests.browser.shots import shoot
from tests.browser.test_layout import NARROW, OVERFLOW, WIDE, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_auditor_finds_an_account_by_its_number(page: Page, live_server):
    seed_agencies_and_users()
    screener = User.objects.filter(role=Role.SCREENER).order_by("pk").first()
    manager = User.objects.filter(role=Role.MANAGER).order_by("pk").first()
    now = timezone.now()
    for minutes, who in ((5, screener), (9, manager), (14, screener)):
        AccessLog.objects.create(
            at=now - timedelta(minutes=minutes),
            user_id=who.pk,
            username=who.username,
            role=who.role,
            kind=AccessLog.Kind.CHILD_SEARCH,
            path="/children/search/",
            ip_address="203.0.113.66",
            detail={"children": [3, 12, 40]},
        )
    page.set_viewport_size(WIDE)
    sign_in(page, live_server.url, "auditor")
    page.goto(f"{live_server.url}/audit/access-log/")

    page.get_by_label("Account number").fill(str(screener.pk))
    page.get_by_role("button", name="Search the log").click()

    rows = page.get_by_test_id("access-row")
    expect(rows).to_have_count(2)
    expect(page.get_by_test_id("access-account").first).to_have_text(f"account {screener.pk}")
    expect(page.get_by_test_id("access-log")).not_to_contain_text(manager.username)
    for viewport in (WIDE, NARROW):
        page.set_viewport_size(viewport)
        shoot(page, f"access-log-account-{viewport['width']}.png")
    found = page.evaluate(OVERFLOW)
    assert found["scrollWidth"] <= NARROW["width"], found["culprits"]

    page.set_viewport_size(WIDE)
    page.get_by_label("Account number").fill("12.5")
    page.get_by_role("button", name="Search the log").click()

    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter the account number as a whole number, like 12")
    summary.get_by_role("link").click()
    expect(page.get_by_label("Account number")).to_be_focused()
    for viewport in (WIDE, NARROW):
        page.set_viewport_size(viewport)
        shoot(page, f"access-log-account-error-{viewport['width']}.png")
