"""The screening record is for the front door: a referral's own referrer, or their agency
lead, never reads it, whatever they send to a screening or decision action (the 400 page
of an action once showed the whole record)."""

import pytest
from django.test import Client

from agencies.models import Role
from tests.factories import (
    DecisionFactory,
    InformationRequestFactory,
    QualityRatingFactory,
    ReferralFactory,
    ScreeningNoteFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

NOTE = "Screening note only the front door may read"
ANSWER = "Health shared in confidence that mum is in treatment"
RATIONALE = "Internal rationale naming what police told us in confidence about the household"

ACTIONS = ["claim", "allocate", "notes", "quality", "link-child", "create-child", "recommend"]


@pytest.fixture
def referral():
    referral = ReferralFactory(
        awaiting_decision=True, recommendation="Screener recommends early help for the family"
    )
    ScreeningNoteFactory(referral=referral, text=NOTE)
    QualityRatingFactory(referral=referral, comment="Thin on the child's voice")
    InformationRequestFactory(
        referral=referral,
        answer=ANSWER,
        answered_at=referral.received_at,
        answered_by=UserFactory(role=Role.PARTNER),
    )
    return referral


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _leaks(body: str) -> list[str]:
    return [
        text
        for text in (NOTE, ANSWER, RATIONALE, "Thin on the child", "early help for")
        if text in body
    ]


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("body", [{}, {"text": "", "outcome": "not-an-outcome", "child": "x"}])
def test_the_referrer_gets_no_screening_record_from_any_action(referral, action, body):
    for user in (referral.referrer, UserFactory(role=Role.AGENCY_LEAD, agency=referral.agency)):
        response = _client(user).post(f"/triage/referrals/{referral.pk}/{action}/", body)

        assert response.status_code in (403, 404), (user.role, action)
        assert _leaks(response.content.decode()) == []


@pytest.mark.parametrize("path", ["decide", "amend"])
def test_the_referrer_gets_no_decision_record(referral, path):
    DecisionFactory(referral=referral, rationale=RATIONALE)

    for method in ("get", "post"):
        response = getattr(_client(referral.referrer), method)(
            f"/triage/referrals/{referral.pk}/{path}/"
        )

        assert response.status_code in (403, 404, 405)
        assert _leaks(response.content.decode()) == []


def test_an_auditor_reads_the_record_but_cannot_act_on_it(referral):
    auditor = _client(UserFactory(role=Role.AUDITOR))

    assert NOTE in auditor.get(f"/triage/referrals/{referral.pk}/").content.decode()
    for action in ACTIONS:
        response = auditor.post(f"/triage/referrals/{referral.pk}/{action}/", {})
        assert response.status_code == 403, action


def test_a_screener_cannot_allocate_and_gets_no_page_back(referral):
    response = _client(UserFactory(role=Role.SCREENER)).post(
        f"/triage/referrals/{referral.pk}/allocate/", {}
    )

    assert response.status_code == 403
    assert _leaks(response.content.decode()) == []


def test_a_screeners_invalid_note_re_renders_what_the_get_shows(referral):
    screener = _client(UserFactory(role=Role.SCREENER))

    response = screener.post(f"/triage/referrals/{referral.pk}/notes/", {"text": ""})

    assert response.status_code == 400
    assert NOTE in response.content.decode()
