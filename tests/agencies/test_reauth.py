"""Confirm it is you (ASVS 3.7.1): the password again, and the second factor when the
account has one, within FRONTDOOR_REAUTH_MINUTES before an administrator changes an
account, resets an authenticator or removes a security key, and before an API token is
revoked (agencies.reauth)."""

import logging
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY

from agencies.models import ApiToken, Authenticator, Role, SecurityKey
from tests.clients import client_for, confirmed
from tests.factories import PASSWORD, TOTPDeviceFactory, UserFactory, current_code
from tests.soft_authenticator import SoftKey, b64url

pytestmark = pytest.mark.django_db

CONFIRM = "/accounts/confirm/"
CONFIRM_KEY = "/accounts/confirm/key/"
LOGIN = "/accounts/login/"


@pytest.fixture
def clock():
    with time_machine.travel("2026-11-27 09:00:00+00:00", tick=False) as traveller:
        yield traveller


def user_form(user, **changes):
    return {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "job_title": user.job_title,
        "phone": user.phone,
        "agency": user.agency_id or "",
        "role": user.role,
        "is_active": "on",
        **changes,
    }


def change_url(user) -> str:
    return f"/admin/agencies/user/{user.pk}/change/"


def next_of(response) -> str:
    location = urlsplit(response["Location"])
    assert location.path == CONFIRM
    return parse_qs(location.query)["next"][0]


def security_events(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "frontdoor.security"]


def admin_with_app():
    device = TOTPDeviceFactory(user__username="kit", user__role=Role.ADMIN)
    client = Client()
    client.force_login(device.user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return device.user, device, client


# --- The administrator changing a person's account -----------------------------------


def test_a_role_change_without_a_recent_confirmation_is_not_applied(clock, caplog):
    admin = client_for(UserFactory(role=Role.ADMIN))
    pat = UserFactory(role=Role.REFERRER)

    form = admin.get(change_url(pat))
    with caplog.at_level(logging.INFO):
        response = admin.post(change_url(pat), user_form(pat, role=Role.MANAGER))

    assert form.status_code == 200
    assert response.status_code == 302
    assert next_of(response) == change_url(pat)
    pat.refresh_from_db()
    assert pat.role == Role.REFERRER
    assert any("re-authentication asked" in event for event in security_events(caplog))


def test_a_role_change_after_confirming_is_applied(clock):
    admin_user = UserFactory(role=Role.ADMIN)
    admin = client_for(admin_user)
    pat = UserFactory(role=Role.REFERRER)

    back = next_of(admin.post(change_url(pat), user_form(pat, role=Role.MANAGER)))
    confirmed_response = admin.post(CONFIRM, {"password": PASSWORD, "next": back})
    assert confirmed_response.status_code == 302
    assert confirmed_response["Location"] == change_url(pat)
    # The administrator submits the form again: now it is applied.
    response = admin.post(change_url(pat), user_form(pat, role=Role.MANAGER))

    assert response.status_code == 302
    pat.refresh_from_db()
    assert pat.role == Role.MANAGER


def test_from_the_administration_the_page_says_nothing_is_done_and_what_to_do_again(clock):
    """An action run from the list of accounts (anonymising departed staff) is sent to
    confirm and is not applied: the page says so in the administration's terms, as the
    administrator must select the accounts and the action again."""
    admin = client_for(UserFactory(role=Role.ADMIN))
    pat = UserFactory(role=Role.REFERRER, is_active=False)
    action = {"action": "anonymise_departed", "_selected_action": [pat.pk]}

    back = next_of(admin.post("/admin/agencies/user/?is_active__exact=0", action))
    from_admin = admin.get(CONFIRM, {"next": back}).content.decode()
    from_account = admin.get(CONFIRM, {"next": "/accounts/"}).content.decode()

    assert back == "/admin/agencies/user/?is_active__exact=0"
    assert "changing people's accounts in the administration" in from_admin
    assert "select the accounts and the action again and select Go" in from_admin
    assert "you go back to the page and do it again" not in from_admin
    assert "you go back to the page and do it again" in from_account
    assert "in the administration" not in from_account
    pat.refresh_from_db()
    assert pat.username != f"departed-{pat.pk}"


@pytest.mark.parametrize(
    "changes", [{"is_active": ""}, {"role": Role.ADMIN}], ids=["deactivate", "make-admin"]
)
def test_every_account_change_needs_it(clock, changes):
    admin = client_for(UserFactory(role=Role.ADMIN))
    pat = UserFactory(role=Role.REFERRER)

    admin.post(change_url(pat), user_form(pat, **changes))

    pat.refresh_from_db()
    assert pat.is_active and pat.role == Role.REFERRER


def test_setting_a_password_needs_it(clock):
    admin = client_for(UserFactory(role=Role.ADMIN))
    pat = UserFactory(role=Role.REFERRER)
    url = f"/admin/agencies/user/{pat.pk}/password/"
    new = {"password1": "a brand new long passphrase", "password2": "a brand new long passphrase"}

    refused = admin.post(url, new)
    pat.refresh_from_db()
    assert next_of(refused) == url and pat.check_password(PASSWORD)

    confirmed(admin).post(url, {**new, "usable_password": "true"})
    pat.refresh_from_db()
    assert pat.check_password("a brand new long passphrase")


def test_resetting_an_authenticator_and_removing_a_key_need_it(clock):
    admin = client_for(UserFactory(role=Role.ADMIN))
    device = TOTPDeviceFactory()
    key_url = "/admin/agencies/securitykey/"

    one = admin.post(f"/admin/otp_totp/totpdevice/{device.pk}/delete/", {"post": "yes"})
    actions = admin.post(
        "/admin/otp_totp/totpdevice/",
        {"action": "delete_selected", "_selected_action": [device.pk], "post": "yes"},
    )
    keys = admin.post(key_url, {"action": "delete_selected", "post": "yes"})

    assert next_of(one) == f"/admin/otp_totp/totpdevice/{device.pk}/delete/"
    assert next_of(actions) == "/admin/otp_totp/totpdevice/"
    assert next_of(keys) == key_url
    assert Authenticator.objects.filter(pk=device.pk).exists()

    confirmed(admin).post(f"/admin/otp_totp/totpdevice/{device.pk}/delete/", {"post": "yes"})
    assert not Authenticator.objects.filter(pk=device.pk).exists()


def test_a_post_the_administrator_may_not_make_is_refused_not_confirmed(clock):
    admin = client_for(UserFactory(role=Role.ADMIN))
    device = TOTPDeviceFactory()

    # Devices are never changed in the admin: 403 whether confirmed or not.
    response = admin.post(f"/admin/otp_totp/totpdevice/{device.pk}/change/", {})

    assert response.status_code == 403


def test_the_confirmation_lasts_the_settings_minutes(clock, settings):
    settings.REAUTH_MINUTES = 10
    admin = client_for(UserFactory(role=Role.ADMIN))
    pat = UserFactory(role=Role.REFERRER)
    admin.post(CONFIRM, {"password": PASSWORD, "next": "/admin/"})

    clock.shift(9 * 60 + 59)
    admin.post(change_url(pat), user_form(pat, role=Role.SCREENER))
    pat.refresh_from_db()
    assert pat.role == Role.SCREENER

    clock.shift(2)
    response = admin.post(change_url(pat), user_form(pat, role=Role.MANAGER))
    pat.refresh_from_db()
    assert pat.role == Role.SCREENER
    assert next_of(response) == change_url(pat)


def test_signing_in_counts_as_confirming(clock):
    UserFactory(username="kit", role=Role.ADMIN)
    pat = UserFactory(role=Role.REFERRER)
    client = Client()
    client.post(LOGIN, {"username": "kit", "password": PASSWORD})

    client.post(change_url(pat), user_form(pat, role=Role.SCREENER))

    pat.refresh_from_db()
    assert pat.role == Role.SCREENER


# --- The confirmation page -------------------------------------------------------------


def test_a_wrong_password_is_refused_and_logged_with_the_user_id_only(clock, caplog):
    kit = UserFactory(username="kit.secret", role=Role.ADMIN)
    admin = client_for(kit)

    with caplog.at_level(logging.INFO):
        response = admin.post(CONFIRM, {"password": "not-the-password", "next": "/admin/"})

    assert response.status_code == 200
    assert "Your password is not right" in response.content.decode()
    events = security_events(caplog)
    assert f"re-authentication refused-password: user={kit.pk}" in "\n".join(events)
    assert not any("kit.secret" in r.getMessage() for r in caplog.records)
    # Not confirmed: the change is still not applied.
    pat = UserFactory(role=Role.REFERRER)
    admin.post(change_url(pat), user_form(pat, role=Role.MANAGER))
    pat.refresh_from_db()
    assert pat.role == Role.REFERRER


def test_wrong_passwords_count_towards_the_sign_in_lockout(clock, settings):
    kit = UserFactory(username="kit", role=Role.ADMIN)
    admin = client_for(kit)

    for _ in range(settings.AXES_FAILURE_LIMIT):
        admin.post(CONFIRM, {"password": "not-the-password"})
    # Locked: even the right password is refused, here and at the sign-in page.
    response = admin.post(CONFIRM, {"password": PASSWORD})
    sign_in = Client().post(LOGIN, {"username": "kit", "password": PASSWORD})

    assert response.status_code == 429
    assert sign_in.status_code == 429


def test_the_authenticator_code_is_required_when_the_account_has_one(clock, caplog):
    kit, device, client = admin_with_app()
    page = client.get(CONFIRM)
    assert 'name="code"' in page.content.decode()

    without = client.post(CONFIRM, {"password": PASSWORD, "next": "/admin/"})
    with caplog.at_level(logging.INFO):
        wrong = client.post(CONFIRM, {"password": PASSWORD, "code": "000000", "next": "/admin/"})
    assert without.status_code == 200 and wrong.status_code == 200
    assert f"re-authentication refused-code: user={kit.pk}" in "\n".join(security_events(caplog))
    pat = UserFactory(role=Role.REFERRER)
    client.post(change_url(pat), user_form(pat, role=Role.MANAGER))
    pat.refresh_from_db()
    assert pat.role == Role.REFERRER

    clock.shift(60)
    right = client.post(
        CONFIRM, {"password": PASSWORD, "code": current_code(device), "next": "/admin/"}
    )
    assert right.status_code == 302 and right["Location"] == "/admin/"
    client.post(change_url(pat), user_form(pat, role=Role.MANAGER))
    pat.refresh_from_db()
    assert pat.role == Role.MANAGER


def test_a_right_code_with_a_wrong_password_does_not_confirm(clock):
    kit, device, client = admin_with_app()

    response = client.post(CONFIRM, {"password": "not-the-password", "code": current_code(device)})

    assert response.status_code == 200
    pat = UserFactory(role=Role.REFERRER)
    client.post(change_url(pat), user_form(pat, role=Role.MANAGER))
    pat.refresh_from_db()
    assert pat.role == Role.REFERRER


def test_a_security_key_is_asked_when_it_is_the_accounts_second_factor(settings):
    settings.WEBAUTHN_RP_ID = "localhost"
    settings.WEBAUTHN_ORIGINS = ["http://localhost:8000"]
    soft = SoftKey()
    kit = UserFactory(username="kit", role=Role.ADMIN)
    SecurityKey.objects.create(
        user=kit,
        name="Blue key",
        confirmed=True,
        credential_id=b64url(soft.credential_id),
        public_key=soft._cose_public_key(),
        sign_count=0,
    )
    client = client_for(kit)

    # The key's answer alone, before the password, confirms nothing.
    early = client.post(CONFIRM_KEY, {"credential": "{}", "next": "/admin/"})
    assert early["Location"].startswith(CONFIRM)
    page = client.post(CONFIRM, {"password": PASSWORD, "next": "/admin/"})
    assert page.status_code == 200 and page.context["key_step"]
    response = client.post(
        CONFIRM_KEY, {"credential": soft.assert_(page.context["key_options"]), "next": "/admin/"}
    )

    assert response.status_code == 302 and response["Location"] == "/admin/"
    pat = UserFactory(role=Role.REFERRER)
    client.post(change_url(pat), user_form(pat, role=Role.MANAGER))
    pat.refresh_from_db()
    assert pat.role == Role.MANAGER


@pytest.mark.parametrize(
    "target",
    ["https://evil.example/", "//evil.example/", "http://testserver.evil.example/", "javascript:x"],
)
def test_next_cannot_send_anyone_off_site(clock, target):
    client = client_for(UserFactory(role=Role.ADMIN))

    page = client.get(CONFIRM, {"next": target})
    response = client.post(CONFIRM, {"password": PASSWORD, "next": target})

    assert target not in page.content.decode()
    assert response.status_code == 302
    assert response["Location"] == "/accounts/"


def test_the_page_is_for_anyone_signed_in_only():
    assert Client().get(CONFIRM)["Location"].startswith(LOGIN)


# --- Revoking API tokens ----------------------------------------------------------------


def test_revoking_a_token_on_the_account_page_needs_it(clock):
    owner = UserFactory()
    token, _ = ApiToken.objects.create(user=owner)
    client = client_for(owner)
    url = f"/accounts/tokens/{token.pk}/revoke/"

    refused = client.post(url)
    assert next_of(refused) == "/accounts/"
    assert ApiToken.objects.filter(pk=token.pk).exists()

    client.post(CONFIRM, {"password": PASSWORD, "next": "/accounts/"})
    revoked = client.post(url)
    assert revoked["Location"] == "/accounts/"
    assert not ApiToken.objects.filter(pk=token.pk).exists()


def test_revoking_a_token_through_the_api_with_a_session_needs_it(clock):
    owner = UserFactory()
    token, _ = ApiToken.objects.create(user=owner)
    client = client_for(owner)
    url = f"/api/v1/auth/tokens/{token.pk}/"

    refused = client.delete(url)
    assert refused.status_code == 403
    assert CONFIRM in refused.json()["detail"]
    assert ApiToken.objects.filter(pk=token.pk).exists()

    assert confirmed(client).delete(url).status_code == 204
    assert not ApiToken.objects.filter(pk=token.pk).exists()


def test_an_administrator_revoking_a_token_needs_it(clock):
    admin = client_for(UserFactory(role=Role.ADMIN))
    token, _ = ApiToken.objects.create(user=UserFactory())
    url = f"/admin/agencies/apitoken/{token.pk}/delete/"

    refused = admin.post(url, {"post": "yes"})
    assert next_of(refused) == url
    assert ApiToken.objects.filter(pk=token.pk).exists()

    confirmed(admin).post(url, {"post": "yes"})
    assert not ApiToken.objects.filter(pk=token.pk).exists()
