"""Signing in with a security key or passkey (WebAuthn, agencies.security_keys) as a
second step beside the authenticator app (ASVS 2.3.2), and every answer the server must
refuse; adding and removing keys is in test_security_keys.py. The keys are
tests.soft_authenticator's: real P-256 keys whose answers go through py_webauthn's own
checks (tests/agencies/security_keys.py has what both files share)."""

import logging

import pytest
import time_machine
from django.test import Client

from agencies.models import Role, SecurityKey
from tests.agencies.security_keys import (
    KEY_STEP,
    LOGIN,
    SETUP,
    VERIFY,
    at_key_step,
    manager_with_app,
    registered_key,
    webauthn,  # noqa: F401 - autouse: the relying party's settings
)
from tests.factories import PASSWORD, UserFactory, current_code

pytestmark = pytest.mark.django_db


@pytest.fixture
def clock():
    with time_machine.travel("2026-11-27 09:00:00+00:00", tick=True) as traveller:
        yield traveller


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
