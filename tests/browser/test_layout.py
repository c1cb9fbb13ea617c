"""Pages that fit any screen, with the demo data (seed_demo) behind them.

At 320 CSS pixels wide (WCAG 1.4.10, reflow) no main page scrolls sideways as a whole: a
wide table scrolls inside its own region (fd-table-scroll). At 320 and at 1280 pixels the
page's content starts where the header's does. The conftest's axe-core audit also checks,
on every page visited here, that every part of the page is inside a landmark.
"""

import io
import re
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from agencies.models import Agency
from demo.data.agencies import DEMO_PASSWORD, seed_agencies_and_users
from referrals.models import CoachingOutcome, Referral, Status
from tests.factories import ReferralFactory
from triage.models import Challenge, InformationRequest, StrategyDiscussion

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NARROW = {"width": 320, "height": 720}
WIDE = {"width": 1280, "height": 900}

# What sticks out past the right edge of the screen, outside any scrolling region: named
# in the failure message, so whoever breaks a page sees which element did it.
OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const inScroller = (el) => {
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      const o = getComputedStyle(p).overflowX;
      if (o === "auto" || o === "scroll" || o === "hidden") return true;
    }
    return false;
  };
  const culprits = [];
  for (const el of document.body.querySelectorAll("*")) {
    const box = el.getBoundingClientRect();
    if (box.width && box.right > width + 0.5 && !inScroller(el)) {
      const name = el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
        (el.className && typeof el.className === "string"
          ? "." + el.className.trim().split(/\\s+/).join(".") : "");
      culprits.push(`${name} (right edge ${Math.round(box.right)}px)`);
    }
  }
  if (!culprits.length) {
    // Absolutely positioned text (govuk-visually-hidden) escapes a scrolling box that is
    // not its containing block: name that instead.
    for (const el of document.body.querySelectorAll("*")) {
      const box = el.getBoundingClientRect();
      const position = getComputedStyle(el).position;
      if (box.right > width + 0.5 && (position === "absolute" || position === "fixed")) {
        culprits.push(`${el.tagName.toLowerCase()}.${el.className} (${position}, right edge ` +
          `${Math.round(box.right)}px)`);
      }
    }
  }
  return { scrollWidth: document.documentElement.scrollWidth, culprits: culprits.slice(0, 5) };
}"""

LEFT_EDGES = """() => {
  const left = (selector) => {
    const el = document.querySelector(selector);
    return el ? Math.round(el.getBoundingClientRect().left) : null;
  };
  return { header: left(".fd-header__name"), heading: left("main h1") };
}"""


def sign_in(page: Page, base: str, username: str) -> None:
    page.context.clear_cookies()  # signs out whoever was signed in
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_test_id("identity")).to_be_visible()


def main_pages() -> list[tuple[str, list[tuple[str, str]]]]:
    """Each demo user and the main pages they work in, with demo records that fill them."""
    open_referral = (
        Referral.objects.exclude(status=Status.DECIDED).order_by("decision_due_at").first()
    )
    # A decided referral about a child known before: the decision and the earlier-referrals
    # table are on its page.
    known = (
        Referral.objects.filter(status=Status.DECIDED, child__isnull=False)
        .order_by("-received_at")
        .first()
    )
    health = Agency.objects.get(name="Northshire Health Visiting Service")
    request = InformationRequest.objects.filter(agency=health).order_by("-requested_at").first()
    discussion = StrategyDiscussion.objects.order_by("-held_at").first()
    challenge = Challenge.objects.order_by("-pk").first()
    school = Agency.objects.get(name="Millbrook Primary School")
    # An open referral whose referrer explained a coaching prompt: the explanation shows
    # beside its section on the screening and decision pages.
    explained = (
        Referral.objects.exclude(status=Status.DECIDED)
        .filter(coaching__outcome=CoachingOutcome.EXPLAINED)
        .order_by("decision_due_at")
        .first()
    )
    for record in (open_referral, known, request, discussion, challenge, explained):
        assert record is not None, "seed_demo made no such record: the page list needs one"
    return [
        (
            "screener",
            [
                ("the queue", reverse("triage:queue")),
                ("an open referral", reverse("triage:referral", args=[open_referral.pk])),
                ("a decided referral", reverse("triage:referral", args=[known.pk])),
                (
                    "a referral with the referrer's explanations",
                    reverse("triage:referral", args=[explained.pk]),
                ),
                ("a child's chronology", reverse("children:chronology", args=[known.child_id])),
                ("the inbox", reverse("inbox")),
            ],
        ),
        ("referrer.school", [("My referrals", reverse("referrals:mine"))]),
        ("lead.school", [("the agency's referrals", reverse("referrals:mine"))]),
        (
            "partner.health",
            [
                ("the requests list", reverse("requests:list")),
                ("a request", reverse("requests:detail", args=[request.pk])),
            ],
        ),
        (
            "manager",
            [
                ("the dashboard", reverse("dashboard:live")),
                ("the queue", reverse("triage:queue")),
                ("the decision page", reverse("triage:decide", args=[open_referral.pk])),
                (
                    "the decision page with explanations",
                    reverse("triage:decide", args=[explained.pk]),
                ),
                ("strategy discussions", reverse("strategy:list")),
                ("a strategy discussion", reverse("strategy:detail", args=[discussion.pk])),
                ("challenges", reverse("challenges:list")),
                ("a challenge", reverse("challenges:detail", args=[challenge.pk])),
                (
                    "information requests overdue",
                    reverse("dashboard:information-requests-overdue"),
                ),
                ("performance", reverse("dashboard:performance")),
                ("an agency's figures", f"{reverse('dashboard:agency')}?agency={school.pk}"),
                ("the census export", reverse("dashboard:census")),
            ],
        ),
        (
            "auditor",
            [
                ("a referral's history", reverse("history:referral", args=[known.pk])),
                ("a decision's history", reverse("history:decision", args=[known.decision.pk])),
                ("a child's history", reverse("history:child", args=[known.child_id])),
                ("a discussion's history", reverse("history:discussion", args=[discussion.pk])),
                ("a challenge's history", reverse("history:challenge", args=[challenge.pk])),
            ],
        ),
    ]


def test_main_pages_do_not_scroll_sideways_at_320px_and_line_up_with_the_header(
    page: Page, live_server
):
    call_command("seed_demo", stdout=io.StringIO())
    base = live_server.url
    too_wide, misaligned = [], []
    for username, pages in main_pages():
        page.set_viewport_size(WIDE)
        sign_in(page, base, username)
        for name, path in pages:
            for viewport in (NARROW, WIDE):
                page.set_viewport_size(viewport)
                page.goto(f"{base}{path}")
                expect(page.locator("main h1")).to_be_visible()
                where = f"{name} ({path}, {username}, {viewport['width']}px)"
                if viewport is NARROW:
                    found = page.evaluate(OVERFLOW)
                    if found["scrollWidth"] > NARROW["width"]:
                        too_wide.append(
                            f"{where}: {found['scrollWidth']}px wide; "
                            f"sticking out: {', '.join(found['culprits']) or 'nothing named'}"
                        )
                edges = page.evaluate(LEFT_EDGES)
                if edges["header"] != edges["heading"]:
                    misaligned.append(
                        f"{where}: header starts at {edges['header']}px, "
                        f"the page's heading at {edges['heading']}px"
                    )
    assert not too_wide, "Pages wider than a 320px screen:\n" + "\n".join(too_wide)
    assert not misaligned, "Content not aligned with the header:\n" + "\n".join(misaligned)


def test_a_wide_table_scrolls_in_its_own_region_that_the_keyboard_can_reach(
    page: Page, live_server
):
    seed_agencies_and_users()
    for hours_ago in (1, 5, 9):
        ReferralFactory(received_at=timezone.now() - timedelta(hours=hours_ago))
    page.set_viewport_size(NARROW)
    sign_in(page, live_server.url, "screener")
    page.goto(f"{live_server.url}{reverse('triage:queue')}")
    region = page.get_by_role("region", name="Referrals waiting for a decision")
    expect(region).to_contain_text(re.compile(r"\w+"))
    sizes = region.evaluate("(el) => ({ scroll: el.scrollWidth, client: el.clientWidth })")
    assert sizes["scroll"] > sizes["client"], "the queue's table fits 320px: nothing to scroll"
    # Tab reaches the region; the arrow keys scroll it, not the page.
    region.focus()
    expect(region).to_be_focused()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    # Chromium scrolls smoothly: wait for the scroll to start rather than read it at once
    # (read at once, it is still 0 on a loaded machine).
    page.wait_for_function("(el) => el.scrollLeft > 0", arg=region.element_handle(), timeout=5_000)
    assert page.evaluate("() => window.scrollX") == 0


def test_at_320px_the_queues_filters_fold_away_and_the_first_referral_is_on_the_first_screen(
    page: Page, live_server
):
    seed_agencies_and_users()
    first = ReferralFactory(received_at=timezone.now() - timedelta(hours=9))
    ReferralFactory(received_at=timezone.now() - timedelta(hours=1))
    sign_in(page, live_server.url, "screener")
    queue = f"{live_server.url}{reverse('triage:queue')}"

    page.set_viewport_size(NARROW)
    page.goto(queue)
    status = page.get_by_label("Status", exact=True)
    expect(status).to_be_hidden()
    expect(page.get_by_role("link", name=first.reference)).to_be_in_viewport()
    # One tap opens them.
    page.get_by_text("Filter the queue").click()
    expect(status).to_be_visible()

    # From tablet width up they are shown as before, with nothing to open.
    page.set_viewport_size(WIDE)
    page.goto(queue)
    expect(status).to_be_visible()
    expect(page.get_by_text("Filter the queue")).to_be_hidden()
