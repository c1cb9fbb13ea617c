"""The auditors' access log: search by user, child and date; break-the-glass alerts;
a child's search finds the list pages and searches that showed them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

from agencies.models import Role
from audit.models import AccessLog
from tests.clients import client_for
from tests.factories import ChallengeFactory, ChildFactory, ReferralFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = "/audit/access-log/"


@pytest.fixture
def auditor():
    return client_for(UserFactory(role=Role.AUDITOR))


def entry(username="screener.one", at=None, **fields) -> AccessLog:
    return AccessLog.objects.create(
        username=username,
        role="screener",
        path="/somewhere/",
        at=at or datetime(2026, 3, 10, 12, tzinfo=UTC),
        **fields,
    )


def shown(response) -> list[int]:
    return [row.entry.pk for row in response.context["rows"]]


def test_the_url_is_the_one_the_design_names():
    assert reverse("oversight:access-log") == URL


def test_rows_newest_first_with_who_when_what_and_why(auditor):
    referral = ReferralFactory()
    older = entry(kind=AccessLog.Kind.REFERRAL, object_id=referral.pk)
    newer = entry(
        kind=AccessLog.Kind.REFERRAL,
        object_id=referral.pk,
        at=older.at + timedelta(hours=1),
        break_glass_reason="A new call about the family; reading the last decision.",
    )

    response = auditor.get(URL)

    assert response.status_code == 200
    assert shown(response) == [newer.pk, older.pk]
    text = response.content.decode()
    assert "screener.one" in text
    assert f"Referral {referral.reference}" in text
    assert "A new call about the family; reading the last decision." in text


def test_filter_by_user(auditor):
    mine = entry(username="screener.one", kind=AccessLog.Kind.CHILD, object_id=1)
    entry(username="manager.two", kind=AccessLog.Kind.CHILD, object_id=1)

    assert shown(auditor.get(URL, {"user": "screener.one"})) == [mine.pk]


def test_filter_by_dates_takes_whole_days(auditor):
    day = datetime(2026, 3, 10, 0, 30, tzinfo=UTC)
    before = entry(kind=AccessLog.Kind.CHILD, object_id=1, at=day - timedelta(days=2))
    within = entry(kind=AccessLog.Kind.CHILD, object_id=1, at=day + timedelta(hours=20))
    after = entry(kind=AccessLog.Kind.CHILD, object_id=1, at=day + timedelta(days=3))

    got = shown(auditor.get(URL, {"from": "2026-03-10", "to": "2026-03-11"}))

    assert got == [within.pk]
    assert before.pk not in got and after.pk not in got


def test_filter_by_child_finds_the_record_its_referrals_and_the_lists_that_showed_them(auditor):
    child = ChildFactory()
    referral = ReferralFactory(child=child)
    challenge = ChallengeFactory(decision__referral=ReferralFactory(child=child))
    other = ReferralFactory()
    hits = [
        entry(kind=AccessLog.Kind.CHILD, object_id=child.pk),
        entry(kind=AccessLog.Kind.REFERRAL, object_id=referral.pk),
        entry(kind=AccessLog.Kind.CHALLENGE, object_id=challenge.pk),
        entry(kind=AccessLog.Kind.REFERRAL_LIST, detail={"referrals": [other.pk, referral.pk]}),
        entry(kind=AccessLog.Kind.CHILD_SEARCH, detail={"children": [child.pk]}),
    ]
    misses = [
        entry(kind=AccessLog.Kind.REFERRAL, object_id=other.pk),
        entry(kind=AccessLog.Kind.REFERRAL_LIST, detail={"referrals": [other.pk]}),
        # An id that only starts or ends like the referral's is not it.
        entry(
            kind=AccessLog.Kind.REFERRAL_LIST,
            detail={"referrals": [referral.pk * 10 + 1, int(f"9{referral.pk}")]},
        ),
        entry(kind=AccessLog.Kind.CHILD, object_id=child.pk + 1000),
    ]

    got = shown(auditor.get(URL, {"child": child.pk}))

    assert sorted(got) == sorted(e.pk for e in hits)
    assert not set(got) & {e.pk for e in misses}


def test_the_alerts_show_only_break_the_glass(auditor):
    glass = entry(
        kind=AccessLog.Kind.CHILD, object_id=1, break_glass_reason="Court asked for the history."
    )
    entry(kind=AccessLog.Kind.CHILD, object_id=1)

    assert shown(auditor.get(URL, {"break_glass": "on"})) == [glass.pk]


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"child": "Ann"}, "child", "Enter the child record number as a whole number"),
        ({"from": "10/03/2026x"}, "from", "Enter the from date as a real date"),
        ({"from": "2026-03-10", "to": "2026-03-01"}, "to", "must be the same as or after"),
    ],
)
def test_bad_filters_are_named(auditor, params, field, message):
    response = auditor.get(URL, params)

    assert response.status_code == 400
    text = response.content.decode()
    assert message in text
    assert f'href="#{field}"' in text


def test_pages_of_fifty(auditor):
    for n in range(55):
        entry(kind=AccessLog.Kind.CHILD, object_id=n + 1)

    assert len(shown(auditor.get(URL))) == 50
    assert len(shown(auditor.get(URL, {"page": 2}))) == 5


@pytest.mark.parametrize(
    "role", [Role.REFERRER, Role.AGENCY_LEAD, Role.SCREENER, Role.MANAGER, Role.PARTNER, Role.ADMIN]
)
def test_only_auditors_read_the_log(role):
    assert client_for(UserFactory(role=role)).get(URL).status_code == 403


def test_the_auditors_home_and_navigation_link_the_log(auditor):
    text = auditor.get("/").content.decode()

    assert 'href="/audit/access-log/"' in text
    assert 'href="/audit/access-log/?break_glass=on"' in text
