"""A failed action on the screening page: its error summary leads the page (GOV.UK's error
summary pattern), once, and each of its links goes to the field of the form that failed,
however many forms of the page have a field of that name."""

from html.parser import HTMLParser

import pytest

from tests.factories import ChildFactory, DecisionFactory, ReferralFactory

pytestmark = pytest.mark.django_db


class _Page(HTMLParser):
    """What the tests need of a page: the elements with an id (tag, the action of the form
    they sit in), the summary's links, and what comes first in the main content."""

    def __init__(self, html: str):
        super().__init__()
        self.ids: dict[str, list[tuple[str, str]]] = {}
        self.summary_links: list[str] = []
        self.main_starts_with: list[str] = []  # classes of main's first elements
        self._form_action = ""
        self._in_main = False
        self._in_summary = False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        classes = attrs.get("class") or ""
        if tag == "main":
            self._in_main = True
        elif (
            # The back link comes before the wrapper; what matters is the content's order.
            self._in_main
            and "govuk-main-wrapper" not in classes
            and tag != "a"
            and len(self.main_starts_with) < 2
        ):
            self.main_starts_with.append(classes)
        if tag == "form":
            self._form_action = attrs.get("action") or ""
        if "govuk-error-summary" in classes.split():
            self._in_summary = True
        if self._in_summary and tag == "a":
            self.summary_links.append(attrs["href"])
        if "id" in attrs:
            self.ids.setdefault(attrs["id"], []).append((tag, self._form_action))

    def handle_endtag(self, tag):
        if tag == "form":
            self._form_action = ""
        if tag == "ul" and self._in_summary:
            self._in_summary = False


def _target(page: _Page, href: str) -> tuple[str, str]:
    assert href.startswith("#")
    found = page.ids.get(href[1:], [])
    assert len(found) == 1, f"{href} names {len(found)} elements"
    return found[0]


def test_a_blank_note_is_summarised_at_the_top_and_its_link_goes_to_the_note(screener_client):
    referral = ReferralFactory()

    response = screener_client.post(f"/triage/referrals/{referral.pk}/notes/", {"text": ""})

    assert response.status_code == 400
    html = response.content.decode()
    assert html.count('class="govuk-error-summary"') == 1
    assert "<title>Error: " in html
    page = _Page(html)
    # The summary is the content's first element, before the caption and the heading.
    assert page.main_starts_with[0] == "govuk-error-summary"
    assert page.summary_links == ["#note-text"]
    assert _target(page, "#note-text") == ("textarea", f"/triage/referrals/{referral.pk}/notes/")


def test_a_recommendation_without_an_outcome_is_summarised_at_the_top_not_in_the_side_panel(
    screener_client,
):
    referral = ReferralFactory()

    response = screener_client.post(
        f"/triage/referrals/{referral.pk}/recommend/", {"rationale": ""}
    )

    assert response.status_code == 400
    html = response.content.decode()
    page = _Page(html)
    assert page.main_starts_with[0] == "govuk-error-summary"
    assert html.index("govuk-error-summary") < html.index("<h1")
    # A choice of radios is linked to its first radio, which takes the focus.
    assert page.summary_links == ["#recommend-outcome_0", "#recommend-rationale"]
    action = f"/triage/referrals/{referral.pk}/recommend/"
    assert _target(page, "#recommend-outcome_0") == ("input", action)
    assert _target(page, "#recommend-rationale") == ("textarea", action)


def test_the_amendments_reason_and_the_unlinkings_reason_each_have_their_own_link(
    manager_client,
):
    # A decided referral linked to a child shows both forms, each with a field "reason".
    referral = DecisionFactory(referral=ReferralFactory(child=ChildFactory())).referral

    amend = manager_client.post(
        f"/triage/referrals/{referral.pk}/amend/",
        {
            "outcome": "early_help",
            "threshold_level": "2",
            "rationale": "Emerging needs; the family agree to early help.",
            "feedback": "Early help from the school's family worker.",
            "reason": "",
        },
    )
    unlink = manager_client.post(f"/triage/referrals/{referral.pk}/unlink-child/", {"reason": ""})

    assert amend.status_code == unlink.status_code == 400
    amended = _Page(amend.content.decode())
    assert amended.summary_links == ["#amend-reason"]
    assert _target(amended, "#amend-reason") == (
        "textarea",
        f"/triage/referrals/{referral.pk}/amend/",
    )
    unlinked = _Page(unlink.content.decode())
    assert unlinked.summary_links == ["#unlink-reason"]
    assert _target(unlinked, "#unlink-reason") == (
        "textarea",
        f"/triage/referrals/{referral.pk}/unlink-child/",
    )


def test_the_decision_screens_threshold_level_is_linked_to_its_first_radio(manager_client):
    referral = ReferralFactory()

    response = manager_client.post(f"/triage/referrals/{referral.pk}/decide/", {})

    assert response.status_code == 400
    page = _Page(response.content.decode())
    assert "#id_threshold_level_0" in page.summary_links
    assert _target(page, "#id_threshold_level_0")[0] == "input"


def test_a_page_without_a_failed_action_has_no_error_summary(screener_client):
    referral = ReferralFactory()

    html = screener_client.get(f"/triage/referrals/{referral.pk}/").content.decode()

    assert "govuk-error-summary" not in html
