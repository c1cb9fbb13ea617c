"""Every refused request (401, 403, 404) is in the security log with the user's id: who
tried what, never their name and never the query string."""

import logging

import pytest
from django.test import Client
from rest_framework.test import APIClient

from agencies.models import Role
from tests.factories import ApiTokenFactory, ReferralFactory, UserFactory

pytestmark = pytest.mark.django_db


# The test client's address, which every line written in a request ends with.
ADDRESS = " address=127.0.0.1"


def _without_address(lines: list[str]) -> list[str]:
    assert all(line.endswith(ADDRESS) for line in lines), lines
    return [line.removesuffix(ADDRESS) for line in lines]


def refusals(caplog) -> list[str]:
    return _without_address(
        [
            r.getMessage()
            for r in caplog.records
            if r.name == "frontdoor.security" and r.getMessage().startswith("access refused")
        ]
    )


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_page_refused_by_role_is_logged_with_the_user_id(caplog):
    pat = UserFactory(username="pat.example", role=Role.REFERRER)

    with caplog.at_level(logging.INFO):
        response = signed_in(pat).get("/triage/?agency=1")

    assert response.status_code == 403
    assert refusals(caplog) == [
        f"access refused: status=403 user={pat.pk} method=GET path=/triage/"
    ]
    assert not any("pat.example" in r.getMessage() for r in caplog.records)


def test_a_record_outside_the_users_scope_is_logged_as_its_404(caplog):
    pat = UserFactory(role=Role.REFERRER)
    theirs = ReferralFactory()

    with caplog.at_level(logging.INFO):
        response = signed_in(pat).get(f"/referrals/{theirs.pk}/")

    assert response.status_code == 404
    assert refusals(caplog) == [
        f"access refused: status=404 user={pat.pk} method=GET path=/referrals/{theirs.pk}/"
    ]


def test_an_api_refusal_names_the_tokens_user(caplog):
    token = ApiTokenFactory(user__role=Role.REFERRER)
    referral = ReferralFactory()
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.raw}")

    with caplog.at_level(logging.INFO):
        response = api.post(f"/api/v1/referrals/{referral.pk}/decision/", {}, format="json")

    assert response.status_code == 403
    assert refusals(caplog) == [
        f"access refused: status=403 user={token.user_id} method=POST "
        f"path=/api/v1/referrals/{referral.pk}/decision/"
    ]


def test_uncounted_refusals_are_logged_all_the_same(caplog):
    """A stale form (the CSRF check's 403) and a mistyped address (404, no route) do not
    count towards the many-refusals alert, but are in the security log as ever."""
    pat = UserFactory(role=Role.REFERRER)
    checked = Client(enforce_csrf_checks=True)
    checked.force_login(pat)

    with caplog.at_level(logging.INFO):
        stale = checked.post("/inbox/read/", {"csrfmiddlewaretoken": "stale"})
        mistyped = signed_in(pat).get("/refferals/")

    assert (stale.status_code, mistyped.status_code) == (403, 404)
    assert refusals(caplog) == [
        f"access refused: status=403 user={pat.pk} method=POST path=/inbox/read/",
        f"access refused: status=404 user={pat.pk} method=GET path=/refferals/",
    ]


def test_an_anonymous_api_request_is_logged_without_a_user(caplog):
    with caplog.at_level(logging.INFO):
        response = APIClient().get("/api/v1/referrals/")

    assert response.status_code == 401
    assert refusals(caplog) == [
        "access refused: status=401 user=- method=GET path=/api/v1/referrals/"
    ]


def test_an_answered_request_is_not_logged_as_refused(caplog, referrer_client):
    with caplog.at_level(logging.INFO):
        referrer_client.get("/")

    assert refusals(caplog) == []


def test_a_path_cannot_forge_a_line_or_a_field_of_the_log(caplog):
    forged = "/x%0Asign-in%20succeeded:%20user=1%20via=form%0D%E2%80%AEpath=/"

    with caplog.at_level(logging.INFO):
        response = Client().get(forged)

    assert response.status_code == 404
    (line,) = refusals(caplog)
    assert line == (
        "access refused: status=404 user=- method=GET "
        "path=/x%0Asign-in%20succeeded:%20user=1%20via=form%0D%E2%80%AEpath=/"
    )
    assert not any(
        "\n" in r.getMessage() or "\r" in r.getMessage() or " user=1 " in r.getMessage()
        for r in caplog.records
        if r.name == "frontdoor.security"
    )


def rejections(caplog) -> list[str]:
    return _without_address(
        [
            r.getMessage()
            for r in caplog.records
            if r.name == "frontdoor.security" and r.getMessage().startswith("request rejected")
        ]
    )


def test_input_that_fails_validation_is_logged_with_the_user_and_nothing_it_said(caplog):
    token = ApiTokenFactory(user__role=Role.REFERRER)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.raw}")

    with caplog.at_level(logging.INFO):
        response = api.post(
            "/api/v1/referrals/", {"children": [{"first_name": "Canary"}]}, format="json"
        )

    assert response.status_code == 400
    assert rejections(caplog) == [
        f"request rejected: status=400 user={token.user_id} method=POST path=/api/v1/referrals/"
    ]
    assert not any("Canary" in r.getMessage() for r in caplog.records)


def test_a_method_the_address_does_not_take_is_logged(caplog):
    pat = UserFactory(role=Role.REFERRER)

    with caplog.at_level(logging.INFO):
        response = signed_in(pat).delete("/referrals/mine/")

    assert response.status_code == 405
    assert rejections(caplog) == [
        f"request rejected: status=405 user={pat.pk} method=DELETE path=/referrals/mine/"
    ]
    assert refusals(caplog) == []
