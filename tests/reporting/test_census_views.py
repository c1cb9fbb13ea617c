"""The census page, its download and the API: who may, bad input, the file's headers and
the access log."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from audit.models import AccessLog
from referrals.models import Outcome
from tests.factories import DecisionFactory, ReferralFactory

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 11, 27, 12, 0, tzinfo=LONDON)


@pytest.fixture
def decided():
    made = ReferralFactory(received_at=datetime(2026, 6, 1, 9, tzinfo=LONDON))
    DecisionFactory(referral=made, outcome=Outcome.NO_FURTHER_ACTION)
    return made


@time_machine.travel(NOW, tick=False)
def test_the_page_shows_the_current_year_its_counts_and_validation(manager_client, decided):
    response = manager_client.get(reverse("dashboard:census"))

    assert response.status_code == 200
    text = response.content.decode()
    assert "Collection year 2027: 1 April 2026 to 31 March 2027" in text
    assert 'data-testid="census-children">1<' in text
    assert 'data-testid="census-held-pass"' in text
    assert "?collection_year=2027&amp;format=xml" in text


@time_machine.travel(NOW, tick=False)
def test_a_bad_year_on_the_page_is_named_beside_the_field(auditor_client):
    response = auditor_client.get(reverse("dashboard:census"), {"collection_year": "1999"})

    assert response.status_code == 400
    assert "Collection year must be between 2023 and 2027" in response.content.decode()
    assert 'href="#collection_year"' in response.content.decode()


@pytest.mark.parametrize(
    "client_name", ["referrer_client", "screener_client", "agency_lead_client"]
)
def test_only_managers_and_auditors_open_the_page(request, client_name):
    client = request.getfixturevalue(client_name)
    assert client.get(reverse("dashboard:census")).status_code == 403
    assert client.get(reverse("api-census-cin"), {"collection_year": "2026"}).status_code == 403


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(("fmt", "media_type"), [("xml", "application/xml"), ("csv", "text/csv")])
def test_the_download_is_an_uncached_attachment_named_by_year(
    manager_client, decided, fmt, media_type
):
    response = manager_client.get(
        reverse("dashboard:census-download"), {"collection_year": "2027", "format": fmt}
    )

    assert response.status_code == 200
    assert response["Content-Type"].startswith(media_type)
    assert response["Content-Disposition"] == f'attachment; filename="cin-census-2027.{fmt}"'
    assert "no-store" in response["Cache-Control"]
    assert decided.child_first_name.encode() not in response.content


@time_machine.travel(NOW, tick=False)
def test_each_download_is_written_to_the_access_log(auditor_client, decided):
    auditor_client.get(reverse("api-census-cin"), {"collection_year": "2027", "format": "csv"})

    entry = AccessLog.objects.get(kind=AccessLog.Kind.CENSUS_EXPORT)
    assert entry.detail == {"collection_year": 2027, "children": 1, "referrals": 1, "format": "csv"}
    assert entry.path == reverse("api-census-cin")


@time_machine.travel(NOW, tick=False)
def test_the_api_answers_xml_by_default_and_csv_on_request(manager_client, decided):
    xml = manager_client.get(reverse("api-census-cin"), {"collection_year": "2027"})
    as_csv = manager_client.get(
        reverse("api-census-cin"), {"collection_year": "2027", "format": "csv"}
    )

    assert xml.status_code == 200 and xml.content.startswith(b"<?xml")
    assert b"<ReferralNFA>1</ReferralNFA>" in xml.content
    assert as_csv.status_code == 200 and as_csv.content.startswith(b"LAchildID,")
    assert "no-store" in as_csv["Cache-Control"]


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ({}, "collection_year", "This field is required."),
        (
            {"collection_year": "26"},
            "collection_year",
            "Collection year must be a year in 4 digits, like 2026",
        ),
        (
            {"collection_year": "2030"},
            "collection_year",
            "Collection year must be between 2023 and 2027",
        ),
        ({"collection_year": "2026", "format": "pdf"}, "format", '"pdf" is not a valid choice.'),
    ],
)
def test_the_api_names_the_field_it_cannot_read(manager_client, query, field, message):
    response = manager_client.get(reverse("api-census-cin"), query)

    assert response.status_code == 400
    assert response.json() == {field: [message]}
    assert not AccessLog.objects.filter(kind=AccessLog.Kind.CENSUS_EXPORT).exists()


@time_machine.travel(NOW, tick=False)
def test_a_bad_download_request_names_the_fields(manager_client):
    response = manager_client.get(
        reverse("dashboard:census-download"), {"collection_year": "x", "format": "pdf"}
    )

    assert response.status_code == 400
    text = response.content.decode()
    assert "collection_year: Collection year must be a year in 4 digits" in text
    assert "format: Format must be xml or csv" in text


def test_the_schema_documents_the_census_endpoint(manager_client):
    response = manager_client.get(reverse("api-schema"), {"format": "json"})

    operation = response.json()["paths"]["/api/v1/census/cin/"]["get"]
    assert set(operation["responses"]["200"]["content"]) == {"application/xml", "text/csv"}
    assert {p["name"] for p in operation["parameters"]} >= {"collection_year", "format"}


@time_machine.travel(NOW, tick=False)
def test_an_unchanged_return_is_not_validated_again(manager_client, decided, monkeypatch):
    from django.core.cache import cache

    from reporting import census_views

    cache.clear()
    runs = []
    real = census_views.validate

    def counting(xml, *, collection_year):
        runs.append(collection_year)
        return real(xml, collection_year=collection_year)

    monkeypatch.setattr(census_views, "validate", counting)
    manager_client.get(reverse("dashboard:census"))
    manager_client.get(reverse("dashboard:census"))
    assert runs == [2027]

    # A new decided referral changes the return: it is checked afresh.
    another = ReferralFactory(received_at=datetime(2026, 7, 1, 9, tzinfo=LONDON))
    DecisionFactory(referral=another, outcome=Outcome.NO_FURTHER_ACTION)
    manager_client.get(reverse("dashboard:census"))
    assert runs == [2027, 2027]


def test_the_kept_validation_is_json_and_reads_back_the_same(decided):
    """Redis keeps JSON, never pickle (frontdoor.redis_cache.JSONSerializer): the
    validation is kept as JSON and read back equal."""
    import json

    from reporting import census_views
    from reporting.census import build_return
    from reporting.census_xml import to_xml

    with time_machine.travel(NOW, tick=False):
        xml = to_xml(build_return(collection_year=2027))
        validation, seconds, at = census_views.checked(xml, collection_year=2027)
        kept = census_views._to_kept(validation, seconds, at)

    assert census_views._from_kept(json.loads(json.dumps(kept))) == (validation, seconds, at)
