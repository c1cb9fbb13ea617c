"""From the queue to a decision: who may open a referral's screening page (and the access
log), claiming and notes, the decision screen and the decision API, the chronology, and
amending a decision."""

from datetime import timedelta

import pytest
from django.utils import timezone

from agencies.models import Role
from audit.models import AccessLog
from referrals.models import Child, Status
from tests.factories import ChildFactory, DecisionFactory, ReferralFactory, ScreeningNoteFactory
from tests.triage.test_queue import rows

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", [Role.REFERRER, Role.AGENCY_LEAD, Role.PARTNER, Role.ADMIN])
def test_only_the_front_door_and_auditors_see_the_queue(client, make_user, role):
    client.force_login(make_user(role))

    assert client.get("/triage/").status_code == 403


def test_viewing_a_referral_is_written_to_the_access_log(screener_client):
    referral = ReferralFactory()

    response = screener_client.get(f"/triage/referrals/{referral.pk}/")

    assert response.status_code == 200
    log = AccessLog.objects.get()
    assert (log.kind, log.object_id, log.role) == ("referral", referral.pk, "screener")


def test_a_referrer_cannot_open_the_screening_page(referrer_client):
    referral = ReferralFactory()

    assert referrer_client.get(f"/triage/referrals/{referral.pk}/").status_code == 403


def test_an_unknown_referral_is_404(screener_client):
    assert screener_client.get("/triage/referrals/999999/").status_code == 404


def test_claiming_from_the_page(screener_client):
    referral = ReferralFactory()

    response = screener_client.post(f"/triage/referrals/{referral.pk}/claim/", follow=True)

    assert "You have claimed this referral" in response.content.decode()
    referral.refresh_from_db()
    assert referral.status == Status.SCREENING


def test_a_blank_note_keeps_the_page_and_shows_the_error(screener_client):
    referral = ReferralFactory()

    response = screener_client.post(f"/triage/referrals/{referral.pk}/notes/", {"text": ""})

    assert response.status_code == 400
    assert "Write the note" in response.content.decode()


def test_a_manager_decides_from_the_decision_screen_and_the_referral_leaves_the_queue(
    manager_client,
):
    referral = ReferralFactory()
    page = manager_client.get(f"/triage/referrals/{referral.pk}/decide/").content.decode()
    assert "Level 3: Child in need (section 17)" in page  # descriptors beside the choice

    response = manager_client.post(
        f"/triage/referrals/{referral.pk}/decide/",
        {
            "outcome": "early_help",
            "threshold_level": "2",
            "rationale": "Emerging needs; the family agree to early help from the school.",
            "lived_experience_impact": "Mornings are chaotic; the children are fed at school.",
            "feedback": "The family agree to support from the school.",
            "proceed_reason": "Not screened, but the police need an answer tonight.",
        },
    )

    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.status == Status.DECIDED
    assert referral.reference not in rows(manager_client.get("/triage/"))


def test_a_second_manager_is_told_clearly_when_the_referral_was_decided_meanwhile(
    manager_client,
):
    referral = ReferralFactory()
    DecisionFactory(referral=referral)

    response = manager_client.get(f"/triage/referrals/{referral.pk}/decide/", follow=True)

    # The decision page now shows the decision as recorded, and says it cannot be redone.
    assert "This referral has been decided" in response.content.decode()


def test_screeners_cannot_open_the_decision_screen(screener_client):
    referral = ReferralFactory()

    assert screener_client.get(f"/triage/referrals/{referral.pk}/decide/").status_code == 403


def test_the_chronology_shows_every_earlier_referral_and_is_logged(screener_client):
    child = Child.objects.create(first_name="Ava", last_name="Testfield")
    now = timezone.now()
    referrals = [
        ReferralFactory(child=child, received_at=now - timedelta(days=d)) for d in (500, 200, 30, 0)
    ]
    DecisionFactory(referral=referrals[0])

    response = screener_client.get(f"/children/{child.pk}/")

    page = response.content.decode()
    for referral in referrals:
        assert f"Referral {referral.reference} received" in page
    assert "Decision on" in page
    assert AccessLog.objects.filter(kind="child", object_id=child.pk).exists()


def test_the_chronology_is_not_for_referrers(referrer_client):
    child = Child.objects.create(first_name="Ava", last_name="Testfield")

    assert referrer_client.get(f"/children/{child.pk}/").status_code == 403


def test_a_manager_amends_a_decision_from_the_page(manager_client):
    decision = DecisionFactory()
    referral = decision.referral

    response = manager_client.post(
        f"/triage/referrals/{referral.pk}/amend/",
        {
            "outcome": "s47",
            "threshold_level": "4",
            "rationale": "Police shared new information that changes the level of risk.",
            "feedback": "New information means we need to talk to other agencies.",
            "reason": "New information from the police after the decision.",
        },
        follow=True,
    )

    page = response.content.decode()
    assert "Amendment recorded beside the original decision" in page
    assert "Reason for amendment" in page
    assert "Early help" in page  # the original still shows


def test_decision_api_permissions_and_conflict(client, make_user):
    from rest_framework.test import APIClient

    referral = ReferralFactory()
    body = {
        "outcome": "nfa",
        "threshold_level": 1,
        "rationale": "The child is safe; the worry was resolved by the school the same day.",
        "lived_experience_impact": "The child's day is settled and she says she is happy.",
        "feedback": "The school resolved the worry the same day; no further action is needed.",
        "proceed_reason": "Not screened, but the police need an answer tonight.",
    }
    api = APIClient()

    api.force_authenticate(make_user(Role.SCREENER))
    assert (
        api.post(f"/api/v1/referrals/{referral.pk}/decision/", body, format="json").status_code
        == 403
    )
    api.force_authenticate(referral.referrer)
    assert (
        api.post(f"/api/v1/referrals/{referral.pk}/decision/", body, format="json").status_code
        == 403
    )

    api.force_authenticate(make_user(Role.MANAGER))
    bad = api.post(
        f"/api/v1/referrals/{referral.pk}/decision/", {**body, "rationale": "no"}, format="json"
    )
    assert bad.status_code == 400 and "rationale" in bad.json()
    first = api.post(f"/api/v1/referrals/{referral.pk}/decision/", body, format="json")
    assert first.status_code == 201 and first.json()["outcome"] == "nfa"
    second = api.post(f"/api/v1/referrals/{referral.pk}/decision/", body, format="json")
    assert second.status_code == 409
    assert api.post("/api/v1/referrals/999999/decision/", body, format="json").status_code == 404


def test_the_referrer_sees_feedback_in_the_api_once_decided(make_user):
    from rest_framework.test import APIClient

    referral = ReferralFactory()
    api = APIClient()
    api.force_authenticate(make_user(Role.MANAGER))
    api.post(
        f"/api/v1/referrals/{referral.pk}/decision/",
        {
            "outcome": "signpost",
            "threshold_level": 1,
            "rationale": "Universal services can meet these needs with the family's support.",
            "lived_experience_impact": "The child is well cared for day to day by both parents.",
            "feedback": "The family's school and GP can support them with this.",
            "proceed_reason": "Not screened, but the police need an answer tonight.",
        },
        format="json",
    )

    api.force_authenticate(referral.referrer)
    body = api.get(f"/api/v1/referrals/{referral.pk}/").json()

    assert body["outcome"] == "signpost"
    assert "Other support the family can use" in body["feedback"]


def test_the_decision_api_takes_the_four_fields_design_names(make_user):
    from rest_framework.test import APIClient

    # Screened (allocated, linked, noted, nothing outstanding): no warning asks for more.
    referral = ReferralFactory(in_screening=True, child=ChildFactory())
    ScreeningNoteFactory(referral=referral)
    api = APIClient()
    api.force_authenticate(make_user(Role.MANAGER))
    rationale = "Police told us in confidence of an investigation; early help meets the needs."

    response = api.post(
        f"/api/v1/referrals/{referral.pk}/decision/",
        {
            "outcome": "early_help",
            "threshold_level": 2,
            "rationale": rationale,
            "feedback": "The family have agreed to support from the early help team.",
        },
        format="json",
    )

    assert response.status_code == 201, response.json()
    api.force_authenticate(referral.referrer)
    told = api.get(f"/api/v1/referrals/{referral.pk}/").json()["feedback"]
    assert "agreed to support from the early help team" in told
    assert rationale not in told


def test_an_api_decision_without_feedback_is_refused_naming_the_field(make_user):
    from rest_framework.test import APIClient

    referral = ReferralFactory()
    api = APIClient()
    api.force_authenticate(make_user(Role.MANAGER))
    body = {
        "outcome": "nfa",
        "threshold_level": 1,
        "rationale": "Health shared in confidence that the parent is in treatment and stable.",
        "proceed_reason": "Not screened, but the police need an answer tonight.",
    }

    missing = api.post(f"/api/v1/referrals/{referral.pk}/decision/", body, format="json")
    blank = api.post(
        f"/api/v1/referrals/{referral.pk}/decision/", {**body, "feedback": " "}, format="json"
    )
    one_word = api.post(
        f"/api/v1/referrals/{referral.pk}/decision/", {**body, "feedback": "ok"}, format="json"
    )

    assert missing.status_code == 400 and "feedback" in missing.json()
    assert blank.status_code == 400 and "feedback" in blank.json()
    assert one_word.status_code == 400 and "feedback" in one_word.json()
    referral.refresh_from_db()
    assert referral.status != Status.DECIDED


def test_the_decision_screen_needs_what_to_tell_the_referrer(manager_client):
    referral = ReferralFactory()

    response = manager_client.post(
        f"/triage/referrals/{referral.pk}/decide/",
        {
            "outcome": "early_help",
            "threshold_level": "2",
            "rationale": "Emerging needs; the family agree to early help from the school.",
            "lived_experience_impact": "Mornings are chaotic; the children are fed at school.",
        },
    )

    assert response.status_code == 400
    assert "Write what the referrer will be told about why" in response.content.decode()
