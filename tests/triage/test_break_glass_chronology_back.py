"""A closed child's chronology opened from a page (``?referral=``, ``?next=``) asks why
first; once the reason is given, the chronology still goes back to that page. The reason
page carries only what the chronology would take: one of the child's own referrals and a
page of this site its back link names."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from agencies.models import Role
from tests.clients import client_for
from tests.factories import ChildFactory, DecisionFactory, ReferralFactory, UserFactory

pytestmark = pytest.mark.django_db

REASON = "A new referral by phone names this child; checking what was decided before."


def decided(days_ago: int, **referral) -> object:
    at = timezone.now() - timedelta(days=days_ago)
    referral = ReferralFactory(
        received_at=at - timedelta(hours=3), awaiting_decision=True, **referral
    )
    return DecisionFactory(referral=referral, decided_at=at).referral


def back_link(page: str) -> tuple[str, str]:
    href, text = re.search(r'<a href="([^"]*)" class="govuk-back-link">([^<]*)</a>', page).groups()
    return href.replace("&amp;", "&"), text


def hidden(page: str) -> dict[str, str]:
    return {
        name: value.replace("&amp;", "&")
        for name, value in re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', page)
        if name != "csrfmiddlewaretoken"
    }


@pytest.fixture
def closed():
    child = ChildFactory()
    return child, decided(60, child=child)


def test_opened_from_the_decision_page_it_goes_back_there_after_the_reason(closed):
    child, referral = closed
    manager = client_for(UserFactory(role=Role.MANAGER))
    decide = reverse("triage:decide", args=[referral.pk])
    chronology = reverse("children:chronology", args=[child.pk])

    page = manager.get(chronology, {"referral": referral.pk, "next": decide}).content.decode()
    assert "This record is closed" in page
    sent = hidden(page)
    assert sent == {"then": "chronology", "referral": str(referral.pk), "next": decide}
    # Not giving a reason after all goes back there too.
    assert f'<a class="govuk-link" href="{decide}">Back to the decision</a>' in page

    response = manager.post(
        reverse("children:break-glass", args=[child.pk]), {"reason": REASON, **sent}
    )

    assert response.status_code == 302
    assert back_link(manager.get(response.url).content.decode()) == (
        decide,
        "Back to the decision",
    )


def test_opened_from_a_referral_it_goes_back_to_that_referral_after_the_reason(closed):
    child, referral = closed
    screener = client_for(UserFactory(role=Role.SCREENER))
    page = screener.get(
        reverse("children:chronology", args=[child.pk]), {"referral": referral.pk}
    ).content.decode()

    response = screener.post(
        reverse("children:break-glass", args=[child.pk]), {"reason": REASON, **hidden(page)}
    )

    assert back_link(screener.get(response.url).content.decode()) == (
        reverse("triage:referral", args=[referral.pk]),
        f"Back to {referral.reference}",
    )


def test_a_reason_refused_keeps_where_the_chronology_goes_back_to(closed):
    child, referral = closed
    screener = client_for(UserFactory(role=Role.SCREENER))
    queue = reverse("triage:queue")

    response = screener.post(
        reverse("children:break-glass", args=[child.pk]),
        {"reason": "", "then": "chronology", "referral": referral.pk, "next": queue},
    )

    assert response.status_code == 400
    assert hidden(response.content.decode()) == {
        "then": "chronology",
        "referral": str(referral.pk),
        "next": queue,
    }


@pytest.mark.parametrize(
    "next_",
    [
        "https://elsewhere.example/triage/",
        "//elsewhere.example/triage/",
        "/\\elsewhere.example/triage/",
        "javascript:alert(1)",
        "/not/a/page/",
        "/account/",  # a page of the app, but not one that links to the chronology
    ],
)
def test_only_what_the_chronology_takes_is_carried(closed, next_):
    child, _ = closed
    other = ReferralFactory(child=ChildFactory())  # another child's referral
    screener = client_for(UserFactory(role=Role.SCREENER))
    chronology = reverse("children:chronology", args=[child.pk])
    asked = {"referral": other.pk, "next": next_}

    page = screener.get(chronology, asked).content.decode()
    response = screener.post(
        reverse("children:break-glass", args=[child.pk]),
        {"reason": REASON, "then": "chronology", **asked},
    )

    assert hidden(page) == {"then": "chronology"}
    assert f'href="{reverse("triage:queue")}">Back to the queue</a>' in page
    assert response.url == chronology
