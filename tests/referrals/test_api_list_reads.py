"""GET /api/v1/referrals/ reads a page's rows with the columns the API shows, their
concerns and amendments for those rows only, and writes each referral directly: the
same JSON as DRF's field-by-field representation, in a fixed number of statements."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from rest_framework import serializers
from rest_framework.test import APIRequestFactory

from agencies.models import Role
from referrals.census import CallerType, ConcernCategory
from referrals.models import Channel, Outcome, Referral
from referrals.selectors import concerns_by_referral, latest_amendments, referrals_for_api_list
from referrals.serializers import ReferralSerializer
from tests.clients import api_as
from tests.factories import (
    AgencyFactory,
    DecisionAmendmentFactory,
    DecisionFactory,
    ReferralFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

URL = "/api/v1/referrals/"
NOW = datetime(2026, 7, 10, 12, 0, tzinfo=UTC)  # summer: London is UTC+1


@pytest.fixture
def agency():
    return AgencyFactory(name="List School")


@pytest.fixture
def lead(agency):
    return UserFactory(role=Role.AGENCY_LEAD, agency=agency)


@pytest.fixture
def teacher(agency):
    return UserFactory(role=Role.REFERRER, agency=agency)


def every_kind(teacher) -> list[Referral]:
    """Referrals in each state the representation distinguishes."""
    overdue = ReferralFactory(
        referrer=teacher,
        received_at=NOW - timedelta(hours=30),
        decision_due_at=NOW - timedelta(hours=6),
        concerns=[ConcernCategory.NEGLECT, ConcernCategory.EMOTIONAL_ABUSE],
        immediate_risk=True,
    )
    on_time = ReferralFactory(
        referrer=teacher,
        received_at=datetime(2026, 1, 5, 9, 30, 15, 123456, tzinfo=UTC),  # winter: Z
        decision_due_at=NOW + timedelta(hours=6),
    )
    unborn = ReferralFactory(
        referrer=teacher,
        child_first_name="Unborn",
        child_date_of_birth=None,
        child_expected_date_of_birth=date(2026, 9, 1),
    )
    decided = DecisionFactory(
        referral=ReferralFactory(referrer=teacher), outcome=Outcome.EARLY_HELP, feedback="Kept."
    ).referral
    amended = DecisionFactory(referral=ReferralFactory(referrer=teacher), feedback="First.")
    DecisionAmendmentFactory(decision=amended, feedback="Later.", amended_at=NOW)
    DecisionAmendmentFactory(
        decision=amended, feedback="Latest <b>&</b>.", amended_at=NOW + timedelta(hours=1)
    )
    screener = UserFactory(role=Role.SCREENER)
    public = ReferralFactory(  # a call recorded by the front door: no agency
        referrer=None,
        agency=None,
        submission__submitted_by=screener,
        recorded_by=screener,
        channel=Channel.PHONE,
        caller_type=CallerType.ACQUAINTANCE,
        referrer_name="A neighbour",
        concerns=[ConcernCategory.PHYSICAL_ABUSE],
    )
    return [overdue, on_time, unborn, decided, amended.referral, public]


def drf_representation(referral: Referral, context: dict) -> dict:
    """What DRF's ModelSerializer writes for it, field by field."""
    serializer = ReferralSerializer(context=context)
    return serializers.ModelSerializer.to_representation(serializer, referral)


@pytest.mark.parametrize("role", [Role.AGENCY_LEAD, Role.SCREENER])
def test_the_written_representation_is_drfs_with_and_without_the_pages_reads(teacher, agency, role):
    referrals = every_kind(teacher)
    reader = UserFactory(role=role, agency=agency if role == Role.AGENCY_LEAD else None)
    request = APIRequestFactory().get(URL)
    request.user = reader
    ids = [r.pk for r in referrals]
    with time_machine.travel(NOW, tick=False):
        plain = {"request": request}
        listed = {
            **plain,
            "now": NOW,
            "reads_feedback": role == Role.AGENCY_LEAD,
            "concerns": concerns_by_referral(ids),
            "amendments": latest_amendments(ids),
        }
        for context in (plain, listed):
            for referral in referrals_for_api_list(reader).filter(pk__in=ids):
                written = ReferralSerializer(referral, context=context).data
                assert written == drf_representation(Referral.objects.get(pk=referral.pk), plain)
                assert list(written) == list(ReferralSerializer.Meta.fields)


def test_the_list_shows_the_latest_amendments_feedback_to_the_lead_only(teacher, lead):
    amended = DecisionFactory(referral=ReferralFactory(referrer=teacher), feedback="First.")
    DecisionAmendmentFactory(decision=amended, feedback="Latest.", amended_at=NOW)
    DecisionAmendmentFactory(
        decision=amended, feedback="Earlier.", amended_at=NOW - timedelta(hours=1)
    )

    as_lead = api_as(lead).get(URL).json()["results"]
    as_screener = api_as(UserFactory(role=Role.SCREENER)).get(URL).json()["results"]

    assert [r["feedback"] for r in as_lead] == ["Latest."]
    assert [r["feedback"] for r in as_screener] == [None]


def test_summer_times_are_written_with_londons_offset(teacher, lead):
    ReferralFactory(
        referrer=teacher,
        received_at=datetime(2026, 7, 1, 8, 0, tzinfo=UTC),
        decision_due_at=datetime(2026, 7, 2, 8, 0, tzinfo=UTC),
    )

    (row,) = api_as(lead).get(URL).json()["results"]

    assert row["received_at"] == "2026-07-01T09:00:00+01:00"
    assert row["decision_due_at"] == "2026-07-02T09:00:00+01:00"


# Authentication's own reads are not counted (force_authenticate): for a screener, where
# the page's budget ends (closed referrals are left out row by row: see
# test_api_list_budget); the page's rows, their concerns, (for those who read the feedback)
# their amendments, the access log's row.
@pytest.mark.parametrize(("role", "statements"), [(Role.SCREENER, 4), (Role.AGENCY_LEAD, 4)])
def test_a_page_runs_a_fixed_number_of_statements_whatever_it_holds(
    teacher, agency, role, statements, django_assert_num_queries
):
    reader = UserFactory(role=role, agency=agency if role == Role.AGENCY_LEAD else None)
    client = api_as(reader)
    every_kind(teacher)
    with django_assert_num_queries(statements):
        first = client.get(URL)
    every_kind(teacher)
    every_kind(teacher)
    with django_assert_num_queries(statements):
        second = client.get(URL)

    assert first.status_code == second.status_code == 200
    assert len(second.json()["results"]) > len(first.json()["results"])
