"""Reading referrals through the API, GET /api/v1/referrals/ and /{id}/: who sees what,
what each shows (the clock, the child, the feedback once decided), and what the list
costs in queries."""

from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from agencies.census import AgencyType
from agencies.models import Role
from tests.clients import api_as
from tests.factories import AgencyFactory, ReferralFactory, UserFactory
from tests.referrals.api_helpers import URL, decide, detail_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def school():
    return AgencyFactory(name="Test Primary School", type=AgencyType.SCHOOL)


@pytest.fixture
def police():
    return AgencyFactory(name="Test Constabulary", type=AgencyType.POLICE)


@pytest.fixture
def referrals_by_agency(school, police):
    """Two referrals from two teachers at one school, and one from a police officer."""
    teacher, colleague = UserFactory.create_batch(2, role=Role.REFERRER, agency=school)
    officer = UserFactory(role=Role.REFERRER, agency=police)
    return {
        "teacher": ReferralFactory(referrer=teacher),
        "colleague": ReferralFactory(referrer=colleague),
        "officer": ReferralFactory(referrer=officer),
    }


def listed_ids(client) -> set[int]:
    response = client.get(URL)
    assert response.status_code == 200
    return {r["id"] for r in response.json()["results"]}


def test_a_police_referrer_cannot_see_a_schools_referral(referrals_by_agency):
    officers, schools = referrals_by_agency["officer"], referrals_by_agency["teacher"]
    client = api_as(officers.referrer)

    assert listed_ids(client) == {officers.pk}
    response = client.get(detail_url(schools.pk))
    assert response.status_code == 404
    assert schools.reference not in response.content.decode()


def test_a_referrer_sees_only_their_own_referrals_not_their_colleagues(referrals_by_agency):
    mine, colleagues = referrals_by_agency["teacher"], referrals_by_agency["colleague"]
    client = api_as(mine.referrer)

    assert listed_ids(client) == {mine.pk}
    assert client.get(detail_url(mine.pk)).status_code == 200
    assert client.get(detail_url(colleagues.pk)).status_code == 404


def test_an_agency_lead_sees_every_referral_of_their_agency_and_no_other(
    referrals_by_agency, school
):
    client = api_as(UserFactory(role=Role.AGENCY_LEAD, agency=school))

    school_ids = {referrals_by_agency["teacher"].pk, referrals_by_agency["colleague"].pk}
    assert listed_ids(client) == school_ids
    assert client.get(detail_url(referrals_by_agency["colleague"].pk)).status_code == 200
    assert client.get(detail_url(referrals_by_agency["officer"].pk)).status_code == 404


@pytest.mark.parametrize("role", [Role.SCREENER, Role.MANAGER, Role.AUDITOR])
def test_the_front_door_and_auditors_see_every_referral(make_user, referrals_by_agency, role):
    client = api_as(make_user(role))

    assert listed_ids(client) == {r.pk for r in referrals_by_agency.values()}
    assert client.get(detail_url(referrals_by_agency["officer"].pk)).status_code == 200


@pytest.mark.parametrize("role", [Role.PARTNER, Role.ADMIN])
def test_partners_and_admins_see_no_referrals(make_user, referrals_by_agency, role):
    client = api_as(make_user(role))

    assert listed_ids(client) == set()
    assert client.get(detail_url(referrals_by_agency["teacher"].pk)).status_code == 404


@pytest.mark.parametrize("referral_id", [999_999, 2**63, 10**30])
def test_a_referral_that_does_not_exist_gets_404(make_user, referral_id):
    assert api_as(make_user(Role.MANAGER)).get(detail_url(referral_id)).status_code == 404


def test_each_referral_shows_its_clock_child_agency_and_concerns(referrer):
    referral = ReferralFactory(referrer=referrer, immediate_risk=True)

    data = api_as(referrer).get(detail_url(referral.pk)).json()

    assert data["reference"] == referral.reference
    assert data["status"] == "received"
    assert datetime.fromisoformat(data["received_at"]) == referral.received_at
    assert datetime.fromisoformat(data["decision_due_at"]) == referral.decision_due_at
    assert data["immediate_risk"] is True
    assert data["concerns"] == ["neglect"]
    assert data["child_first_name"] == referral.child_first_name
    assert data["child_date_of_birth"] == "2018-05-17"
    assert data["agency"] == referrer.agency.name
    assert data["source_of_referral"] == "2A"


def test_an_undecided_referral_past_its_due_time_is_overdue(referrer):
    late = ReferralFactory(referrer=referrer, received_at=timezone.now() - timedelta(hours=25))
    on_time = ReferralFactory(referrer=referrer)
    decided_late = decide(
        ReferralFactory(referrer=referrer, received_at=timezone.now() - timedelta(hours=30))
    )
    client = api_as(referrer)

    assert client.get(detail_url(late.pk)).json()["is_overdue"] is True
    assert client.get(detail_url(on_time.pk)).json()["is_overdue"] is False
    assert client.get(detail_url(decided_late.pk)).json()["is_overdue"] is False


def test_the_referrer_and_their_agency_lead_see_the_feedback_once_decided(referrer):
    referral = decide(ReferralFactory(referrer=referrer))
    lead = UserFactory(role=Role.AGENCY_LEAD, agency=referrer.agency)

    for user in (referrer, lead):
        data = api_as(user).get(detail_url(referral.pk)).json()
        assert data["status"] == "decided"
        assert data["outcome"] == "early_help"
        assert data["decided_at"] is not None
        assert data["feedback"] == "Early help will contact the family this week."


def test_feedback_is_not_shown_before_a_decision_or_to_the_front_door(referrer, make_user):
    undecided = ReferralFactory(referrer=referrer)
    decided = decide(ReferralFactory(referrer=referrer))

    assert api_as(referrer).get(detail_url(undecided.pk)).json()["feedback"] is None
    assert api_as(make_user(Role.MANAGER)).get(detail_url(decided.pk)).json()["feedback"] is None


def test_the_list_takes_the_same_number_of_queries_however_many_referrals(make_user):
    client = api_as(make_user(Role.MANAGER))

    def queries_to_list() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(URL).status_code == 200
        return len(queries)

    ReferralFactory.create_batch(2)
    decide(ReferralFactory())
    few = queries_to_list()
    ReferralFactory.create_batch(5)
    decide(ReferralFactory())

    assert queries_to_list() == few
