"""The chronology's back link goes back where the person came from in the app, and says
where: the referral, the decision, the strategy discussion or the access log it was
opened from; else the queue. A ``next`` is followed only to a page of this site that
links to the chronology."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse

from tests.factories import (
    ChildFactory,
    DecisionFactory,
    ReferralFactory,
    StrategyDiscussionFactory,
)

pytestmark = pytest.mark.django_db


def back_link(page: str) -> tuple[str, str]:
    href, text = re.search(r'<a href="([^"]*)" class="govuk-back-link">([^<]*)</a>', page).groups()
    return href.replace("&amp;", "&"), text


def chronology_link(page: str, child) -> str:
    url = reverse("children:chronology", args=[child.pk])
    return re.search(rf'href="({re.escape(url)}[^"]*)"', page).group(1).replace("&amp;", "&")


def test_opened_from_nowhere_in_particular_it_goes_back_to_the_queue_and_says_so(
    screener_client,
):
    child = ChildFactory()
    ReferralFactory(child=child)

    page = screener_client.get(reverse("children:chronology", args=[child.pk])).content.decode()

    assert back_link(page) == (reverse("triage:queue"), "Back to the queue")


def test_from_a_referral_it_goes_back_to_that_referral(screener_client):
    referral = ReferralFactory(child=ChildFactory())
    page = screener_client.get(reverse("triage:referral", args=[referral.pk])).content.decode()

    chronology = screener_client.get(chronology_link(page, referral.child)).content.decode()

    assert back_link(chronology) == (
        reverse("triage:referral", args=[referral.pk]),
        f"Back to {referral.reference}",
    )


def test_from_the_decision_page_it_goes_back_to_the_decision(manager_client):
    # The decision page links the chronology when the child has been referred before.
    child = ChildFactory()
    referral = ReferralFactory(child=child)
    ReferralFactory(child=child, received_at=referral.received_at - timedelta(days=30))
    decide = reverse("triage:decide", args=[referral.pk])
    page = manager_client.get(decide).content.decode()

    chronology = manager_client.get(chronology_link(page, referral.child)).content.decode()

    assert back_link(chronology) == (decide, "Back to the decision")


def test_from_a_strategy_discussion_it_goes_back_to_the_discussion_on_every_piece(
    manager_client,
):
    referral = DecisionFactory(referral__child=ChildFactory()).referral
    discussion = StrategyDiscussionFactory(referral=referral)
    detail = reverse("strategy:detail", args=[discussion.pk])
    page = manager_client.get(detail).content.decode()
    link = chronology_link(page, referral.child)

    chronology = manager_client.get(link).content.decode()
    every = manager_client.get(link + "&all=on").content.decode()

    assert back_link(chronology) == (detail, "Back to the strategy discussion")
    assert back_link(every) == (detail, "Back to the strategy discussion")


def test_from_the_access_log_it_goes_back_to_the_same_search(auditor_client):
    child = ChildFactory()
    ReferralFactory(child=child)
    url = reverse("children:chronology", args=[child.pk])
    auditor_client.get(url)  # an entry in the log to follow
    search = reverse("oversight:access-log") + f"?child={child.pk}"
    page = auditor_client.get(search).content.decode()

    chronology = auditor_client.get(chronology_link(page, child)).content.decode()

    assert back_link(chronology) == (search, "Back to the access log")


@pytest.mark.parametrize(
    "next_",
    [
        "https://elsewhere.example/triage/",
        "//elsewhere.example/triage/",
        "/\\elsewhere.example/triage/",
        "javascript:alert(1)",
        "/not/a/page/",
        "/account/",  # a page of the app, but not one that links here
    ],
)
def test_a_next_that_is_not_a_page_that_links_here_is_not_followed(screener_client, next_):
    child = ChildFactory()
    ReferralFactory(child=child)

    response = screener_client.get(reverse("children:chronology", args=[child.pk]), {"next": next_})

    assert response.status_code == 200
    assert back_link(response.content.decode()) == (reverse("triage:queue"), "Back to the queue")
