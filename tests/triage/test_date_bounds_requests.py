"""The date bounds (triage.moments) of an information request's answer: due in the future,
and within two weeks, or the page refuses it naming the field in plain words."""

from datetime import datetime, timedelta

import pytest
from django.urls import reverse

from agencies.models import Role
from tests.clients import client_for
from tests.factories import ReferralFactory, UserFactory
from tests.triage.date_bounds_helpers import NOW, YEAR_9999, YEAR_ONE, day, now
from triage.models import InformationRequest

pytestmark = pytest.mark.django_db


@pytest.fixture
def screener():
    return UserFactory(role=Role.SCREENER)


def request_form(agency, due: datetime) -> dict:
    return {
        "ir-agency": agency.pk,
        "ir-question": "Is the family known to you?",
        **day("ir-due_date", due),
        "ir-due_time": f"{due:%H:%M}",
    }


@pytest.mark.parametrize(
    "due, message",
    [
        (YEAR_ONE, "The date the answer is due must be in the future"),
        (
            YEAR_9999,
            "The date the answer is due must be within 14 days from now "
            "(Tue 8 Dec 2026, 10:00 at the latest)",
        ),
    ],
)
def test_the_page_refuses_an_answer_due_when_no_one_could_mean(screener, agencies, due, message):
    referral = ReferralFactory(in_screening=True)
    with now:
        response = client_for(screener).post(
            reverse("requests:send", args=[referral.pk]), request_form(agencies["hv"], due)
        )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not InformationRequest.objects.exists()


def test_the_page_sends_a_request_due_within_two_weeks(screener, agencies):
    referral = ReferralFactory(in_screening=True)
    due = NOW + timedelta(days=14)
    with now:
        response = client_for(screener).post(
            reverse("requests:send", args=[referral.pk]), request_form(agencies["hv"], due)
        )
    assert response.status_code == 302
    assert InformationRequest.objects.get().due_at == due
