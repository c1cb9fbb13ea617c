import io

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.test import RequestFactory

from agencies.census import AgencyType
from agencies.models import Agency, Role, User
from demo.data import EXTRA_REFERRERS
from demo.data.agencies import DEMO_PASSWORD

# Seeded once for the module (the fixture below): in one pytest-xdist worker, not once in each.
pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("demo-seed-demo")]

DEMO_USERNAMES = {
    "referrer.police",
    "referrer.school",
    "referrer.health",
    "lead.school",
    "screener",
    "manager",
    "partner.health",
    "auditor",
    "admin",
}
# One synthetic referrer for each demo agency without a demo referrer, so that the demo
# referrals come from every agency.
EXTRA_REFERRER_USERNAMES = {username for username, *_ in EXTRA_REFERRERS}


def test_seed_demo_is_safe_to_run_twice(seeded):
    agencies, users = Agency.objects.count(), User.objects.count()
    out = io.StringIO()

    call_command("seed_demo", stdout=out)

    # Ten, and community paediatrics for the demo strategy discussions.
    assert Agency.objects.count() == agencies == 11
    assert User.objects.count() == users == 9 + 6
    # What it says it made is what there is.
    assert "Demo data ready: 11 agencies, 15 users (0 new)." in out.getvalue()
    assert set(User.objects.values_list("username", flat=True)) == (
        DEMO_USERNAMES | EXTRA_REFERRER_USERNAMES
    )


def test_every_demo_user_has_the_demo_password_and_the_right_role(seeded):
    for username in DEMO_USERNAMES | EXTRA_REFERRER_USERNAMES:
        request = RequestFactory().post("/accounts/login/")
        user = authenticate(request, username=username, password=DEMO_PASSWORD)
        assert user is not None, username
    for user in User.objects.filter(username__in=EXTRA_REFERRER_USERNAMES):
        assert user.role == Role.REFERRER and user.agency is not None, user
    assert User.objects.get(username="lead.school").role == Role.AGENCY_LEAD
    assert User.objects.get(username="manager").role == Role.MANAGER
    assert User.objects.get(username="partner.health").agency.type == AgencyType.HEALTH_VISITING


def test_seed_demo_creates_the_agencies_the_front_door_works_with(seeded):
    types = set(Agency.objects.values_list("type", flat=True))
    assert {
        AgencyType.POLICE,
        AgencyType.SCHOOL,
        AgencyType.GP,
        AgencyType.HEALTH_VISITING,
        AgencyType.SCHOOL_NURSING,
        AgencyType.PROBATION,
        AgencyType.YOUTH_OFFENDING,
        AgencyType.SUBSTANCE_MISUSE,
        AgencyType.CHILDRENS_SOCIAL_CARE,
    } <= types
    assert Agency.objects.filter(type=AgencyType.SCHOOL).count() == 2


def test_seed_demo_refuses_in_production_mode(settings):
    users = User.objects.count()  # the module's seeding may be in place: nothing is added
    settings.PRODUCTION = True

    with pytest.raises(CommandError, match="refuses to run in production mode"):
        call_command("seed_demo")
    assert User.objects.count() == users
