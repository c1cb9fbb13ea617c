"""Signed-in browser sessions (ASVS 3.3.4): the account page lists each person's, and they
end any other one, or all the others, after giving their password again; an
administrator signs a person out everywhere; a password change, an account made
inactive and the session cleanup end them too."""

import logging
from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from agencies.browser_sessions import device_description
from agencies.models import ApiToken, BrowserSession, Role
from agencies.tasks import clear_sessions
from tests.clients import confirmed
from tests.factories import PASSWORD, ApiTokenFactory, UserFactory

# Each as production reads sessions (from the shared cache) and as the tests do.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("either_cache")]

ACCOUNT = "/accounts/"
END_OTHERS = "/accounts/sessions/end-others/"
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


def browser(user, agent: str = CHROME_ON_WINDOWS) -> Client:
    """A browser signed in as ``user`` through the sign-in page."""
    client = Client(HTTP_USER_AGENT=agent)
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    return client


def signed_in(client: Client) -> bool:
    return client.get(ACCOUNT).status_code == 200


def session_of(client: Client) -> BrowserSession:
    return BrowserSession.objects.get(session_key=client.session.session_key)


def end_url(session: BrowserSession) -> str:
    return reverse("account-session-end", args=[session.pk])


@pytest.mark.parametrize(
    ("agent", "described"),
    [
        (CHROME_ON_WINDOWS, "Chrome on Windows"),
        (FIREFOX_ON_MAC, "Firefox on macOS"),
        (SAFARI_ON_IPHONE, "Safari on iPhone"),
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
            "Edge on Windows",
        ),
        (
            "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/131.0.0.0 Mobile Safari/537.36",
            "Chrome on Android",
        ),
        (
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "HeadlessChrome/131.0.0.0 Safari/537.36",
            "Chrome on Linux",
        ),
        ("curl/8.5.0", "An unknown browser"),
        ("", "An unknown browser"),
    ],
)
def test_a_browser_is_described_coarsely(agent, described):
    assert device_description(agent) == described


def test_the_account_page_lists_the_persons_sessions_and_marks_this_one():
    pat = UserFactory(username="pat")
    here = browser(pat, CHROME_ON_WINDOWS)
    browser(pat, FIREFOX_ON_MAC)
    browser(UserFactory(username="sam"), SAFARI_ON_IPHONE)

    page = here.get(ACCOUNT).content.decode()

    table = page[page.index('data-testid="browser-sessions"') :]
    table = table[: table.index("</table>")]
    assert 'Chrome on Windows <strong class="govuk-tag govuk-tag--green">This session' in table
    assert "Firefox on macOS" in table
    assert "Safari on iPhone" not in table  # another person's
    assert table.count("<tr") == 3  # the heading and two sessions
    # The session keys are the cookies' secrets: never on a page.
    for key in BrowserSession.objects.values_list("session_key", flat=True):
        assert key not in page
    assert 'data-testid="end-other-sessions"' in page


def test_the_times_shown_are_local_with_the_weekday_and_year(time_machine):
    # 13:05 UTC in July is 14:05 in London; dated as every other page dates a moment.
    time_machine.move_to("2026-07-01 13:05:00+00:00", tick=False)
    pat = UserFactory(username="pat")
    here = browser(pat)
    browser(pat, FIREFOX_ON_MAC)

    page = here.get(ACCOUNT).content.decode()

    table = page[page.index('data-testid="browser-sessions"') :]
    table = table[: table.index("</table>")]
    # This session's start; the other's start, last use and its End link's hidden text.
    assert table.count("Wed 1 Jul 2026, 14:05") == 4


def test_only_what_is_needed_is_kept():
    pat = UserFactory(username="pat")
    client = browser(pat, CHROME_ON_WINDOWS)

    fields = {field.name for field in BrowserSession._meta.get_fields()}
    assert fields == {"id", "user", "session_key", "started_at", "device"}
    stored = Session.objects.get(session_key=client.session.session_key).session_data
    decoded = Session.objects.get(session_key=client.session.session_key).get_decoded()
    assert "Chrome/131" not in stored and "127.0.0.1" not in str(decoded)


def test_ending_another_session_asks_the_password_again_and_signs_that_browser_out(caplog):
    pat = UserFactory(username="pat")
    here, there = browser(pat), browser(pat, FIREFOX_ON_MAC)
    other = session_of(there)

    page = here.get(end_url(other))
    assert page.status_code == 200
    assert "End the session on Firefox on macOS" in page.content.decode()

    wrong = here.post(end_url(other), {"password": "not-the-password"})
    assert wrong.status_code == 200
    text = wrong.content.decode()
    assert '<a href="#id_password">Your password is not right. Enter it again.</a>' in text
    assert signed_in(there)

    empty = here.post(end_url(other), {})
    assert '<a href="#id_password">Enter your password.</a>' in empty.content.decode()
    assert signed_in(there)

    with caplog.at_level(logging.INFO, logger="frontdoor.security"):
        done = here.post(end_url(other), {"password": PASSWORD}, follow=True)
    assert done.redirect_chain == [(ACCOUNT, 302)]
    assert "The session on Firefox on macOS is ended" in done.content.decode()
    assert not signed_in(there)
    assert signed_in(here)
    assert not BrowserSession.objects.filter(pk=other.pk).exists()
    logged = [r.getMessage() for r in caplog.records if r.name == "frontdoor.security"]
    assert (
        f"browser session ended: user={pat.pk} session={other.pk} by={pat.pk} "
        "address=127.0.0.1" in logged
    )


def test_a_wrong_password_counts_towards_the_lockout(settings):
    pat = UserFactory(username="pat")
    here, there = browser(pat), browser(pat, FIREFOX_ON_MAC)
    other = session_of(there)

    for _ in range(settings.AXES_FAILURE_LIMIT):
        here.post(end_url(other), {"password": "not-the-password"})
    # Locked: even the right password is refused now.
    response = here.post(end_url(other), {"password": PASSWORD})

    assert response.status_code == 429
    assert signed_in(there)


def test_ending_all_other_sessions_keeps_this_one():
    pat = UserFactory(username="pat")
    here = browser(pat)
    others = [browser(pat, FIREFOX_ON_MAC), browser(pat, SAFARI_ON_IPHONE)]
    sam = browser(UserFactory(username="sam"))

    page = here.get(END_OTHERS)
    assert "(2 sessions)" in page.content.decode()
    response = here.post(END_OTHERS, {"password": PASSWORD})

    assert response.status_code == 302
    assert [signed_in(client) for client in others] == [False, False]
    assert signed_in(here)
    assert signed_in(sam)
    assert list(BrowserSession.objects.filter(user=pat)) == [session_of(here)]


def test_ending_all_other_sessions_with_a_wrong_password_ends_none():
    pat = UserFactory(username="pat")
    here, there = browser(pat), browser(pat, FIREFOX_ON_MAC)

    response = here.post(END_OTHERS, {"password": "not-the-password"})

    assert response.status_code == 200
    assert "Your password is not right" in response.content.decode()
    assert signed_in(there)


def test_only_the_owner_ends_a_session():
    pat, sam = UserFactory(username="pat"), UserFactory(username="sam")
    pats = browser(pat, FIREFOX_ON_MAC)
    sams = browser(sam)
    target = session_of(pats)

    assert sams.get(end_url(target)).status_code == 404
    # Even with their own right password (and with pat's).
    assert sams.post(end_url(target), {"password": PASSWORD}).status_code == 404
    assert signed_in(pats)
    sams.post(END_OTHERS, {"password": PASSWORD})
    assert signed_in(pats)


def test_this_session_is_not_ended_from_its_own_list():
    pat = UserFactory(username="pat")
    here = browser(pat)

    assert here.post(end_url(session_of(here)), {"password": PASSWORD}).status_code == 404
    assert signed_in(here)


def test_signed_out_visitors_are_sent_to_sign_in():
    pat = UserFactory(username="pat")
    other = session_of(browser(pat))

    response = Client().get(end_url(other))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_session_keeps_its_row_when_its_key_changes_and_a_password_change_ends_the_others():
    pat = UserFactory(username="pat")
    here, there = browser(pat), browser(pat, FIREFOX_ON_MAC)
    started = session_of(here)

    response = here.post(
        reverse("password-change"),
        {
            "old_password": PASSWORD,
            "new_password1": "plum orchard quietly ferries",
            "new_password2": "plum orchard quietly ferries",
        },
    )

    assert response.status_code == 302
    moved = session_of(here)  # Django gave this session a new key (cycle_key)
    assert (moved.pk, moved.device) == (started.pk, started.device)
    assert moved.session_key != started.session_key
    page = here.get(ACCOUNT).content.decode()
    assert "This session" in page and "Firefox on macOS" not in page
    assert not signed_in(there)


def test_making_an_account_inactive_ends_its_sessions_and_tokens():
    pat = UserFactory(username="pat")
    clients = [browser(pat), browser(pat, FIREFOX_ON_MAC)]
    ApiTokenFactory(user=pat)

    pat.is_active = False
    pat.save()

    assert not BrowserSession.objects.filter(user=pat).exists()
    assert not ApiToken.objects.filter(user=pat).exists()
    assert [signed_in(client) for client in clients] == [False, False]


def test_an_administrator_signs_a_person_out_everywhere(sysadmin_client, caplog):
    pat, sam = UserFactory(username="pat"), UserFactory(username="sam")
    pats = [browser(pat), browser(pat, FIREFOX_ON_MAC)]
    sams = browser(sam)
    ApiTokenFactory(user=pat)

    with caplog.at_level(logging.INFO, logger="frontdoor.security"):
        response = confirmed(sysadmin_client).post(
            reverse("admin:agencies_user_changelist"),
            {"action": "sign_out_everywhere", "_selected_action": [pat.pk]},
            follow=True,
        )

    assert response.status_code == 200
    assert "2 browser session(s) and 1 API token(s) ended" in response.content.decode()
    assert [signed_in(client) for client in pats] == [False, False]
    assert signed_in(sams)
    assert not ApiToken.objects.filter(user=pat).exists()
    logged = [r.getMessage() for r in caplog.records if r.name == "frontdoor.security"]
    assert any(m.startswith(f"browser session ended-all: user={pat.pk} ") for m in logged)


def test_only_administrators_have_the_action(make_user):
    manager = Client()
    manager.force_login(make_user(Role.MANAGER))
    pat = UserFactory(username="pat")
    there = browser(pat)

    response = manager.post(
        reverse("admin:agencies_user_changelist"),
        {"action": "sign_out_everywhere", "_selected_action": [pat.pk]},
    )

    assert response.status_code == 403
    assert signed_in(there)


def test_a_browser_signed_in_as_someone_else_is_listed_for_the_new_person_only():
    pat, sam = UserFactory(username="pat"), UserFactory(username="sam")
    client = Client()
    client.force_login(sam)
    sams = session_of(client)

    client.force_login(pat)  # Django flushes sam's session and starts pat's

    assert not BrowserSession.objects.filter(pk=sams.pk).exists()
    assert session_of(client).user == pat
    assert "This session" in client.get(ACCOUNT).content.decode()


def test_signing_out_and_timing_out_delete_the_row(time_machine, settings):
    time_machine.move_to("2026-07-01 13:05:00+00:00", tick=False)
    pat = UserFactory(username="pat")
    here, idle = browser(pat), browser(pat, FIREFOX_ON_MAC)
    idle_row = session_of(idle)

    here.post(reverse("logout"))
    assert list(BrowserSession.objects.filter(user=pat)) == [idle_row]

    time_machine.shift(settings.SESSION_IDLE_TIMEOUT.total_seconds() + 60)
    assert not signed_in(idle)
    assert not BrowserSession.objects.filter(user=pat).exists()


def test_an_idle_session_is_no_longer_listed(time_machine, settings):
    time_machine.move_to("2026-07-01 13:05:00+00:00", tick=False)
    pat = UserFactory(username="pat")
    browser(pat, FIREFOX_ON_MAC)
    time_machine.shift(settings.SESSION_IDLE_TIMEOUT.total_seconds() - 120)
    here = browser(pat)
    time_machine.shift(180)  # the Firefox session is now idle past the limit

    page = here.get(ACCOUNT).content.decode()

    assert "Firefox on macOS" not in page
    assert 'data-testid="end-other-sessions"' not in page


def test_the_cleanup_deletes_expired_sessions_and_the_rows_of_ended_ones():
    pat = UserFactory(username="pat")
    live, expired = browser(pat), browser(pat, FIREFOX_ON_MAC)
    gone = session_of(expired)
    Session.objects.filter(session_key=gone.session_key).update(
        expire_date=timezone.now() - timedelta(minutes=1)
    )
    # A row whose session was deleted some other way (by hand, a database restore).
    orphan = BrowserSession.objects.create(
        user=pat, session_key="x" * 32, started_at=timezone.now(), device="Chrome on Linux"
    )

    clear_sessions()

    assert not Session.objects.filter(session_key=gone.session_key).exists()
    assert set(BrowserSession.objects.values_list("pk", flat=True)) == {session_of(live).pk}
    assert not BrowserSession.objects.filter(pk=orphan.pk).exists()
    assert signed_in(live)
