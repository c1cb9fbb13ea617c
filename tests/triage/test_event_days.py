"""When something happened is shown with its day of the week beside the date and time,
as deadlines are ("Wed 3 Jun 2026, 11:00"): a screener reading that a partner answered
"3 Jun, 11:00" has to work out whether that was before the weekend."""

import re
from datetime import UTC, datetime, timedelta

import pytest

from agencies.census import AgencyType
from agencies.models import Role
from tests.clients import client_for
from tests.factories import AgencyFactory, InformationRequestFactory, UserFactory

pytestmark = pytest.mark.django_db

# Wednesday 3 June 2026, 10:00 UTC: 11:00 in London. Answered Thursday 4 June, 09:15.
ASKED = datetime(2026, 6, 3, 10, 0, tzinfo=UTC)
ANSWERED = datetime(2026, 6, 4, 8, 15, tzinfo=UTC)


@pytest.fixture
def answered():
    health = AgencyFactory(name="Test Health Visiting", type=AgencyType.HEALTH_VISITING)
    return InformationRequestFactory(
        agency=health,
        requested_at=ASKED,
        due_at=ASKED + timedelta(hours=4),
        answer="Known to us; last seen at the 2-year review.",
        answered_at=ANSWERED,
        answered_by=UserFactory(role=Role.PARTNER, agency=health),
    )


def test_the_screening_page_says_the_day_a_request_was_asked_and_answered(
    screener_client, answered
):
    page = screener_client.get(f"/triage/referrals/{answered.referral_id}/").content.decode()

    assert "Wed 3 Jun 2026, 11:00" in page
    assert "Thu 4 Jun 2026, 09:15" in page


def test_the_partners_pages_say_the_day_a_request_was_asked_and_answered(answered):
    partner = client_for(answered.answered_by)

    listed = partner.get("/requests/").content.decode()
    shown = partner.get(f"/requests/{answered.pk}/").content.decode()

    assert "Thu 4 Jun 2026, 09:15" in listed  # the answered list says when it was answered
    assert "Wednesday 3 June 2026, 11:00" in shown
    assert "Thursday 4 June 2026, 09:15" in shown


def test_a_referrals_history_says_the_day_of_each_version(manager_client, answered):
    page = manager_client.get(f"/history/referrals/{answered.referral_id}/").content.decode()

    first = page.split('data-testid="who"', 1)[1].split("</p>", 1)[0]
    assert re.search(r'<time datetime="[^"]+">(Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d+ \w+ 20', first)
