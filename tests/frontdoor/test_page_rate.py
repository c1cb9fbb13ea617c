"""A signed-in person's pages read beyond FRONTDOOR_PAGE_RATE are refused with 429 and
Retry-After (frontdoor.middleware.PageRateMiddleware): copying records out through the
website is as limited as through the API. Forms sent are never refused for their rate."""

import logging

import pytest
from django.test import Client

from agencies.models import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def three_a_minute(settings):
    rates = dict(settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], page="3/minute")
    settings.REST_FRAMEWORK = dict(settings.REST_FRAMEWORK, DEFAULT_THROTTLE_RATES=rates)
    # DRF's throttles read the rates when the class is first used: take them afresh.
    from frontdoor.middleware import PageRateThrottle

    original = PageRateThrottle.THROTTLE_RATES
    PageRateThrottle.THROTTLE_RATES = rates
    yield
    PageRateThrottle.THROTTLE_RATES = original


def _signed_in(role=Role.SCREENER) -> tuple[Client, object]:
    user = UserFactory(role=role)
    client = Client()
    client.force_login(user)
    return client, user


def test_pages_over_the_rate_are_refused_with_retry_after_and_logged(three_a_minute, caplog):
    client, user = _signed_in()
    for _ in range(3):
        assert client.get("/").status_code == 200

    with caplog.at_level(logging.INFO, logger="frontdoor.security"):
        refused = client.get("/triage/")

    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 60
    html = refused.content.decode()
    assert "You have opened too many pages in a short time" in html
    assert any(
        "status=429" in record.getMessage() and f"user={user.pk} " in record.getMessage()
        for record in caplog.records
    ), [r.getMessage() for r in caplog.records]


def test_each_person_has_their_own_count(three_a_minute):
    busy, _ = _signed_in()
    other, _ = _signed_in()
    for _ in range(3):
        busy.get("/")

    assert busy.get("/").status_code == 429
    assert other.get("/").status_code == 200


def test_a_form_sent_is_never_refused_for_the_rate(three_a_minute):
    client, _ = _signed_in()
    for _ in range(3):
        client.get("/")
    assert client.get("/").status_code == 429

    # Signing out is a POST like every form: it goes through.
    response = client.post("/accounts/logout/")

    assert response.status_code == 302


def test_the_api_and_people_not_signed_in_are_not_counted_here(three_a_minute):
    anonymous = Client()
    for _ in range(5):
        assert anonymous.get("/accounts/login/").status_code == 200


def test_an_empty_rate_turns_the_limit_off(settings):
    rates = dict(settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], page=None)
    settings.REST_FRAMEWORK = dict(settings.REST_FRAMEWORK, DEFAULT_THROTTLE_RATES=rates)
    client, _ = _signed_in()

    assert all(client.get("/").status_code == 200 for _ in range(10))
