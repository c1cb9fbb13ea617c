"""Two-step verification (TOTP, django-otp) for managers, auditors and administrators,
required while FRONTDOOR_MFA_REQUIRED is on (production's default)."""

import logging
import re
from base64 import b32decode

import pytest
import time_machine
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from agencies.models import Authenticator, Role
from demo.data.agencies import DEMO_PASSWORD, DEMO_TOTP_KEY, seed_agencies_and_users
from tests.factories import PASSWORD, TOTPDeviceFactory, UserFactory, current_code

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
VERIFY = "/accounts/two-step/verify/"
SETUP = "/accounts/two-step/"


@pytest.fixture(autouse=True)
def mfa_required(settings):
    settings.MFA_REQUIRED = True


@pytest.fixture
def clock():
    with time_machine.travel("2026-11-27 09:00:00+00:00", tick=False) as traveller:
        yield traveller


def sign_in(client, username, password=PASSWORD, **data):
    return client.post(LOGIN, {"username": username, "password": password, **data})


def code_for_key(hex_key: str) -> str:
    return f"{totp(bytes.fromhex(hex_key)):06d}"


@pytest.mark.parametrize("role", [Role.MANAGER, Role.AUDITOR, Role.ADMIN])
def test_the_password_alone_leads_only_to_the_code_step(client, clock, role):
    UserFactory(username="ruth", role=role)
    TOTPDeviceFactory(user__username="ruth")

    response = sign_in(client, "ruth")

    assert response.status_code == 302
    assert response["Location"] == f"{VERIFY}?next=%2F"
    for path in ("/", "/triage/", "/dashboard/", "/admin/", "/accounts/"):
        elsewhere = client.get(path)
        assert elsewhere.status_code == 302, path
        assert elsewhere["Location"].startswith(VERIFY), path
    assert client.get("/api/v1/referrals/").status_code == 401


def test_the_right_code_completes_sign_in_and_goes_where_they_were_going(client, clock):
    manager = UserFactory(username="ruth", role=Role.MANAGER)
    device = TOTPDeviceFactory(user=manager)
    client.get("/triage/")  # sent to sign in, then on to the queue
    sign_in(client, "ruth", next="/triage/")

    page = client.get(f"{VERIFY}?next=/triage/")
    response = client.post(VERIFY, {"code": current_code(device), "next": "/triage/"})

    assert page.status_code == 200
    assert "Enter the code from your authenticator app" in page.content.decode()
    assert response.status_code == 302 and response["Location"] == "/triage/"
    assert client.get("/triage/").status_code == 200
    assert client.get("/api/v1/referrals/").status_code == 200


def test_the_code_step_changes_the_session_key(client, clock):
    device = TOTPDeviceFactory(user__username="ruth")
    sign_in(client, "ruth")
    before = client.session.session_key

    client.post(VERIFY, {"code": current_code(device)})

    assert client.session.session_key != before


def test_a_wrong_code_is_refused_with_a_clear_message(client, clock):
    TOTPDeviceFactory(user__username="ruth")
    sign_in(client, "ruth")

    response = client.post(VERIFY, {"code": "12345x"})

    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    assert "Enter the 6-digit code your authenticator app shows now." in page
    assert client.get("/").status_code == 302


def test_an_empty_code_names_the_field(client, clock):
    TOTPDeviceFactory(user__username="ruth")
    sign_in(client, "ruth")

    page = client.post(VERIFY, {"code": ""}).content.decode()

    assert 'href="#id_code"' in page
    assert "Enter the code from your authenticator app." in page


def test_codes_tried_in_quick_succession_wait_longer_each_time(client, clock):
    device = TOTPDeviceFactory(user__username="ruth")
    sign_in(client, "ruth")
    client.post(VERIFY, {"code": "000001"})

    hurried = client.post(VERIFY, {"code": current_code(device)})
    clock.shift(3)
    after_waiting = client.post(VERIFY, {"code": current_code(device)})

    assert "Too many wrong codes" in hurried.content.decode()
    assert after_waiting.status_code == 302


def test_a_code_cannot_be_used_twice(client, clock):
    device = TOTPDeviceFactory(user__username="ruth")
    code = current_code(device)
    sign_in(client, "ruth")
    client.post(VERIFY, {"code": code})

    again = Client()
    sign_in(again, "ruth")
    response = again.post(VERIFY, {"code": code})

    assert response.status_code == 200
    assert again.get("/").status_code == 302


def test_a_referrer_is_not_asked_for_a_code(client):
    UserFactory(username="pat", role=Role.REFERRER)

    response = sign_in(client, "pat")

    assert response["Location"] == "/"
    assert client.get("/").status_code == 200
    assert client.get(VERIFY)["Location"] == "/"


@pytest.mark.parametrize("next_", ["zzz", "-1", "0000-00-00", "home"])
def test_a_next_that_is_not_a_path_goes_home_not_to_a_server_error(client, next_):
    UserFactory(username="pat", role=Role.REFERRER)
    sign_in(client, "pat")

    assert client.get(VERIFY, {"next": next_})["Location"] == "/"
    assert client.post("/accounts/two-step/key/", {"next": next_})["Location"] == "/"


def test_with_the_setting_off_a_manager_signs_in_with_the_password(client, settings):
    settings.MFA_REQUIRED = False
    TOTPDeviceFactory(user__username="ruth")

    assert sign_in(client, "ruth")["Location"] == "/"
    assert client.get("/triage/").status_code == 200


def test_signing_out_is_open_before_the_code(client, clock):
    TOTPDeviceFactory(user__username="ruth")
    sign_in(client, "ruth")

    response = client.post("/accounts/logout/")

    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_the_code_step_shows_no_navigation(client, clock):
    TOTPDeviceFactory(user__username="ruth")
    sign_in(client, "ruth")

    page = client.get(VERIFY).content.decode()

    assert 'href="/triage/"' not in page and 'href="/dashboard/"' not in page


# --- Setting it up --------------------------------------------------------------------------


def test_a_manager_without_an_app_is_sent_to_set_one_up_with_a_qr_code_and_a_key(client, clock):
    manager = UserFactory(username="ruth", role=Role.MANAGER)

    response = sign_in(client, "ruth")
    page = client.get(response["Location"])

    assert response["Location"] == f"{SETUP}?next=%2F"
    html = page.content.decode()
    assert page.status_code == 200
    svg = re.search(r'<div class="fd-qr-code"[^>]*>(.*?)</div>', html, re.S).group(1)
    assert svg.lstrip().startswith("<svg") and "<title>" in svg
    assert "otpauth://" not in html and "<img" not in svg  # drawn here, nothing fetched
    device = Authenticator.objects.get(user=manager, confirmed=False)
    shown = re.search(r'data-testid="manual-key">([A-Z2-7 ]+)<', html).group(1)
    assert b32decode(shown.replace(" ", "")) == device.bin_key
    assert client.get("/triage/")["Location"].startswith(VERIFY)


def test_the_first_code_from_the_app_finishes_setting_up_and_signs_in(client, clock):
    manager = UserFactory(username="ruth", role=Role.MANAGER)
    sign_in(client, "ruth")
    client.get(SETUP)
    key = Authenticator.objects.get(user=manager).bin_key.hex()

    response = client.post(SETUP, {"code": code_for_key(key), "next": "/triage/"})

    assert response.status_code == 302 and response["Location"] == "/triage/"
    assert TOTPDevice.objects.get(user=manager).confirmed
    assert "Two-step verification is set up" in client.get("/triage/").content.decode()
    assert client.get("/").status_code == 200


def test_reloading_the_set_up_page_keeps_the_same_key(client, clock):
    UserFactory(username="ruth", role=Role.MANAGER)
    sign_in(client, "ruth")

    first = client.get(SETUP).content.decode()
    second = client.get(SETUP).content.decode()

    key = re.compile(r'data-testid="manual-key">([A-Z2-7 ]+)<')
    assert key.search(first).group(1) == key.search(second).group(1)
    assert TOTPDevice.objects.count() == 1


def test_a_wrong_first_code_does_not_set_it_up(client, clock):
    manager = UserFactory(username="ruth", role=Role.MANAGER)
    sign_in(client, "ruth")
    client.get(SETUP)

    response = client.post(SETUP, {"code": "000000"})

    assert response.status_code == 200
    assert "Enter the 6-digit code" in response.content.decode()
    assert not TOTPDevice.objects.get(user=manager).confirmed


def test_once_set_up_the_page_shows_no_key_and_adds_no_device(client, clock):
    device = TOTPDeviceFactory(user__username="ruth")
    sign_in(client, "ruth")

    page = client.get(SETUP).content.decode()
    posted = client.post(SETUP, {"code": current_code(device)})

    assert "Two-step verification is set up" in page
    assert "manual-key" not in page
    assert posted.status_code == 200
    assert TOTPDevice.objects.filter(user=device.user).count() == 1
    assert client.get("/").status_code == 302  # still needs the code step


def test_a_referrer_cannot_set_it_up(referrer_client):
    assert referrer_client.get(SETUP).status_code == 403
    assert not TOTPDevice.objects.exists()


def verified_client(user) -> Client:
    """Signed in and past the code step."""
    device = TOTPDeviceFactory(user=user)
    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def test_the_administrator_resets_a_lost_device_and_the_owner_sets_it_up_again(client, clock):
    sysadmin_client = verified_client(UserFactory(username="kit", role=Role.ADMIN))
    device = TOTPDeviceFactory(user__username="ruth")
    listing = sysadmin_client.get("/admin/otp_totp/totpdevice/")

    deleted = sysadmin_client.post(
        f"/admin/otp_totp/totpdevice/{device.pk}/delete/", {"post": "yes"}
    )

    assert listing.status_code == 200 and "ruth" in listing.content.decode()
    assert device.key not in listing.content.decode()
    assert device.bin_key.hex() not in listing.content.decode()
    assert deleted.status_code == 302
    assert sign_in(client, "ruth")["Location"].startswith(SETUP)


def test_a_second_factor_event_is_logged_with_the_user_id(client, clock, caplog):
    device = TOTPDeviceFactory(user__username="ruth.castle")
    sign_in(client, "ruth.castle")

    with caplog.at_level(logging.INFO):
        client.post(VERIFY, {"code": "000001"})
        clock.shift(3)
        client.post(VERIFY, {"code": current_code(device)})

    logged = [r.getMessage() for r in caplog.records if r.name == "frontdoor.security"]
    assert f"two-step verification failed: user={device.user_id} address=127.0.0.1" in logged
    assert f"two-step verification verified: user={device.user_id} address=127.0.0.1" in logged
    assert not any("ruth.castle" in r.getMessage() for r in caplog.records)


# --- The demo ----------------------------------------------------------------------------


def test_the_demo_manager_signs_in_with_the_published_key(client, clock):
    seed_agencies_and_users()
    key = b32decode(DEMO_TOTP_KEY).hex()

    sign_in(client, "manager", DEMO_PASSWORD)
    response = client.post(VERIFY, {"code": code_for_key(key)})

    assert response["Location"] == "/"
    assert "Decisions and the 24-hour clock" in client.get("/").content.decode()


def test_seeding_the_demo_twice_keeps_one_authenticator_each(clock):
    seed_agencies_and_users()
    seed_agencies_and_users()

    owners = list(TOTPDevice.objects.values_list("user__username", flat=True))
    assert sorted(owners) == ["admin", "auditor", "manager"]
