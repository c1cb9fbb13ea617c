"""referrer.school refers two siblings in the browser and sees both in My referrals."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from demo.data.agencies import DEMO_PASSWORD, seed_agencies_and_users
from referrals.models import Referral

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-results" / "screenshots"


def sign_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def add_child(page: Page, first: str, last: str, day: str, month: str, year: str) -> None:
    page.get_by_label("First name").fill(first)
    page.get_by_label("Last name", exact=True).fill(last)
    page.locator("#id_child_date_of_birth_day").fill(day)
    page.locator("#id_child_date_of_birth_month").fill(month)
    page.locator("#id_child_date_of_birth_year").fill(year)
    page.get_by_label("Female" if first == "Ava" else "Male", exact=True).check()
    page.get_by_label("Postcode (optional)").fill("ns1 4ab")
    # Identity is asked, not defaulted: each is chosen, here "not known" for two.
    page.get_by_label("Ethnicity").select_option("NOBT")
    page.get_by_label("Religion").select_option("not_known")
    page.get_by_label("I know their first language").check()
    page.get_by_label("If you know it: the child's first language").fill("English")
    page.get_by_role("group", name="Does the child or family need an interpreter?").get_by_label(
        "No", exact=True
    ).check()
    page.get_by_role("button", name="Save and continue").click()


def test_a_school_refers_two_siblings_and_sees_both_in_my_referrals(page: Page, live_server):
    seed_agencies_and_users()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    sign_in(page, live_server.url, "referrer.school")

    page.get_by_role("link", name="Make a referral").first.click()
    page.get_by_role("button", name="Start a new referral").click()

    # A validation error keeps what was typed.
    page.get_by_label("First name").fill("Ava")
    page.locator("#id_child_date_of_birth_day").fill("31")
    page.locator("#id_child_date_of_birth_month").fill("2")
    page.locator("#id_child_date_of_birth_year").fill("2017")
    page.get_by_role("button", name="Save and continue").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter the child's last name")
    expect(summary).to_contain_text("The date of birth must be a real date")
    expect(page.get_by_label("First name")).to_have_value("Ava")
    page.screenshot(path=SCREENSHOTS / "referral-child-errors.png", full_page=True)

    page.locator("#id_child_date_of_birth_day").fill("3")
    add_child(page, "Ava", "Testfield", "3", "4", "2017")
    expect(page.get_by_role("heading", name="Children in this referral")).to_be_visible()
    page.get_by_role("button", name="Add another child").click()
    add_child(page, "Leo", "Testfield", "9", "11", "2019")
    expect(page.locator(".govuk-summary-list")).to_contain_text("Leo Testfield")
    page.screenshot(path=SCREENSHOTS / "referral-children.png", full_page=True)
    page.get_by_role("button", name="Continue").click()

    page.get_by_role("group", name="Is the child at risk of immediate harm?").get_by_label(
        "No"
    ).check()
    page.get_by_label("Neglect").check()
    page.get_by_label("Domestic abuse").check()
    page.get_by_label("What specifically are you worried about for the child?").fill(
        "Ava came to school on Monday with no coat in the rain and said there was no "
        "food at home over the weekend. Leo has missed nursery for two weeks."
    )
    page.get_by_role("button", name="Save and continue").click()

    page.get_by_label("What is a day like for the child?").fill(
        "Ava gets herself and Leo up and dressed. There is rarely breakfast. She seems tired."
    )
    page.get_by_label("What has the child said?").fill(
        "Ava said: 'Mum stays in bed and I look after Leo.'"
    )
    page.get_by_label("New", exact=True).check()
    page.get_by_role("button", name="Save and continue").click()

    page.get_by_label("Parents know and agreed to the referral").check()
    page.locator("#id_household-0-name").fill("Test Parent")
    page.locator("#id_household-0-relationship").fill("mother")
    page.get_by_role("button", name="Save and continue").click()

    page.get_by_label("What do you think needs to happen? (optional)").fill(
        "An assessment of the children's needs and support for mum."
    )
    page.get_by_role("button", name="Save and continue").click()

    expect(page.get_by_label("Your name")).to_have_value("Sam Okafor")
    page.get_by_label("Phone number").fill("01632 960000")
    page.get_by_role("button", name="Save and continue").click()

    expect(
        page.get_by_role("heading", name="Check your answers before sending your referral")
    ).to_be_visible()
    expect(page.locator("main")).to_contain_text("Child: Leo Testfield")
    page.screenshot(path=SCREENSHOTS / "referral-check.png", full_page=True)
    page.get_by_role("button", name="Send referral").click()

    expect(page.get_by_role("heading", name="Referrals sent")).to_be_visible()
    references = page.get_by_test_id("reference").all_inner_texts()
    assert len(references) == 2
    assert all(re.fullmatch(r"FD-\d{4}-\d{6}", ref) for ref in references)
    page.screenshot(path=SCREENSHOTS / "referral-sent.png", full_page=True)

    page.get_by_role("link", name="Your referrals").first.click()
    table = page.get_by_test_id("my-referrals")
    for reference in references:
        expect(table).to_contain_text(reference)
    expect(table).to_contain_text("Ava Testfield")
    expect(table).to_contain_text("Leo Testfield")
    page.screenshot(path=SCREENSHOTS / "my-referrals.png", full_page=True)

    referrals = Referral.objects.filter(reference__in=references)
    assert referrals.count() == 2
    assert referrals.values("submission").distinct().count() == 1
    for referral in referrals:
        assert referral.decision_due_at - referral.received_at == __import__("datetime").timedelta(
            hours=24
        )
        assert referral.child_postcode == "NS1 4AB"


def test_immediate_risk_tells_the_referrer_to_call_now(page: Page, live_server):
    seed_agencies_and_users()
    sign_in(page, live_server.url, "referrer.police")
    page.goto(f"{live_server.url}/referrals/new/")
    page.get_by_role("button", name="Start a new referral").click()
    add_child(page, "Mia", "Testcase", "1", "6", "2012")
    page.get_by_role("button", name="Continue").click()

    page.get_by_role("group", name="Is the child at risk of immediate harm?").get_by_label(
        "Yes"
    ).check()
    page.get_by_label("Physical abuse").check()
    page.get_by_label("What specifically are you worried about for the child?").fill(
        "Mia has a fresh injury and says she is scared to go home tonight."
    )
    page.get_by_role("button", name="Save and continue").click()

    warning = page.get_by_test_id("immediate-risk-warning")
    expect(warning).to_contain_text("call 999 now")
    expect(warning).to_contain_text("duty line")


SHOTS = Path("/work/helper/shots/w2-coach")


def test_a_police_officer_is_coached_as_they_type_and_cannot_send_n_a(page: Page, live_server):
    seed_agencies_and_users()
    sign_in(page, live_server.url, "referrer.police")
    page.goto(f"{live_server.url}/referrals/new/")
    page.get_by_role("button", name="Start a new referral").click()
    add_child(page, "Mia", "Testcase", "1", "6", "2012")
    page.get_by_role("button", name="Continue").click()

    page.get_by_role("group", name="Is the child at risk of immediate harm?").get_by_label(
        "No"
    ).check()
    page.get_by_label("Domestic abuse").check()
    page.get_by_label("What specifically are you worried about for the child?").fill(
        "DV at address, kids present"
    )
    prompts = page.locator("#coaching-worry")
    expect(prompts).to_contain_text("What did the children see, hear and say")
    for width in (1280, 320):
        page.set_viewport_size({"width": width, "height": 900})
        if SHOTS.parent.exists():
            SHOTS.mkdir(exist_ok=True)
            page.screenshot(path=SHOTS / f"coaching-live-{width}.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    # Rewritten with the child at the centre, the prompts clear as they type.
    page.get_by_label("What specifically are you worried about for the child?").fill(
        "Police attended a fight between mum and her partner, the fourth call this year. "
        "Mia was hiding upstairs and said 'I hate the shouting'."
    )
    expect(prompts.get_by_test_id("coaching-prompt")).to_have_count(0)
    page.get_by_role("button", name="Save and continue").click()

    page.get_by_label("What is a day like for the child?").fill(
        "Mia gets herself to school; she seems tired and hungry most mornings."
    )
    page.get_by_label("What has the child said?").fill("n/a")
    page.get_by_label("Part of a pattern", exact=True).check()
    page.get_by_role("button", name="Save and continue").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("What the child has said: “n/a” is not enough")
    if SHOTS.parent.exists():
        for width in (1280, 320):
            page.set_viewport_size({"width": width, "height": 900})
            page.screenshot(path=SHOTS / f"coaching-refused-{width}.png", full_page=True)
