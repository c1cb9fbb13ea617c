"""An information request's due time is shown once on each page that shows the request,
where it belongs (beside "due", or under "Answer due by"); its tag says where it stands
without saying the time again."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from agencies.census import AgencyType
from agencies.models import Role
from tests.clients import client_for
from tests.factories import AgencyFactory, InformationRequestFactory, UserFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 6, 3, 10, 0, tzinfo=UTC)
# Due the next afternoon: neither due soon nor overdue. 15:07 UTC is 16:07 in London, a
# time nothing else on the pages shows.
DUE = NOW + timedelta(days=1, hours=5, minutes=7)


@pytest.fixture
def open_request():
    health = AgencyFactory(name="Due Once Health", type=AgencyType.HEALTH_VISITING)
    with time_machine.travel(NOW, tick=False):
        yield InformationRequestFactory(agency=health, due_at=DUE)


def shown(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_the_due_time_is_shown_once_on_every_page_that_shows_the_request(open_request):
    referral = open_request.referral
    partner = client_for(UserFactory(role=Role.PARTNER, agency=open_request.agency))
    pages = {
        "the decision page": shown(
            client_for(UserFactory(role=Role.MANAGER)),
            reverse("triage:decide", args=[referral.pk]),
        ),
        "the screening page": shown(
            client_for(UserFactory(role=Role.SCREENER)),
            reverse("triage:referral", args=[referral.pk]),
        ),
        "the partner's list": shown(partner, reverse("requests:list")),
        "the partner's request": shown(partner, reverse("requests:detail", args=[open_request.pk])),
    }

    for name, page in pages.items():
        assert page.count("16:07") == 1, name
        assert ">Open</strong>" in page, name
    assert "due by Thu 4 Jun, 16:07" in pages["the decision page"]
    assert ">Thu 4 Jun 2026, 16:07</td>" in pages["the partner's list"]


def test_the_decision_page_says_where_an_unanswered_request_stands_once(open_request):
    # Its tag says it (Open, Due soon, Overdue), as on the partner's list; the words beside
    # it give only when it was asked and when it is due, not "Not answered yet" again.
    page = shown(
        client_for(UserFactory(role=Role.MANAGER)),
        reverse("triage:decide", args=[open_request.referral.pk]),
    )

    answers = re.search(r'data-testid="partner-answers">(.*?)</dl>', page, re.S).group(1)
    row = re.search(r'<dd class="govuk-summary-list__value">(.*?)</dd>', answers, re.S).group(1)
    assert " ".join(re.sub(r"<[^>]+>", " ", row).split()) == (
        "Open Asked Wed 3 Jun, 11:00; due by Thu 4 Jun, 16:07"
    )
