"""Browser journeys of two safeguards around sign-in details. Every page is audited by axe
(conftest), and the pages are saved at 1280 and 320 px.

- "Confirm it is you" (agencies.reauth, ASVS 3.7.1): revoking an API token some minutes
  after signing in asks for the password again; a wrong one is refused with an error
  summary, the right one leads back to the account page, and the token is then revoked.
- A password an administrator set (agencies.recovery, ASVS 2.5.6): its owner signs in
  with it and meets the password page, which says why, whatever they open, until they
  choose their own; then their pages open as before.
"""

import re
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import Page, expect

from agencies import tokens
from agencies.models import Role
from tests.browser.shots import shoot
from tests.clients import client_for, confirmed
from tests.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SET_BY_ADMINISTRATOR = "quiet-lantern-orbit-47"
OWN_PASSWORD = "amber-tide-walrus-93"


def sign_in(page: Page, url: str, username: str, password: str) -> None:
    page.goto(f"{url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))


def test_revoking_a_token_later_asks_for_the_password_again(page: Page, live_server):
    person = UserFactory(username="pat.confirms", role=Role.REFERRER)
    token, _raw = tokens.issue_token(user=person)
    sign_in(page, live_server.url, "pat.confirms", PASSWORD)

    # Signing in counts as confirming; eleven minutes on, it no longer does.
    with time_machine.travel(timezone.now() + timedelta(minutes=11), tick=True):
        page.goto(f"{live_server.url}/accounts/")
        page.get_by_role("button", name=f"Revoke token {token.pk}").click()

        expect(page.get_by_role("heading", name="Confirm it is you")).to_be_visible()
        for width in (1280, 320):
            page.set_viewport_size({"width": width, "height": 900})
            shoot(page, f"confirm-it-is-you-{width}.png")
        page.set_viewport_size({"width": 1280, "height": 900})

        page.get_by_label("Your password", exact=True).fill("not-the-password")
        page.get_by_role("button", name="Confirm").click()
        summary = page.locator(".govuk-error-summary")
        expect(summary).to_be_visible()
        expect(summary.get_by_role("link")).to_have_attribute("href", "#id_password")
        for width in (1280, 320):
            page.set_viewport_size({"width": width, "height": 900})
            shoot(page, f"confirm-it-is-you-error-{width}.png")
        page.set_viewport_size({"width": 1280, "height": 900})
        assert token.__class__.objects.filter(pk=token.pk).exists()

        page.get_by_label("Your password", exact=True).fill(PASSWORD)
        page.get_by_role("button", name="Confirm").click()
        expect(page.get_by_role("heading", name="Your account")).to_be_visible()
        expect(page.get_by_text("You have confirmed it is you")).to_be_visible()
        assert token.__class__.objects.filter(pk=token.pk).exists()

        page.get_by_role("button", name=f"Revoke token {token.pk}").click()
        expect(page.get_by_role("heading", name="Your account")).to_be_visible()
        assert not token.__class__.objects.filter(pk=token.pk).exists()


def test_a_password_the_administrator_set_is_replaced_before_anything_else(page: Page, live_server):
    administrator = UserFactory(username="kit.admin", role=Role.ADMIN)
    person = UserFactory(username="pat.forgot", role=Role.REFERRER)
    answer = confirmed(client_for(administrator)).post(
        f"/admin/agencies/user/{person.pk}/password/",
        {"password1": SET_BY_ADMINISTRATOR, "password2": SET_BY_ADMINISTRATOR},
    )
    assert answer.status_code == 302 and "/confirm/" not in answer["Location"]

    sign_in(page, live_server.url, "pat.forgot", SET_BY_ADMINISTRATOR)
    page.goto(f"{live_server.url}/referrals/mine/")

    expect(page).to_have_url(re.compile(r"/accounts/password/$"))
    expect(page.get_by_text("An administrator set your password.")).to_be_visible()
    for width in (1280, 320):
        page.set_viewport_size({"width": width, "height": 900})
        shoot(page, f"new-password-required-{width}.png")
    page.set_viewport_size({"width": 1280, "height": 900})

    page.get_by_label("Current password", exact=True).fill(SET_BY_ADMINISTRATOR)
    page.get_by_label("New password", exact=True).fill(OWN_PASSWORD)
    page.get_by_label(re.compile(r"new password again", re.IGNORECASE)).fill(OWN_PASSWORD)
    page.get_by_role("button", name=re.compile(r"Change")).click()

    expect(page).not_to_have_url(re.compile(r"/accounts/password/$"))
    page.goto(f"{live_server.url}/referrals/mine/")
    expect(page).to_have_url(re.compile(r"/referrals/mine/$"))
