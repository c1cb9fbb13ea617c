"""People are told when their sign-in details change (ASVS 2.2.3, 2.5.5): a new password
(their own, or set by an administrator), an authenticator app set up or reset, an API
token issued. The account's owner, and nobody else, gets an email saying what changed,
when (local time) and to tell their administrator if it was not them; nothing is sent
when the change fails, and a failure to tell never fails the change."""

import getpass
import io
import logging
import re
import smtplib

import pytest
import time_machine
from django.contrib.auth.hashers import PBKDF2SHA1PasswordHasher, make_password
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from agencies import tokens
from agencies.changes import SignInChange
from agencies.models import ApiToken, Authenticator, Role, User
from demo.data.agencies import seed_agencies_and_users
from notices import services
from notices.models import ACCOUNT_KINDS, NoticeKind, Notification
from notices.receivers import KIND_FOR_CHANGE
from tests.clients import client_for, confirmed
from tests.factories import PASSWORD, TOTPDeviceFactory, UserFactory

pytestmark = pytest.mark.django_db

# 08:00 UTC is 09:00 in London in July (British Summer Time): the email says local time.
AT = "2026-07-01 08:00:00+00:00"
WHEN = "Wed 01 Jul 2026 at 09:00"
NEW_PASSWORD = "quiet-lantern-orbit-47"
ADMINISTRATOR = "tell your Front Door administrator straight away"


@pytest.fixture
def told(django_capture_on_commit_callbacks, mailoutbox):
    """Run a change at AT with the emails it commits delivered (tasks run in process)."""

    def run(change):
        with (
            time_machine.travel(AT, tick=False),
            django_capture_on_commit_callbacks(execute=True),
        ):
            return change()

    return run


def only_email_to(mailoutbox, user):
    assert [m.to for m in mailoutbox] == [[user.email]]
    return mailoutbox[0]


def nothing_sent(mailoutbox) -> bool:
    return mailoutbox == [] and not Notification.objects.exists()


# --- A password changed on the password page ------------------------------------------


def change_own_password(client, *, old=PASSWORD, new=NEW_PASSWORD):
    return client.post(
        "/accounts/password/",
        {"old_password": old, "new_password1": new, "new_password2": new},
    )


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


def ask_for_token(password=PASSWORD):
    return Client().post(
        "/api/v1/auth/token/",
        {"username": "pat", "password": password},
        content_type="application/json",
    )


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


# --- Telling never fails the change --------------------------------------------------


def broken_outbox(**kwargs):
    # A database error, as a broken outbox table would give: on PostgreSQL it aborts the
    # transaction it happens in, so it must stay inside the notice's own savepoint.
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM no_such_table_for_notices")


def test_a_password_change_stands_when_the_notice_cannot_be_written(
    told, mailoutbox, monkeypatch, caplog
):
    monkeypatch.setattr(services, "raise_notice", broken_outbox)
    pat = UserFactory(username="pat")

    with caplog.at_level(logging.ERROR, logger="frontdoor.security"):
        response = told(lambda: change_own_password(client_for(pat)))

    assert response.status_code == 302
    pat.refresh_from_db()
    assert pat.check_password(NEW_PASSWORD)
    assert nothing_sent(mailoutbox)
    assert any(
        r.getMessage().startswith(
            f"sign-in change not told: user={pat.pk} change=password_changed error="
        )
        for r in caplog.records
    )


def test_a_token_is_still_issued_when_the_notice_cannot_be_written(told, monkeypatch):
    monkeypatch.setattr(services, "raise_notice", broken_outbox)
    UserFactory(username="pat")

    response = told(ask_for_token)

    assert response.status_code == 200
    assert ApiToken.objects.count() == 1


class RefusingMailServer(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise smtplib.SMTPServerDisconnected("the mail server went away")


def test_a_password_change_stands_when_the_email_cannot_be_sent(told, settings):
    settings.EMAIL_BACKEND = f"{__name__}.RefusingMailServer"
    pat = UserFactory(username="pat")

    response = told(lambda: change_own_password(client_for(pat)))

    assert response.status_code == 302
    pat.refresh_from_db()
    assert pat.check_password(NEW_PASSWORD)
    email = Notification.objects.get(channel=Notification.Channel.EMAIL)
    # Retried like any notice (here in process, so its attempts are spent at once).
    assert email.status == Notification.Status.FAILED
    assert "SMTPServerDisconnected" in email.last_error


# --- What is and is not a change ----------------------------------------------------------


def test_every_sign_in_change_has_a_notice_kind_of_its_own_with_words():
    assert set(KIND_FOR_CHANGE) == set(SignInChange)
    assert set(KIND_FOR_CHANGE.values()) == ACCOUNT_KINDS
    for kind in ACCOUNT_KINDS:
        subject, body = services.TEXT[kind]
        assert "{due}" in body and "{reference}" not in subject
        # Only a new browser's notice has a detail: the browser in plain words.
        assert ("{reference}" in body) == (kind == NoticeKind.NEW_BROWSER_SIGN_IN)
        assert "administrator" in body


def test_seeding_the_demo_resets_passwords_without_telling_anyone(told, mailoutbox):
    told(seed_agencies_and_users)
    told(seed_agencies_and_users)

    assert nothing_sent(mailoutbox)


# --- A password set on the server: manage.py changepassword, a shell --------------------


def test_changepassword_on_the_server_emails_the_owner(told, mailoutbox, monkeypatch):
    pat = UserFactory(username="pat")
    monkeypatch.setattr(getpass, "getpass", lambda prompt="": NEW_PASSWORD)

    told(lambda: call_command("changepassword", "pat", stdout=io.StringIO()))

    pat.refresh_from_db()
    assert pat.check_password(NEW_PASSWORD)
    email = only_email_to(mailoutbox, pat)
    assert email.subject == "Front Door: Your password was changed by an administrator"
    assert f"An administrator changed the password for your Front Door account on {WHEN}." in (
        email.body
    )
    assert ADMINISTRATOR in email.body
    assert NEW_PASSWORD not in email.message().as_string()
    inbox = Notification.objects.get(channel=Notification.Channel.INBOX)
    assert (inbox.recipient, inbox.kind) == (pat, NoticeKind.PASSWORD_CHANGED_BY_ADMIN)


def test_a_password_set_in_a_shell_on_the_server_emails_the_owner(told, mailoutbox):
    pat = UserFactory(username="pat")

    def in_a_shell():
        pat.set_password(NEW_PASSWORD)
        pat.save()

    told(in_a_shell)

    email = only_email_to(mailoutbox, pat)
    assert email.subject == "Front Door: Your password was changed by an administrator"


def test_the_password_page_tells_once_as_the_owners_own_change(told, mailoutbox):
    pat = UserFactory(username="pat")

    told(lambda: change_own_password(client_for(pat)))

    assert [n.kind for n in Notification.objects.all()] == [NoticeKind.PASSWORD_CHANGED] * 2


def test_saving_a_user_without_a_new_password_tells_nobody(told, mailoutbox):
    pat = UserFactory(username="pat")

    def save_twice():
        pat.set_password(NEW_PASSWORD)
        pat.save()
        pat.job_title = "Teacher"
        pat.save()  # the password was told once, with the first save

    told(save_twice)

    assert len(mailoutbox) == 1


def test_a_new_account_is_not_told_of_its_first_password(told, mailoutbox):
    def create():
        sam = User(username="sam", email="sam@example.invalid", role=Role.ADMIN)
        sam.set_password(NEW_PASSWORD)
        sam.save()

    told(create)

    assert nothing_sent(mailoutbox)


class OldHasher(PBKDF2SHA1PasswordHasher):
    iterations = 1_000


def test_a_hash_made_again_at_sign_in_tells_nobody(told, mailoutbox, settings):
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        f"{__name__}.OldHasher",
    ]
    old = make_password(PASSWORD, hasher="pbkdf2_sha1")
    pat = UserFactory(username="pat", password=old)

    response = told(
        lambda: Client().post("/accounts/login/", {"username": "pat", "password": PASSWORD})
    )

    assert response.status_code == 302
    pat.refresh_from_db()
    assert pat.password.startswith("md5$")  # made again, with the first hasher
    assert nothing_sent(mailoutbox)


# --- The email address changed: told at the old address and at the new -----------------


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


def change_in_admin(admin, user, **changes):
    return confirmed(client_for(admin)).post(
        f"/admin/agencies/user/{user.pk}/change/", user_form(user, **changes)
    )


def test_an_email_changed_by_an_administrator_tells_the_old_address_and_the_new(
    told, mailoutbox, caplog
):
    kit = UserFactory(username="kit", role=Role.ADMIN)
    pat = UserFactory(username="pat", email="pat.old@example.invalid", first_name="Patricia")

    with caplog.at_level(logging.INFO, logger="frontdoor.security"):
        response = told(lambda: change_in_admin(kit, pat, email="pat.new@example.invalid"))

    assert response.status_code == 302, response.content.decode()[:2000]
    old, new = sorted(mailoutbox, key=lambda m: m.to != ["pat.old@example.invalid"])
    assert old.to == ["pat.old@example.invalid"]
    assert old.subject == "Front Door: The email address for your account was changed"
    assert f"The email address of your Front Door account was changed on {WHEN}." in old.body
    assert "Emails from Front Door now go to the new address, not this one." in old.body
    assert ADMINISTRATOR in old.body
    assert "pat.new" not in old.message().as_string()  # the new address is not given away
    assert new.to == ["pat.new@example.invalid"]
    assert new.subject == "Front Door: This is now the email address for your account"
    assert f"became the address of your Front Door account on {WHEN}" in new.body
    assert ADMINISTRATOR in new.body
    for email in (old, new):
        assert "Patricia" not in email.body and "pat.old" not in email.body
    # One inbox notice (the administrator is told nothing).
    inbox = Notification.objects.get(channel=Notification.Channel.INBOX)
    assert (inbox.recipient, inbox.kind) == (pat, NoticeKind.EMAIL_CHANGED)
    assert f"sign-in email changed: user={pat.pk}" in caplog.text
    assert "example.invalid" not in caplog.text


def test_an_administrator_saving_a_user_with_the_same_email_tells_nobody(told, mailoutbox):
    kit = UserFactory(username="kit", role=Role.ADMIN)
    pat = UserFactory(username="pat", email="pat@example.invalid")

    response = told(
        lambda: change_in_admin(kit, pat, email="Pat@Example.invalid", job_title="Teacher")
    )

    assert response.status_code == 302
    assert nothing_sent(mailoutbox)


def test_an_email_refused_by_the_admin_form_tells_nobody(told, mailoutbox):
    kit = UserFactory(username="kit", role=Role.ADMIN)
    pat = UserFactory(username="pat")

    response = told(lambda: change_in_admin(kit, pat, email="not an address"))

    assert response.status_code == 200
    assert nothing_sent(mailoutbox)


def test_an_email_changed_anywhere_else_is_told_too(told, mailoutbox):
    pat = UserFactory(username="pat", email="pat.old@example.invalid")

    def elsewhere():
        same = User.objects.get(pk=pat.pk)
        same.email = "pat.new@example.invalid"
        same.save(update_fields=["email"])

    told(elsewhere)

    assert sorted(m.to[0] for m in mailoutbox) == [
        "pat.new@example.invalid",
        "pat.old@example.invalid",
    ]


def test_an_email_given_to_an_account_that_had_none_tells_the_new_address(told, mailoutbox):
    kit = UserFactory(username="kit", role=Role.ADMIN)
    pat = UserFactory(username="pat", email="")

    told(lambda: change_in_admin(kit, pat, email="pat@example.invalid"))

    assert [m.to for m in mailoutbox] == [["pat@example.invalid"]]
    assert not Notification.objects.filter(channel=Notification.Channel.INBOX).exists()


def test_an_email_change_that_rolls_back_tells_nobody(told, mailoutbox):
    pat = UserFactory(username="pat", email="pat.old@example.invalid")

    def change_then_fail():
        with pytest.raises(RuntimeError), transaction.atomic():
            pat.email = "pat.new@example.invalid"
            pat.save()
            raise RuntimeError("something after it failed")

    told(change_then_fail)

    assert nothing_sent(mailoutbox)


def test_a_sign_in_saves_no_email_and_looks_for_no_change():
    pat = UserFactory(username="pat")

    # update_last_login saves last_login alone: no look-up of the address before it.
    with CaptureQueriesContext(connection) as queries:
        pat.save(update_fields=["last_login"])
    with CaptureQueriesContext(connection) as full_save:
        pat.save()

    def looked_up(captured):
        return [q for q in captured if q["sql"].startswith('SELECT "agencies_user"."email"')]

    assert looked_up(queries) == []
    assert len(looked_up(full_save)) == 1
