"""A challenge to a decision, across two people: the school disagrees with "no further
action", raises a challenge from Your referrals and follows it; the manager answers and
changes the decision; the school reads the resolution and the new decision."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from agencies.models import User
from demo.data.agencies import seed_agencies_and_users
from referrals.models import Outcome
from tests.browser.test_triage_journey import sign_in, sign_out
from tests.factories import DecisionFactory, ReferralFactory
from triage.models import Challenge
from triage.services.decisions import compose_feedback

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-results" / "screenshots"
REASON = (
    "Since we referred, Mia has come to school hungry every day and has started hiding food "
    "in her bag. We do not think this can be left without any help for the family."
)
RESOLUTION = (
    "We agree: what the school has seen since the referral shows a pattern of neglect. The "
    "decision is changed to early help with the family's agreement."
)


def shot(page: Page, name: str) -> None:
    """At a desktop width and at 320 px, the narrowest the pages must fit (Your
    referrals' wide table scrolls inside its own region)."""
    page.set_viewport_size({"width": 1280, "height": 900})
    page.screenshot(path=SCREENSHOTS / f"challenge-{name}.png", full_page=True)
    page.set_viewport_size({"width": 320, "height": 900})
    page.screenshot(path=SCREENSHOTS / f"challenge-{name}-320.png", full_page=True)
    # Nothing wider than the screen: no sideways scrolling at 320 px.
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    page.set_viewport_size({"width": 1280, "height": 900})


def no_further_action_for_the_school():
    school = User.objects.get(username="referrer.school")
    referral = ReferralFactory(
        referrer=school, child_first_name="Mia", child_last_name="Hollowfield", in_screening=True
    )
    DecisionFactory(
        referral=referral,
        outcome=Outcome.NO_FURTHER_ACTION,
        threshold_level_id=1,
        decided_by=User.objects.get(username="manager"),
        feedback=compose_feedback(
            outcome=Outcome.NO_FURTHER_ACTION,
            reasons="School lunches and the family's GP are meeting Mia's needs for now.",
        ),
    )
    return referral


def test_the_school_challenges_no_further_action_and_the_manager_changes_it(
    page: Page, live_server
):
    seed_agencies_and_users()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    referral = no_further_action_for_the_school()
    base = live_server.url

    # The school reads the decision in Your referrals and challenges it.
    sign_in(page, base, "referrer.school", "Sam Okafor")
    page.get_by_role("link", name="Your referrals").first.click()
    row = page.get_by_test_id("my-referrals").locator("tr", has_text=referral.reference)
    expect(row).to_contain_text("No further action")
    row.get_by_text("Feedback").click()
    expect(row.locator(".govuk-details__text")).to_contain_text("you can raise a challenge")
    shot(page, "1-your-referrals")
    row.get_by_role("link", name=f"Challenge this decision on {referral.reference}").click()
    expect(page.get_by_role("heading", name="Challenge this decision")).to_be_visible()
    expect(page.get_by_test_id("decision-being-challenged")).to_contain_text("No further action")
    page.get_by_role("button", name="Raise the challenge").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Say why you disagree with the decision"
    )
    page.get_by_label("Why do you disagree with the decision?").fill(REASON)
    shot(page, "2-raise")
    page.get_by_role("button", name="Raise the challenge").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        f"Challenge raised on {referral.reference}"
    )
    summary = page.get_by_test_id("challenge-summary")
    expect(summary).to_contain_text("Practitioner to practitioner (Ruth Castle)")
    expect(summary).to_contain_text("Response due by")
    expect(page.get_by_test_id("challenge-status")).to_contain_text("Open")
    shot(page, "3-raised")
    page.get_by_label("Add to your challenge").fill("Her younger brother was hungry today too.")
    page.get_by_role("button", name="Add to the challenge").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Added to your challenge")
    expect(page.get_by_test_id("challenge-responses")).to_contain_text("younger brother")
    page.get_by_role("link", name="Back to your referrals").click()
    row = page.get_by_test_id("my-referrals").locator("tr", has_text=referral.reference)
    expect(row).to_contain_text("Challenge open: stage 1")
    sign_out(page)

    # The manager finds it among the open challenges, answers and changes the decision.
    sign_in(page, base, "manager", "Ruth Castle")
    page.get_by_role("link", name="Challenges", exact=True).click()
    stage = page.get_by_test_id("challenges-stage-1")
    expect(stage).to_contain_text("Sam Okafor")
    shot(page, "4-open-challenges")
    stage.get_by_role("link", name=re.compile(referral.reference)).click()
    expect(page.get_by_test_id("challenge-summary")).to_contain_text(REASON)
    expect(page.get_by_test_id("challenge-responses")).to_contain_text("younger brother")
    page.get_by_label("Response").fill("Thank you: I have read the school's new information.")
    page.get_by_role("button", name="Record the response").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Response recorded")
    page.get_by_label("Decision changed").check()
    page.get_by_label("Reasons").fill(RESOLUTION)
    page.get_by_text("The new decision, if it is changed").click()
    page.get_by_label("New outcome (only if the decision is changed)").select_option(
        label="Early help"
    )
    page.get_by_label("New threshold level (only if the decision is changed)").select_option(
        label="Level 2: Early help"
    )
    page.get_by_label("Rationale for the new decision").fill(
        "Daily hunger reported by the school since the referral shows needs that universal "
        "services alone are not meeting: early help with the family's agreement."
    )
    page.get_by_label("What to tell the referrer about the new decision").fill(
        "An early help worker will contact the family this week and will involve the school."
    )
    shot(page, "5-manager-resolving")
    page.get_by_role("button", name="Resolve the challenge").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Challenge resolved")
    sign_out(page)

    challenge = Challenge.objects.get()
    assert challenge.resolution == "decision_changed"
    assert challenge.decision.outcome == Outcome.NO_FURTHER_ACTION  # the original is kept
    assert challenge.amendment.outcome == Outcome.EARLY_HELP

    # The school reads the resolution, the response and the new decision.
    sign_in(page, base, "referrer.school", "Sam Okafor")
    page.get_by_role("link", name="Your referrals").first.click()
    row = page.get_by_test_id("my-referrals").locator("tr", has_text=referral.reference)
    expect(row).to_contain_text("Early help")
    expect(row).to_contain_text("(amended)")
    row.get_by_role("link", name=re.compile("Challenge resolved: Decision changed")).click()
    expect(page.get_by_test_id("challenge-resolution")).to_contain_text("Decision changed")
    expect(page.get_by_test_id("resolution-reasons")).to_have_text(RESOLUTION)
    expect(page.get_by_test_id("challenge-responses")).to_contain_text(
        "I have read the school's new information"
    )
    expect(page.locator("main")).to_contain_text("An early help worker will contact the family")
    expect(page.locator("main")).not_to_contain_text("universal services alone")  # rationale
    shot(page, "6-school-reads-resolution")
    page.get_by_role("link", name="Back to your referrals").click()
    shot(page, "7-your-referrals-resolved")
