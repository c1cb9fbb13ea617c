"""Every REST service checks the incoming Content-Type (ASVS 13.2.5, 13.1.5): each view
under /api/ parses JSON alone, so a body of any other type is a 415 before it is read,
and an answer in a type the API does not give is a 406."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.parsers import JSONParser
from rest_framework.views import APIView

from agencies.models import Role
from tests.clients import api_as
from tests.factories import UserFactory


def api_views(patterns=None, prefix=""):
    """(route, view class) of every DRF view the site answers."""
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from api_views(entry.url_patterns, route)
        elif isinstance(entry, URLPattern):
            view = getattr(entry.callback, "cls", None)
            if isinstance(view, type) and issubclass(view, APIView):
                yield route, view


def test_the_api_has_views_to_check():
    routes = [route for route, _ in api_views()]

    assert len(routes) >= 10
    assert any(route.startswith("api/v1/") for route in routes)


@pytest.mark.parametrize("route, view", list(api_views()), ids=lambda v: str(v))
def test_every_api_view_parses_json_alone(route, view):
    parsers = view().get_parsers()

    assert parsers, route
    assert all(isinstance(parser, JSONParser) for parser in parsers), (route, parsers)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/xml", "application/x-www-form-urlencoded"]
)
def test_a_body_of_another_type_is_a_415(content_type):
    screener = UserFactory(role=Role.SCREENER)

    response = api_as(screener).post(
        "/api/v1/children/matches/", data="last_name=Smith", content_type=content_type
    )

    assert response.status_code == 415


@pytest.mark.django_db
def test_an_answer_in_a_type_the_api_does_not_give_is_a_406():
    screener = UserFactory(role=Role.SCREENER)

    response = api_as(screener).get("/api/v1/referrals/", HTTP_ACCEPT="application/xml")

    assert response.status_code == 406


@pytest.mark.django_db
def test_a_signed_in_browser_posting_to_the_api_without_the_csrf_token_is_refused():
    """ASVS 13.2.3: the API takes the browser's session (SessionAuthentication), and so
    Django's CSRF check: a page elsewhere cannot post to it with the cookie alone."""
    screener = UserFactory(role=Role.SCREENER)
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(screener)

    response = browser.post(
        "/api/v1/children/matches/", data={"last_name": "Smith"}, content_type="application/json"
    )

    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
