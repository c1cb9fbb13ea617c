"""API tokens refused (django-rest-knox, agencies/api.py): wrong or missing credentials
and inactive accounts get no token, failures count towards the sign-in lockout, the token
endpoint is throttled per address and the API per user, and a second factor is asked where
two-step verification applies. Issuing, expiry, ending and revoking:
tests/agencies/test_api_token.py."""

import pytest
import time_machine

from agencies.models import ApiToken, Role
from tests.agencies.api_tokens import SOME_API, TOKEN_URL, ask_for_token, with_token
from tests.factories import PASSWORD, ApiTokenFactory, UserFactory

pytestmark = pytest.mark.django_db


# --- Wrong requests ----------------------------------------------------------------------


def test_a_wrong_password_gets_400_naming_the_problem(client):
    UserFactory(username="pat")

    response = ask_for_token(client, password="nope")

    assert response.status_code == 400
    assert "non_field_errors" in response.json()
    assert ApiToken.objects.count() == 0


def test_a_missing_field_gets_400_naming_it(client):
    response = client.post(TOKEN_URL, {"username": "pat"}, content_type="application/json")

    assert response.status_code == 400
    assert "password" in response.json()


def test_an_inactive_user_gets_no_token(client):
    UserFactory(username="pat", is_active=False)

    assert ask_for_token(client).status_code == 400


def test_a_deactivated_users_token_stops_working():
    token = ApiTokenFactory()
    token.user.is_active = False
    token.user.save()

    assert with_token(token.raw).get(SOME_API).status_code == 401


def test_token_requests_count_towards_the_lockout(client, settings):
    UserFactory(username="pat")

    for _ in range(settings.AXES_FAILURE_LIMIT):
        ask_for_token(client, password="nope")
    response = ask_for_token(client)

    assert response.status_code == 429
    assert "Too many failed sign-in attempts" in response.json()["detail"]
    assert "token" not in response.json()
    assert int(response["Retry-After"]) == settings.AXES_COOLOFF_TIME.total_seconds()


# --- Throttling ------------------------------------------------------------------------


@pytest.fixture
def rates(monkeypatch):
    """DRF reads the rates into its throttle class once, at import."""
    from rest_framework.throttling import SimpleRateThrottle

    def set_rates(**rates):
        monkeypatch.setattr(
            SimpleRateThrottle,
            "THROTTLE_RATES",
            {"user": "1000/minute", "token": "1000/minute", **rates},
        )

    return set_rates


def test_the_rates_are_the_settings(settings):
    from rest_framework.throttling import SimpleRateThrottle

    assert SimpleRateThrottle.THROTTLE_RATES == {
        "user": "120/minute",
        "token": "10/minute",
        "page": "240/minute",
    }


def test_token_requests_are_limited_per_address_with_retry_after(client, rates):
    rates(token="3/minute")
    UserFactory(username="pat")

    answers = [ask_for_token(client, REMOTE_ADDR="10.0.0.5").status_code for _ in range(3)]
    limited = ask_for_token(client, REMOTE_ADDR="10.0.0.5")
    elsewhere = ask_for_token(client, REMOTE_ADDR="10.0.0.6")

    assert answers == [200, 200, 200]
    assert limited.status_code == 429
    assert 0 < int(limited["Retry-After"]) <= 60
    assert "token" not in limited.json()
    assert elsewhere.status_code == 200


def test_the_token_limit_counts_wrong_usernames_too(client, rates):
    rates(token="2/minute")
    UserFactory(username="pat")

    ask_for_token(client, "someone", "nope")
    ask_for_token(client, "someone.else", "nope")

    assert ask_for_token(client).status_code == 429


def test_the_token_limit_ignores_a_forged_forwarded_for(client, rates):
    rates(token="2/minute")
    UserFactory(username="pat")

    for n in range(2):
        ask_for_token(client, REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")

    forged = ask_for_token(client, REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="192.0.2.77")
    assert forged.status_code == 429


def test_api_requests_are_limited_per_user_with_retry_after(rates):
    rates(user="3/minute")
    pat, sam = ApiTokenFactory(), ApiTokenFactory()

    answers = [with_token(pat.raw).get(SOME_API).status_code for _ in range(3)]
    limited = with_token(pat.raw).get(SOME_API)

    assert answers == [200, 200, 200]
    assert limited.status_code == 429
    assert 0 < int(limited["Retry-After"]) <= 60
    assert with_token(sam.raw).get(SOME_API).status_code == 200


def test_the_limit_lifts_after_its_window(rates):
    rates(user="2/minute")
    token = ApiTokenFactory().raw
    with time_machine.travel("2026-11-27 09:00:00+00:00", tick=False) as traveller:
        for _ in range(2):
            with_token(token).get(SOME_API)
        assert with_token(token).get(SOME_API).status_code == 429

        traveller.shift(61)
        assert with_token(token).get(SOME_API).status_code == 200


# --- Two-step verification at the token endpoint ---------------------------------------


def test_a_manager_needs_a_code_for_a_token_when_two_step_verification_is_on(client, settings):
    from tests.factories import TOTPDeviceFactory, current_code

    settings.MFA_REQUIRED = True
    manager = UserFactory(username="ruth", role=Role.MANAGER)
    device = TOTPDeviceFactory(user=manager)

    with time_machine.travel("2026-11-27 09:00:00+00:00", tick=False) as traveller:
        without = ask_for_token(client, "ruth")
        wrong = client.post(
            TOKEN_URL,
            {"username": "ruth", "password": PASSWORD, "otp_code": "000000"},
            content_type="application/json",
        )
        traveller.shift(5)  # a wrong code makes the next wait a second
        right = client.post(
            TOKEN_URL,
            {"username": "ruth", "password": PASSWORD, "otp_code": current_code(device)},
            content_type="application/json",
        )

    assert without.status_code == 400 and "otp_code" in without.json()
    assert wrong.status_code == 400 and "otp_code" in wrong.json()
    assert right.status_code == 200 and right.json()["token"]


def test_a_manager_without_an_authenticator_is_told_to_set_one_up(client, settings):
    settings.MFA_REQUIRED = True
    UserFactory(username="ruth", role=Role.MANAGER)

    response = ask_for_token(client, "ruth")

    assert response.status_code == 400
    assert "Set up two-step verification" in response.json()["otp_code"][0]


def test_a_referrer_needs_no_code(client, settings):
    settings.MFA_REQUIRED = True
    UserFactory(username="pat", role=Role.REFERRER)

    assert ask_for_token(client).status_code == 200
