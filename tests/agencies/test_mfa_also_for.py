"""FRONTDOOR_MFA_ALSO_FOR: roles beyond managers, auditors and administrators whose
sign-in needs the second step too (ASVS 3.3.2 at level 3, for a council that adopts it:
screeners read every referral). It adds roles; it never takes one away; a value that
names no role stops the start."""

import pytest
import time_machine
from django.core import checks

from agencies.checks import second_factor_roles_known
from agencies.models import Role
from agencies.policy import needs_second_factor
from tests.factories import PASSWORD, TOTPDeviceFactory, UserFactory, current_code

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
VERIFY = "/accounts/two-step/verify/"
SETUP = "/accounts/two-step/"
TOKEN = "/api/v1/auth/token/"


@pytest.fixture(autouse=True)
def mfa_required(settings):
    settings.MFA_REQUIRED = True


@pytest.fixture
def clock():
    with time_machine.travel("2026-11-27 09:00:00+00:00", tick=False) as traveller:
        yield traveller


def sign_in(client, username):
    return client.post(LOGIN, {"username": username, "password": PASSWORD})


def test_by_default_a_screener_signs_in_with_a_password_alone(client, settings):
    assert settings.MFA_ALSO_FOR == []
    UserFactory(username="sam", role=Role.SCREENER)

    response = sign_in(client, "sam")

    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/triage/").status_code == 200


def test_a_screener_named_in_the_setting_is_held_at_the_code_step(client, settings, clock):
    settings.MFA_ALSO_FOR = ["screener"]
    screener = UserFactory(username="sam", role=Role.SCREENER)
    device = TOTPDeviceFactory(user=screener)

    response = sign_in(client, "sam")

    assert response["Location"] == f"{VERIFY}?next=%2F"
    assert client.get("/triage/")["Location"].startswith(VERIFY)
    assert client.get("/api/v1/referrals/").status_code == 401
    client.post(VERIFY, {"code": current_code(device), "next": "/triage/"})
    assert client.get("/triage/").status_code == 200


def test_a_screener_named_without_an_authenticator_is_sent_to_set_one_up(client, settings):
    settings.MFA_ALSO_FOR = ["screener"]
    UserFactory(username="sam", role=Role.SCREENER)

    response = sign_in(client, "sam")

    assert response["Location"].startswith(SETUP)
    assert client.get("/triage/")["Location"].startswith(SETUP)


def test_a_screener_named_needs_a_code_for_an_api_token(client, settings, clock):
    settings.MFA_ALSO_FOR = ["screener"]
    screener = UserFactory(username="sam", role=Role.SCREENER)
    device = TOTPDeviceFactory(user=screener)
    body = {"username": "sam", "password": PASSWORD}

    without = client.post(TOKEN, body, content_type="application/json")
    with_code = client.post(
        TOKEN, {**body, "otp_code": current_code(device)}, content_type="application/json"
    )

    assert without.status_code == 400 and "otp_code" in without.json()
    assert with_code.status_code == 200


def test_the_setting_adds_roles_and_takes_none_away(settings):
    settings.MFA_ALSO_FOR = ["agency_lead"]

    assert needs_second_factor(UserFactory(role=Role.AGENCY_LEAD))
    assert not needs_second_factor(UserFactory(role=Role.SCREENER))
    for role in (Role.MANAGER, Role.AUDITOR, Role.ADMIN):
        assert needs_second_factor(UserFactory(role=role)), role


def test_a_value_naming_no_role_stops_the_start(settings):
    settings.MFA_ALSO_FOR = ["screener", "screeners"]

    problems = second_factor_roles_known()

    assert [problem.id for problem in problems] == ["agencies.E002"]
    assert problems[0].level == checks.ERROR
    assert "screeners" in problems[0].msg
    settings.MFA_ALSO_FOR = ["screener"]
    assert second_factor_roles_known() == []
