import pytest
from django.utils import timezone

from agencies.census import AgencyType
from agencies.models import Role
from referrals.models import Outcome
from tests.clients import client_for
from tests.factories import AgencyFactory, ReferralFactory, UserFactory
from triage.models import Decision

pytestmark = pytest.mark.django_db


@pytest.fixture
def school_and_police():
    school = AgencyFactory(name="Test School", type=AgencyType.SCHOOL)
    police = AgencyFactory(name="Test Police", type=AgencyType.POLICE)
    teacher = UserFactory(role=Role.REFERRER, agency=school)
    colleague = UserFactory(role=Role.REFERRER, agency=school)
    lead = UserFactory(role=Role.AGENCY_LEAD, agency=school)
    officer = UserFactory(role=Role.REFERRER, agency=police)
    return {
        "teacher": teacher,
        "colleague": colleague,
        "lead": lead,
        "officer": officer,
        "teachers": ReferralFactory(referrer=teacher, child_first_name="Teacherchild"),
        "colleagues": ReferralFactory(referrer=colleague, child_first_name="Colleaguechild"),
        "officers": ReferralFactory(referrer=officer, child_first_name="Officerchild"),
    }


def test_a_referrer_sees_only_their_own_referrals(school_and_police):
    page = client_for(school_and_police["teacher"]).get("/referrals/mine/").content.decode()

    assert "Teacherchild" in page
    assert "Colleaguechild" not in page
    assert "Officerchild" not in page


def test_an_agency_lead_sees_all_of_their_agencys_referrals_and_no_others(school_and_police):
    page = client_for(school_and_police["lead"]).get("/referrals/mine/").content.decode()

    assert "Teacherchild" in page
    assert "Colleaguechild" in page
    assert "Officerchild" not in page
    # The heading is what the home page's link, the tab and the back links call the page,
    # and the line under it names the agency.
    assert '<h1 class="govuk-heading-l">Your agency\'s referrals</h1>' in page
    assert "Every referral made by anyone at Test School." in page


def test_the_police_never_see_the_schools_referrals(school_and_police):
    page = client_for(school_and_police["officer"]).get("/referrals/mine/").content.decode()

    assert "Officerchild" in page
    assert "Teacherchild" not in page
    assert school_and_police["teachers"].reference not in page


def test_once_decided_the_outcome_and_feedback_show(school_and_police, make_user):
    referral = school_and_police["teachers"]
    Decision.objects.create(
        referral=referral,
        outcome=Outcome.EARLY_HELP,
        threshold_level_id=2,
        rationale="Needs are emerging; family agree to support.",
        feedback="We have offered the family early help through the school's family worker.",
        decided_by=make_user(Role.MANAGER),
        decided_at=timezone.now(),
    )

    page = client_for(school_and_police["teacher"]).get("/referrals/mine/").content.decode()

    assert "Early help" in page
    assert "offered the family early help" in page


@pytest.mark.parametrize("role", [Role.SCREENER, Role.PARTNER, Role.ADMIN])
def test_roles_without_own_referrals_get_403(make_user, role):
    assert client_for(make_user(role)).get("/referrals/mine/").status_code == 403


def test_the_list_takes_a_fixed_number_of_queries_however_long(
    school_and_police, django_assert_num_queries
):
    teacher = school_and_police["teacher"]
    client = client_for(teacher)
    client.get("/referrals/mine/")
    for _ in range(20):
        ReferralFactory(referrer=teacher)

    # Signing in (2: the session, and the user with their agency), the rows, their
    # discussions (nothing is decided, so no amendments or challenges are asked for), the
    # siblings of every row at once, the page's single access-log row, the inbox's count,
    # the unsent referrals.
    with django_assert_num_queries(8):
        response = client.get("/referrals/mine/")

    assert response.status_code == 200
