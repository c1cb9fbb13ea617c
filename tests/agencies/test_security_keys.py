"""Security keys and passkeys (WebAuthn, agencies.security_keys) as a second step beside
the authenticator app (ASVS 2.3.2): adding one on the account page (password again, a
name), signing in with one, removing one (password again, or the administrator), and
every answer the server must refuse. The keys are tests.soft_authenticator's: real
P-256 keys whose answers go through py_webauthn's own checks."""

import json
import logging

import pytest
import time_machine
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY

from agencies.models import Role, SecurityKey
from notices.models import NoticeKind, Notification
from tests.clients import confirmed
from tests.factories import PASSWORD, TOTPDeviceFactory, UserFactory, current_code
from tests.soft_authenticator import SoftKey

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
VERIFY = "/accounts/two-step/verify/"
KEY_STEP = "/accounts/two-step/key/"
SETUP = "/accounts/two-step/"
ADD = "/accounts/security-keys/add/"
FINISH = "/accounts/security-keys/add/finish/"
ORIGIN = "http://localhost:8000"


@pytest.fixture(autouse=True)
def webauthn(settings):
    settings.MFA_REQUIRED = True
    settings.WEBAUTHN_RP_ID = "localhost"
    settings.WEBAUTHN_ORIGINS = [ORIGIN]


@pytest.fixture
def clock():
    with time_machine.travel("2026-11-27 09:00:00+00:00", tick=True) as traveller:
        yield traveller


def verified_client(user, device) -> Client:
    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def manager_with_app(username="ruth"):
    device = TOTPDeviceFactory(user__username=username, user__role=Role.MANAGER)
    return device.user, device


def add_key(client, soft: SoftKey, *, name="Blue key", origin=None):
    """The account page's two steps: name and password, then the key's answer."""
    page = client.post(ADD, {"name": name, "password": PASSWORD})
    assert page.status_code == 200, page.content
    options = page.context["options"]
    return client.post(FINISH, {"credential": soft.register(options, origin=origin)})


def registered_key(user, soft: SoftKey | None = None, *, name="Blue key"):
    """A key registered for ``user`` through the pages, and its software authenticator."""
    soft = soft or SoftKey()
    device = TOTPDeviceFactory(user=user) if not user.totpdevice_set.exists() else None
    client = verified_client(user, device or user.totpdevice_set.first())
    response = add_key(client, soft, name=name)
    assert response.status_code == 302, response.content
    return SecurityKey.objects.get(user=user, name=name), soft


def at_key_step(client, username):
    """Signed in with the password: the verification page, its key options."""
    response = client.post(LOGIN, {"username": username, "password": PASSWORD})
    assert response["Location"].startswith(VERIFY)
    page = client.get(response["Location"])
    assert page.status_code == 200
    return page


# --- Adding a key -------------------------------------------------------------------------


def test_a_manager_adds_a_named_key_with_their_password_and_is_told(
    django_capture_on_commit_callbacks, mailoutbox, caplog
):
    user, device = manager_with_app()
    client = verified_client(user, device)
    soft = SoftKey()

    form = client.get(ADD)
    with caplog.at_level(logging.INFO), django_capture_on_commit_callbacks(execute=True):
        response = add_key(client, soft, name="  Blue   key ")

    assert form.status_code == 200
    assert response.status_code == 302 and response["Location"] == "/accounts/"
    key = SecurityKey.objects.get(user=user)
    assert key.name == "Blue key" and key.confirmed and key.transports == ["usb"]
    assert key.credential_id == json.loads(soft.register({"challenge": "x"}))["id"]
    account = client.get("/accounts/").content.decode()
    assert "Blue key" in account and "Your security key “Blue key” is added" in account
    # Its owner is told, in the inbox and by email, as when an app is set up.
    assert Notification.objects.filter(recipient=user, kind=NoticeKind.SECURITY_KEY_ADDED).exists()
    assert [m.subject for m in mailoutbox] == ["Front Door: A security key was added"]
    assert "Blue key" not in mailoutbox[0].body
    logged = [r.getMessage() for r in caplog.records if r.name == "frontdoor.security"]
    assert any(
        line.startswith(f"security key added: user={user.pk} key={key.pk} by=-") for line in logged
    )
    assert not any("Blue key" in line or "ruth" in line for line in logged)


def test_a_wrong_password_adds_nothing_and_names_the_field():
    user, device = manager_with_app()
    client = verified_client(user, device)

    response = client.post(ADD, {"name": "Blue key", "password": "not-it"})
    empty = client.post(ADD, {"name": "", "password": PASSWORD})

    assert response.status_code == 200
    assert "Your password is not right" in response.content.decode()
    assert "options" not in response.context
    assert "Enter a name for this key." in empty.content.decode()
    assert not SecurityKey.objects.exists()


def test_a_registration_answer_from_another_origin_is_refused():
    user, device = manager_with_app()
    client = verified_client(user, device)

    response = add_key(client, SoftKey(), origin="https://evil.example")

    assert response.status_code == 200
    assert "could not be checked" in response.content.decode()
    assert not SecurityKey.objects.exists()


def test_a_registration_answer_is_used_once():
    user, device = manager_with_app()
    client = verified_client(user, device)
    soft = SoftKey()
    page = client.post(ADD, {"name": "Blue key", "password": PASSWORD})
    answer = soft.register(page.context["options"])

    first = client.post(FINISH, {"credential": answer})
    again = client.post(FINISH, {"credential": answer})

    assert first.status_code == 302
    assert again.status_code == 200
    assert "took too long or was already finished" in again.content.decode()
    assert SecurityKey.objects.count() == 1


def test_an_empty_or_garbled_registration_answer_is_a_clear_message_not_an_error():
    user, device = manager_with_app()
    client = verified_client(user, device)

    client.post(ADD, {"name": "Blue key", "password": PASSWORD})
    empty = client.post(FINISH, {})
    client.post(ADD, {"name": "Blue key", "password": PASSWORD})
    garbled = client.post(FINISH, {"credential": "{not json"})

    assert empty.status_code == 200 and "did not answer" in empty.content.decode()
    assert garbled.status_code == 200 and "could not be checked" in garbled.content.decode()
    assert not SecurityKey.objects.exists()


def test_the_same_key_cannot_be_added_twice_even_by_someone_else():
    ruth, _ = manager_with_app("ruth")
    key, soft = registered_key(ruth)
    sam, sam_device = manager_with_app("sam")
    client = verified_client(sam, sam_device)

    response = add_key(client, SoftKey(credential_id=soft.credential_id), name="Copied")

    assert response.status_code == 200
    assert "already registered" in response.content.decode()
    assert list(SecurityKey.objects.all()) == [key]


def test_a_referrer_can_neither_add_nor_remove_keys(client):
    referrer = UserFactory(role=Role.REFERRER)
    client.force_login(referrer)

    assert client.get(ADD).status_code == 403
    assert client.post(ADD, {"name": "x", "password": PASSWORD}).status_code == 403
    assert client.post(FINISH, {"credential": "{}"}).status_code == 403
    assert client.get("/accounts/security-keys/1/remove/").status_code == 403


# --- Signing in with a key ------------------------------------------------------------------


def test_someone_with_a_key_and_an_app_is_offered_both_and_signs_in_with_the_key(client):
    user, _ = manager_with_app()
    key, soft = registered_key(user)

    page = at_key_step(client, "ruth")
    html = page.content.decode()
    response = client.post(
        KEY_STEP,
        {"credential": soft.assert_(page.context["key_options"]), "next": "/triage/"},
    )

    assert "Use your security key" in html
    assert "Or enter the code from your authenticator app" in html
    assert 'id="fd-key-options" type="application/json"' in html
    assert "Using a security key needs JavaScript" in html
    options = page.context["key_options"]
    assert [c["id"] for c in options["allowCredentials"]] == [key.credential_id]
    assert options["rpId"] == "localhost"
    assert response.status_code == 302 and response["Location"] == "/triage/"
    assert client.get("/triage/").status_code == 200
    key.refresh_from_db()
    assert key.sign_count == 1 and key.last_used_at is not None


def test_the_app_code_still_works_for_someone_with_a_key(client, clock):
    user, device = manager_with_app()
    registered_key(user)

    at_key_step(client, "ruth")
    response = client.post(VERIFY, {"code": current_code(device)})

    assert response.status_code == 302 and response["Location"] == "/"


def test_someone_whose_only_second_step_is_a_key_signs_in_with_it():
    user = UserFactory(username="kit", role=Role.AUDITOR)
    key, soft = registered_key(user)
    user.totpdevice_set.all().delete()
    client = Client()

    page = at_key_step(client, "kit")
    setup = client.get(SETUP)
    response = client.post(KEY_STEP, {"credential": soft.assert_(page.context["key_options"])})

    assert "Enter the code" not in page.content.decode()
    assert page.context["form"] is None
    # Setting up an app is no way round the key.
    assert setup.status_code == 302 and setup["Location"].startswith(VERIFY)
    assert response.status_code == 302
    assert client.get("/accounts/").status_code == 200


def test_someone_whose_only_second_step_is_a_key_is_told_how_to_get_an_api_token():
    user = UserFactory(username="kit", role=Role.AUDITOR)
    registered_key(user)
    user.totpdevice_set.all().delete()

    response = Client().post(
        "/api/v1/auth/token/",
        {"username": "kit", "password": PASSWORD, "otp_code": "123456"},
        content_type="application/json",
    )

    assert response.status_code == 400
    message = response.json()["otp_code"][0]
    assert message.startswith("A security key cannot be used to ask for a token.")
    assert "set up an authenticator app on your account page" in message


def test_a_replayed_assertion_is_refused():
    user, _ = manager_with_app()
    _, soft = registered_key(user)
    first, second = Client(), Client()

    page = at_key_step(first, "ruth")
    answer = soft.assert_(page.context["key_options"])
    assert first.post(KEY_STEP, {"credential": answer}).status_code == 302
    # The same answer again: in a new sign-in (another challenge) and in the same one.
    at_key_step(second, "ruth")
    again = second.post(KEY_STEP, {"credential": answer})
    first.post("/accounts/logout/")

    assert again.status_code == 200
    assert "could not be checked" in again.content.decode()
    assert second.get("/triage/")["Location"].startswith(VERIFY)


def test_an_answer_given_twice_in_one_sign_in_finds_no_challenge():
    user, _ = manager_with_app()
    key, soft = registered_key(user)
    client = Client()
    page = at_key_step(client, "ruth")
    answer = soft.assert_(page.context["key_options"])
    # The page shown again has a new challenge; the first is gone.
    client.get(VERIFY)
    refused = client.post(KEY_STEP, {"credential": answer})

    assert refused.status_code == 200
    assert "could not be checked" in refused.content.decode()


def test_an_assertion_from_another_origin_or_for_another_site_is_refused(caplog):
    user, _ = manager_with_app()
    key, soft = registered_key(user)
    client = Client()

    page = at_key_step(client, "ruth")
    with caplog.at_level(logging.INFO):
        wrong_origin = client.post(
            KEY_STEP,
            {
                "credential": soft.assert_(
                    page.context["key_options"], origin="https://evil.example"
                )
            },
        )
    key.throttling_failure_count = 0
    key.throttling_failure_timestamp = None
    key.save()
    page = client.get(VERIFY)
    wrong_rp = client.post(
        KEY_STEP, {"credential": soft.assert_(page.context["key_options"], rp_id="evil.example")}
    )

    for response in (wrong_origin, wrong_rp):
        assert response.status_code == 200
        assert "could not be checked" in response.content.decode()
    assert client.get("/triage/")["Location"].startswith(VERIFY)
    logged = [r.getMessage() for r in caplog.records if r.name == "frontdoor.security"]
    assert any(
        line.startswith(f"security key failed: user={user.pk} key={key.pk}") for line in logged
    )


def test_a_key_belonging_to_another_user_is_refused():
    ruth, _ = manager_with_app("ruth")
    registered_key(ruth)
    sam, _ = manager_with_app("sam")
    _, sams_soft = registered_key(sam, name="Sam's key")
    client = Client()

    page = at_key_step(client, "ruth")
    # Sam's key, answering Ruth's challenge.
    response = client.post(KEY_STEP, {"credential": sams_soft.assert_(page.context["key_options"])})

    assert response.status_code == 200
    assert "not a security key registered to your account" in response.content.decode()
    assert client.get("/triage/")["Location"].startswith(VERIFY)
    assert SecurityKey.objects.get(user=sam).sign_count == 0


def test_a_sign_count_that_goes_back_is_refused_as_a_possible_copy(caplog):
    user, _ = manager_with_app()
    key, soft = registered_key(user)
    SecurityKey.objects.filter(pk=key.pk).update(sign_count=10)
    client = Client()

    page = at_key_step(client, "ruth")
    with caplog.at_level(logging.INFO):
        response = client.post(
            KEY_STEP, {"credential": soft.assert_(page.context["key_options"], count=7)}
        )

    assert response.status_code == 200
    assert "could not be trusted" in response.content.decode()
    key.refresh_from_db()
    assert key.sign_count == 10
    logged = [r.getMessage() for r in caplog.records if r.name == "frontdoor.security"]
    assert any(
        line.startswith(f"security key sign-count-regressed: user={user.pk} key={key.pk}")
        for line in logged
    )


def test_a_key_that_keeps_no_counter_is_accepted_each_time():
    user, _ = manager_with_app()
    _, soft = registered_key(user)

    for _ in range(2):
        client = Client()
        page = at_key_step(client, "ruth")
        answer = soft.assert_(page.context["key_options"], count=0)
        assert client.post(KEY_STEP, {"credential": answer}).status_code == 302


def test_refused_answers_make_the_next_wait_as_wrong_codes_do(clock):
    user, _ = manager_with_app()
    key, soft = registered_key(user)
    client = Client()
    page = at_key_step(client, "ruth")

    client.post(
        KEY_STEP, {"credential": soft.assert_(page.context["key_options"], origin="https://x.test")}
    )
    page = client.get(VERIFY)
    too_soon = client.post(KEY_STEP, {"credential": soft.assert_(page.context["key_options"])})
    clock.shift(2)
    page = client.get(VERIFY)
    later = client.post(KEY_STEP, {"credential": soft.assert_(page.context["key_options"])})

    assert "Too many answers were refused" in too_soon.content.decode()
    assert later.status_code == 302
    key.refresh_from_db()
    assert key.throttling_failure_count == 0


def test_an_empty_or_garbled_key_answer_is_a_clear_message(client):
    user, _ = manager_with_app()
    registered_key(user)
    at_key_step(client, "ruth")

    empty = client.post(KEY_STEP, {})
    garbled = client.post(KEY_STEP, {"credential": "[1, 2"})

    assert empty.status_code == 200 and "did not answer" in empty.content.decode()
    assert garbled.status_code == 200
    assert "not a security key registered to your account" in garbled.content.decode()


def test_the_key_step_is_refused_before_the_password(client):
    response = client.post(KEY_STEP, {"credential": "{}"})
    get = client.get(KEY_STEP)

    assert response.status_code == 302 and response["Location"].startswith(LOGIN)
    assert get.status_code == 302 and get["Location"].startswith(LOGIN)


# --- Removing a key -----------------------------------------------------------------------


def test_the_owner_removes_a_key_with_their_password_and_is_told(
    django_capture_on_commit_callbacks, mailoutbox, caplog
):
    user, device = manager_with_app()
    key, _ = registered_key(user)
    client = verified_client(user, device)
    path = f"/accounts/security-keys/{key.pk}/remove/"

    page = client.get(path)
    wrong = client.post(path, {"password": "nope"})
    with caplog.at_level(logging.INFO), django_capture_on_commit_callbacks(execute=True):
        removed = client.post(path, {"password": PASSWORD})

    assert page.status_code == 200 and "Blue key" in page.content.decode()
    assert wrong.status_code == 200 and "Your password is not right" in wrong.content.decode()
    assert removed.status_code == 302
    assert not SecurityKey.objects.exists()
    assert Notification.objects.filter(
        recipient=user, kind=NoticeKind.SECURITY_KEY_REMOVED
    ).exists()
    assert "Front Door: A security key was removed" in [m.subject for m in mailoutbox]
    logged = [r.getMessage() for r in caplog.records if r.name == "frontdoor.security"]
    assert any(
        line.startswith(f"security key removed: user={user.pk} key={key.pk} by=-")
        for line in logged
    )


def test_someone_else_s_key_is_not_found():
    ruth, _ = manager_with_app("ruth")
    key, _ = registered_key(ruth)
    sam, sam_device = manager_with_app("sam")
    client = verified_client(sam, sam_device)
    path = f"/accounts/security-keys/{key.pk}/remove/"

    assert client.get(path).status_code == 404
    assert client.post(path, {"password": PASSWORD}).status_code == 404
    assert SecurityKey.objects.filter(pk=key.pk).exists()


def test_the_administrator_removes_a_lost_key_and_it_is_logged(
    django_capture_on_commit_callbacks, mailoutbox, caplog
):
    ruth, _ = manager_with_app("ruth")
    key, _ = registered_key(ruth)
    admin, admin_device = manager_with_app("kit")
    admin.role = Role.ADMIN
    admin.save()
    client = verified_client(admin, admin_device)

    listing = client.get("/admin/agencies/securitykey/")
    with caplog.at_level(logging.INFO), django_capture_on_commit_callbacks(execute=True):
        deleted = confirmed(client).post(
            f"/admin/agencies/securitykey/{key.pk}/delete/", {"post": "yes"}
        )

    assert listing.status_code == 200
    assert key.credential_id not in listing.content.decode()
    assert deleted.status_code == 302
    assert not SecurityKey.objects.exists()
    assert Notification.objects.filter(
        recipient=ruth, kind=NoticeKind.SECURITY_KEY_REMOVED
    ).exists()
    logged = [r.getMessage() for r in caplog.records if r.name == "frontdoor.security"]
    assert any(
        line.startswith(f"security key removed: user={ruth.pk} key={key.pk} by={admin.pk}")
        for line in logged
    )


def test_each_challenge_is_new_random_and_at_least_64_bits_with_approved_algorithms():
    from webauthn import base64url_to_bytes

    user, device = manager_with_app()
    client = verified_client(user, device)

    first = client.post(ADD, {"name": "Blue key", "password": PASSWORD}).context["options"]
    second = client.post(ADD, {"name": "Blue key", "password": PASSWORD}).context["options"]

    challenges = [base64url_to_bytes(o["challenge"]) for o in (first, second)]
    assert all(len(c) * 8 >= 64 for c in challenges)
    assert challenges[0] != challenges[1]
    # EdDSA, ES256 and RS256: nothing weaker than SHA-256.
    assert {p["alg"] for p in first["pubKeyCredParams"]} == {-8, -7, -257}
    assert first["rp"] == {"id": "localhost", "name": "Front Door"}
    assert first["user"]["name"] == "ruth" and first["attestation"] == "none"
    # The user handle is the account's id, not a name.
    assert base64url_to_bytes(first["user"]["id"]) == str(user.pk).encode()
