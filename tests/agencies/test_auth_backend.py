"""The signed-in user read with their agency, by one statement compiled once a process
(agencies.auth_backend)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agencies.auth_backend import ModelBackend, user_with_agency
from agencies.models import Role
from tests.factories import AgencyFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_the_user_comes_with_their_agency_in_one_statement():
    agency = AgencyFactory(name="Northshire Police")
    user = UserFactory(role=Role.REFERRER, agency=agency, first_name="Ada")

    with CaptureQueriesContext(connection) as captured:
        found = ModelBackend().get_user(user.pk)
        names = (found.first_name, found.agency.name, found.agency.pk)

    assert len(captured.captured_queries) == 1
    assert names == ("Ada", "Northshire Police", agency.pk)
    assert found == user and found.role == Role.REFERRER
    assert found.last_login == user.last_login and found.date_joined == user.date_joined
    assert found._state.adding is False and found._state.db == "default"


def test_a_user_without_an_agency_has_none():
    user = UserFactory(role=Role.SCREENER, agency=None)

    with CaptureQueriesContext(connection) as captured:
        assert ModelBackend().get_user(user.pk).agency is None

    assert len(captured.captured_queries) == 1


def test_an_inactive_or_missing_user_is_nobody():
    user = UserFactory(role=Role.SCREENER, is_active=False)

    assert ModelBackend().get_user(user.pk) is None
    assert user_with_agency(user.pk + 1000) is None


def test_the_header_names_the_agency_with_no_statement_of_its_own(client):
    agency = AgencyFactory(name="Eastvale School")
    user = UserFactory(role=Role.REFERRER, agency=agency)
    client.force_login(user)
    client.get("/")

    with CaptureQueriesContext(connection) as captured:
        page = client.get("/").content.decode()

    assert "Eastvale School" in page
    # Before: SELECT "agencies_agency"... WHERE "agencies_agency"."id" = N, on every page.
    assert not [
        q for q in captured.captured_queries if q["sql"].startswith('SELECT "agencies_agency"')
    ]
