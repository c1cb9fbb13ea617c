"""Browser journey: a manager adds a security key on their account page and then signs in
with it (ASVS 2.3.2). The key is Chromium's virtual authenticator (the DevTools
protocol's WebAuthn domain: CTAP2 over USB, with user verification), so the page's own
script, the browser's WebAuthn and py_webauthn's checks all run as they would with a
real key. Without JavaScript the pages say that a key needs it. Each page is audited by
axe (conftest); screenshots at 1280 and 320 px."""

import os
import re
from pathlib import Path

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from agencies.models import Role, SecurityKey
from tests.factories import PASSWORD, TOTPDeviceFactory, current_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-results" / "screenshots"
EXTRA_SHOTS = os.environ.get("FRONTDOOR_SHOTS_DIR")


def shoot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / name, full_page=True)
    if EXTRA_SHOTS:
        page.screenshot(path=Path(EXTRA_SHOTS) / name, full_page=True)


def virtual_authenticator(page: Page) -> tuple:
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    added = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "usb",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
            }
        },
    )
    return cdp, added["authenticatorId"]


def password_step(page: Page, url: str, username: str) -> None:
    page.goto(f"{url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_a_manager_adds_a_security_key_and_signs_in_with_it(page: Page, live_server, settings):
    settings.MFA_REQUIRED = True
    device = TOTPDeviceFactory(user__username="ruth.keys", user__role=Role.MANAGER)
    cdp, authenticator = virtual_authenticator(page)

    # Signed in with the app's code, as today.
    password_step(page, live_server.url, "ruth.keys")
    page.get_by_label("Code from your authenticator app").fill(current_code(device))
    page.get_by_role("button", name="Continue").click()
    expect(page).not_to_have_url(re.compile(r"/two-step/"))

    page.goto(f"{live_server.url}/accounts/")
    expect(page.get_by_test_id("no-security-keys")).to_be_visible()
    page.get_by_test_id("add-security-key").click()
    expect(page.get_by_role("heading", name="Add a security key")).to_be_visible()
    page.get_by_label("Name for this key").fill("Blue key")
    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", name="Use your new security key")).to_be_visible()
    expect(page.get_by_text("Using a security key needs JavaScript")).to_be_hidden()
    page.get_by_role("button", name="Add this security key").click()

    expect(page).to_have_url(re.compile(r"/accounts/$"))
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Your security key “Blue key” is added"
    )
    keys = page.get_by_test_id("security-keys")
    expect(keys).to_contain_text("Blue key")
    expect(keys).to_contain_text("Not yet")
    assert SecurityKey.objects.filter(user=device.user, name="Blue key").count() == 1
    credentials = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})
    assert len(credentials["credentials"]) == 1
    for width in (1280, 320):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{live_server.url}/accounts/#security-keys")
        shoot(page, f"account-security-keys-{width}.png")
    page.set_viewport_size({"width": 1280, "height": 900})

    page.get_by_role("button", name="Sign out").click()
    # The app's wait is lifted: only the key is used from here.
    TOTPDevice.objects.update(throttling_failure_count=0)

    password_step(page, live_server.url, "ruth.keys")
    expect(page.get_by_role("heading", name="Use your security key")).to_be_visible()
    expect(
        page.get_by_role("heading", name="Or enter the code from your authenticator app")
    ).to_be_visible()
    for width in (1280, 320):
        page.set_viewport_size({"width": width, "height": 900})
        shoot(page, f"two-step-security-key-{width}.png")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_role("button", name="Use your security key").click()

    expect(page).not_to_have_url(re.compile(r"/two-step/"))
    page.goto(f"{live_server.url}/accounts/")
    expect(page.get_by_test_id("security-keys")).not_to_contain_text("Not yet")
    key = SecurityKey.objects.get(user=device.user)
    assert key.last_used_at is not None and key.sign_count >= 1


def test_without_its_script_the_key_step_says_a_key_needs_javascript(
    page: Page, live_server, settings
):
    settings.MFA_REQUIRED = True
    device = TOTPDeviceFactory(user__username="kit.nojs", user__role=Role.AUDITOR)
    SecurityKey.objects.create(
        user=device.user, name="Old key", credential_id="AAAA", public_key=b"x"
    )
    # As without JavaScript (the key's script not loaded); the axe-core audit needs the
    # page's own.
    page.route(re.compile(r"security-key\.mjs"), lambda route: route.abort())

    password_step(page, live_server.url, "kit.nojs")

    expect(page.get_by_role("heading", name="Use your security key")).to_be_visible()
    expect(page.get_by_text("Using a security key needs JavaScript")).to_be_visible()
    expect(page.get_by_role("button", name="Use your security key")).to_be_hidden()
    shoot(page, "two-step-security-key-nojs.png")
    # The app's code still works.
    page.get_by_label("Code from your authenticator app").fill(current_code(device))
    page.get_by_role("button", name="Continue").click()
    expect(page).not_to_have_url(re.compile(r"/two-step/"))
