"""Browser journey: an administrator anonymises a member of staff who has left (ASVS 8.3.2,
agencies.departure), from the admin's list of accounts. Every page is audited by axe
(conftest), and the pages the administrator meets are saved at 1280 and 320 px.

The administrator signs in with their authenticator app, and some minutes later lists the
inactive accounts, ticks the departed one, chooses "Anonymise departed staff" and runs
it. The admin asks them to confirm it is them first (agencies.reauth: the action changes
how someone signs in), then sends them back to the list, where they run it again; the
list then says which account was anonymised, and its row no longer names the person.
"""

import re
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import Page, expect

from agencies.departure import anonymous_username
from agencies.models import Role, User
from tests.browser.shots import shoot
from tests.factories import PASSWORD, TOTPDeviceFactory, UserFactory, current_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ACTION = "Anonymise departed staff (inactive accounts only)"


def shoot_both(page: Page, name: str) -> None:
    for width in (1280, 320):
        page.set_viewport_size({"width": width, "height": 900})
        shoot(page, f"{name}-{width}.png")
    page.set_viewport_size({"width": 1280, "height": 900})


def choose_the_action_for(page: Page, username: str) -> None:
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name=username))
    row.get_by_role("checkbox").check()
    page.get_by_label("Action:").select_option(label=ACTION)


def test_an_administrator_anonymises_a_departed_member_of_staff(page: Page, live_server, settings):
    settings.MFA_REQUIRED = True
    device = TOTPDeviceFactory(user__username="kit.admin", user__role=Role.ADMIN)
    departed = UserFactory(
        username="sam.leaver",
        first_name="Sam",
        last_name="Leaver",
        email="sam.leaver@example.org",
        role=Role.REFERRER,
        is_active=False,
    )
    UserFactory(username="ali.stays", role=Role.REFERRER)

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("kit.admin")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("Code from your authenticator app").fill(current_code(device))
    page.get_by_role("button", name="Continue").click()
    expect(page).not_to_have_url(re.compile(r"/two-step/"))

    # Signing in counts as confirming; eleven minutes on, it no longer does.
    with time_machine.travel(timezone.now() + timedelta(minutes=11), tick=True):
        inactive = f"{live_server.url}/admin/agencies/user/?is_active__exact=0"
        page.goto(inactive)
        expect(page.get_by_role("link", name="sam.leaver")).to_be_visible()
        expect(page.get_by_role("link", name="ali.stays")).to_have_count(0)
        choose_the_action_for(page, "sam.leaver")
        shoot_both(page, "anonymise-departed-chosen")
        page.get_by_role("button", name="Go").click()

        # Not applied yet: the administrator confirms it is them first.
        expect(page.get_by_role("heading", name="Confirm it is you")).to_be_visible()
        expect(page.get_by_test_id("confirm-then")).to_contain_text("Nothing has been changed yet.")
        expect(page.get_by_test_id("confirm-then")).to_contain_text(
            "select the accounts and the action again and select Go"
        )
        shoot_both(page, "anonymise-departed-confirm")
        departed.refresh_from_db()
        assert departed.username == "sam.leaver"

        page.get_by_label("Your password", exact=True).fill(PASSWORD)
        page.get_by_label("Code from your authenticator app").fill(current_code(device))
        page.get_by_role("button", name="Confirm").click()

        # Back on the same list, as it was: the action is chosen and run again.
        expect(page).to_have_url(inactive)
        expect(page.get_by_text("You have confirmed it is you")).to_be_visible()
        expect(page.get_by_text("0 of 1 selected")).to_be_visible()
        shoot_both(page, "anonymise-departed-back")
        departed.refresh_from_db()
        assert departed.username == "sam.leaver"
        choose_the_action_for(page, "sam.leaver")
        page.get_by_role("button", name="Go").click()

        # What will happen, account by account, before anything is changed.
        confirmation = page.get_by_test_id("anonymise-confirmation")
        expect(confirmation).to_contain_text("This cannot be undone.")
        expect(confirmation.get_by_role("row").filter(has_text="sam.leaver")).to_contain_text(
            "Will be anonymised"
        )
        shoot_both(page, "anonymise-departed-sure")
        departed.refresh_from_db()
        assert departed.username == "sam.leaver"
        page.get_by_role("button", name="Yes, anonymise 1 account").click()

        done = page.locator(".messagelist .success")
        expect(done).to_contain_text(f"Anonymised account(s) {departed.pk}")
        shoot_both(page, "anonymise-departed-done")

    anonymous = anonymous_username(departed.pk)
    expect(page.get_by_role("link", name=anonymous)).to_be_visible()
    expect(page.get_by_role("link", name="sam.leaver")).to_have_count(0)
    expect(page.get_by_text("Leaver")).to_have_count(0)
    departed.refresh_from_db()
    assert (departed.username, departed.first_name, departed.last_name, departed.email) == (
        anonymous,
        "",
        "",
        "",
    )
    assert not departed.has_usable_password()
    assert User.objects.get(username="ali.stays").is_active
