"""Challenges to a strategy discussion's section 47 outcome, and the head of service's
stage: who may raise one, what the referrer sees, how a changed outcome is recorded, and
who may act at the last stage."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from agencies.models import Role
from core.exceptions import DomainError, InvalidState, NotPermitted
from notices.models import NoticeKind, Notification
from referrals.models import Outcome
from tests.factories import (
    ChallengeFactory,
    ChildFactory,
    DecisionFactory,
    ReferralFactory,
    StrategyDiscussionFactory,
    UserFactory,
)
from triage.chronology import chronology
from triage.models import (
    Challenge,
    EscalationStage,
    Resolution,
    Section47Outcome,
    StageOwner,
)
from triage.services import challenges

pytestmark = pytest.mark.django_db

REASON = "The police officer at the discussion did not know about the earlier injury."
REASONS = "We looked again with the earlier injury in mind and a joint enquiry is needed."


def discussion_with_outcome(**kwargs):
    referral = ReferralFactory(child=ChildFactory())
    DecisionFactory(referral=referral, outcome=Outcome.STRATEGY_S47)
    return StrategyDiscussionFactory(
        referral=referral,
        section47_outcome=Section47Outcome.SINGLE_AGENCY,
        held_at=timezone.now() - timedelta(hours=2),
        **kwargs,
    )


def manager():
    return UserFactory(role=Role.MANAGER)


def test_the_referrer_challenges_a_discussions_outcome_and_its_convener_answers_first():
    discussion = discussion_with_outcome()
    referrer = discussion.referral.referrer

    challenge = challenges.raise_challenge(
        referral_id=discussion.referral_id,
        by=referrer,
        reason=REASON,
        discussion_id=discussion.pk,
    )

    assert challenge.discussion == discussion and challenge.decision is None
    assert challenge.subject == "discussion"
    assert challenge.owner == discussion.convened_by
    told = Notification.objects.filter(kind=NoticeKind.CHALLENGE_RAISED)
    assert {n.recipient for n in told} == {discussion.convened_by}


def test_a_discussion_without_an_outcome_cannot_be_challenged():
    discussion = StrategyDiscussionFactory()
    DecisionFactory(referral=discussion.referral)

    with pytest.raises(InvalidState, match="no section 47 outcome"):
        challenges.raise_challenge(
            referral_id=discussion.referral_id,
            by=discussion.referral.referrer,
            reason=REASON,
            discussion_id=discussion.pk,
        )
    assert not Challenge.objects.exists()


def test_a_discussion_about_another_referral_cannot_be_named():
    discussion = discussion_with_outcome()
    mine = DecisionFactory(referral=ReferralFactory(referrer=discussion.referral.referrer))

    with pytest.raises(Exception) as raised:
        challenges.raise_challenge(
            referral_id=mine.referral_id,
            by=mine.referral.referrer,
            reason=REASON,
            discussion_id=discussion.pk,
        )
    assert type(raised.value).__name__ == "DoesNotExist"
    assert not Challenge.objects.exists()


def test_the_decision_and_the_discussion_may_each_be_challenged_once_at_a_time():
    discussion = discussion_with_outcome()
    referral = discussion.referral
    on_decision = challenges.raise_challenge(
        referral_id=referral.pk, by=referral.referrer, reason=REASON
    )
    on_discussion = challenges.raise_challenge(
        referral_id=referral.pk, by=referral.referrer, reason=REASON, discussion_id=discussion.pk
    )
    assert {on_decision.subject, on_discussion.subject} == {"decision", "discussion"}

    with pytest.raises(InvalidState, match="already being challenged"):
        challenges.raise_challenge(
            referral_id=referral.pk,
            by=referral.referrer,
            reason=REASON,
            discussion_id=discussion.pk,
        )


def test_a_changed_outcome_is_recorded_on_the_discussion_and_the_challenge():
    discussion = discussion_with_outcome()
    challenge = challenges.raise_challenge(
        referral_id=discussion.referral_id,
        by=discussion.referral.referrer,
        reason=REASON,
        discussion_id=discussion.pk,
    )
    by = manager()

    with pytest.raises(DomainError) as refused:
        challenges.resolve(
            challenge_id=challenge.pk,
            by=by,
            resolution=Resolution.DECISION_CHANGED,
            reasons=REASONS,
        )
    assert "section47_outcome" in refused.value.errors
    with pytest.raises(DomainError) as same:
        challenges.resolve(
            challenge_id=challenge.pk,
            by=by,
            resolution=Resolution.DECISION_CHANGED,
            reasons=REASONS,
            section47_outcome=Section47Outcome.SINGLE_AGENCY,
        )
    assert "section47_outcome" in same.value.errors

    resolved = challenges.resolve(
        challenge_id=challenge.pk,
        by=by,
        resolution=Resolution.DECISION_CHANGED,
        reasons=REASONS,
        section47_outcome=Section47Outcome.JOINT_POLICE,
    )

    discussion.refresh_from_db()
    assert discussion.section47_outcome == Section47Outcome.JOINT_POLICE
    assert resolved.outcome_changed_from == Section47Outcome.SINGLE_AGENCY
    assert resolved.outcome_changed_to == Section47Outcome.JOINT_POLICE
    assert resolved.amendment is None
    old, new = discussion.history.order_by("history_date")[:2]
    assert (old.section47_outcome, new.section47_outcome) == ("single_agency", "joint_police")
    assert new.history_user == by
    lines = [
        line
        for event in chronology(discussion.referral.child)
        if event.kind == "challenge_resolved"
        for line in event.lines
    ]
    assert any("changed from Section 47 enquiry: children's social care alone" in x for x in lines)


def test_no_enquiry_on_challenge_needs_its_reason():
    discussion = discussion_with_outcome()
    challenge = challenges.raise_challenge(
        referral_id=discussion.referral_id,
        by=discussion.referral.referrer,
        reason=REASON,
        discussion_id=discussion.pk,
    )
    with pytest.raises(DomainError) as refused:
        challenges.resolve(
            challenge_id=challenge.pk,
            by=manager(),
            resolution=Resolution.DECISION_CHANGED,
            reasons=REASONS,
            section47_outcome=Section47Outcome.NO_ENQUIRY,
        )
    assert "no_enquiry_reason" in refused.value.errors
    discussion.refresh_from_db()
    assert discussion.section47_outcome == Section47Outcome.SINGLE_AGENCY
    assert Challenge.objects.get().is_open


@pytest.mark.parametrize("both", [False, True])
def test_the_database_insists_on_exactly_one_subject(both):
    discussion = discussion_with_outcome()
    fields = {"referral": discussion.referral, "owner": None}
    fields |= {"discussion": discussion} if both else {"decision": None}
    with pytest.raises(IntegrityError), transaction.atomic():
        ChallengeFactory(**fields)


# --- The head of service's stage ---------------------------------------------------------


def at_head_of_service_stage():
    challenge = ChallengeFactory()
    stage = EscalationStage.objects.get(owner=StageOwner.HEAD_OF_SERVICE)
    Challenge.objects.filter(pk=challenge.pk).update(stage=stage, owner=None)
    return challenge


def test_at_the_head_of_service_stage_only_the_head_of_service_acts(settings):
    head = UserFactory(role=Role.MANAGER)
    settings.HEAD_OF_SERVICE_USERNAMES = [head.username]
    challenge = at_head_of_service_stage()

    with pytest.raises(NotPermitted, match="head of service"):
        challenges.respond(challenge_id=challenge.pk, by=manager(), text="We will look again.")
    with pytest.raises(NotPermitted):
        challenges.resolve(
            challenge_id=challenge.pk,
            by=manager(),
            resolution=Resolution.NOT_UPHELD,
            reasons=REASONS,
        )

    resolved = challenges.resolve(
        challenge_id=challenge.pk, by=head, resolution=Resolution.NOT_UPHELD, reasons=REASONS
    )
    assert resolved.resolved_by == head


def test_without_a_configured_head_of_service_any_manager_acts(settings):
    settings.HEAD_OF_SERVICE_USERNAMES = []
    challenge = at_head_of_service_stage()

    resolved = challenges.resolve(
        challenge_id=challenge.pk, by=manager(), resolution=Resolution.UPHELD, reasons=REASONS
    )
    assert not resolved.is_open


def test_escalating_to_the_head_of_service_names_them_as_owner(settings):
    head = UserFactory(role=Role.MANAGER)
    settings.HEAD_OF_SERVICE_USERNAMES = [head.username]
    challenge = ChallengeFactory()
    by = manager()
    challenges.escalate(challenge_id=challenge.pk, by=by, reason="Managers could not agree.")
    escalated = challenges.escalate(
        challenge_id=challenge.pk, by=by, reason="Still not settled between managers."
    )

    assert escalated.stage.owner == StageOwner.HEAD_OF_SERVICE
    assert escalated.owner == head
    told = Notification.objects.filter(
        kind=NoticeKind.CHALLENGE_ESCALATED, event__key__endswith=f":{escalated.stage_id}"
    )
    assert {n.recipient for n in told} == {head}


# --- The pages and the API ---------------------------------------------------------------


def test_the_referrer_sees_the_outcome_in_their_referrals_and_challenges_it(client):
    discussion = discussion_with_outcome()
    referrer = discussion.referral.referrer
    client.force_login(referrer)

    mine = client.get("/referrals/mine/").content.decode()
    assert "Section 47 enquiry: children&#x27;s social care alone" in mine
    assert f"/challenges/raise/discussion/{discussion.pk}/" in mine

    page = client.get(f"/challenges/raise/discussion/{discussion.pk}/")
    assert page.status_code == 200
    assert "strategy discussion&#x27;s outcome" in page.content.decode()

    empty = client.post(f"/challenges/raise/discussion/{discussion.pk}/", {"reason": ""})
    assert empty.status_code == 400
    assert "Say why you disagree with the strategy discussion" in empty.content.decode()

    raised = client.post(f"/challenges/raise/discussion/{discussion.pk}/", {"reason": REASON})
    challenge = Challenge.objects.get()
    assert raised.status_code == 302 and raised["Location"] == f"/challenges/{challenge.pk}/"
    assert challenge.discussion == discussion
    assert "Challenge open: stage 1" in client.get("/referrals/mine/").content.decode()


def test_a_referrer_of_another_agency_gets_404_on_a_discussions_challenge(client):
    discussion = discussion_with_outcome()
    client.force_login(UserFactory(role=Role.REFERRER))

    assert client.get(f"/challenges/raise/discussion/{discussion.pk}/").status_code == 404
    assert (
        client.post(
            f"/challenges/raise/discussion/{discussion.pk}/", {"reason": REASON}
        ).status_code
        == 404
    )
    assert not Challenge.objects.exists()


def test_the_api_challenges_a_discussions_outcome(client):
    discussion = discussion_with_outcome()
    client.force_login(discussion.referral.referrer)
    url = f"/api/v1/referrals/{discussion.referral_id}/challenges/"

    created = client.post(
        url, {"reason": REASON, "discussion": discussion.pk}, content_type="application/json"
    )
    assert created.status_code == 201, created.json()
    assert created.json()["subject"] == "discussion"
    assert created.json()["discussion"] == discussion.pk

    again = client.post(
        url, {"reason": REASON, "discussion": discussion.pk}, content_type="application/json"
    )
    assert again.status_code == 409
    elsewhere = client.post(
        url, {"reason": REASON, "discussion": discussion.pk + 999}, content_type="application/json"
    )
    assert elsewhere.status_code == 404
    bad = client.post(url, {"reason": REASON, "discussion": "x"}, content_type="application/json")
    assert bad.status_code == 400 and "discussion" in bad.json()


def test_the_manager_resolves_by_changing_the_outcome_on_the_page(client):
    discussion = discussion_with_outcome()
    challenge = challenges.raise_challenge(
        referral_id=discussion.referral_id,
        by=discussion.referral.referrer,
        reason=REASON,
        discussion_id=discussion.pk,
    )
    client.force_login(manager())
    detail = client.get(f"/challenges/{challenge.pk}/").content.decode()
    assert "The new outcome, if it is changed" in detail
    assert "The new decision, if it is changed" not in detail

    missing = client.post(
        f"/challenges/{challenge.pk}/resolve/",
        {"resolution": "decision_changed", "reasons": REASONS},
    )
    assert missing.status_code == 400
    assert "Choose the new section 47 outcome" in missing.content.decode()

    done = client.post(
        f"/challenges/{challenge.pk}/resolve/",
        {"resolution": "decision_changed", "reasons": REASONS, "section47_outcome": "joint_police"},
    )
    assert done.status_code == 302

    client.force_login(discussion.referral.referrer)
    page = client.get(f"/challenges/{challenge.pk}/").content.decode()
    assert "Section 47 enquiry: jointly with the police" in page
    assert "changed from Section 47 enquiry: children&#x27;s social care alone" in page


# --- Another professional involved: a partner agency's practitioner -------------------


def partner_asked_about(referral):
    from tests.factories import InformationRequestFactory

    request = InformationRequestFactory(referral=referral)
    return UserFactory(role=Role.PARTNER, agency=request.agency), request


def test_a_partner_asked_for_information_challenges_the_decision_and_follows_it(client):
    referral = DecisionFactory(
        outcome=Outcome.NO_FURTHER_ACTION, referral=ReferralFactory()
    ).referral
    partner, request = partner_asked_about(referral)
    client.force_login(partner)

    page = client.get(f"/requests/{request.pk}/").content.decode()
    assert "No further action" in page
    assert f"/challenges/raise/{referral.pk}/" in page
    # The outcome only: what the referrer was told is not the partner's to read.
    raise_page = client.get(f"/challenges/raise/{referral.pk}/").content.decode()
    assert referral.decision.feedback not in raise_page

    client.post(f"/challenges/raise/{referral.pk}/", {"reason": REASON})
    challenge = Challenge.objects.get()
    assert challenge.raised_by == partner
    listed = client.get("/requests/").content.decode()
    assert f"/challenges/{challenge.pk}/" in listed and "Stage 1" in listed
    assert client.get(f"/challenges/{challenge.pk}/").status_code == 200
    replied = client.post(f"/challenges/{challenge.pk}/reply/", {"text": "Here is more news."})
    assert replied.status_code == 302
    assert challenge.responses.get().by == partner


def test_a_partner_whose_agency_attended_challenges_the_discussions_outcome():
    from tests.factories import AttendeeFactory

    discussion = discussion_with_outcome()
    attendee = AttendeeFactory(discussion=discussion)
    partner = UserFactory(role=Role.PARTNER, agency=attendee.agency)

    challenge = challenges.raise_challenge(
        referral_id=discussion.referral_id,
        by=partner,
        reason=REASON,
        discussion_id=discussion.pk,
    )
    assert challenge.discussion == discussion


def test_a_partner_not_involved_cannot_challenge_or_see_challenges(client):
    referral = DecisionFactory(referral=ReferralFactory()).referral
    mine, _ = partner_asked_about(ReferralFactory())
    someone_elses = ChallengeFactory(decision=referral.decision, referral=referral)
    client.force_login(mine)

    assert client.get(f"/challenges/raise/{referral.pk}/").status_code == 404
    assert client.get(f"/challenges/{someone_elses.pk}/").status_code == 404
    assert client.get("/api/v1/challenges/").json()["results"] == []
    api = client.post(
        f"/api/v1/referrals/{referral.pk}/challenges/",
        {"reason": REASON},
        content_type="application/json",
    )
    assert api.status_code == 404
    with pytest.raises(Exception) as raised:
        challenges.raise_challenge(referral_id=referral.pk, by=mine, reason=REASON)
    assert type(raised.value).__name__ == "DoesNotExist"
