import logging
from datetime import timedelta

import pytest
import time_machine
from axes.models import AccessLog
from django.conf import settings
from django.test import Client
from django.urls import reverse

from agencies.models import Role
from demo.data.agencies import DEMO_PASSWORD, USERS, seed_agencies_and_users
from tests.factories import PASSWORD, UserFactory

# Each as production reads sessions (from the shared cache) and as the tests do.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("either_cache")]

LOGIN = "/accounts/login/"

HOME_HEADINGS = {
    Role.REFERRER: "Refer a child you are worried about",
    Role.AGENCY_LEAD: "Your agency's referrals",
    Role.SCREENER: "Screening referrals",
    Role.MANAGER: "Decisions and the 24-hour clock",
    Role.PARTNER: "Information requests for your agency",
    Role.AUDITOR: "Quality assurance and audit",
    Role.ADMIN: "System administration",
}


def sign_in(client: Client, username: str, password: str, **extra):
    return client.post(LOGIN, {"username": username, "password": password}, **extra)


@pytest.mark.parametrize("username", [user[0] for user in USERS])
def test_every_demo_user_signs_in_and_lands_on_their_roles_home_page(client, username):
    seed_agencies_and_users()

    response = sign_in(client, username, DEMO_PASSWORD)

    assert response.status_code == 302
    assert response["Location"] == "/"
    home = client.get("/")
    role = home.context["user"].role
    assert f"home/{role}.html" in [t.name for t in home.templates]
    assert HOME_HEADINGS[Role(role)] in home.content.decode()
    assert home.context["user"].get_role_display() in home.content.decode()


def test_the_header_names_the_user_their_agency_and_role(client):
    seed_agencies_and_users()
    sign_in(client, "referrer.school", DEMO_PASSWORD)

    page = client.get("/").content.decode()

    assert "Sam Okafor" in page
    assert "Millbrook Primary School" in page
    assert ">Referrer<" in page


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get("/")

    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


def test_a_wrong_password_is_refused_with_a_clear_message(client):
    UserFactory(username="pat")

    response = sign_in(client, "pat", "not-the-password")

    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    assert "Enter a correct username and password" in page
    assert "_auth_user_id" not in client.session


def test_a_failed_sign_in_is_logged_with_the_user_id_not_the_password_or_username(client, caplog):
    pat = UserFactory(username="pat.example")

    with caplog.at_level(logging.INFO):
        sign_in(client, "pat.example", "hunter2-wrong-password")

    failures = [r for r in caplog.records if r.name == "frontdoor.security"]
    assert len(failures) == 1
    assert "sign-in failed" in failures[0].getMessage()
    assert f"user={pat.pk} " in failures[0].getMessage()
    everything_logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "hunter2-wrong-password" not in everything_logged
    assert "pat.example" not in everything_logged


def fail_from(client, username, address, times):
    for _ in range(times):
        sign_in(client, username, "wrong", REMOTE_ADDR=address)


def test_repeated_failures_lock_that_account_from_that_address(client, settings):
    UserFactory(username="pat")

    fail_from(client, "pat", "10.0.0.7", settings.AXES_FAILURE_LIMIT)
    response = sign_in(client, "pat", PASSWORD, REMOTE_ADDR="10.0.0.7")

    assert response.status_code == 429
    assert "Sign-in is locked for now" in response.content.decode()
    assert response["Retry-After"] == str(int(settings.AXES_COOLOFF_TIME.total_seconds()))
    assert "_auth_user_id" not in client.session


def test_five_wrong_passwords_from_one_address_do_not_lock_the_manager_out_from_another(
    client, settings
):
    """Nobody can keep the manager out during the 24-hour clock by guessing wrong."""
    UserFactory(username="manager.ruth", role=Role.MANAGER)

    fail_from(client, "manager.ruth", "203.0.113.66", settings.AXES_FAILURE_LIMIT)
    response = Client().post(
        LOGIN, {"username": "manager.ruth", "password": PASSWORD}, REMOTE_ADDR="10.0.0.12"
    )

    assert response.status_code == 302
    assert response["Location"] == "/"


def test_failures_against_other_accounts_do_not_lock_everyone_behind_one_address(client, settings):
    UserFactory(username="pat")

    for attempt in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, f"guess{attempt}", "wrong", REMOTE_ADDR="10.0.0.7")
    response = sign_in(client, "pat", PASSWORD, REMOTE_ADDR="10.0.0.7")

    assert response.status_code == 302


def test_failures_spread_over_addresses_do_not_add_up(client, settings):
    UserFactory(username="pat")

    for attempt in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "pat", "wrong", REMOTE_ADDR=f"10.0.0.{attempt + 1}")
    response = sign_in(client, "pat", PASSWORD, REMOTE_ADDR="10.0.0.1")

    assert response.status_code == 302


def test_a_lockout_lifts_after_the_cool_off_and_a_try_during_it_starts_it_again(client, settings):
    UserFactory(username="pat")
    cool_off = int(settings.AXES_COOLOFF_TIME.total_seconds())
    with time_machine.travel("2026-11-27 09:00:00+00:00", tick=False) as traveller:
        fail_from(client, "pat", "10.0.0.7", settings.AXES_FAILURE_LIMIT)
        traveller.shift(cool_off - 60)
        # Still locked: and this wrong try starts the cool-off again.
        assert sign_in(client, "pat", "wrong", REMOTE_ADDR="10.0.0.7").status_code == 429
        traveller.shift(120)
        assert sign_in(client, "pat", PASSWORD, REMOTE_ADDR="10.0.0.7").status_code == 429

        traveller.shift(cool_off + 1)
        response = sign_in(client, "pat", PASSWORD, REMOTE_ADDR="10.0.0.7")

    assert response.status_code == 302


def test_a_forwarded_for_header_is_ignored_unless_proxies_are_configured(client, settings):
    """Without FRONTDOOR_PROXY_COUNT, a client cannot pick the address it is counted as."""
    UserFactory(username="pat")

    for attempt in range(settings.AXES_FAILURE_LIMIT):
        sign_in(
            client, "pat", "wrong", REMOTE_ADDR="10.0.0.7", HTTP_X_FORWARDED_FOR=f"1.2.3.{attempt}"
        )
    response = sign_in(client, "pat", PASSWORD, REMOTE_ADDR="10.0.0.7")

    assert response.status_code == 429


def test_behind_a_configured_proxy_the_forwarded_address_is_counted(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    UserFactory(username="pat")

    fail_from_proxy = {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "198.51.100.9"}
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "pat", "wrong", **fail_from_proxy)

    assert sign_in(client, "pat", PASSWORD, **fail_from_proxy).status_code == 429
    other = {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "198.51.100.10"}
    assert sign_in(client, "pat", PASSWORD, **other).status_code == 302


def test_a_sign_in_for_no_such_account_is_logged_without_a_user(client, caplog):
    with caplog.at_level(logging.INFO):
        sign_in(client, "nobody.here", "whatever-it-is")

    [failure] = [r.getMessage() for r in caplog.records if r.name == "frontdoor.security"]
    assert "sign-in failed: user=- account=" in failure
    assert "nobody.here" not in failure


def test_a_successful_sign_in_is_logged_with_the_user_id(client, caplog):
    pat = UserFactory(username="pat.example")

    with caplog.at_level(logging.INFO):
        sign_in(client, "pat.example", PASSWORD)

    logged = [r.getMessage() for r in caplog.records if r.name == "frontdoor.security"]
    assert (
        f"sign-in succeeded: user={pat.pk} via=web path=/accounts/login/ address=127.0.0.1"
        in logged
    )
    assert not any("pat.example" in r.getMessage() for r in caplog.records)


def test_axes_keeps_no_log_of_sign_ins_and_sign_outs(client):
    """The security log has each sign-in by id and address; axes' own log would keep the
    username, address and whole user agent string of every one, for ever."""
    UserFactory(username="pat")

    sign_in(client, "pat", PASSWORD, HTTP_USER_AGENT="Mozilla/5.0 (X11; Linux x86_64) Test/1")
    client.post("/accounts/logout/")

    assert client.get("/accounts/login/").status_code == 200
    assert not AccessLog.objects.exists()


def test_failures_below_the_limit_do_not_lock(client, settings):
    UserFactory(username="pat")

    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in(client, "pat", "wrong")
    response = sign_in(client, "pat", PASSWORD)

    assert response.status_code == 302


def test_a_session_ends_after_30_minutes_idle(client):
    UserFactory(username="pat")
    with time_machine.travel("2026-11-27 16:00:00+00:00", tick=False) as traveller:
        sign_in(client, "pat", PASSWORD)
        traveller.shift(29 * 60)
        assert client.get("/").status_code == 200

        traveller.shift(31 * 60)
        response = client.get("/")

        assert response.status_code == 302
        assert response["Location"].startswith(LOGIN)
        page = client.get(response["Location"]).content.decode()
        assert "inactive for 30 minutes" in page


def test_a_session_ends_after_12_hours_however_active(client):
    UserFactory(username="pat")
    with time_machine.travel("2026-11-27 07:00:00+00:00", tick=False) as traveller:
        sign_in(client, "pat", PASSWORD)
        for _ in range(35):  # a request every 20 minutes for 11 hours 40 minutes
            traveller.shift(20 * 60)
            assert client.get("/").status_code == 200

        traveller.shift(21 * 60)  # 12 hours and 1 minute after signing in
        response = client.get("/")

        assert response.status_code == 302
        assert response["Location"].startswith(LOGIN)


def test_an_idle_api_session_gets_401_not_a_redirect(client):
    UserFactory(username="pat")
    with time_machine.travel("2026-11-27 16:00:00+00:00", tick=False) as traveller:
        sign_in(client, "pat", PASSWORD)
        traveller.shift(31 * 60)

        response = client.get("/api/schema/")

    assert response.status_code == 401
    assert "inactive for 30 minutes" in response.json()["detail"]


def test_sign_out_is_a_post_and_ends_the_session(referrer_client):
    assert referrer_client.get("/accounts/logout/").status_code == 405

    response = referrer_client.post("/accounts/logout/")

    assert response.status_code == 302
    assert referrer_client.get("/").status_code == 302


def test_signing_out_tells_the_browser_to_clear_what_it_kept(referrer_client):
    response = referrer_client.post("/accounts/logout/")

    # Not "cookies": the session cookie is deleted by the same answer, and the CSRF and
    # messages cookies are wanted by the sign-in page it goes to.
    assert response["Clear-Site-Data"] == '"cache", "storage"'
    assert response.cookies[settings.SESSION_COOKIE_NAME].value == ""


def test_a_session_that_ran_out_tells_the_browser_to_clear_what_it_kept(client):
    UserFactory(username="pat")
    with time_machine.travel("2026-11-27 16:00:00+00:00", tick=False) as traveller:
        sign_in(client, "pat", PASSWORD)
        traveller.shift(31 * 60)

        response = client.get("/")

    assert response.status_code == 302
    assert response["Clear-Site-Data"] == '"cache", "storage"'


def test_the_page_after_signing_out_says_so_and_is_marked_for_the_other_tabs(referrer_client):
    page = referrer_client.get("/")
    assert 'data-fd-sign-in-url="/accounts/login/"' in page.content.decode()
    assert "data-fd-signed-out" not in page.content.decode()

    response = referrer_client.post("/accounts/logout/", follow=True)

    html = response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("login")
    assert "You have signed out." in html
    # The mark static/js/app.mjs reads to take the other tabs' pages off the screen.
    assert "data-fd-signed-out" in html
    assert "data-fd-sign-in-url" not in html


def test_signing_out_when_not_signed_in_tells_no_tabs(client):
    response = client.post("/accounts/logout/", follow=True)

    assert "data-fd-signed-out" not in response.content.decode()
    assert "You have signed out." not in response.content.decode()


def test_a_session_that_ran_out_leaves_the_other_tabs_alone(client):
    # Their forms may hold what was typed before the time-out, which sending keeps
    # (SessionTimeoutMiddleware's save_on_timeout); only a chosen sign-out clears them.
    UserFactory(username="pat")
    with time_machine.travel("2026-11-27 16:00:00+00:00", tick=False) as traveller:
        sign_in(client, "pat", PASSWORD)
        traveller.shift(31 * 60)

        response = client.get("/", follow=True)

    assert "You were signed out because you were inactive" in response.content.decode()
    assert "data-fd-signed-out" not in response.content.decode()


def test_signed_in_users_visiting_sign_in_go_home(referrer_client):
    response = referrer_client.get(LOGIN)

    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_the_sign_in_page_states_the_idle_limit_in_force(client, settings):
    settings.SESSION_IDLE_TIMEOUT = timedelta(minutes=15)

    page = client.get(LOGIN).content.decode()

    assert "signed out after 15 minutes without activity" in page


def test_the_idle_limit_is_a_setting(client, settings):
    settings.SESSION_IDLE_TIMEOUT = timedelta(minutes=15)
    UserFactory(username="pat")
    with time_machine.travel("2026-11-27 16:00:00+00:00", tick=False) as traveller:
        sign_in(client, "pat", PASSWORD)
        traveller.shift(14 * 60)
        assert client.get("/").status_code == 200

        traveller.shift(16 * 60)
        response = client.get("/")

    assert response.status_code == 302
    assert "inactive for 15 minutes" in client.get(response["Location"]).content.decode()


def test_passwords_are_checked_by_djangos_validators():
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        validate_password("password")
    with pytest.raises(ValidationError):
        validate_password("short1!")
    validate_password("a-long-and-unusual-passphrase")
