import pytest

from agencies.census import AGENCY_TYPE_SOURCE, SOURCE_OF_REFERRAL, AgencyType
from agencies.models import Role
from agencies.policy import ROLE_CAPABILITIES, Capability, can
from tests.clients import confirmed
from tests.factories import AgencyFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_screener_cannot_decide_but_a_manager_can(make_user):
    assert not can(make_user(Role.SCREENER), Capability.DECIDE)
    assert can(make_user(Role.MANAGER), Capability.DECIDE)


def test_only_referrers_and_agency_leads_submit_referrals(make_user):
    allowed = {role for role in Role if can(make_user(role), Capability.SUBMIT_REFERRAL)}

    assert allowed == {Role.REFERRER, Role.AGENCY_LEAD}


def test_auditors_read_everything_and_change_nothing():
    writes = {
        Capability.SUBMIT_REFERRAL,
        Capability.SCREEN,
        Capability.RECORD_ON_BEHALF,
        Capability.ALLOCATE,
        Capability.RECOMMEND,
        Capability.DECIDE,
        Capability.ANSWER_INFORMATION_REQUESTS,
        Capability.MANAGE_SYSTEM,
    }

    assert ROLE_CAPABILITIES[Role.AUDITOR] & writes == set()
    assert Capability.VIEW_ALL_REFERRALS in ROLE_CAPABILITIES[Role.AUDITOR]


def test_admins_have_no_case_access():
    assert ROLE_CAPABILITIES[Role.ADMIN] == {Capability.MANAGE_SYSTEM}


def test_partners_answer_information_requests_and_may_challenge_as_professionals_involved():
    assert ROLE_CAPABILITIES[Role.PARTNER] == {
        Capability.ANSWER_INFORMATION_REQUESTS,
        Capability.RAISE_CHALLENGE,
    }


def test_inactive_and_anonymous_users_can_do_nothing(make_user):
    from django.contrib.auth.models import AnonymousUser

    manager = make_user(Role.MANAGER, is_active=False)

    assert not can(manager, Capability.DECIDE)
    assert not can(AnonymousUser(), Capability.VIEW_QUEUE)


def test_every_agency_type_maps_to_a_census_source_code():
    assert set(AGENCY_TYPE_SOURCE) == set(AgencyType)
    assert set(AGENCY_TYPE_SOURCE.values()) <= set(SOURCE_OF_REFERRAL)


def test_the_source_table_holds_every_census_code():
    assert list(SOURCE_OF_REFERRAL) == [
        "1A",
        "1B",
        "1C",
        "1D",
        "2A",
        "2B",
        "3A",
        "3B",
        "3C",
        "3D",
        "3E",
        "3F",
        "4",
        "5A",
        "5B",
        "5C",
        "5D",
        "6",
        "7",
        "8",
        "9",
        "10",
    ]


@pytest.mark.parametrize(
    ("agency_type", "code"),
    [
        (AgencyType.POLICE, "6"),
        (AgencyType.SCHOOL, "2A"),
        (AgencyType.GP, "3A"),
        (AgencyType.HEALTH_VISITING, "3B"),
        (AgencyType.SCHOOL_NURSING, "3C"),
        (AgencyType.HOUSING, "4"),
        (AgencyType.EARLY_HELP, "5D"),
        (AgencyType.PROBATION, "7"),
    ],
)
def test_an_agencys_census_source_comes_from_its_type(agency_type, code):
    assert AgencyFactory(type=agency_type).source_of_referral == code


def test_a_referrer_cannot_be_saved_without_an_agency():
    from django.db import IntegrityError

    with pytest.raises(IntegrityError):
        UserFactory(role=Role.REFERRER, agency=None)


def test_the_admin_role_manages_agencies_and_users(sysadmin_client):
    assert sysadmin_client.get("/admin/").status_code == 200
    assert sysadmin_client.get("/admin/agencies/agency/").status_code == 200
    assert sysadmin_client.get("/admin/agencies/user/").status_code == 200


@pytest.mark.parametrize("role", [r for r in Role if r != Role.ADMIN])
def test_other_roles_are_refused_the_admin(client, make_user, role):
    client.force_login(make_user(role))

    assert client.get("/admin/").status_code == 403
    assert client.get("/admin/agencies/user/").status_code == 403


def test_the_admin_sends_signed_out_visitors_to_the_one_sign_in_page(client):
    response = client.get("/admin/", follow=True)

    assert response.redirect_chain[-1][0].startswith("/accounts/login/")


def test_an_admin_can_change_a_users_role_and_it_is_kept_in_history(sysadmin_client):
    agency = AgencyFactory()
    user = UserFactory(role=Role.SCREENER, agency=agency)

    response = confirmed(sysadmin_client).post(
        f"/admin/agencies/user/{user.pk}/change/",
        {
            "username": user.username,
            "first_name": "Test",
            "last_name": "Person",
            "email": user.email,
            "job_title": "",
            "phone": "",
            "agency": agency.pk,
            "role": Role.MANAGER,
            "is_active": "on",
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    user.refresh_from_db()
    assert user.role == Role.MANAGER
    assert [h.role for h in user.history.order_by("history_date")][-2:] == [
        Role.SCREENER,
        Role.MANAGER,
    ]


def test_navigation_shows_administration_only_to_admins(sysadmin_client, manager_client):
    assert "Administration" in sysadmin_client.get("/").content.decode()
    assert "Administration" not in manager_client.get("/").content.decode()


def test_the_admin_role_manages_threshold_levels_and_support_services(sysadmin_client):
    from triage.models import ThresholdLevel

    assert sysadmin_client.get("/admin/triage/thresholdlevel/").status_code == 200
    assert sysadmin_client.get("/admin/triage/supportservice/").status_code == 200
    level = ThresholdLevel.objects.get(level=2)
    response = sysadmin_client.post(
        f"/admin/triage/thresholdlevel/{level.pk}/change/",
        {
            "level": 2,
            "name": "Targeted early help",
            "descriptor": level.descriptor,
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    level.refresh_from_db()
    assert level.name == "Targeted early help"


def test_screeners_and_managers_record_for_callers_and_referrers_for_themselves(make_user):
    from agencies.policy import may_refer, refers_on_behalf

    for role in (Role.SCREENER, Role.MANAGER):
        assert may_refer(make_user(role)) and refers_on_behalf(make_user(role))
    for role in (Role.REFERRER, Role.AGENCY_LEAD):
        assert may_refer(make_user(role)) and not refers_on_behalf(make_user(role))
    for role in (Role.PARTNER, Role.AUDITOR, Role.ADMIN):
        assert not may_refer(make_user(role))


def test_referrals_are_allocated_only_to_active_screeners_and_managers(make_user):
    from agencies.policy import allocatable_users

    screener, manager = make_user(Role.SCREENER), make_user(Role.MANAGER)
    others = [make_user(role) for role in (Role.REFERRER, Role.AUDITOR, Role.PARTNER)]
    gone = make_user(Role.SCREENER, is_active=False)

    allocatable = set(allocatable_users())

    assert {screener, manager} <= allocatable
    assert allocatable.isdisjoint([*others, gone])


def test_a_partner_answers_only_their_own_agencys_requests(make_user):
    from agencies.policy import may_answer_information_request

    partner = make_user(Role.PARTNER)
    screener = make_user(Role.SCREENER)

    assert may_answer_information_request(partner, agency_id=partner.agency_id)
    assert not may_answer_information_request(partner, agency_id=partner.agency_id + 1000)
    assert not may_answer_information_request(screener, agency_id=screener.agency_id)


def test_a_threshold_levels_number_is_fixed_once_made(sysadmin_client):
    """Decisions cite a level by its number: the admin adds levels, never renumbers one."""
    from triage.models import ThresholdLevel

    level = ThresholdLevel.objects.get(level=2)
    response = sysadmin_client.post(
        f"/admin/triage/thresholdlevel/{level.pk}/change/",
        {"level": 7, "name": level.name, "descriptor": level.descriptor, "is_active": "on"},
    )

    assert response.status_code == 302
    assert ThresholdLevel.objects.filter(pk=level.pk, level=2).exists()
    added = sysadmin_client.post(
        "/admin/triage/thresholdlevel/add/",
        {"level": 5, "name": "Level five", "descriptor": "A new level.", "is_active": "on"},
    )
    assert added.status_code == 302
    assert ThresholdLevel.objects.filter(level=5).exists()


def test_an_agency_is_one_of_the_known_types():
    """The type gives the census source of referral for every referral from the agency."""
    from tests.database import refused

    agency = AgencyFactory()

    assert refused(lambda: type(agency).objects.filter(pk=agency.pk).update(type="charity"))
    assert not refused(lambda: type(agency).objects.filter(pk=agency.pk).update(type="police"))


def test_a_user_holds_only_a_known_role():
    from tests.database import refused

    user = UserFactory(role=Role.SCREENER)

    assert refused(lambda: type(user).objects.filter(pk=user.pk).update(role="superuser"))
