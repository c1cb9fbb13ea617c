"""An account's email address changed (ASVS 2.5.5): told at the old address and at the
new, by an administrator or anywhere else; nothing when it does not change, is refused or
rolls back, and a sign-in saves no email."""

import logging

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from agencies.models import Role, User
from notices.models import NoticeKind, Notification
from tests.clients import client_for, confirmed
from tests.factories import UserFactory
from tests.notices.sign_in_change_support import (
    ADMINISTRATOR,
    WHEN,
    nothing_sent,
)

pytestmark = pytest.mark.django_db


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
