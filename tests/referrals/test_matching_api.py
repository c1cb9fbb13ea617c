"""Child matching through the API, POST /api/v1/children/matches/: who may ask, what it
answers, the access log, what a search costs, and bad or retired requests refused. The
same tests run on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import re
from datetime import date

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from agencies.models import Role
from audit.models import AccessLog
from referrals.matching import find_matches
from tests.factories import ApiTokenFactory, ChildFactory, UserFactory
from tests.referrals.matching_helpers import NHS_A

pytestmark = pytest.mark.django_db

URL = "/api/v1/children/matches/"


def api_as(role: Role) -> APIClient:
    client = APIClient()
    client.force_authenticate(UserFactory(role=role))
    return client


@pytest.mark.parametrize("role", [Role.SCREENER, Role.MANAGER])
def test_screeners_and_managers_get_matches_best_first(role):
    child = ChildFactory(
        first_name="Oliver",
        last_name="Smith",
        date_of_birth=date(2017, 3, 4),
        postcode="LS1 4AP",
    )

    response = api_as(role).post(
        URL,
        {"first_name": "Oliver", "last_name": "Smyth", "date_of_birth": "2017-03-04"},
        format="json",
    )

    assert response.status_code == 200
    [body] = response.json()
    assert body == {
        "id": child.pk,
        "score": body["score"],
        "reasons": [
            "Date of birth matches",
            "First name matches",
            "Last name similar (Smyth / Smith)",
        ],
        "first_name": "Oliver",
        "last_name": "Smith",
        "date_of_birth": "2017-03-04",
        "postcode": "LS1 4AP",
    }
    assert 0.5 < body["score"] < 1


@pytest.mark.parametrize(
    "role", [Role.REFERRER, Role.AGENCY_LEAD, Role.PARTNER, Role.AUDITOR, Role.ADMIN]
)
def test_everyone_else_is_refused(role):
    ChildFactory(last_name="Smith")

    response = api_as(role).post(URL, {"last_name": "Smith"}, format="json")

    assert response.status_code == 403
    assert "Smith" not in response.content.decode()


def test_anonymous_callers_are_refused():
    response = APIClient().post(URL, {"last_name": "Smith"}, format="json")

    assert response.status_code == 401


def test_the_api_returns_at_most_ten():
    for _ in range(12):
        ChildFactory(first_name="Ada", last_name="Mensah", date_of_birth=date(2017, 3, 4))

    response = api_as(Role.SCREENER).post(URL, {"date_of_birth": "2017-03-04"}, format="json")

    assert response.status_code == 200
    assert len(response.json()) == 10


def test_no_parameters_is_a_400_naming_them():
    response = api_as(Role.SCREENER).post(URL, {"first_name": "", "postcode": "  "}, format="json")

    assert response.status_code == 400
    [message] = response.json()["non_field_errors"]
    for name in ("first_name", "last_name", "date_of_birth", "postcode", "nhs_number"):
        assert name in message


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"date_of_birth": "2017-13-04"}, "date_of_birth"),
        ({"date_of_birth": "04/03/2017"}, "date_of_birth"),
        ({"last_name": "x" * 101}, "last_name"),
        ({"first_name": "x" * 101}, "first_name"),
        ({"postcode": "not a postcode"}, "postcode"),
        ({"nhs_number": "1234567890"}, "nhs_number"),
        ({"nhs_number": "9" * 15}, "nhs_number"),
    ],
)
def test_invalid_parameters_are_a_400_naming_the_parameter(params, field):
    response = api_as(Role.MANAGER).post(URL, params, format="json")

    assert response.status_code == 400
    assert list(response.json()) == [field]


def test_every_call_is_written_to_the_access_log_without_the_details():
    client = api_as(Role.SCREENER)

    client.post(URL, {"last_name": "Smith", "date_of_birth": "2017-03-04"}, format="json")
    client.post(URL, {"nhs_number": NHS_A}, format="json")
    client.post(URL, {}, format="json")  # a 400 is still a search

    entries = list(AccessLog.objects.order_by("pk"))
    assert len(entries) == 3
    for entry in entries:
        assert entry.kind == AccessLog.Kind.CHILD_SEARCH
        assert entry.object_id is None
        assert entry.role == Role.SCREENER
        assert entry.path == URL
    stored = " ".join(
        str(getattr(e, f.attname)) for e in entries for f in AccessLog._meta.concrete_fields
    )
    assert "Smith" not in stored and "2017" not in stored and NHS_A not in stored


def test_a_search_with_a_token_runs_seven_statements():
    """A search by name and date of birth, as the page benchmark posts: the token and
    its holder's other tokens (knox), the children born on the date given, the names of
    those born on the nearby dates, the closest of those, the matches' records, and the
    access log's row. Nothing a candidate, nothing the throttle (its cache)."""
    born = date(2017, 3, 4)
    child = ChildFactory(first_name="Ada", last_name="Smith", date_of_birth=born)
    ChildFactory(first_name="Ada", last_name="Smith", date_of_birth=date(2016, 3, 4))
    for n in range(5):
        ChildFactory(first_name=f"Bo{'o' * n}", last_name="Jones", date_of_birth=born)
    token = ApiTokenFactory(user=UserFactory(role=Role.SCREENER))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.raw}")
    body = {"first_name": "Ada", "last_name": "Smtih", "date_of_birth": born.isoformat()}

    with CaptureQueriesContext(connection) as captured:
        answer = client.post(URL, body, format="json")

    assert answer.status_code == 200
    assert answer.json()[0]["id"] == child.pk
    tables = [re.search(r'(?:FROM|INTO) "(\w+)"', q["sql"]).group(1) for q in captured]
    assert tables == [
        "agencies_apitoken",
        "agencies_apitoken",
        "referrals_child",
        "referrals_child",
        "referrals_child",
        "referrals_child",
        "audit_accesslog",
    ]


@pytest.mark.postgres(reason="pg_trgm and its GIN indexes")
def test_the_date_of_birth_blocks_read_the_covering_index_alone():
    """Every column the two date-of-birth blocks read is in referrals_child_dob_rows, so
    PostgreSQL answers them from the index without a table page a child (migration
    0009; docs/PERFORMANCE.md)."""
    born = date(2018, 3, 4)
    ChildFactory(first_name="Ada", last_name="Smith", other_names="Quist", date_of_birth=born)
    with CaptureQueriesContext(connection) as captured:
        find_matches(first_name="Ada", last_name="Smyth", date_of_birth=born, postcode="LS1 4AP")
    blocks = [q["sql"] for q in captured if '"date_of_birth" IN (' in q["sql"]]
    assert len(blocks) == 2  # the date given (and swapped), and the nearby dates

    with connection.cursor() as cursor:
        # A test's few rows make a table or bitmap scan the cheapest: take those away, to
        # see whether the index alone can serve each block.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        for sql in blocks:
            cursor.execute("EXPLAIN " + sql)
            plan = "\n".join(row[0] for row in cursor.fetchall())
            assert "Index Only Scan using referrals_child_dob_rows" in plan, plan


def test_refused_calls_are_not_logged_as_searches():
    api_as(Role.REFERRER).post(URL, {"last_name": "Smith"}, format="json")

    assert not AccessLog.objects.filter(kind=AccessLog.Kind.CHILD_SEARCH).exists()


def test_the_details_travel_in_the_body_and_the_answer_names_no_url_with_them():
    ChildFactory(first_name="Oliver", last_name="Smith", date_of_birth=None)

    response = api_as(Role.SCREENER).post(
        URL, {"first_name": "Oliver", "last_name": "Smith"}, format="json"
    )

    assert response.status_code == 200
    assert response.wsgi_request.get_full_path() == URL  # no query string at all


@pytest.mark.parametrize("role", [Role.SCREENER, Role.MANAGER])
def test_the_retired_get_is_a_405_saying_to_post_and_searches_nothing(role):
    ChildFactory(first_name="Oliver", last_name="Smith", date_of_birth=None)

    response = api_as(role).get(URL, {"first_name": "Oliver", "last_name": "Smith"})

    assert response.status_code == 405
    assert response["Allow"] == "POST, OPTIONS"
    detail = response.json()["detail"]
    assert "POST" in detail and "JSON body" in detail
    assert "Smith" not in response.content.decode()
    assert not AccessLog.objects.exists()


@pytest.mark.parametrize(
    ("client", "status"),
    [(lambda: api_as(Role.REFERRER), 403), (lambda: api_as(Role.AUDITOR), 403), (APIClient, 401)],
)
def test_the_retired_get_still_checks_who_is_asking_first(client, status):
    response = client().get(URL, {"last_name": "Smith"})

    assert response.status_code == status


def test_a_form_encoded_body_is_refused_with_415():
    response = api_as(Role.SCREENER).post(URL, {"last_name": "Smith"})  # multipart

    assert response.status_code == 415


def test_a_body_that_is_not_an_object_is_a_400_not_a_server_error():
    response = api_as(Role.SCREENER).post(URL, ["Smith"], format="json")

    assert response.status_code == 400


def test_invisible_characters_in_the_details_are_ignored():
    child = ChildFactory(first_name="Oliver", last_name="Smith", date_of_birth=None)

    response = api_as(Role.SCREENER).post(
        URL, {"first_name": "Oli\u200bver", "last_name": "\u202eSmith\ufeff"}, format="json"
    )

    assert response.status_code == 200
    [body] = response.json()
    assert body["id"] == child.pk
    assert body["reasons"] == ["First name matches", "Last name matches"]


def test_the_schema_documents_a_post_with_a_body_and_no_get(tmp_path):
    path = tmp_path / "schema.json"
    call_command("spectacular", "--format", "openapi-json", "--file", str(path))

    operations = json.loads(path.read_text())["paths"][URL]

    assert set(operations) == {"post"}
    post = operations["post"]
    assert "parameters" not in post
    body = post["requestBody"]["content"]["application/json"]["schema"]
    assert body == {"$ref": "#/components/schemas/ChildMatchRequest"}
    assert {"400", "401", "403", "413", "415"} <= set(post["responses"])
