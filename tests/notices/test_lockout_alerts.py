"""Administrators are alerted when a sign-in is locked after too many wrong passwords
(ASVS 8.1.4, 11.1.8): an inbox notice and an email naming the account by its id and the
address, at most once in FRONTDOOR_LOCKOUT_ALERT_MINUTES whatever the number of lockouts,
and never at the cost of the lockout itself."""

import logging

import pytest
import time_machine
from axes.models import AccessAttempt
from django.test import Client

from agencies.models import Role
from notices import receivers
from notices.models import NoticeKind, Notification
from tests.clients import confirmed
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
AT = "2026-07-01 08:00:00+00:00"  # 09:00 in London


def lock(username: str, address: str, limit: int):
    client = Client()
    for _ in range(limit):
        client.post(LOGIN, {"username": username, "password": "wrong"}, REMOTE_ADDR=address)
    return client.post(LOGIN, {"username": username, "password": PASSWORD}, REMOTE_ADDR=address)


@pytest.fixture
def people():
    return {
        "admins": [UserFactory(role=Role.ADMIN), UserFactory(role=Role.ADMIN)],
        "retired_admin": UserFactory(role=Role.ADMIN, is_active=False),
        "manager": UserFactory(username="manager.ruth", role=Role.MANAGER),
        "auditor": UserFactory(role=Role.AUDITOR),
    }


@pytest.fixture
def delivered(django_capture_on_commit_callbacks):
    def run(action):
        with django_capture_on_commit_callbacks(execute=True):
            return action()

    return run


def test_a_lockout_alerts_every_administrator_by_inbox_and_email(
    people, settings, delivered, mailoutbox
):
    manager = people["manager"]
    with time_machine.travel(AT, tick=False):
        response = delivered(
            lambda: lock("manager.ruth", "203.0.113.66", settings.AXES_FAILURE_LIMIT)
        )

    assert response.status_code == 429
    notices = Notification.objects.filter(kind=NoticeKind.SIGN_IN_LOCKED)
    assert {n.recipient_id for n in notices} == {a.pk for a in people["admins"]}
    assert {n.channel for n in notices} == {"inbox", "email"}
    assert sorted(m.to[0] for m in mailoutbox) == sorted(a.email for a in people["admins"])
    email = mailoutbox[0]
    assert email.subject == (
        f"Front Door: Sign-in locked: account {manager.pk}, from address 203.0.113.66"
    )
    assert "was locked after too many wrong passwords, on Wed 01 Jul 2026 at 09:00" in email.body
    assert "/admin/axes/accessattempt/" in email.body
    assert "manager.ruth" not in email.message().as_string()


def test_one_alert_a_window_however_many_lockouts(people, settings, delivered):
    settings.LOCKOUT_ALERT_MINUTES = 60
    limit = settings.AXES_FAILURE_LIMIT
    with time_machine.travel("2026-07-01 08:00:00+00:00", tick=False) as clock:
        delivered(lambda: lock("manager.ruth", "203.0.113.66", limit))
        UserFactory(username="pat")
        delivered(lambda: lock("pat", "203.0.113.67", limit))
        delivered(lambda: lock("manager.ruth", "203.0.113.66", 2))  # again, during it
        assert Notification.objects.filter(kind=NoticeKind.SIGN_IN_LOCKED).count() == 4

        clock.shift(60 * 60)
        delivered(lambda: lock("pat", "203.0.113.68", limit))

    assert Notification.objects.filter(kind=NoticeKind.SIGN_IN_LOCKED).count() == 8


def test_a_username_that_matches_no_account_is_not_repeated(
    people, settings, delivered, mailoutbox
):
    """A "username" may be a password typed in the wrong box: it is never sent on."""
    delivered(lambda: lock("Summer2026!", "203.0.113.66", settings.AXES_FAILURE_LIMIT))

    email = mailoutbox[0]
    assert "a username that matches no account, from address 203.0.113.66" in email.subject
    assert "Summer2026" not in email.message().as_string()


def test_the_setting_turns_the_alerts_off(people, settings, delivered):
    settings.LOCKOUT_ALERT_MINUTES = 0

    response = delivered(lambda: lock("manager.ruth", "203.0.113.66", settings.AXES_FAILURE_LIMIT))

    assert response.status_code == 429
    assert not Notification.objects.filter(kind=NoticeKind.SIGN_IN_LOCKED).exists()


def test_an_alert_that_fails_leaves_the_lockout_and_says_so_in_the_security_log(
    people, settings, monkeypatch, caplog
):
    def broken(**kwargs):
        raise RuntimeError("outbox unavailable")

    monkeypatch.setattr(receivers, "raise_notice", broken)
    with caplog.at_level(logging.ERROR, logger="frontdoor.security"):
        response = lock("manager.ruth", "203.0.113.66", settings.AXES_FAILURE_LIMIT)

    assert response.status_code == 429
    assert "sign-in lockout not alerted: error=RuntimeError" in caplog.text


def test_the_administrator_sees_the_lockout_and_lifts_it_which_is_logged(people, settings, caplog):
    """The page the alert links to: who is locked from where. Deleting the attempt lifts
    the lockout early (the manager signs in from that address again)."""
    admin = people["admins"][0]
    assert lock("manager.ruth", "203.0.113.66", settings.AXES_FAILURE_LIMIT).status_code == 429
    client = Client()
    client.force_login(admin)

    page = client.get("/admin/axes/accessattempt/")

    assert page.status_code == 200
    text = page.content.decode()
    assert "manager.ruth" in text
    assert "203.0.113.66" in text
    attempt = AccessAttempt.objects.get(username="manager.ruth")
    with caplog.at_level(logging.WARNING, logger="frontdoor.security"):
        deleted = confirmed(client).post(
            f"/admin/axes/accessattempt/{attempt.pk}/delete/", {"post": "yes"}
        )
    assert deleted.status_code == 302
    assert f"sign-in lockout lifted: by={admin.pk} attempts=1" in caplog.text
    again = Client().post(
        LOGIN, {"username": "manager.ruth", "password": PASSWORD}, REMOTE_ADDR="203.0.113.66"
    )
    assert again.status_code == 302


@pytest.mark.parametrize("role", [Role.MANAGER, Role.AUDITOR, Role.SCREENER])
def test_no_one_else_opens_the_attempts(people, role):
    client = Client()
    client.force_login(UserFactory(role=role))

    assert client.get("/admin/axes/accessattempt/").status_code == 403
