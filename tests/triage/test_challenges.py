"""Challenges to decisions: the services and their state rules, the working-day stage
clock, the audit trail and the notices."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from agencies.models import Role
from audit.models import AuditEvent, EventKind
from core.clock import WorkingCalendar, add_working_days
from core.exceptions import DomainError, InvalidState, NotPermitted
from notices.models import NoticeEvent, NoticeKind, Notification
from referrals.models import Outcome, Referral
from tests.factories import (
    AgencyFactory,
    ChallengeFactory,
    DecisionFactory,
    ReferralFactory,
    UserFactory,
)
from triage.models import Challenge, ChallengeStatus, EscalationStage, Resolution
from triage.services import challenges
from triage.services.notices import scan_clocks

pytestmark = pytest.mark.django_db

REASON = "The child has told us again that there is no food at home and she is hungry."
REASONS = "We looked again with the school's new information and agree it needs assessment."
RATIONALE = "The school's new information shows a pattern of neglect over three months now."


def decided(**kwargs):
    return DecisionFactory(
        outcome=Outcome.NO_FURTHER_ACTION,
        referral=ReferralFactory(**kwargs),
        decided_by=UserFactory(role=Role.MANAGER),
    ).referral


def manager():
    return UserFactory(role=Role.MANAGER)


# --- The working-day stage clock ----------------------------------------------------------


def test_working_days_skip_weekends_and_bank_holidays():
    calendar = WorkingCalendar(holidays={datetime(2026, 4, 6).date()})  # Easter Monday
    thursday = datetime(2026, 4, 2, 10, 0, tzinfo=UTC)  # 11:00 in London

    # Friday 3rd, then Tuesday 7th (the weekend and Easter Monday skipped).
    assert add_working_days(thursday, 2, calendar=calendar) == datetime(
        2026, 4, 7, 10, 0, tzinfo=UTC
    )
    saturday = datetime(2026, 4, 4, 15, 0, tzinfo=UTC)
    # Counted from 00:00 on Tuesday 7th: one working day is 00:00 on Wednesday 8th.
    assert add_working_days(saturday, 1, calendar=calendar) == datetime(
        2026, 4, 7, 23, 0, tzinfo=UTC
    )


# --- Raising ------------------------------------------------------------------------------


def test_the_referrer_raises_a_challenge_at_the_first_stage():
    referral = decided()

    challenge = challenges.raise_challenge(
        referral_id=referral.pk, by=referral.referrer, reason=REASON
    )

    first = EscalationStage.objects.get(order=1)
    assert challenge.stage == first
    assert challenge.status == ChallengeStatus.OPEN
    assert challenge.owner == referral.decision.decided_by
    assert challenge.stage_due_at == add_working_days(
        challenge.stage_started_at, first.timescale_working_days
    )
    assert challenge.history.count() == 1
    event = AuditEvent.objects.get(kind=EventKind.CHALLENGE_RAISED)
    assert (event.referral_id, event.object_id) == (referral.pk, challenge.pk)
    notice = NoticeEvent.objects.get(key=f"challenge_raised:{challenge.pk}")
    assert notice.kind == NoticeKind.CHALLENGE_RAISED
    [to_owner] = Notification.objects.filter(event=notice, channel="inbox")
    assert to_owner.recipient == referral.decision.decided_by
    assert "no food" not in to_owner.body and referral.child_first_name not in to_owner.body


def test_the_agency_lead_may_challenge_a_decision_on_their_agencys_referral():
    referral = decided()
    lead = UserFactory(role=Role.AGENCY_LEAD, agency=referral.agency)

    challenge = challenges.raise_challenge(referral_id=referral.pk, by=lead, reason=REASON)

    assert challenge.raised_by == lead


def test_another_agencys_referrer_cannot_find_the_referral():
    referral = decided()
    stranger = UserFactory(role=Role.REFERRER, agency=AgencyFactory())

    with pytest.raises(Referral.DoesNotExist):
        challenges.raise_challenge(referral_id=referral.pk, by=stranger, reason=REASON)


def test_a_partner_not_involved_in_the_referral_cannot_challenge_it():
    referral = decided()
    partner = UserFactory(role=Role.PARTNER, agency=AgencyFactory())

    with pytest.raises(Referral.DoesNotExist):
        challenges.raise_challenge(referral_id=referral.pk, by=partner, reason=REASON)


@pytest.mark.parametrize("role", [Role.SCREENER, Role.MANAGER, Role.AUDITOR, Role.ADMIN])
def test_front_door_staff_do_not_raise_challenges(role):
    referral = decided()

    with pytest.raises(NotPermitted):
        challenges.raise_challenge(
            referral_id=referral.pk, by=UserFactory(role=role), reason=REASON
        )


def test_an_undecided_referral_cannot_be_challenged():
    referral = ReferralFactory(awaiting_decision=True)

    with pytest.raises(InvalidState, match="not been decided"):
        challenges.raise_challenge(referral_id=referral.pk, by=referral.referrer, reason=REASON)


def test_one_open_challenge_per_decision():
    referral = decided()
    challenges.raise_challenge(referral_id=referral.pk, by=referral.referrer, reason=REASON)

    with pytest.raises(InvalidState, match="already being challenged"):
        challenges.raise_challenge(referral_id=referral.pk, by=referral.referrer, reason=REASON)


def test_a_reason_of_a_word_or_two_is_refused():
    referral = decided()

    with pytest.raises(DomainError) as error:
        challenges.raise_challenge(referral_id=referral.pk, by=referral.referrer, reason="wrong")

    assert "reason" in error.value.errors
    assert not Challenge.objects.exists()


# --- Responding and escalating --------------------------------------------------------------


def test_a_manager_responds_at_the_current_stage():
    challenge = ChallengeFactory()
    by = manager()

    response = challenges.respond(
        challenge_id=challenge.pk, by=by, text="We will look again today."
    )

    assert (response.stage, response.by) == (challenge.stage, by)
    assert AuditEvent.objects.filter(kind=EventKind.CHALLENGE_RESPONDED).count() == 1


def test_referrers_cannot_respond_escalate_or_resolve():
    challenge = ChallengeFactory()
    referrer = challenge.raised_by

    with pytest.raises(NotPermitted):
        challenges.respond(challenge_id=challenge.pk, by=referrer, text="Any news on this one?")
    with pytest.raises(NotPermitted):
        challenges.escalate(challenge_id=challenge.pk, by=referrer, reason="No answer in time")
    with pytest.raises(NotPermitted):
        challenges.resolve(
            challenge_id=challenge.pk, by=referrer, resolution="upheld", reasons=REASONS
        )


def test_escalation_moves_to_the_next_stage_with_its_own_timescale():
    challenge = ChallengeFactory()
    by = manager()

    challenges.escalate(challenge_id=challenge.pk, by=by, reason="Practitioners do not agree")

    challenge.refresh_from_db()
    second = EscalationStage.objects.get(order=2)
    assert challenge.stage == second
    assert challenge.owner is None
    assert challenge.stage_due_at == add_working_days(challenge.stage_started_at, 3)
    assert challenge.responses.get().text == "Escalated: Practitioners do not agree"
    assert NoticeEvent.objects.filter(
        key=f"challenge_escalated:{challenge.pk}:{second.pk}"
    ).exists()


def test_an_inactive_stage_is_skipped_and_the_last_cannot_be_escalated():
    challenge = ChallengeFactory()
    EscalationStage.objects.filter(order=2).update(is_active=False)
    by = manager()

    challenges.escalate(challenge_id=challenge.pk, by=by, reason="Practitioners do not agree")
    challenge.refresh_from_db()
    assert challenge.stage.order == 3

    with pytest.raises(InvalidState, match="last stage"):
        challenges.escalate(challenge_id=challenge.pk, by=by, reason="Still not agreed at all")


# --- Resolving ------------------------------------------------------------------------------


def test_resolving_not_upheld_keeps_the_decision_and_tells_the_referrer():
    challenge = ChallengeFactory()
    by = manager()

    challenges.resolve(
        challenge_id=challenge.pk, by=by, resolution=Resolution.NOT_UPHELD, reasons=REASONS
    )

    challenge.refresh_from_db()
    assert (challenge.status, challenge.resolution) == ("resolved", "not_upheld")
    assert challenge.resolved_by == by and challenge.amendment is None
    assert not challenge.decision.amendments.exists()
    notice = Notification.objects.get(kind=NoticeKind.CHALLENGE_RESOLVED, channel="inbox")
    assert notice.recipient == challenge.raised_by


def test_decision_changed_is_an_amendment_of_the_original():
    challenge = ChallengeFactory(decision__outcome=Outcome.NO_FURTHER_ACTION)

    challenges.resolve(
        challenge_id=challenge.pk,
        by=manager(),
        resolution=Resolution.DECISION_CHANGED,
        reasons=REASONS,
        outcome=Outcome.ASSESSMENT_S17,
        threshold_level=3,
        rationale=RATIONALE,
        feedback="A social worker will now assess the child's needs with the family.",
    )

    challenge.refresh_from_db()
    decision = challenge.decision
    assert decision.outcome == Outcome.NO_FURTHER_ACTION  # the original never changes
    assert decision.current == challenge.amendment
    assert challenge.amendment.outcome == Outcome.ASSESSMENT_S17
    assert REASONS in challenge.amendment.reason
    assert AuditEvent.objects.filter(kind=EventKind.AMENDED).count() == 1


def test_decision_changed_without_the_new_decision_changes_nothing():
    challenge = ChallengeFactory()

    with pytest.raises(DomainError) as error:
        challenges.resolve(
            challenge_id=challenge.pk,
            by=manager(),
            resolution=Resolution.DECISION_CHANGED,
            reasons=REASONS,
        )

    assert {"outcome", "rationale", "feedback"} <= set(error.value.errors)
    challenge.refresh_from_db()
    assert challenge.status == ChallengeStatus.OPEN


def test_a_resolved_challenge_cannot_be_resolved_again_but_a_new_one_may_be_raised():
    challenge = ChallengeFactory()
    by = manager()
    challenges.resolve(
        challenge_id=challenge.pk, by=by, resolution=Resolution.UPHELD, reasons=REASONS
    )

    with pytest.raises(InvalidState):
        challenges.resolve(
            challenge_id=challenge.pk, by=by, resolution=Resolution.UPHELD, reasons=REASONS
        )
    with pytest.raises(InvalidState):
        challenges.respond(challenge_id=challenge.pk, by=by, text="A late response here")
    again = challenges.raise_challenge(
        referral_id=challenge.referral_id, by=challenge.raised_by, reason=REASON
    )
    assert again.pk != challenge.pk


# --- Scope ----------------------------------------------------------------------------------


def test_who_sees_which_challenges():
    own = ChallengeFactory()
    colleague = ChallengeFactory(
        decision__referral__referrer=UserFactory(role=Role.REFERRER, agency=own.referral.agency)
    )
    other = ChallengeFactory()
    lead = UserFactory(role=Role.AGENCY_LEAD, agency=own.referral.agency)

    assert set(challenges.challenges_visible_to(own.raised_by)) == {own}
    assert set(challenges.challenges_visible_to(lead)) == {own, colleague}
    assert set(challenges.challenges_visible_to(manager())) == {own, colleague, other}
    assert set(challenges.challenges_visible_to(UserFactory(role=Role.AUDITOR))) == {
        own,
        colleague,
        other,
    }
    for role in (Role.SCREENER, Role.PARTNER, Role.ADMIN):
        assert not challenges.challenges_visible_to(UserFactory(role=role)).exists()


# --- The stage clock's alert ----------------------------------------------------------------


def test_a_stage_past_its_timescale_alerts_exactly_once_even_when_scanned_twice():
    start = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday
    with time_machine.travel(start, tick=False):
        referral = decided()
        challenge = challenges.raise_challenge(
            referral_id=referral.pk, by=referral.referrer, reason=REASON
        )
    due = challenge.stage_due_at
    assert due == datetime(2026, 3, 4, 9, 0, tzinfo=UTC)  # two working days

    with time_machine.travel(due - timedelta(minutes=1), tick=False):
        assert scan_clocks()["challenge_stage_overdue"] == 0
    with time_machine.travel(due + timedelta(minutes=1), tick=False):
        assert scan_clocks()["challenge_stage_overdue"] == 1
        assert scan_clocks()["challenge_stage_overdue"] == 0

    [event] = NoticeEvent.objects.filter(kind=NoticeKind.CHALLENGE_STAGE_OVERDUE)
    assert event.key == f"challenge_stage_overdue:{challenge.pk}:{challenge.stage_id}"
    recipients = set(
        event.notifications.filter(channel="inbox").values_list("recipient", flat=True)
    )
    assert referral.decision.decided_by_id in recipients


def test_an_escalated_stage_gets_its_own_alert_and_a_resolved_one_none():
    start = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    with time_machine.travel(start, tick=False):
        referral = decided()
        challenge = challenges.raise_challenge(
            referral_id=referral.pk, by=referral.referrer, reason=REASON
        )
    with time_machine.travel(datetime(2026, 3, 5, 9, 0, tzinfo=UTC), tick=False):
        assert scan_clocks()["challenge_stage_overdue"] == 1
        challenges.escalate(challenge_id=challenge.pk, by=manager(), reason="Owner not answered")
        assert scan_clocks()["challenge_stage_overdue"] == 0
    with time_machine.travel(datetime(2026, 3, 11, 9, 0, tzinfo=UTC), tick=False):
        assert scan_clocks()["challenge_stage_overdue"] == 1
        challenges.resolve(
            challenge_id=challenge.pk, by=manager(), resolution="upheld", reasons=REASONS
        )
    with time_machine.travel(datetime(2026, 4, 30, 9, 0, tzinfo=UTC), tick=False):
        assert scan_clocks()["challenge_stage_overdue"] == 0
    assert NoticeEvent.objects.filter(kind=NoticeKind.CHALLENGE_STAGE_OVERDUE).count() == 2


def test_nothing_changes_the_clock_of_a_challenge_raised_now():
    challenge = ChallengeFactory()
    assert challenge.stage_due_at > timezone.now()


def test_challenges_appear_on_the_childs_chronology():
    from tests.factories import ChildFactory
    from triage.chronology import chronology

    child = ChildFactory()
    challenge = ChallengeFactory(decision__referral__child=child)
    challenges.respond(challenge_id=challenge.pk, by=manager(), text="We are looking again")
    challenges.resolve(
        challenge_id=challenge.pk, by=manager(), resolution="not_upheld", reasons=REASONS
    )

    kinds = [event.kind for event in chronology(child)]

    assert kinds[:3] == ["challenge_resolved", "challenge_response", "challenge"]


def test_the_referrer_adds_to_their_challenge_and_the_stage_owner_is_told():
    challenge = ChallengeFactory()

    response = challenges.reply(
        challenge_id=challenge.pk, by=challenge.raised_by, text="She was hungry again today."
    )

    assert (response.by, response.stage) == (challenge.raised_by, challenge.stage)
    notice = Notification.objects.get(kind=NoticeKind.CHALLENGE_REPLY, channel="inbox")
    assert notice.recipient == challenge.owner
    assert "hungry" not in notice.body


def test_only_the_challengers_side_adds_to_an_open_challenge():
    challenge = ChallengeFactory()
    stranger = UserFactory(role=Role.REFERRER, agency=AgencyFactory())

    with pytest.raises(Challenge.DoesNotExist):
        challenges.reply(challenge_id=challenge.pk, by=stranger, text="Not my challenge at all")
    with pytest.raises(NotPermitted):
        challenges.reply(challenge_id=challenge.pk, by=manager(), text="Managers respond instead")
    challenges.resolve(
        challenge_id=challenge.pk, by=manager(), resolution="not_upheld", reasons=REASONS
    )
    with pytest.raises(InvalidState):
        challenges.reply(challenge_id=challenge.pk, by=challenge.raised_by, text="One more thing")
