"""Sign-in change notices beyond the pages: a password set on the server (manage.py
changepassword, a shell) tells its owner; what is and is not a change (a hash made again,
a first password, the demo's seeding tell nobody); and telling never fails the change."""

import getpass
import io
import logging
import smtplib

import pytest
from django.contrib.auth.hashers import PBKDF2SHA1PasswordHasher, make_password
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import call_command
from django.db import connection
from django.test import Client

from agencies.changes import SignInChange
from agencies.models import ApiToken, Role, User
from demo.data.agencies import seed_agencies_and_users
from notices import services
from notices.models import ACCOUNT_KINDS, NoticeKind, Notification
from notices.receivers import KIND_FOR_CHANGE
from tests.clients import client_for
from tests.factories import PASSWORD, UserFactory
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
