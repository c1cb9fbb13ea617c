"""GET /api/v1/referrals/ pages by position (a cursor), newest first: no count, no page
numbers, so neither the first page nor a deep one sorts or counts the whole history. A
cursor that is not one of the list's own links is a 400 naming ``cursor``."""

from __future__ import annotations

import base64
import json
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from agencies.models import Role
from audit.models import AccessLog
from referrals.models import Submission
from tests.clients import api_as
from tests.factories import ReferralFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/referrals/"


def token(raw) -> str:
    return base64.urlsafe_b64encode(json.dumps(raw).encode()).decode().rstrip("=")


@pytest.fixture
def referrer():
    return UserFactory(role=Role.REFERRER)


def test_the_list_is_newest_first_without_a_count(referrer):
    now = timezone.now()
    older = ReferralFactory(referrer=referrer, received_at=now - timedelta(hours=5))
    urgent_but_older = ReferralFactory(
        referrer=referrer, received_at=now - timedelta(hours=9), immediate_risk=True
    )
    newest = ReferralFactory(referrer=referrer, received_at=now - timedelta(hours=1))

    body = api_as(referrer).get(URL).json()

    assert [r["id"] for r in body["results"]] == [newest.pk, older.pk, urgent_but_older.pk]
    assert set(body) == {"next", "previous", "results"}
    assert body["next"] is None and body["previous"] is None


def test_next_and_previous_walk_every_referral_once_even_when_received_together(referrer):
    now = timezone.now()
    # 120 referrals; 30 of them in one submission received at one moment, across a page
    # boundary (ties on received_at are broken by id).
    together = Submission.objects.create(submitted_by=referrer)
    made = [
        ReferralFactory(referrer=referrer, received_at=now - timedelta(minutes=n))
        for n in range(90)
    ]
    at = now - timedelta(minutes=40, seconds=30)
    made += [
        ReferralFactory(referrer=referrer, submission=together, received_at=at) for _ in range(30)
    ]
    expected = sorted(made, key=lambda r: (r.received_at, r.pk), reverse=True)
    client = api_as(referrer)

    pages, url = [], URL
    while url:
        body = client.get(url).json()
        pages.append(body)
        url = body["next"]
    back = client.get(pages[-1]["previous"]).json()

    assert [len(p["results"]) for p in pages] == [50, 50, 20]
    assert [r["id"] for p in pages for r in p["results"]] == [r.pk for r in expected]
    assert pages[0]["previous"] is None
    assert back["results"] == pages[1]["results"]
    assert client.get(back["previous"]).json()["results"] == pages[0]["results"]
    assert client.get(back["previous"]).json()["previous"] is None


def test_each_page_logs_the_referrals_it_showed(referrer):
    ReferralFactory.create_batch(52, referrer=referrer)
    client = api_as(referrer)

    first = client.get(URL).json()
    second = client.get(first["next"]).json()

    logged = list(AccessLog.objects.filter(kind=AccessLog.Kind.REFERRAL_LIST).order_by("pk"))
    assert [row.detail["referrals"] for row in logged] == [
        [r["id"] for r in first["results"]],
        [r["id"] for r in second["results"]],
    ]


def test_a_deep_page_takes_as_many_queries_as_the_first(make_user):
    client = api_as(make_user(Role.MANAGER))
    ReferralFactory.create_batch(55)

    def queries(url) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    first = queries(URL)
    assert queries(client.get(URL).json()["next"]) == first


@pytest.mark.parametrize(
    "cursor",
    [
        "",
        "not a cursor",
        "cD0yMDI2LTAxLTAx",  # DRF's own kind (p=2026-01-01): not this list's
        token([0]),
        token([0, "2026-01-01T00:00:00+00:00"]),
        token([4, "2026-01-01T00:00:00+00:00", 1]),
        token([0, "yesterday", 1]),
        token([0, "2026-01-01T00:00:00", 1]),  # no time zone
        token([0, "2026-01-01T00:00:00+00:00", "x"]),
        token([0, "2026-01-01T00:00:00+00:00", 10**30]),
        token([0, "2026-01-01T00:00:00+00:00", 1.5]),
        token([0, "2026-01-01T00:00:00+00:00", True]),
        token([0, 20260101, 1]),
        token({"p": 1}),
        "A" * 401,
    ],
)
def test_a_cursor_that_is_not_a_link_is_a_400_naming_cursor(referrer, cursor):
    response = api_as(referrer).get(URL, {"cursor": cursor})

    assert response.status_code == 400
    assert list(response.json()) == ["cursor"]


def test_a_cursor_given_twice_is_a_400_naming_cursor(referrer):
    ReferralFactory.create_batch(51, referrer=referrer)
    client = api_as(referrer)
    cursor = client.get(URL).json()["next"].split("cursor=")[1]

    response = client.get(f"{URL}?cursor={cursor}&cursor={cursor}")

    assert response.status_code == 400
    assert list(response.json()) == ["cursor"]


def test_a_cursor_never_widens_what_the_caller_sees(referrer):
    ReferralFactory.create_batch(3)  # someone else's
    own = ReferralFactory(referrer=referrer)
    far_future = token([0, "2999-01-01T00:00:00+00:00", 2**62])

    body = api_as(referrer).get(URL, {"cursor": far_future}).json()

    assert [r["id"] for r in body["results"]] == [own.pk]
