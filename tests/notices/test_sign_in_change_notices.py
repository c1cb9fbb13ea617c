"""People are told when their sign-in details change (ASVS 2.2.3, 2.5.5): a new password
(their own, or set by an administrator), an authenticator app set up or reset, an API
token issued. The account's owner, and nobody else, gets an email saying what changed,
when (local time) and to tell their administrator if it was not them; nothing is sent
when the change fails, and a failure to tell never fails the change."""

import logging
import re

import pytest
from django.db import transaction
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from agencies import tokens
from agencies.models import ApiToken, Authenticator, Role
from notices.models import NoticeKind, Notification
from tests.clients import client_for, confirmed
from tests.factories import PASSWORD, TOTPDeviceFactory, UserFactory
from tests.notices.sign_in_change_support import (
    ADMINISTRATOR,
    NEW_PASSWORD,
    WHEN,
    ask_for_token,
    change_own_password,
    nothing_sent,
    only_email_to,
)

pytestmark = pytest.mark.django_db


# --- A password changed on the password page ------------------------------------------


def test_a_new_password_emails_its_owner_what_changed_when_and_what_to_do(told, mailoutbox):
    pat = UserFactory(username="pat")
    UserFactory(username="sam")  # told nothing
    client = client_for(pat)

    response = told(lambda: change_own_password(client))

    assert response.status_code == 302
    email = only_email_to(mailoutbox, pat)
    assert email.subject == "Front Door: Your password was changed"
    assert f"The password for your Front Door account was changed on {WHEN}." in email.body
    assert ADMINISTRATOR in email.body
    assert "http://127.0.0.1:8000/accounts/" in email.body
    assert NEW_PASSWORD not in email.message().as_string()
    inbox = Notification.objects.get(channel=Notification.Channel.INBOX)
    assert (inbox.recipient, inbox.kind) == (pat, NoticeKind.PASSWORD_CHANGED)


@pytest.mark.parametrize(
    ("old", "new"),
    [("not-the-password", NEW_PASSWORD), (PASSWORD, "aaaaaaaaaaaa")],
    ids=["wrong-current-password", "weak-new-password"],
)
def test_a_password_change_refused_sends_nothing(told, mailoutbox, old, new):
    pat = UserFactory(username="pat")

    response = told(lambda: change_own_password(client_for(pat), old=old, new=new))

    assert response.status_code == 200
    assert nothing_sent(mailoutbox)


# --- A password set by an administrator ------------------------------------------------


def set_password_in_admin(admin_client, user, *, again=NEW_PASSWORD):
    return admin_client.post(
        f"/admin/agencies/user/{user.pk}/password/",
        {"password1": NEW_PASSWORD, "password2": again, "usable_password": "true"},
    )


def test_a_password_set_by_an_administrator_emails_the_owner_not_the_administrator(
    told, mailoutbox
):
    kit = UserFactory(username="kit", role=Role.ADMIN)
    pat = UserFactory(username="pat")

    response = told(lambda: set_password_in_admin(confirmed(client_for(kit)), pat))

    assert response.status_code == 302
    pat.refresh_from_db()
    assert pat.check_password(NEW_PASSWORD)
    email = only_email_to(mailoutbox, pat)
    assert email.subject == "Front Door: Your password was changed by an administrator"
    assert f"An administrator changed the password for your Front Door account on {WHEN}." in (
        email.body
    )
    assert ADMINISTRATOR in email.body
    assert NEW_PASSWORD not in email.message().as_string()


def test_a_password_the_administrator_mistyped_sends_nothing(told, mailoutbox):
    kit = UserFactory(username="kit", role=Role.ADMIN)
    pat = UserFactory(username="pat")

    response = told(
        lambda: set_password_in_admin(confirmed(client_for(kit)), pat, again="something-else")
    )

    assert response.status_code == 200
    assert nothing_sent(mailoutbox)


# --- Two-step verification set up, or reset by the administrator ----------------------


def set_up_authenticator(client, manager, *, right=True):
    client.get("/accounts/two-step/")
    key = Authenticator.objects.get(user=manager).bin_key.hex()
    code = f"{totp(bytes.fromhex(key)):06d}" if right else "000000"
    return client.post("/accounts/two-step/", {"code": code}), key


def test_an_authenticator_set_up_emails_its_owner_without_its_key(told, mailoutbox):
    ruth = UserFactory(username="ruth", role=Role.MANAGER)

    response, key = told(lambda: set_up_authenticator(client_for(ruth), ruth))

    assert response.status_code == 302
    email = only_email_to(mailoutbox, ruth)
    assert email.subject == "Front Door: Two-step verification was set up"
    assert (
        "An authenticator app was set up for two-step verification on your Front Door "
        f"account on {WHEN}."
    ) in email.body
    assert ADMINISTRATOR in email.body
    text = email.message().as_string()
    assert key not in text
    assert not re.search(r"[A-Z2-7]{4} [A-Z2-7]{4} [A-Z2-7]{4}", text)  # the key as shown


def test_a_wrong_first_code_sets_nothing_up_and_sends_nothing(told, mailoutbox):
    ruth = UserFactory(username="ruth", role=Role.MANAGER)

    response, _ = told(lambda: set_up_authenticator(client_for(ruth), ruth, right=False))

    assert response.status_code == 200
    assert nothing_sent(mailoutbox)


def test_an_authenticator_reset_by_the_administrator_emails_its_owner(told, mailoutbox):
    kit = UserFactory(username="kit", role=Role.ADMIN)
    device = TOTPDeviceFactory(user__username="ruth")

    response = told(
        lambda: confirmed(client_for(kit)).post(
            f"/admin/otp_totp/totpdevice/{device.pk}/delete/", {"post": "yes"}
        )
    )

    assert response.status_code == 302
    email = only_email_to(mailoutbox, device.user)
    assert email.subject == "Front Door: Two-step verification was reset"
    assert f"reset two-step verification on your Front Door account on {WHEN}" in email.body
    assert "set up your authenticator app again when you next sign in" in email.body
    assert ADMINISTRATOR in email.body


def test_a_code_given_again_is_refused_and_its_owner_told_someone_may_have_seen_it(
    told, mailoutbox, caplog, settings
):
    """ASVS 2.8.5: the code the manager just signed in with, given again from another
    browser (someone who watched it typed, or a proxy that relayed it)."""
    settings.MFA_REQUIRED = True
    device = TOTPDeviceFactory(user__username="ruth")
    ruth = device.user

    def twice():
        code = totp(device.bin_key)
        first = Client()
        first.post("/accounts/login/", {"username": "ruth", "password": PASSWORD})
        assert first.post("/accounts/two-step/verify/", {"code": code}).status_code == 302
        mailoutbox.clear()
        again = Client()
        again.post("/accounts/login/", {"username": "ruth", "password": PASSWORD})
        with caplog.at_level(logging.WARNING, logger="frontdoor.security"):
            return again, again.post("/accounts/two-step/verify/", {"code": code})

    again, response = told(twice)

    assert response.status_code == 200
    assert "That code has already been used" in response.content.decode()
    assert again.get("/").status_code == 302  # still at the code step
    assert f"two-step verification reused: user={ruth.pk}" in caplog.text
    email = only_email_to(mailoutbox, ruth)
    assert email.subject == "Front Door: A two-step code of yours was used again"
    assert f"was entered again on {WHEN}, and refused" in email.body
    assert "change your password" in email.body
    assert ADMINISTRATOR in email.body


def test_a_code_of_other_digits_after_a_sign_in_is_refused_not_a_server_error(
    told, mailoutbox, settings
):
    """Superscript digits pass str.isdigit() but not int(): the check for a code given
    again, run after a recent sign-in, answered 500."""
    settings.MFA_REQUIRED = True
    device = TOTPDeviceFactory(user__username="ruth")

    def signed_in_then_odd_digits():
        first = Client()
        first.post("/accounts/login/", {"username": "ruth", "password": PASSWORD})
        first.post("/accounts/two-step/verify/", {"code": totp(device.bin_key)})
        again = Client()
        again.post("/accounts/login/", {"username": "ruth", "password": PASSWORD})
        return again.post(
            "/accounts/two-step/verify/", {"code": "\u00b2\u00b3\u00b9\u00b2\u00b3\u00b9"}
        )

    response = told(signed_in_then_odd_digits)

    assert response.status_code == 200
    assert "That code has already been used" not in response.content.decode()


def test_a_wrong_code_is_not_taken_for_a_code_given_again(told, mailoutbox, caplog, settings):
    settings.MFA_REQUIRED = True
    device = TOTPDeviceFactory(user__username="ruth")

    def right_then_wrong():
        code = totp(device.bin_key)
        first = Client()
        first.post("/accounts/login/", {"username": "ruth", "password": PASSWORD})
        first.post("/accounts/two-step/verify/", {"code": code})
        mailoutbox.clear()
        Notification.objects.all().delete()
        again = Client()
        again.post("/accounts/login/", {"username": "ruth", "password": PASSWORD})
        wrong = f"{(int(code) + 1) % 1_000_000:06d}"
        with caplog.at_level(logging.WARNING, logger="frontdoor.security"):
            return again.post("/accounts/two-step/verify/", {"code": wrong})

    response = told(right_then_wrong)

    assert response.status_code == 200
    assert "That code has already been used" not in response.content.decode()
    assert "two-step verification failed" in caplog.text
    assert "reused" not in caplog.text
    assert nothing_sent(mailoutbox)


def test_an_authenticator_reset_with_the_bulk_action_emails_each_owner_once(told, mailoutbox):
    kit = UserFactory(username="kit", role=Role.ADMIN)
    devices = [TOTPDeviceFactory(), TOTPDeviceFactory()]

    told(
        lambda: confirmed(client_for(kit)).post(
            "/admin/otp_totp/totpdevice/",
            {
                "action": "delete_selected",
                "_selected_action": [d.pk for d in devices],
                "post": "yes",
            },
        )
    )

    assert not TOTPDevice.objects.exists()
    assert sorted(m.to[0] for m in mailoutbox) == sorted(d.user.email for d in devices)


def test_removing_a_set_up_never_finished_tells_nobody(told, mailoutbox):
    kit = UserFactory(username="kit", role=Role.ADMIN)
    pending = TOTPDeviceFactory(confirmed=False)

    told(
        lambda: confirmed(client_for(kit)).post(
            f"/admin/otp_totp/totpdevice/{pending.pk}/delete/", {"post": "yes"}
        )
    )

    assert not TOTPDevice.objects.exists()
    assert nothing_sent(mailoutbox)


# --- An API token issued ----------------------------------------------------------------


def test_a_new_api_token_emails_its_owner_without_the_token(told, mailoutbox):
    pat = UserFactory(username="pat")

    response = told(ask_for_token)

    assert response.status_code == 200
    email = only_email_to(mailoutbox, pat)
    assert email.subject == "Front Door: A new API token was issued"
    assert f"A new API token for your Front Door account was issued on {WHEN}." in email.body
    assert "revoke it on your account page" in email.body
    assert ADMINISTRATOR in email.body
    assert response.json()["token"] not in email.message().as_string()


def test_a_token_refused_sends_nothing(told, mailoutbox):
    UserFactory(username="pat")

    response = told(lambda: ask_for_token(password="not-the-password"))

    assert response.status_code == 400
    assert nothing_sent(mailoutbox)


def test_a_token_whose_transaction_rolls_back_tells_nobody(told, mailoutbox):
    pat = UserFactory(username="pat")

    def issue_then_fail():
        with pytest.raises(RuntimeError), transaction.atomic():
            tokens.issue_token(user=pat)
            raise RuntimeError("something after it failed")

    told(issue_then_fail)

    assert not ApiToken.objects.exists()
    assert nothing_sent(mailoutbox)
