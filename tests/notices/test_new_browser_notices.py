"""A sign-in from a browser that has not signed in to the account before tells its owner
(ASVS 2.2.3): an email and an inbox notice saying when (local time), which browser in
plain words, and what to do if it was not them. A browser is known by a signed,
long-lived cookie holding a random id, kept per account only as a digest; an account's
first browser is learnt without a notice."""

import logging
from datetime import timedelta

import pytest
import time_machine
from django.core import signing
from django.db import connection
from django.test import Client, RequestFactory
from django.utils import timezone
from django_otp.oath import totp

from agencies import known_browsers
from agencies.models import Authenticator, KnownBrowser, Role
from agencies.tasks import clear_sessions
from notices import services
from notices.models import NoticeKind, Notification
from tests.factories import PASSWORD, TOTPDeviceFactory, UserFactory

pytestmark = pytest.mark.django_db

AT = "2026-07-01 08:00:00+00:00"
WHEN = "Wed 01 Jul 2026 at 09:00"  # 08:00 UTC is 09:00 in London in July
ADMINISTRATOR = "tell your Front Door administrator straight away"
COOKIE = "fd_browser"
CHROME_ON_WINDOWS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)
FIREFOX_ON_MAC = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14.7; rv:133.0) Gecko/20100101 Firefox/133.0"
)
SAFARI_ON_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1"
)


def browser(user_agent=CHROME_ON_WINDOWS, address="203.0.113.7") -> Client:
    return Client(HTTP_USER_AGENT=user_agent, REMOTE_ADDR=address)


def sign_in(client, username="pat", password=PASSWORD):
    return client.post("/accounts/login/", {"username": username, "password": password})


@pytest.fixture
def told(django_capture_on_commit_callbacks, mailoutbox):
    """Run sign-ins at AT with the emails they commit delivered (tasks run in process)."""

    def run(action, at=AT):
        with (
            time_machine.travel(at, tick=False),
            django_capture_on_commit_callbacks(execute=True),
        ):
            return action()

    return run


def browser_id_in(value: str) -> str | None:
    """The id a cookie's value holds, read as the sign-in reads it (signature checked)."""
    request = RequestFactory().get("/")
    request.COOKIES[COOKIE] = value
    return known_browsers.browser_id_of(request)


def new_browser_notices():
    return Notification.objects.filter(kind=NoticeKind.NEW_BROWSER_SIGN_IN)


def test_a_sign_in_from_a_new_browser_emails_its_owner_when_which_browser_and_what_to_do(
    told, mailoutbox, caplog
):
    pat = UserFactory(username="pat", first_name="Patricia", last_name="Quennell")
    UserFactory(username="sam")  # told nothing
    told(lambda: sign_in(browser(CHROME_ON_WINDOWS)))  # the account's first browser
    assert mailoutbox == []

    with caplog.at_level(logging.INFO, logger="frontdoor.security"):
        response = told(lambda: sign_in(browser(FIREFOX_ON_MAC, address="198.51.100.23")))

    assert response.status_code == 302
    assert [m.to for m in mailoutbox] == [[pat.email]]
    email = mailoutbox[0]
    assert email.subject == "Front Door: Your account was signed in to from a new browser"
    assert (
        f"Your Front Door account was signed in to on {WHEN} from a browser it had not "
        "been signed in from before: Firefox on macOS."
    ) in email.body
    assert ADMINISTRATOR in email.body
    assert "change your password" in email.body
    assert "You can end that browser's session on your account page" in email.body
    assert "http://127.0.0.1:8000/accounts/" in email.body
    text = email.message().as_string()
    for kept_out in ("198.51.100.23", "Gecko", "rv:133.0", "Patricia", "Quennell", "pat@"):
        assert kept_out not in email.body, kept_out
    assert "Firefox/133" not in text
    inbox = Notification.objects.get(channel=Notification.Channel.INBOX)
    assert (inbox.recipient, inbox.kind) == (pat, NoticeKind.NEW_BROWSER_SIGN_IN)
    new = KnownBrowser.objects.filter(user=pat).latest("first_seen_at", "pk")
    assert f"sign-in from a new browser: user={pat.pk} browser={new.pk} outcome=told" in (
        caplog.text
    )
    assert "Firefox" not in caplog.text


def test_the_first_browser_of_an_account_is_learnt_without_a_notice(told, mailoutbox, caplog):
    pat = UserFactory(username="pat")
    client = browser()

    with caplog.at_level(logging.INFO, logger="frontdoor.security"):
        response = told(lambda: sign_in(client))

    assert response.status_code == 302
    assert mailoutbox == [] and not Notification.objects.exists()
    known = KnownBrowser.objects.get(user=pat)
    assert f"browser={known.pk} outcome=first" in caplog.text
    assert COOKIE in response.cookies


def test_signing_in_again_from_a_known_browser_tells_nobody_and_moves_its_last_seen(
    told, mailoutbox
):
    UserFactory(username="pat")
    client = browser()
    told(lambda: sign_in(client))
    first = KnownBrowser.objects.get()

    def sign_out_and_in():
        client.post("/accounts/logout/")
        return sign_in(client)

    response = told(sign_out_and_in, at="2026-09-01 08:00:00+00:00")

    assert response.status_code == 302
    assert mailoutbox == [] and not new_browser_notices().exists()
    again = KnownBrowser.objects.get()
    assert again.pk == first.pk
    assert again.first_seen_at == first.first_seen_at
    assert again.last_seen_at - first.last_seen_at == timedelta(days=62)


def test_a_wrong_password_learns_no_browser_and_tells_nobody(told, mailoutbox):
    UserFactory(username="pat")
    told(lambda: sign_in(browser()))

    response = told(lambda: sign_in(browser(FIREFOX_ON_MAC), password="not-the-password"))

    assert response.status_code == 200
    assert KnownBrowser.objects.count() == 1
    assert mailoutbox == []
    assert COOKIE not in response.cookies


def test_the_cookie_is_signed_http_only_same_site_lax_long_lived_and_kept_only_as_a_digest(
    told,
):
    pat = UserFactory(username="pat")

    response = told(lambda: sign_in(browser()))

    cookie = response.cookies[COOKIE]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert cookie["path"] == "/"
    assert int(cookie["max-age"]) == 400 * 24 * 3600
    assert not cookie["secure"]  # development and tests: plain HTTP (production: below)
    browser_id = browser_id_in(cookie.value)
    assert len(browser_id) == 43  # 256 random bits, base64
    known = KnownBrowser.objects.get(user=pat)
    assert browser_id not in known.digest
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM agencies_knownbrowser")
        assert browser_id not in repr(cursor.fetchall())


def test_the_cookie_is_secure_where_the_session_cookie_is(told, settings):
    settings.SESSION_COOKIE_SECURE = True
    settings.KNOWN_BROWSER_COOKIE_NAME = "__Host-fd_browser"
    UserFactory(username="pat")

    response = told(lambda: sign_in(browser()))

    cookie = response.cookies["__Host-fd_browser"]
    assert cookie["secure"] is True and cookie["path"] == "/" and not cookie["domain"]


def test_the_cookie_outlives_sign_out_and_is_given_again_at_each_sign_in(told):
    UserFactory(username="pat")
    client = browser()
    first = told(lambda: sign_in(client)).cookies[COOKIE].value

    client.post("/accounts/logout/")
    assert client.cookies[COOKIE].value == first
    again = told(lambda: sign_in(client)).cookies[COOKIE]

    # The same id, signed again with a fresh lifetime.
    assert browser_id_in(again.value) == browser_id_in(first)
    assert int(again["max-age"]) == 400 * 24 * 3600


@pytest.mark.parametrize(
    "cookie",
    ["forged-browser-id", signing.get_cookie_signer(salt="other").sign("x" * 43)],
    ids=["unsigned", "signed-for-something-else"],
)
def test_a_cookie_that_is_not_ours_makes_a_new_browser(told, mailoutbox, cookie):
    pat = UserFactory(username="pat")
    told(lambda: sign_in(browser()))
    client = browser(SAFARI_ON_IPHONE)
    client.cookies[COOKIE] = cookie

    response = told(lambda: sign_in(client))

    assert [m.to for m in mailoutbox] == [[pat.email]]
    assert "Safari on iPhone" in mailoutbox[0].body
    assert response.cookies[COOKIE].value != cookie
    assert KnownBrowser.objects.filter(user=pat).count() == 2


def test_two_accounts_on_one_browser_are_known_apart(told, mailoutbox):
    pat = UserFactory(username="pat")
    sam = UserFactory(username="sam")
    shared = browser()
    told(lambda: sign_in(shared, "pat"))
    shared.post("/accounts/logout/")

    told(lambda: sign_in(shared, "sam"))  # sam's first browser: learnt quietly
    shared.post("/accounts/logout/")
    told(lambda: sign_in(browser(FIREFOX_ON_MAC), "sam"))  # sam's second: told
    told(lambda: sign_in(shared, "pat"))  # pat's own again: nothing

    assert [m.to for m in mailoutbox] == [[sam.email]]
    digests = {b.user_id: b.digest for b in KnownBrowser.objects.filter(user=pat)}
    assert KnownBrowser.objects.filter(user=sam, digest=digests[pat.pk]).count() == 0


# --- With two-step verification: the sign-in is complete after the code ------------------


@pytest.fixture
def two_step(settings):
    settings.MFA_REQUIRED = True


def test_with_two_step_verification_a_new_browser_is_told_only_once_the_code_is_given(
    told, mailoutbox, two_step
):
    device = TOTPDeviceFactory(user__username="ruth")
    ruth = device.user
    first = browser()
    told(lambda: sign_in(first, "ruth"))
    assert not KnownBrowser.objects.exists()  # the password alone completes nothing
    told(lambda: first.post("/accounts/two-step/verify/", {"code": f"{totp(device.bin_key):06d}"}))
    assert KnownBrowser.objects.filter(user=ruth).count() == 1 and mailoutbox == []

    other = browser(SAFARI_ON_IPHONE)
    told(lambda: sign_in(other, "ruth"))
    assert mailoutbox == []  # the password alone: not yet signed in
    wrong = told(lambda: other.post("/accounts/two-step/verify/", {"code": "000000"}))
    assert wrong.status_code == 200 and mailoutbox == []

    def right_code():
        # The next time step: a code is never taken twice.
        with time_machine.travel(timezone.now() + timedelta(seconds=30), tick=False):
            return other.post("/accounts/two-step/verify/", {"code": f"{totp(device.bin_key):06d}"})

    response = told(right_code)

    assert response.status_code == 302
    assert [m.to for m in mailoutbox] == [[ruth.email]]
    assert "Safari on iPhone" in mailoutbox[0].body
    assert COOKIE in response.cookies


def test_setting_up_two_step_at_a_first_sign_in_learns_the_browser(told, mailoutbox, two_step):
    ruth = UserFactory(username="ruth", role=Role.MANAGER)
    client = browser()

    def sign_in_and_set_up():
        sign_in(client, "ruth")
        client.get("/accounts/two-step/")
        key = Authenticator.objects.get(user=ruth).bin_key
        return client.post("/accounts/two-step/", {"code": f"{totp(key):06d}"})

    response = told(sign_in_and_set_up)

    assert response.status_code == 302
    assert COOKIE in response.cookies
    assert KnownBrowser.objects.filter(user=ruth).count() == 1
    # Told that an app was set up; the browser, the account's first, learnt quietly.
    assert [m.subject for m in mailoutbox] == ["Front Door: Two-step verification was set up"]


# --- Kept small ------------------------------------------------------------------------


def test_an_account_keeps_its_most_recently_seen_browsers_and_forgets_the_oldest(
    told, settings, monkeypatch
):
    monkeypatch.setattr(known_browsers, "PER_USER", 3)
    pat = UserFactory(username="pat")
    clients = [browser() for _ in range(4)]
    for day, client in enumerate(clients, start=1):
        told(lambda client=client: sign_in(client), at=f"2026-07-0{day} 08:00:00+00:00")
        client.post("/accounts/logout/")
    assert KnownBrowser.objects.filter(user=pat).count() == 3

    # The first, forgotten, is new again; the second, kept, is not.
    notices_before = new_browser_notices().count()
    told(lambda: sign_in(clients[1]), at="2026-07-09 08:00:00+00:00")
    clients[1].post("/accounts/logout/")
    assert new_browser_notices().count() == notices_before
    told(lambda: sign_in(clients[0]), at="2026-07-10 08:00:00+00:00")
    assert new_browser_notices().count() > notices_before
    assert KnownBrowser.objects.filter(user=pat).count() == 3


def test_browsers_not_seen_for_longer_than_their_cookie_lasts_are_forgotten_by_the_cleanup(
    told,
):
    UserFactory(username="pat")
    UserFactory(username="sam")
    told(lambda: sign_in(browser(), "pat"), at="2025-01-01 08:00:00+00:00")
    told(lambda: sign_in(browser(), "sam"), at="2026-06-01 08:00:00+00:00")

    with time_machine.travel("2026-07-01 08:00:00+00:00", tick=False):
        clear_sessions()

    assert list(KnownBrowser.objects.values_list("user__username", flat=True)) == ["sam"]


# --- Telling never stops the sign-in ----------------------------------------------------


def test_a_sign_in_stands_when_its_notice_cannot_be_written(told, monkeypatch, caplog):
    def broken_outbox(**kwargs):
        with connection.cursor() as cursor:
            cursor.execute("SELECT * FROM no_such_table_for_notices")

    pat = UserFactory(username="pat")
    told(lambda: sign_in(browser()))
    monkeypatch.setattr(services, "raise_notice", broken_outbox)
    client = browser(FIREFOX_ON_MAC)

    def sign_in_and_look():
        return sign_in(client), client.get("/accounts/")

    with caplog.at_level(logging.ERROR, logger="frontdoor.security"):
        response, account_page = told(sign_in_and_look)

    assert response.status_code == 302
    assert account_page.status_code == 200  # signed in
    assert KnownBrowser.objects.filter(user=pat).count() == 2
    assert f"sign-in change not told: user={pat.pk} change=new_browser_sign_in" in caplog.text
