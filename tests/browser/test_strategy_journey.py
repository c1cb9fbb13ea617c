"""A manager decides a referral needs a strategy discussion (section 47), convenes it, is
warned that health is missing, adds the health visitor and sees the warning go, records
a decision and an action; when the action is overdue its owner is told."""

import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from agencies.models import Agency, User
from demo.data.agencies import DEMO_PASSWORD, seed_agencies_and_users
from tests.factories import ReferralFactory
from triage.services.notices import scan_clocks

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-results" / "screenshots"


def shot(page: Page, name: str) -> None:
    for width in (1280, 320):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=SCREENSHOTS / f"strategy-{name}-{width}.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def sign_in(page: Page, base: str, username: str, name: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_test_id("identity")).to_contain_text(name)


def attendee(page: Page, row: int, agency: str, role: str, name: str) -> None:
    page.locator(f"#id_att-{row}-agency").select_option(label=agency)
    page.locator(f"#id_att-{row}-role").select_option(label=role)
    page.locator(f"#id_att-{row}-name").fill(name)
    page.locator(f"#id_att-{row}-name").dispatch_event("change")


def test_a_manager_convenes_is_warned_adds_health_and_the_owner_is_alerted(page: Page, live_server):
    seed_agencies_and_users()
    police = Agency.objects.get(name="Northshire Police")
    referral = ReferralFactory(
        referrer=User.objects.filter(agency=police).first()
        or User.objects.create(username="referrer.police", role="referrer", agency=police),
        child_first_name="Maisie",
        child_last_name="Thornbury",
        child_date_of_birth=date.today() - timedelta(days=300),
        child_school="",
        worry="Bruise on the cheek of a baby who is not yet crawling; no explanation given.",
    )
    base = live_server.url

    # The decision: strategy discussion (section 47) leads straight to convening it.
    sign_in(page, base, "manager", "Ruth Castle")
    page.goto(f"{base}/triage/referrals/{referral.pk}/decide/")
    page.get_by_label("Strategy discussion (section 47)").check()
    page.locator("input[name=threshold_level][value='4']").check()
    page.get_by_label("Rationale").fill(
        "An unexplained bruise on a non-mobile baby: reasonable cause to suspect "
        "significant harm, so a strategy discussion is needed today."
    )
    page.get_by_label("How did the child's lived experience inform this decision?").fill(
        "Maisie is cared for at home all day and is seen by no one outside the family."
    )
    page.get_by_label("What to tell the referrer about why").fill(
        "A strategy discussion is being held with the police and health today."
    )
    # Not screened yet (the baby cannot wait): the page warns and asks why now.
    page.get_by_label("Why decide now?").fill(
        "A non-mobile baby with an unexplained bruise: the discussion must be held today."
    )
    page.get_by_role("button", name="Record decision").click()
    expect(page.get_by_role("heading", name="Record a strategy discussion")).to_be_visible()
    expect(page).to_have_url(re.compile(rf"/strategy/new/{referral.pk}/$"))

    # Police and social care: the warning says health is missing, in place.
    page.get_by_label("Strategy discussion", exact=True).check()
    page.get_by_label("Video call").check()
    attendee(page, 0, "Northshire Police", "Police officer", "DS Amara Lyle")
    attendee(page, 1, "Northshire Children's Social Care", "Social worker", "Tom Greaves")
    warnings = page.locator("#membership-warnings")
    expect(warnings.locator("[data-warning=no_health]")).to_be_visible()
    expect(warnings.locator("[data-warning=no_police]")).to_have_count(0)
    shot(page, "1-health-missing")

    # The health visitor joins: the warning goes.
    attendee(page, 2, "Northshire Health Visiting Service", "Health visitor", "Hana Price")
    expect(warnings.locator("[data-warning=no_health]")).to_have_count(0)
    expect(warnings.get_by_test_id("membership-ok")).to_be_visible()
    shot(page, "2-membership-ok")
    page.get_by_role("button", name="Record the discussion").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Discussion recorded")
    expect(page.get_by_test_id("attendees")).to_contain_text("Hana Price")

    # A decision with its rationale, and an action for the screener.
    page.get_by_text("Record a decision").click()
    page.get_by_label("Decision", exact=True).fill("Joint visit by police and social care today.")
    page.get_by_label("Rationale").fill("The injury is unexplained and Maisie is not mobile.")
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_test_id("decision")).to_contain_text("Joint visit by police")
    page.get_by_text("Add an action").click()
    page.locator("#id_description").fill("Check the GP record for earlier injuries.")
    page.locator("#id_owner").fill("Alex Moss, screener")
    page.locator("#id_agency").select_option(label="Northshire Children's Social Care")
    page.locator("#id_owner_user").select_option(label="Alex Moss (Screener)")
    due = timezone.localtime() + timedelta(hours=3)
    page.locator("#id_due_date_day").fill(str(due.day))
    page.locator("#id_due_date_month").fill(str(due.month))
    page.locator("#id_due_date_year").fill(str(due.year))
    page.locator("#id_due_time").fill(due.strftime("%H:%M"))
    page.get_by_role("button", name="Add the action").click()
    expect(page.get_by_test_id("action")).to_contain_text("Check the GP record")
    shot(page, "3-discussion")
    page.get_by_role("link", name="Printable minutes").click()
    expect(page.get_by_role("heading", name=re.compile("Minutes"))).to_be_visible()
    shot(page, "4-print")

    # The action goes overdue: the clock scan tells its owner.
    scan_clocks(now=timezone.now() + timedelta(hours=4))
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, base, "screener", "Alex Moss")
    page.goto(f"{base}/inbox/")
    expect(page.locator("main")).to_contain_text(
        f"Referral {referral.reference}: discussion action overdue"
    )
