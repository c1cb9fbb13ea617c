"""Lists and pages that show referrals or children write the access log: one row per
page view, naming by id what it showed (never one row per referral), and a child search
names the children it returned."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from agencies.models import Role
from audit.models import AccessLog
from referrals.models import Submission
from tests.clients import client_for
from tests.factories import (
    ChallengeFactory,
    ChildFactory,
    DecisionFactory,
    InformationRequestFactory,
    ReferralFactory,
    StrategyDiscussionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def only_row(kind) -> AccessLog:
    rows = list(AccessLog.objects.filter(kind=kind))
    assert len(rows) == 1, rows
    return rows[0]


def test_the_queue_writes_one_row_naming_the_referrals_on_the_page():
    referrals = [ReferralFactory() for _ in range(3)]
    screener = UserFactory(role=Role.SCREENER)

    response = client_for(screener).get(reverse("triage:queue"))

    assert response.status_code == 200
    assert AccessLog.objects.count() == 1
    row = only_row(AccessLog.Kind.REFERRAL_LIST)
    assert sorted(row.detail["referrals"]) == sorted(r.pk for r in referrals)
    assert row.username == screener.username and row.path == "/triage/"


def test_a_page_of_the_queue_names_only_the_referrals_it_showed():
    referrals = [ReferralFactory() for _ in range(55)]

    client_for(UserFactory(role=Role.SCREENER)).get(reverse("triage:queue"), {"page": 2})

    row = only_row(AccessLog.Kind.REFERRAL_LIST)
    assert len(row.detail["referrals"]) == 5
    assert set(row.detail["referrals"]) < {r.pk for r in referrals}


def test_my_referrals_names_the_referrers_own_and_no_other():
    referrer = UserFactory(role=Role.REFERRER)
    own = ReferralFactory(referrer=referrer)
    ReferralFactory()

    response = client_for(referrer).get(reverse("referrals:mine"))

    assert response.status_code == 200
    assert only_row(AccessLog.Kind.REFERRAL_LIST).detail == {"referrals": [own.pk]}


def test_the_agency_list_names_the_agencys_referrals():
    lead = UserFactory(role=Role.AGENCY_LEAD)
    colleague = UserFactory(role=Role.REFERRER, agency=lead.agency)
    theirs = ReferralFactory(referrer=colleague)
    ReferralFactory()

    client_for(lead).get(reverse("referrals:mine"))

    assert only_row(AccessLog.Kind.REFERRAL_LIST).detail == {"referrals": [theirs.pk]}


def test_the_submitted_page_names_the_referrals_just_made():
    referrer = UserFactory(role=Role.REFERRER)
    submission = Submission.objects.create(submitted_by=referrer)
    made = [ReferralFactory(referrer=referrer, submission=submission) for _ in range(2)]

    response = client_for(referrer).get(reverse("referrals:submitted", args=[submission.pk]))

    assert response.status_code == 200
    row = only_row(AccessLog.Kind.REFERRAL_LIST)
    assert sorted(row.detail["referrals"]) == sorted(r.pk for r in made)


def test_the_partners_request_list_names_the_requests_and_their_referrals():
    partner = UserFactory(role=Role.PARTNER)
    asked = InformationRequestFactory(agency=partner.agency)
    InformationRequestFactory()

    response = client_for(partner).get(reverse("requests:list"))

    assert response.status_code == 200
    row = only_row(AccessLog.Kind.REQUEST_LIST)
    assert row.detail == {"information_requests": [asked.pk], "referrals": [asked.referral_id]}


def test_the_challenge_list_names_the_challenges_shown():
    challenge = ChallengeFactory()

    client_for(UserFactory(role=Role.MANAGER)).get(reverse("challenges:list"))

    row = only_row(AccessLog.Kind.CHALLENGE_LIST)
    assert row.detail == {"challenges": [challenge.pk], "referrals": [challenge.referral_id]}


def test_the_discussion_list_names_the_discussions_shown():
    discussion = StrategyDiscussionFactory()

    client_for(UserFactory(role=Role.SCREENER)).get(reverse("strategy:list"))

    row = only_row(AccessLog.Kind.DISCUSSION_LIST)
    assert row.detail == {"discussions": [discussion.pk], "referrals": [discussion.referral_id]}


def api_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_the_api_referral_list_writes_one_row_for_fifty_referrals():
    referrals = [ReferralFactory() for _ in range(50)]

    response = api_for(UserFactory(role=Role.SCREENER)).get(reverse("api-referrals"))

    assert response.status_code == 200
    assert AccessLog.objects.count() == 1
    row = only_row(AccessLog.Kind.REFERRAL_LIST)
    assert sorted(row.detail["referrals"]) == sorted(r.pk for r in referrals)
    assert [r["id"] for r in response.json()["results"]] == row.detail["referrals"]


def test_the_api_referral_list_names_only_what_the_caller_may_see():
    referrer = UserFactory(role=Role.REFERRER)
    own = ReferralFactory(referrer=referrer)
    ReferralFactory()

    api_for(referrer).get(reverse("api-referrals"))

    assert only_row(AccessLog.Kind.REFERRAL_LIST).detail == {"referrals": [own.pk]}


def test_the_api_challenge_and_discussion_lists_are_logged():
    challenge = ChallengeFactory()
    discussion = StrategyDiscussionFactory()
    manager = api_for(UserFactory(role=Role.MANAGER))

    manager.get(reverse("api-challenges"))
    manager.get(reverse("api-strategy-discussions"))

    assert only_row(AccessLog.Kind.CHALLENGE_LIST).detail["challenges"] == [challenge.pk]
    assert only_row(AccessLog.Kind.DISCUSSION_LIST).detail["discussions"] == [discussion.pk]


def test_a_refused_list_is_not_logged():
    response = api_for(UserFactory(role=Role.REFERRER)).get(reverse("api-strategy-discussions"))

    assert response.status_code == 403
    assert not AccessLog.objects.exists()


def test_a_child_search_names_the_children_it_returned():
    found = ChildFactory(first_name="Oliver", last_name="Smyth")
    ChildFactory(first_name="Zed", last_name="Quorn")

    response = api_for(UserFactory(role=Role.SCREENER)).post(
        reverse("api-child-matches"),
        {"first_name": "Oliver", "last_name": "Smyth"},
        format="json",
    )

    assert response.status_code == 200
    assert [m["id"] for m in response.json()] == [found.pk]
    row = only_row(AccessLog.Kind.CHILD_SEARCH)
    assert row.detail == {"children": [found.pk]}


def test_the_screening_page_names_the_possible_matches_it_offers():
    found = ChildFactory(first_name="Oliver", last_name="Smyth")
    referral = ReferralFactory(
        child_first_name="Oliver", child_last_name="Smyth", child_date_of_birth=found.date_of_birth
    )

    client_for(UserFactory(role=Role.SCREENER)).get(reverse("triage:referral", args=[referral.pk]))

    row = only_row(AccessLog.Kind.REFERRAL)
    assert row.object_id == referral.pk
    assert found.pk in row.detail["children"]


def test_the_decision_form_shown_again_with_errors_is_logged():
    referral = ReferralFactory(awaiting_decision=True)
    manager = client_for(UserFactory(role=Role.MANAGER))

    response = manager.post(reverse("triage:decide", args=[referral.pk]), {})

    assert response.status_code == 400
    row = only_row(AccessLog.Kind.REFERRAL)
    assert row.object_id == referral.pk


def test_the_decided_page_is_logged():
    decision = DecisionFactory(referral=ReferralFactory(awaiting_decision=True))

    response = client_for(UserFactory(role=Role.MANAGER)).get(
        reverse("triage:decide", args=[decision.referral_id])
    )

    assert response.status_code == 200
    assert only_row(AccessLog.Kind.REFERRAL).object_id == decision.referral_id
