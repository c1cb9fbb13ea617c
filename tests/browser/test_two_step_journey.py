"""Browser journey: a manager's first sign-in with two-step verification required sets up
an authenticator app, then the account page shows it and the API tokens. axe-core checks
each page (tests/browser/conftest.py)."""

import re
from base64 import b32decode

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from agencies.models import Role
from tests.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_manager_sets_up_two_step_verification_at_first_sign_in(
    page: Page, live_server, settings
):
    settings.MFA_REQUIRED = True
    UserFactory(username="ruth", first_name="Ruth", last_name="Castle", role=Role.MANAGER)

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("ruth")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("heading", name="Set up two-step verification")).to_be_visible()
    expect(page.get_by_test_id("qr-code").locator("svg")).to_be_visible()
    key = page.get_by_test_id("manual-key").inner_text().replace(" ", "")

    page.get_by_label("Code from your authenticator app").fill("000000")
    page.get_by_role("button", name="Finish setting up").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the 6-digit code")

    # A wrong code makes the next wait a second (tests/agencies/test_two_step.py): rather
    # than sleep here, the wait is lifted.
    TOTPDevice.objects.update(throttling_failure_count=0, throttling_failure_timestamp=None)
    code = f"{totp(b32decode(key)):06d}"
    page.get_by_label("Code from your authenticator app").fill(code)
    page.get_by_role("button", name="Finish setting up").click()

    expect(page.get_by_role("heading", name="Decisions and the 24-hour clock")).to_be_visible()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Two-step verification is set up"
    )

    page.get_by_test_id("account-link").click()
    expect(page).to_have_url(re.compile(r"/accounts/$"))
    expect(page.get_by_test_id("two-step-status")).to_contain_text("On")
    expect(page.get_by_text("You have no API tokens that work now.")).to_be_visible()
