"""A member of staff downloads what Front Door holds about them (frontdoor.account_export,
ASVS 8.3.2): their own data only, once they have confirmed it is them, with no secret and
nothing about the children their work is about."""

from __future__ import annotations

import json
import logging
import re

import pytest
from axes.models import AccessAttempt
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from agencies.models import KnownBrowser, Role
from audit.models import AccessLog, AuditEvent, EventKind
from notices.models import NoticeKind
from tests.clients import client_for, confirmed
from tests.factories import (
    PASSWORD,
    ApiTokenFactory,
    NoticeEventFactory,
    NotificationFactory,
    SecurityKeyFactory,
    TOTPDeviceFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

URL = "/accounts/export/"
# A plain-hex authenticator key, set on purpose: neither it nor what is stored may appear.
TOTP_HEX = "3132333435363738393031323334353637383930"
BROWSER_DIGEST = "d1" * 32
CHILD_WORDS = "Zebedee Quirkfield"


def download(client):
    response = client.get(URL)
    assert response.status_code == 200, response.status_code
    raw = b"".join(response.streaming_content)
    return response, raw, json.loads(raw)


@pytest.fixture
def held():
    """A screener with something in every section, and a colleague with the same."""
    me = UserFactory(role=Role.SCREENER, username="sam.screener", email="sam@example.invalid")
    other = UserFactory(role=Role.SCREENER, username="olly.other")
    for person in (me, other):
        AccessAttempt.objects.create(
            username=person.username,
            ip_address="203.0.113.99",
            user_agent="curl",
            http_accept="*/*",
            path_info="/accounts/login/",
            get_data="",
            post_data="password=hunter2",
            failures_since_start=3,
        )
        KnownBrowser.objects.create(
            user=person,
            digest=BROWSER_DIGEST if person == me else "e2" * 32,
            first_seen_at="2026-01-02T09:00:00Z",
            last_seen_at="2026-01-03T09:00:00Z",
        )
    token = ApiTokenFactory(user=me)
    others_token = ApiTokenFactory(user=other)
    app = TOTPDeviceFactory(user=me, name="My phone", key=TOTP_HEX)
    key = SecurityKeyFactory(user=me, name="Blue key")
    account_notice = NotificationFactory(
        recipient=me,
        event=NoticeEventFactory(kind=NoticeKind.NEW_BROWSER_SIGN_IN, referral_id=None),
        subject="Sign-in from a new browser",
        body="Someone signed in as you from Firefox on Linux.",
        link="/accounts/",
    )
    case_notice = NotificationFactory(
        recipient=me, body=f"About {CHILD_WORDS}.", subject=f"Referral of {CHILD_WORDS}"
    )
    alert = NotificationFactory(
        recipient=me,
        event=NoticeEventFactory(kind=NoticeKind.SIGN_IN_LOCKED, referral_id=None),
        body="Sign-in locked for account 77, from address 203.0.113.5.",
        link="/admin/axes/accessattempt/",
    )
    NotificationFactory(recipient=other, body="For olly only.")
    action = AuditEvent.objects.create(
        kind=EventKind.NOTE_ADDED,
        actor_id=me.pk,
        actor_username=me.username,
        actor_role=me.role,
        referral_id=4242,
        reference="FD-4242",
        detail={"words": CHILD_WORDS},
    )
    AuditEvent.objects.create(kind=EventKind.DECIDED, actor_id=other.pk, referral_id=5353)
    AuditEvent.objects.create(
        kind=EventKind.PASSWORD_SET_BY_ADMIN,
        actor_id=999,
        actor_username="ada.admin",
        object_type="user",
        object_id=me.pk,
    )
    AccessLog.objects.create(
        user_id=me.pk,
        username=me.username,
        role=me.role,
        kind=AccessLog.Kind.CHILD,
        object_id=31,
        path="/children/31/",
        ip_address="192.0.2.10",
        break_glass_reason=f"Urgent call about {CHILD_WORDS}",
        detail={"referrals": [6161]},
    )
    AccessLog.objects.create(
        user_id=other.pk, username=other.username, role=other.role, kind="referral", path="/x/"
    )
    return {
        "me": me,
        "other": other,
        "token": token,
        "others_token": others_token,
        "app": app,
        "key": key,
        "account_notice": account_notice,
        "case_notice": case_notice,
        "alert": alert,
        "action": action,
    }


def test_the_url_is_the_accounts_own_with_no_id():
    assert reverse("account-export") == URL


def test_the_account_page_links_to_the_download(referrer_client):
    page = referrer_client.get("/accounts/").content.decode()

    assert f'href="{URL}"' in page
    assert "Download your account data" in page


def test_someone_signed_out_is_sent_to_sign_in(client):
    response = client.get(URL)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_without_confirming_it_is_them_they_are_asked_to_and_nothing_is_written(held):
    response = client_for(held["me"]).get(URL)

    assert response.status_code == 302
    # Back to the account page's link, not to the download: the browser would save the
    # file and leave them looking at the confirmation page.
    assert response["Location"] == "/accounts/confirm/?next=%2Faccounts%2F%23account-data"
    assert not AuditEvent.objects.filter(kind=EventKind.ACCOUNT_DATA_EXPORTED).exists()


def test_once_confirmed_they_are_back_at_the_link_and_the_download_works():
    client = client_for(UserFactory(role=Role.SCREENER, username="sam.screener"))
    asked = client.get(URL)["Location"]

    confirmed_now = client.post(
        "/accounts/confirm/", {"password": PASSWORD, "next": "/accounts/#account-data"}
    )
    page = client.get(confirmed_now["Location"])

    assert asked.startswith("/accounts/confirm/")
    assert confirmed_now["Location"] == "/accounts/#account-data"
    assert 'id="account-data"' in page.content.decode()
    response, _, data = download(client)
    assert data["account"]["username"] == "sam.screener"


@pytest.mark.parametrize("role", list(Role))
def test_every_role_downloads_their_own_account(role):
    person = UserFactory(role=role)

    response, _, data = download(confirmed(client_for(person)))

    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert data["account"]["id"] == person.pk
    assert data["account"]["role"] == role.value


def test_the_file_is_an_attachment_named_by_number_and_never_kept(held):
    response, _, _ = download(confirmed(client_for(held["me"])))

    disposition = response["Content-Disposition"]
    assert re.fullmatch(
        rf'attachment; filename="front-door-account-{held["me"].pk}-\d{{4}}-\d\d-\d\d\.json"',
        disposition,
    )
    assert "sam" not in disposition
    assert response["Cache-Control"] == "no-store"


def test_the_account_section_holds_the_account(held):
    me = held["me"]
    _, _, data = download(confirmed(client_for(me)))

    account = data["account"]
    assert account["username"] == "sam.screener"
    assert account["email"] == "sam@example.invalid"
    assert account["role"] == "screener"
    assert account["role_name"] == "Screener"
    assert account["agency"] == {"id": me.agency.pk, "name": me.agency.name}
    assert account["must_change_password"] is False
    assert account["date_joined"]
    assert account["last_sign_in"]  # force_login signed them in
    assert data["account_changes"][0]["change"] == "created"
    assert data["account_changes"][0]["username"] == "sam.screener"


def test_each_change_to_the_account_says_whether_they_made_it_but_never_which_colleague():
    me = UserFactory(role=Role.SCREENER, username="sam.screener", job_title="Screener")
    admin = UserFactory(role=Role.ADMIN, username="ada.admin")
    me._history_user = admin
    me.job_title = "Senior screener"
    me.save()
    me._history_user = me
    me.phone = "01632 960001"
    me.save()

    _, raw, data = download(confirmed(client_for(me)))

    changes = [(row["change"], row["changed_by"]) for row in data["account_changes"]]
    assert changes[:3] == [
        ("created", "Front Door itself (no one signed in)"),
        ("changed", "another member of staff"),
        ("changed", "you"),
    ]
    assert b"ada.admin" not in raw
    assert all(
        set(row) & {"changed_by_user_id", "history_user_id"} == set()
        for row in data["account_changes"]
    )


def test_failed_sign_ins_and_browsers_are_their_own(held):
    _, raw, data = download(confirmed(client_for(held["me"])))

    assert data["failed_sign_ins_counting_now"] == [
        {"last_at": data["failed_sign_ins_counting_now"][0]["last_at"], "failures": 3}
    ]
    [browser] = data["known_browsers"]
    assert browser["first_seen_at"].startswith("2026-01-02T09:00:00")
    # The address of failed attempts and what they sent: never.
    assert b"198.51.100.20" not in raw
    assert b"203.0.113.99" not in raw
    assert b"hunter2" not in raw


def test_sessions_tokens_apps_and_keys_are_listed(held):
    _, _, data = download(confirmed(client_for(held["me"])))

    [session] = data["browser_sessions"]
    assert session["this_session"] is True
    assert [t["id"] for t in data["api_tokens"]] == [held["token"].pk]
    assert data["api_tokens"][0]["works_now"] is True
    assert [a["name"] for a in data["authenticator_apps"]] == ["My phone"]
    assert [k["name"] for k in data["security_keys"]] == ["Blue key"]
    assert data["security_keys"][0]["set_up"] is True


def test_notices_keep_the_words_only_of_those_about_the_account(held):
    _, raw, data = download(confirmed(client_for(held["me"])))

    notices = {n["id"]: n for n in data["notices"]}
    assert set(notices) == {
        held["account_notice"].pk,
        held["case_notice"].pk,
        held["alert"].pk,
    }
    about_me = notices[held["account_notice"].pk]
    assert about_me["body"] == "Someone signed in as you from Firefox on Linux."
    assert about_me["kind"] == "new_browser_sign_in"
    case = notices[held["case_notice"].pk]
    assert case["kind_name"] == "Referral received"
    assert case["link"] == "/"
    assert "body" not in case and "subject" not in case
    assert "body" not in notices[held["alert"].pk]
    assert b"203.0.113.5" not in raw
    assert b"For olly only" not in raw


def test_actions_name_records_by_number_without_their_detail(held):
    _, raw, data = download(confirmed(client_for(held["me"])))

    kinds = [(a["kind"], a["referral_id"]) for a in data["your_actions"]]
    assert kinds == [("note_added", 4242), ("account_data_exported", None)]
    exported = data["your_actions"][-1]
    assert (exported["object_type"], exported["object_id"]) == ("user", held["me"].pk)
    assert data["changes_to_your_account_by_others"][0]["kind"] == "password_set_by_admin"
    assert data["changes_to_your_account_by_others"][0]["changed_by"] == "another member of staff"
    [opened] = data["records_you_opened"]
    assert (opened["kind"], opened["object_id"], opened["broke_the_glass"]) == ("child", 31, True)
    assert CHILD_WORDS.encode() not in raw
    assert b"6161" not in raw  # the ids a list showed
    assert b"ada.admin" not in raw
    assert b"5353" not in raw  # the colleague's event


def test_nothing_secret_and_nothing_of_the_colleague_appears(held):
    client = confirmed(client_for(held["me"]))
    _, raw, _ = download(client)

    held["app"].refresh_from_db()
    held["me"].refresh_from_db()
    secrets = [
        held["me"].password,
        client.session.session_key,
        BROWSER_DIGEST,
        held["token"].raw,
        held["token"].digest,
        held["token"].token_key,
        TOTP_HEX,
        held["app"].key,
        held["key"].credential_id,
        "olly.other",
        held["others_token"].digest,
    ]
    for secret in secrets:
        assert secret.encode() not in raw, secret


def test_the_download_is_an_audit_event_and_in_the_security_log(held, caplog):
    me = held["me"]
    caplog.set_level(logging.INFO, logger="frontdoor.security")

    download(confirmed(client_for(me)))

    [event] = AuditEvent.objects.filter(kind=EventKind.ACCOUNT_DATA_EXPORTED)
    assert (event.actor_id, event.object_type, event.object_id) == (me.pk, "user", me.pk)
    assert event.detail == {"format": "json"}
    assert f"account data exported: user={me.pk}" in caplog.text


def test_the_second_step_comes_first(settings):
    settings.MFA_REQUIRED = True
    manager = UserFactory(role=Role.MANAGER)
    TOTPDeviceFactory(user=manager)

    response = confirmed(client_for(manager)).get(URL)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/two-step/verify/")
    assert not AuditEvent.objects.filter(kind=EventKind.ACCOUNT_DATA_EXPORTED).exists()


def test_a_password_to_replace_comes_first():
    person = UserFactory(role=Role.REFERRER, must_change_password=True)

    response = confirmed(client_for(person)).get(URL)

    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/"


def _many(person, count: int) -> None:
    AuditEvent.objects.bulk_create(
        AuditEvent(kind=EventKind.ASSIGNED, actor_id=person.pk, referral_id=i) for i in range(count)
    )
    AccessLog.objects.bulk_create(
        AccessLog(user_id=person.pk, username="x", role="auditor", kind="referral", path="/r/")
        for _ in range(count)
    )


def _queries_to_download(client) -> tuple[int, dict]:
    with CaptureQueriesContext(connection) as queries:
        _, _, data = download(client)
    return len(queries), data


def test_the_queries_do_not_grow_with_the_events(django_assert_max_num_queries):
    few, many = UserFactory(role=Role.AUDITOR), UserFactory(role=Role.AUDITOR)
    _many(few, 3)
    _many(many, 5000)  # more than a cursor's chunk: streamed through it
    few_client, many_client = confirmed(client_for(few)), confirmed(client_for(many))

    few_queries, _ = _queries_to_download(few_client)
    with django_assert_max_num_queries(25):
        many_queries, data = _queries_to_download(many_client)

    assert many_queries == few_queries
    assert len(data["your_actions"]) == 5001  # and the download itself
    assert len(data["records_you_opened"]) == 5000
