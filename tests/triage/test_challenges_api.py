"""The challenges API: POST /api/v1/referrals/{id}/challenges/ and GET /api/v1/challenges/,
scoped as the pages are."""

import pytest
from rest_framework.test import APIClient

from agencies.models import Role
from tests.factories import (
    AgencyFactory,
    ChallengeFactory,
    DecisionFactory,
    ReferralFactory,
    UserFactory,
)
from triage.models import Challenge

pytestmark = pytest.mark.django_db

REASON = "The child has told us again that there is no food at home and she is hungry."


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def url(referral_id):
    return f"/api/v1/referrals/{referral_id}/challenges/"


def test_the_referrer_raises_a_challenge_and_gets_its_stage_and_due_time():
    decision = DecisionFactory()

    response = api(decision.referral.referrer).post(
        url(decision.referral_id), {"reason": REASON}, format="json"
    )

    assert response.status_code == 201
    body = response.json()
    challenge = Challenge.objects.get()
    assert body["id"] == challenge.pk
    assert body["stage"] == 1
    assert body["status"] == "open"
    assert body["stage_due_at"]


def test_another_agencys_referrer_gets_404():
    decision = DecisionFactory()
    stranger = UserFactory(role=Role.REFERRER, agency=AgencyFactory())

    response = api(stranger).post(url(decision.referral_id), {"reason": REASON}, format="json")

    assert response.status_code == 404
    assert not Challenge.objects.exists()


@pytest.mark.parametrize("role", [Role.SCREENER, Role.MANAGER, Role.AUDITOR, Role.ADMIN])
def test_roles_that_cannot_raise_one_get_403(role):
    decision = DecisionFactory()

    response = api(UserFactory(role=role)).post(
        url(decision.referral_id), {"reason": REASON}, format="json"
    )

    assert response.status_code == 403


def test_an_undecided_referral_is_409_with_a_clear_message():
    referral = ReferralFactory(in_screening=True)

    response = api(referral.referrer).post(url(referral.pk), {"reason": REASON}, format="json")

    assert response.status_code == 409
    assert "only a decision can be challenged" in response.json()["detail"]


def test_a_second_open_challenge_is_409():
    challenge = ChallengeFactory()

    response = api(challenge.raised_by).post(
        url(challenge.referral_id), {"reason": REASON}, format="json"
    )

    assert response.status_code == 409
    assert "already being challenged" in response.json()["detail"]


@pytest.mark.parametrize("body", [{}, {"reason": ""}, {"reason": "no"}, {"reason": ["a", "b"]}])
def test_bad_input_is_400_naming_the_field(body):
    decision = DecisionFactory()

    response = api(decision.referral.referrer).post(url(decision.referral_id), body, format="json")

    assert response.status_code == 400
    assert "reason" in response.json()


def test_the_list_is_scoped_as_the_pages_are():
    own = ChallengeFactory()
    colleague = ChallengeFactory(
        decision__referral__referrer=UserFactory(role=Role.REFERRER, agency=own.referral.agency)
    )
    other = ChallengeFactory()
    lead = UserFactory(role=Role.AGENCY_LEAD, agency=own.referral.agency)

    def ids(user):
        response = api(user).get("/api/v1/challenges/")
        assert response.status_code == 200
        return {row["id"] for row in response.json()["results"]}

    assert ids(own.raised_by) == {own.pk}
    assert ids(lead) == {own.pk, colleague.pk}
    assert ids(UserFactory(role=Role.MANAGER)) == {own.pk, colleague.pk, other.pk}
    assert ids(UserFactory(role=Role.AUDITOR)) == {own.pk, colleague.pk, other.pk}
    # A partner agency's practitioner follows only the challenges they raised.
    assert ids(UserFactory(role=Role.PARTNER, agency=own.referral.agency)) == set()
    for role in (Role.SCREENER, Role.ADMIN):
        assert api(UserFactory(role=role)).get("/api/v1/challenges/").status_code == 403


def test_the_schema_documents_the_challenges_api():
    schema = api(UserFactory(role=Role.MANAGER)).get("/api/schema/?format=json").json()

    assert "/api/v1/referrals/{id}/challenges/" in schema["paths"]
    assert "/api/v1/challenges/" in schema["paths"]
    post = schema["paths"]["/api/v1/referrals/{id}/challenges/"]["post"]
    assert {"201", "400", "403", "404", "409"} <= set(post["responses"])
