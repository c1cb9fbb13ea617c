"""Security keys and passkeys (WebAuthn, agencies.security_keys) as a second step beside
the authenticator app (ASVS 2.3.2): adding one on the account page (password again, a
name), removing one (password again, or the administrator), and the options the server
sends; signing in with one is in test_security_key_sign_in.py. The keys are
tests.soft_authenticator's: real P-256 keys whose answers go through py_webauthn's own
checks (tests/agencies/security_keys.py has what both files share)."""

import json
import logging

import pytest
from django.utils import timezone

from agencies.models import Role, SecurityKey
from notices.models import NoticeKind, Notification
from tests.agencies.security_keys import (
    ADD,
    FINISH,
    add_key,
    manager_with_app,
    registered_key,
    verified_client,
    webauthn,  # noqa: F401 - autouse: the relying party's settings
)
from tests.clients import confirmed
from tests.factories import PASSWORD, SecurityKeyFactory, UserFactory
from tests.soft_authenticator import SoftKey

pytestmark = pytest.mark.django_db


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


def test_the_account_page_dates_each_key_with_the_weekday_and_year(time_machine):
    # 13:05 UTC in July is 14:05 in London; dated as every other page dates a moment.
    time_machine.move_to("2026-07-01 13:05:00+00:00", tick=False)
    user, device = manager_with_app()
    SecurityKeyFactory(user=user, name="Blue key", last_used_at=timezone.now())
    SecurityKeyFactory(user=user, name="Spare key")

    page = verified_client(user, device).get("/accounts/").content.decode()

    table = page[page.index('data-testid="security-keys"') :]
    table = table[: table.index("</table>")]
    assert table.count("Wed 1 Jul 2026, 14:05") == 3  # both added, one used
    assert "Not yet" in table


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


@pytest.mark.parametrize(
    ("transports", "kept"),
    [
        (5, []),  # not a list: py_webauthn passes it over; iterating it was a server error
        (True, []),
        ("usb", []),
        ({"usb": 1}, []),
        (["us\x00b", 7, None, ["usb"], {"usb": 1}, "nfc"], ["nfc"]),
        (["\x00"], []),
        (["usb" * 5000, "usb"], ["usb"]),  # a very long name: not a transport, dropped
    ],
    ids=["number", "true", "string", "object", "mixed", "nul", "long"],
)
def test_transports_of_the_wrong_shape_are_dropped_and_the_key_is_added(transports, kept):
    user, device = manager_with_app()
    client = verified_client(user, device)
    soft = SoftKey()

    page = client.post(ADD, {"name": "Blue key", "password": PASSWORD})
    answer = json.loads(soft.register(page.context["options"]))
    answer["response"]["transports"] = transports
    response = client.post(FINISH, {"credential": json.dumps(answer)})

    assert response.status_code == 302
    assert SecurityKey.objects.get(user=user).transports == kept


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


def test_an_answer_past_its_bound_is_a_clear_message_and_no_key():
    # A transports list of a megabyte: the answer is refused whole, saying why.
    user, device = manager_with_app()
    client = verified_client(user, device)
    soft = SoftKey()

    page = client.post(ADD, {"name": "Blue key", "password": PASSWORD})
    answer = json.loads(soft.register(page.context["options"]))
    answer["response"]["transports"] = ["x" * 1_000_000]
    response = client.post(FINISH, {"credential": json.dumps(answer)})

    assert response.status_code == 200
    assert "security key&#x27;s answer is too long" in response.content.decode()
    assert not SecurityKey.objects.exists()
