"""The front door's main journey, across four people: a screener spots that a new referral
is about a child the front door already knows, links it and asks health visiting what
they know; the partner answers; the manager decides with the answer in front of her; the
school reads the outcome and the feedback."""

import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from agencies.models import User
from demo.data.agencies import DEMO_PASSWORD, seed_agencies_and_users
from referrals.census import ConcernCategory
from referrals.models import Outcome
from tests.factories import ChildFactory, DecisionFactory, ReferralFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-results" / "screenshots"
HEALTH_VISITING = "Northshire Health Visiting Service"

# The child the front door knows, and how the school spelt her surname this time.
FIRST, LAST, TYPO = "Kacey", "Brindlewood", "Brindelwood"
BORN = date(2016, 11, 3)
POSTCODE = "NS3 7QP"

QUESTION = (
    "Kacey is referred again for neglect. What contact have you had with the family since "
    "March, and are there younger children in the household?"
)
ANSWER = (
    "Known to us: younger brother Rio (14 months) missed his 12-month review twice. Home "
    "visit on 2 May found little food in the house; mum said money was tight."
)


def shot(page: Page, name: str) -> None:
    page.screenshot(path=SCREENSHOTS / f"triage-{name}.png", full_page=True)


def sign_in(page: Page, base: str, username: str, name: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_test_id("identity")).to_contain_text(name)


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/"))


def known_child_and_a_new_referral():
    """A child with two decided neglect referrals in the last year; a new one from the
    school, surname misspelt and so not linked, most urgent in a queue of four."""
    users = {u.username: u for u in User.objects.all()}
    now = timezone.now()
    child = ChildFactory(
        first_name=FIRST, last_name=LAST, date_of_birth=BORN, postcode=POSTCODE, school=""
    )
    as_given = {
        "child_first_name": FIRST,
        "child_date_of_birth": BORN,
        "child_postcode": POSTCODE,
    }
    earlier = []
    for days_ago, referrer, outcome, level, concerns, worry in (
        (
            240,
            "referrer.health",
            Outcome.EARLY_HELP,
            2,
            [ConcernCategory.NEGLECT],
            "Home visit: no food in the cupboards and the children's bedroom is damp and "
            "bare. Kacey's younger brother has missed two health reviews.",
        ),
        (
            75,
            "referrer.police",
            Outcome.SIGNPOST,
            1,
            [ConcernCategory.NEGLECT, ConcernCategory.PARENTAL_ALCOHOL_MISUSE],
            "Called to the address at 23:10: mum intoxicated and asleep, Kacey (9) looking "
            "after her baby brother. The flat was cold and dirty.",
        ),
    ):
        received = now - timedelta(days=days_ago)
        referral = ReferralFactory(
            referrer=users[referrer],
            child=child,
            child_last_name=LAST,
            received_at=received,
            concerns=concerns,
            worry=worry,
            **as_given,
        )
        DecisionFactory(
            referral=referral,
            outcome=outcome,
            threshold_level_id=level,
            decided_by=users["manager"],
            decided_at=received + timedelta(hours=18),
        )
        earlier.append(referral.reference)
    for hours_ago, referrer in (
        (2, "referrer.police"),
        (6, "referrer.health"),
        (11, "lead.school"),
    ):
        ReferralFactory(referrer=users[referrer], received_at=now - timedelta(hours=hours_ago))
    school = users["referrer.school"]
    new = ReferralFactory(
        referrer=school,
        child_last_name=TYPO,
        child_school="Millbrook Primary School",
        received_at=now - timedelta(hours=21),
        worry=(
            "Kacey has come to school hungry every day this week and took food from other "
            "children's lunchboxes. Her uniform has not been washed for two weeks."
        ),
        lived_experience=(
            "Kacey gets herself up and walks to school alone. She says there is often no tea "
            "and she looks after her baby brother when mum is asleep."
        ),
        child_voice="Kacey said: 'There's never anything in the fridge. I'm always hungry.'",
        referrer_name=school.display_name,
        referrer_role=school.job_title,
        referrer_organisation=school.agency.name,
        referrer_email=school.email,
        referrer_phone="01632 960000",
        concerns=[ConcernCategory.NEGLECT],
        **as_given,
    )
    return new, earlier


def test_a_known_child_is_linked_asked_about_decided_and_the_school_told(page: Page, live_server):
    seed_agencies_and_users()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    referral, earlier = known_child_and_a_new_referral()
    base = live_server.url

    # The screener sees the new referral at the top of the queue.
    sign_in(page, base, "screener", "Alex Moss")
    page.get_by_role("link", name="Queue", exact=True).click()
    expect(page.locator("main")).to_contain_text("4 referrals waiting.")
    rows = page.get_by_test_id("queue").locator("tbody tr")
    expect(rows).to_have_count(4)
    expect(rows.first).to_have_attribute("data-reference", referral.reference)
    expect(rows.first).to_contain_text(f"{FIRST} {TYPO}")
    expect(rows.first).to_contain_text("Due soon")
    expect(rows.first).to_contain_text("Unallocated")
    shot(page, "1-queue")

    # Claims it and checks whether the front door knows the child.
    rows.first.get_by_role("link", name=referral.reference).click()
    expect(page.get_by_role("heading", name=f"{FIRST} {TYPO}")).to_be_visible()
    page.get_by_role("button", name="Claim this referral").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "You have claimed this referral"
    )
    # The top of the page says the child is not linked yet, and leads to the matches.
    page.get_by_test_id("not-linked").get_by_role("link", name="Check 1 possible match").click()
    expect(page).to_have_url(re.compile(r"#child-record$"))
    matches = page.get_by_test_id("matches")
    expect(matches).to_contain_text(f"{FIRST} {LAST}")
    expect(matches).to_contain_text("Date of birth matches")
    expect(matches).to_contain_text(f"Last name similar ({TYPO} / {LAST})")
    expect(matches).to_contain_text("Postcode matches")
    shot(page, "2-claimed-matches")

    # Links it: the page now shows the repeat and the pattern.
    matches.get_by_role("button", name=f"Link to {FIRST} {LAST}").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Referral linked to the child's record"
    )
    flags = page.get_by_test_id("referral-flags")
    expect(flags.locator("[data-flag=repeat]")).to_contain_text("Repeat: 2 earlier in 12 months")
    expect(flags.locator("[data-flag=chronic-neglect]")).to_have_text("Possible chronic neglect")
    for reference in earlier:
        expect(page.get_by_test_id("earlier-referrals")).to_contain_text(reference)
    shot(page, "3-linked")

    # The chronology holds every referral about her.
    page.get_by_role("link", name=f"Read {FIRST} {LAST}'s chronology").click()
    expect(page.get_by_role("heading", name=f"{FIRST} {LAST}")).to_be_visible()
    expect(page.get_by_test_id("referral-count")).to_have_text("3")
    timeline = page.get_by_test_id("chronology")
    for reference in [*earlier, referral.reference]:
        expect(timeline).to_contain_text(f"Referral {reference} received")
    shot(page, "4-chronology")

    # Back on the referral, asks health visiting what they know.
    page.get_by_role("link", name=f"Back to {referral.reference}").click()
    requests = page.get_by_test_id("information-requests")
    requests.get_by_label("Agency to ask").select_option(label=HEALTH_VISITING)
    requests.get_by_label("Question").fill(QUESTION)
    shot(page, "5-asking")
    requests.get_by_role("button", name="Send request").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        f"Information request sent to {HEALTH_VISITING}"
    )
    expect(page.get_by_test_id("information-requests")).to_contain_text("Not answered yet")
    shot(page, "6-asked")
    sign_out(page)

    # The health visiting MASH practitioner answers.
    sign_in(page, base, "partner.health", "Ifan Reed")
    page.get_by_role("link", name="Information requests").first.click()
    open_requests = page.get_by_test_id("open-requests")
    expect(open_requests).to_contain_text(f"{FIRST} {TYPO}")
    shot(page, "7-partner-list")
    open_requests.get_by_role("link", name=referral.reference).click()
    expect(page.get_by_test_id("question")).to_have_text(QUESTION)
    page.get_by_label("Your answer").fill(ANSWER)
    shot(page, "8-partner-answering")
    page.get_by_role("button", name="Send answer").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        f"Your answer about {referral.reference} has been sent"
    )
    expect(page.get_by_test_id("answered-requests")).to_contain_text(referral.reference)
    sign_out(page)

    # The manager reads the answer and decides.
    sign_in(page, base, "manager", "Ruth Castle")
    page.get_by_role("link", name="Queue", exact=True).click()
    page.get_by_role("link", name=referral.reference).click()
    expect(page.get_by_test_id("information-requests")).to_contain_text(ANSWER)
    shot(page, "9-manager-referral")
    page.get_by_role("link", name="Record the decision").click()
    expect(page.get_by_role("heading", name="Record the decision")).to_be_visible()
    expect(page.get_by_test_id("referral-flags")).to_contain_text("Possible chronic neglect")
    expect(page.get_by_test_id("partner-answers")).to_contain_text(ANSWER)
    # Nobody wrote a screening note: the manager is warned and says why she goes on.
    expect(page.get_by_test_id("decision-warnings")).to_contain_text("no screening notes")
    page.get_by_label("Why decide now?").fill(
        "The health visitor's answer and the chronology tell us enough; Kacey cannot wait."
    )
    page.get_by_label("Child and family assessment (section 17)").check()
    level = page.get_by_label("Level 3: Child in need (section 17)")
    expect(level).to_have_accessible_description(re.compile("complex needs"))
    level.check()
    page.get_by_label("Rationale").fill(
        "This is the third referral about Kacey for neglect in a year. Each was treated as a "
        "single incident and the support offered has not brought lasting change for her: the "
        "cumulative impact needs a child and family assessment."
    )
    page.get_by_label("How did the child's lived experience inform this decision?").fill(
        "Kacey is hungry every day and is caring for her baby brother: her day-to-day life "
        "shows her needs are not being met."
    )
    page.get_by_label("What to tell the referrer about why").fill(
        "Kacey's needs have been neglected for some time; a social worker will assess "
        "what the family needs."
    )
    shot(page, "10-decide")
    page.get_by_role("button", name="Record decision").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        f"Decision recorded for {referral.reference}"
    )
    expect(page.get_by_test_id("queue").locator("tbody tr")).to_have_count(3)
    expect(page.get_by_test_id("queue")).not_to_contain_text(referral.reference)
    shot(page, "11-queue-after-decision")
    sign_out(page)

    # The school sees the outcome and the feedback.
    sign_in(page, base, "referrer.school", "Sam Okafor")
    page.get_by_role("link", name="Your referrals").first.click()
    row = page.get_by_test_id("my-referrals").locator("tr", has_text=referral.reference)
    expect(row).to_contain_text("Child and family assessment (section 17)")
    row.get_by_text("Feedback").click()
    feedback = row.locator(".govuk-details__text")
    expect(feedback).to_contain_text("A social worker will carry out a child and family assessment")
    expect(feedback).to_contain_text("neglected for some time")  # what the manager wrote for them
    expect(feedback).not_to_contain_text(ANSWER)  # not what health visiting told us
    shot(page, "12-school-feedback")
