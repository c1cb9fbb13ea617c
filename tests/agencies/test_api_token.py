"""API tokens (django-rest-knox): issued at POST /api/v1/auth/token/, stored hashed,
expiring after FRONTDOOR_API_TOKEN_IDLE_MINUTES unused and FRONTDOOR_API_TOKEN_HOURS in
all, ended at sign-out (the API's and the website's)
and at a password change, listed and revoked by their owner and by the administrator.
Refused requests, the lockout, throttling and the second factor at the token endpoint:
tests/agencies/test_api_token_refusals.py."""

import logging
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.hashers import make_password
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from rest_framework.test import APIClient

from agencies.models import ApiToken
from tests.agencies.api_tokens import (
    LOGOUT_URL,
    SOME_API,
    TOKENS_URL,
    ask_for_token,
    with_token,
)
from tests.clients import confirmed
from tests.factories import PASSWORD, ApiTokenFactory, UserFactory
from tests.frontdoor.test_settings import run_django

pytestmark = pytest.mark.django_db


def test_a_token_is_issued_for_a_correct_username_and_password(client):
    UserFactory(username="pat")

    response = ask_for_token(client)

    assert response.status_code == 200
    token = response.json()["token"]
    assert client.get("/api/schema/", HTTP_AUTHORIZATION=f"Token {token}").status_code == 200


def test_the_answer_says_when_the_token_expires(client, settings):
    UserFactory(username="pat")
    with time_machine.travel("2026-11-27 09:00:00+00:00", tick=False):
        body = ask_for_token(client).json()

    issued = parse_datetime("2026-11-27 09:00:00+00:00")
    assert set(body) == {"token", "expires_at", "expires_at_latest"}
    assert parse_datetime(body["expires_at"]) == issued + timedelta(
        minutes=settings.API_TOKEN_IDLE_MINUTES
    )
    assert parse_datetime(body["expires_at_latest"]) == issued + timedelta(
        hours=settings.API_TOKEN_HOURS
    )


def test_only_a_digest_of_the_token_is_stored(client):
    UserFactory(username="pat")

    token = ask_for_token(client).json()["token"]

    [stored] = ApiToken.objects.all()
    assert stored.digest != token and len(stored.digest) == 128
    assert token not in stored.digest
    # What is kept of the token itself is the short prefix knox looks it up by.
    assert len(stored.token_key) < len(token) // 4


def use_every(traveller, token: str, *, every: timedelta, until: timedelta) -> list[int]:
    """Send a request with the token every ``every`` from now until ``until`` from now;
    the statuses answered."""
    statuses = []
    waited = timedelta(0)
    while waited + every <= until:
        traveller.shift(every)
        waited += every
        statuses.append(with_token(token).get(SOME_API).status_code)
    return statuses


def test_a_token_stops_working_when_it_expires():
    """However much it is used, never past FRONTDOOR_API_TOKEN_HOURS (8) after issue."""
    pat = UserFactory(username="pat")
    with time_machine.travel("2026-11-27 09:00:00+00:00", tick=False) as traveller:
        token = ApiTokenFactory(user=pat).raw
        # Used every 20 minutes (within the 30-minute idle limit) up to 7h40.
        statuses = use_every(
            traveller, token, every=timedelta(minutes=20), until=timedelta(hours=7, minutes=40)
        )
        traveller.shift(timedelta(minutes=19))  # 7h59
        assert with_token(token).get(SOME_API).status_code == 200

        traveller.shift(timedelta(minutes=2))  # 8h01, 2 minutes after its last use
        response = with_token(token).get(SOME_API)

    assert statuses == [200] * 23
    assert response.status_code == 401
    assert not ApiToken.objects.filter(user=pat).exists()  # removed on the way


def test_a_token_unused_past_the_idle_limit_stops_working(settings):
    pat = UserFactory(username="pat")
    idle = timedelta(minutes=settings.API_TOKEN_IDLE_MINUTES)
    with time_machine.travel("2026-11-27 09:00:00+00:00", tick=False) as traveller:
        token = ApiTokenFactory(user=pat).raw
        traveller.shift(idle - timedelta(minutes=1))
        last_use = with_token(token).get(SOME_API)
        traveller.shift(idle + timedelta(seconds=1))
        response = with_token(token).get(SOME_API)

    assert last_use.status_code == 200
    assert response.status_code == 401
    assert not ApiToken.objects.filter(user=pat).exists()  # removed on the way


def test_a_token_used_within_the_idle_limit_keeps_working_past_it(settings):
    pat = UserFactory(username="pat")
    assert settings.API_TOKEN_IDLE_MINUTES == 30
    with time_machine.travel("2026-11-27 09:00:00+00:00", tick=False) as traveller:
        token = ApiTokenFactory(user=pat).raw
        # 09:25, 09:50, 10:15, 10:40: each within 30 minutes of the one before.
        statuses = use_every(
            traveller, token, every=timedelta(minutes=25), until=timedelta(minutes=100)
        )
        [stored] = ApiToken.objects.filter(user=pat)

    assert statuses == [200, 200, 200, 200]
    assert stored.expiry == parse_datetime("2026-11-27 11:10:00+00:00")


def test_a_request_writes_to_the_tokens_row_at_most_once_a_minute():
    """knox moves the expiry forward, and saves it, only when it would move by more than
    MIN_REFRESH_INTERVAL (60 seconds): not a write on every request."""
    pat = UserFactory(username="pat")
    writes = []
    with time_machine.travel("2026-11-27 09:00:00+00:00", tick=False) as traveller:
        token = ApiTokenFactory(user=pat).raw
        for seconds in (20, 20, 20, 20, 5, 5, 50, 70):
            traveller.shift(seconds)
            with CaptureQueriesContext(connection) as queries:
                assert with_token(token).get(SOME_API).status_code == 200
            writes.append(sum('UPDATE "agencies_apitoken"' in query["sql"] for query in queries))
        [stored] = ApiToken.objects.filter(user=pat)

    # At 0:20, 0:40, 1:00 the expiry would move by a minute or less: nothing written; at
    # 1:20 by 80 seconds: written; at 1:25, 1:30 and 2:20 by a minute or less from that;
    # at 3:30 by 130 seconds: written.
    assert writes == [0, 0, 0, 1, 0, 0, 0, 1]
    assert stored.expiry == parse_datetime("2026-11-27 09:33:30+00:00")


def test_the_token_lifetime_is_a_setting(settings):
    settings.REST_KNOX = {
        **settings.REST_KNOX,
        "TOKEN_TTL": timedelta(minutes=45),
        "AUTO_REFRESH_MAX_TTL": timedelta(hours=2),
    }
    pat = UserFactory(username="pat")
    with time_machine.travel("2026-11-27 09:00:00+00:00", tick=False) as traveller:
        body = ask_for_token(Client()).json()
        statuses = use_every(
            traveller, body["token"], every=timedelta(minutes=40), until=timedelta(hours=2)
        )
        traveller.shift(timedelta(minutes=1))
        response = with_token(body["token"]).get(SOME_API)

    assert parse_datetime(body["expires_at"]) == parse_datetime("2026-11-27 09:45:00+00:00")
    assert parse_datetime(body["expires_at_latest"]) == parse_datetime("2026-11-27 11:00:00+00:00")
    assert statuses == [200, 200, 200]  # 09:40, 10:20, 11:00 (its last moment)
    assert response.status_code == 401
    assert pat.auth_token_set.count() == 0


def test_the_token_limits_come_from_the_environment(tmp_path):
    read = (
        "from django.conf import settings as s; k = s.REST_KNOX; "
        "print(k['TOKEN_TTL'], k['AUTO_REFRESH'], k['MIN_REFRESH_INTERVAL'], "
        "k['AUTO_REFRESH_MAX_TTL'])"
    )
    defaults = run_django(read, tmp_path, DJANGO_DEBUG="true")
    chosen = run_django(
        read,
        tmp_path,
        DJANGO_DEBUG="true",
        FRONTDOOR_API_TOKEN_IDLE_MINUTES="15",
        FRONTDOOR_API_TOKEN_HOURS="4",
    )
    too_long = run_django(
        "",
        tmp_path,
        DJANGO_DEBUG="true",
        FRONTDOOR_API_TOKEN_IDLE_MINUTES="121",
        FRONTDOOR_API_TOKEN_HOURS="2",
    )

    assert defaults.stdout.strip() == "0:30:00 True 60 8:00:00", defaults.stderr
    assert chosen.stdout.strip() == "0:15:00 True 60 4:00:00", chosen.stderr
    assert too_long.returncode != 0
    assert "FRONTDOOR_API_TOKEN_IDLE_MINUTES (121) must not be longer than" in too_long.stderr


def test_a_token_stops_working_after_signing_out_with_it(client):
    UserFactory(username="pat")
    token = ask_for_token(client).json()["token"]
    api = with_token(token)

    response = api.post(LOGOUT_URL)

    assert response.status_code == 204
    assert api.get(SOME_API).status_code == 401
    assert ApiToken.objects.count() == 0


def test_signing_out_with_one_token_leaves_the_others(client):
    UserFactory(username="pat")
    first = ask_for_token(client).json()["token"]
    second = ask_for_token(client).json()["token"]

    with_token(first).post(LOGOUT_URL)

    assert with_token(first).get(SOME_API).status_code == 401
    assert with_token(second).get(SOME_API).status_code == 200


def test_signing_out_of_the_api_needs_a_token(referrer_client):
    assert APIClient().post(LOGOUT_URL).status_code == 401
    assert referrer_client.post(LOGOUT_URL).status_code == 401


def test_signing_out_of_the_website_ends_the_persons_tokens(client):
    pat = UserFactory(username="pat")
    token = ask_for_token(client).json()["token"]
    other = ApiTokenFactory().raw
    browser = Client()
    browser.force_login(pat)

    browser.post("/accounts/logout/")

    assert with_token(token).get(SOME_API).status_code == 401
    assert with_token(other).get(SOME_API).status_code == 200


def test_a_session_running_out_leaves_the_tokens(client):
    """Only signing out ends them: a browser left idle says nothing about the systems
    that use the person's tokens."""
    pat = UserFactory(username="pat")
    browser = Client()
    with time_machine.travel("2026-11-27 09:00:00+00:00", tick=False) as traveller:
        browser.post("/accounts/login/", {"username": "pat", "password": PASSWORD})
        token = ApiTokenFactory(user=pat).raw
        traveller.shift(timedelta(minutes=20))
        assert with_token(token).get(SOME_API).status_code == 200
        traveller.shift(timedelta(minutes=11))
        assert browser.get("/").status_code == 302  # signed out for being idle

        assert with_token(token).get(SOME_API).status_code == 200


def test_a_token_stops_working_after_a_password_change(client):
    pat = UserFactory(username="pat")
    token = ask_for_token(client).json()["token"]

    pat.set_password("a-new-and-quite-unusual-passphrase")
    pat.save()

    assert with_token(token).get(SOME_API).status_code == 401
    assert ApiToken.objects.count() == 0


def test_saving_a_user_without_a_new_password_leaves_their_tokens(client):
    pat = UserFactory(username="pat")
    token = ask_for_token(client).json()["token"]

    pat.job_title = "Safeguarding lead"
    pat.save()

    assert with_token(token).get(SOME_API).status_code == 200


def test_a_password_hash_upgraded_at_sign_in_is_not_a_password_change(client, settings):
    """Signing in with a password stored under an older hasher re-hashes it: that must
    not end the person's tokens."""
    pat = UserFactory(username="pat")
    token = ApiTokenFactory(user=pat).raw
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.MD5PasswordHasher",
    ]
    pat.password = make_password(PASSWORD, hasher="md5")
    pat.save(update_fields=["password"])

    client.post("/accounts/login/", {"username": "pat", "password": PASSWORD})

    pat.refresh_from_db()
    assert pat.password.startswith("pbkdf2_sha256$")
    assert with_token(token).get(SOME_API).status_code == 200


# --- Listing and revoking ----------------------------------------------------------------


def test_the_owner_lists_their_live_tokens_through_the_api(client):
    pat = UserFactory(username="pat")
    first = ApiTokenFactory(user=pat)
    second = ApiTokenFactory(user=pat)
    ApiTokenFactory()  # someone else's
    expired = ApiTokenFactory(user=pat)
    ApiToken.objects.filter(pk=expired.pk).update(expiry=timezone.now() - timedelta(minutes=1))

    body = with_token(first.raw).get(TOKENS_URL).json()

    assert [row["id"] for row in body] == [second.pk, first.pk]
    assert [row["current"] for row in body] == [False, True]
    assert set(body[0]) == {"id", "created_at", "expires_at", "expires_at_latest", "current"}
    assert first.raw not in str(body) and first.digest not in str(body)


def test_the_owner_revokes_a_token_through_the_api():
    pat = UserFactory(username="pat")
    mine, spare = ApiTokenFactory(user=pat), ApiTokenFactory(user=pat)

    response = with_token(mine.raw).delete(f"{TOKENS_URL}{spare.pk}/")

    assert response.status_code == 204
    assert with_token(spare.raw).get(SOME_API).status_code == 401
    assert with_token(mine.raw).get(SOME_API).status_code == 200


def test_nobody_revokes_anothers_token_through_the_api():
    mine, theirs = ApiTokenFactory(), ApiTokenFactory()

    response = with_token(mine.raw).delete(f"{TOKENS_URL}{theirs.pk}/")

    assert response.status_code == 404
    assert with_token(theirs.raw).get(SOME_API).status_code == 200


def test_the_account_page_lists_the_owners_tokens_and_revokes_one():
    pat = UserFactory(username="pat")
    mine = ApiTokenFactory(user=pat)
    theirs = ApiTokenFactory()
    browser = Client()
    browser.force_login(pat)

    page = browser.get("/accounts/").content.decode()
    # Having confirmed it is them (agencies.reauth; tests/agencies/test_reauth.py).
    revoked = confirmed(browser).post(f"/accounts/tokens/{mine.pk}/revoke/")
    after = browser.get("/accounts/").content.decode()
    refused = browser.post(f"/accounts/tokens/{theirs.pk}/revoke/")

    assert f"Token {mine.pk}" in page and f"Token {theirs.pk}" not in page
    assert f'action="/accounts/tokens/{mine.pk}/revoke/"' in page
    assert revoked.status_code == 302 and revoked["Location"] == "/accounts/"
    assert "no longer works" in after and f"Token {mine.pk}" not in after
    assert with_token(mine.raw).get(SOME_API).status_code == 401
    assert refused.status_code == 404
    assert with_token(theirs.raw).get(SOME_API).status_code == 200


def test_the_account_page_says_both_limits_of_each_token(settings):
    pat = UserFactory(username="pat")
    browser = Client()
    browser.force_login(pat)
    with time_machine.travel("2026-11-27 09:00:00+00:00", tick=False):
        ApiTokenFactory(user=pat)
        page = browser.get("/accounts/").content.decode()

    assert settings.TIME_ZONE == "Europe/London"  # GMT in November: the times are UTC's
    assert "has not been used for 30 minutes, and 8 hours after it was issued" in page
    assert "Expires if not used" in page and "Expires at the latest" in page
    assert "Fri 27 Nov 2026, 09:30" in page
    assert "Fri 27 Nov 2026, 17:00" in page


def test_the_administrator_lists_and_revokes_anyones_token_in_the_admin(sysadmin_client):
    token = ApiTokenFactory()

    listing = sysadmin_client.get("/admin/agencies/apitoken/")
    deleted = confirmed(sysadmin_client).post(
        f"/admin/agencies/apitoken/{token.pk}/delete/", {"post": "yes"}
    )

    assert listing.status_code == 200
    assert token.user.username in listing.content.decode()
    assert token.digest not in listing.content.decode()
    assert deleted.status_code == 302
    assert with_token(token.raw).get(SOME_API).status_code == 401


def test_the_admin_cannot_make_a_token_for_someone_else(sysadmin_client):
    assert sysadmin_client.get("/admin/agencies/apitoken/add/").status_code == 403


def test_tokens_in_the_admin_are_for_the_administrator_only(manager_client):
    assert manager_client.get("/admin/agencies/apitoken/").status_code == 403


def test_issuing_and_revoking_are_logged_with_ids_only(client, caplog):
    pat = UserFactory(username="pat.example")
    with caplog.at_level(logging.INFO):
        token = ask_for_token(client, "pat.example").json()["token"]
        with_token(token).post(LOGOUT_URL)

    logged = [r.getMessage() for r in caplog.records if r.name == "frontdoor.security"]
    assert (
        f"sign-in succeeded: user={pat.pk} via=api path=/api/v1/auth/token/ address=127.0.0.1"
        in logged
    )
    assert any(m.startswith(f"api token issued: user={pat.pk} ") for m in logged)
    assert any(m.startswith(f"api token ended: user={pat.pk} ") for m in logged)
    assert not any(
        "pat.example" in r.getMessage() or token in r.getMessage() for r in caplog.records
    )


# --- The schema documents every answer ---------------------------------------------------


def test_the_schema_documents_each_answer_of_the_token_endpoints(referrer_client):
    schema = referrer_client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    paths = schema["paths"]

    token = paths["/api/v1/auth/token/"]["post"]
    # 413 and 415: the body must be JSON, and not too large (frontdoor.api_schema).
    # 403: an administrator set the password, and its owner has not yet replaced it.
    assert set(token["responses"]) == {"200", "400", "401", "403", "413", "415", "429"}
    assert "Retry-After" in token["responses"]["429"]["headers"]
    assert set(
        token["requestBody"]["content"]["application/json"]["schema"]["$ref"].split("/")[-1:]
    ) == {"TokenRequest"}
    issued = schema["components"]["schemas"]["Token"]["properties"]
    assert set(issued) == {"token", "expires_at", "expires_at_latest"}
    assert set(paths["/api/v1/auth/logout/"]["post"]["responses"]) == {"204", "401", "429"}
    assert set(paths["/api/v1/auth/tokens/"]["get"]["responses"]) == {
        "200",
        "401",
        "403",
        "429",
    }
    assert set(paths["/api/v1/auth/tokens/{token_id}/"]["delete"]["responses"]) == {
        "204",
        "401",
        "403",
        "404",
        "429",
    }
