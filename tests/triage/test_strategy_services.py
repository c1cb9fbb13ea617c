"""Strategy discussion services: managers convene and record; the warnings follow the
attendees; every change is audited and kept in the history."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from agencies.census import AgencyType
from agencies.models import Role
from audit.models import AuditEvent, EventKind
from core.exceptions import DomainError, InvalidState, NotPermitted
from tests.factories import (
    AgencyFactory,
    ReferralFactory,
    StrategyDiscussionFactory,
    UserFactory,
)
from triage.models import Attendee, Section47Outcome, StrategyDiscussion
from triage.services import strategy

pytestmark = pytest.mark.django_db

# Tuesday 24 November 2026, 10:00 in London (GMT).
NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)


@pytest.fixture
def agencies():
    return {
        "police": AgencyFactory(type=AgencyType.POLICE, name="Test Police"),
        "csc": AgencyFactory(type=AgencyType.CHILDRENS_SOCIAL_CARE, name="Test CSC"),
        "hv": AgencyFactory(type=AgencyType.HEALTH_VISITING, name="Test Health Visiting"),
        "hospital": AgencyFactory(type=AgencyType.HOSPITAL, name="Test Hospital"),
        "school": AgencyFactory(type=AgencyType.SCHOOL, name="Hillside Primary"),
    }


@pytest.fixture
def manager():
    return UserFactory(role=Role.MANAGER)


def people(agencies, *keys, attended=True):
    roles = {
        "police": "police_officer",
        "csc": "social_worker",
        "hv": "health_visitor",
        "hospital": "community_paediatrician",
        "school": "designated_safeguarding_lead",
    }
    return [
        {"agency": agencies[k].pk, "role": roles[k], "name": f"{k} person", "attended": attended}
        for k in keys
    ]


@time_machine.travel(NOW, tick=False)
def test_manager_convenes_and_minutes_are_due_a_working_day_later(agencies, manager):
    referral = ReferralFactory(child_date_of_birth=datetime(2025, 6, 1).date())
    discussion = strategy.convene_discussion(
        referral_id=referral.pk,
        by=manager,
        kind="strategy_discussion",
        held_at=NOW,
        format="video",
        attendees=people(agencies, "police", "csc", "hv"),
    )
    assert discussion.minutes_due_at == NOW + timedelta(days=1)
    assert discussion.attendees.count() == 3
    assert strategy.discussion_warnings(discussion) == []
    event = AuditEvent.objects.get(kind=EventKind.DISCUSSION_HELD)
    assert event.referral_id == referral.pk and event.object_id == discussion.pk
    assert discussion.history.first().history_user == manager


@time_machine.travel(NOW, tick=False)
def test_going_on_without_health_needs_a_reason(agencies, manager):
    referral = ReferralFactory(child_date_of_birth=datetime(2025, 6, 1).date())
    with pytest.raises(DomainError) as error:
        strategy.convene_discussion(
            referral_id=referral.pk,
            by=manager,
            kind="strategy_discussion",
            held_at=NOW,
            attendees=people(agencies, "police", "csc"),
        )
    assert "missing_members_reason" in error.value.errors
    discussion = strategy.convene_discussion(
        referral_id=referral.pk,
        by=manager,
        kind="strategy_discussion",
        held_at=NOW,
        attendees=people(agencies, "police", "csc"),
        missing_members_reason="Health visitor on leave; records checked by phone.",
    )
    assert strategy.discussion_warnings(discussion) == ["no_health"]


@time_machine.travel(NOW, tick=False)
def test_warnings_follow_the_attendees(agencies, manager):
    referral = ReferralFactory(child_date_of_birth=datetime(2017, 1, 1).date(), child_school="")
    discussion = strategy.convene_discussion(
        referral_id=referral.pk,
        by=manager,
        kind="strategy_discussion",
        held_at=NOW,
        attendees=people(agencies, "police", "csc", "hospital"),
    )
    assert strategy.discussion_warnings(discussion) == [
        "paediatrician_only_health",
        "school_absent",
    ]
    strategy.change_attendees(
        discussion_id=discussion.pk,
        by=manager,
        attendees=people(agencies, "police", "csc", "hospital", "hv", "school"),
    )
    assert strategy.discussion_warnings(discussion) == []
    assert Attendee.objects.filter(discussion=discussion).count() == 5
    assert AuditEvent.objects.filter(kind=EventKind.DISCUSSION_ATTENDEES_CHANGED).count() == 1


@time_machine.travel(NOW, tick=False)
def test_the_childs_named_school_is_the_one_expected(agencies, manager):
    AgencyFactory(type=AgencyType.SCHOOL, name="Another Academy")
    referral = ReferralFactory(
        child_date_of_birth=datetime(2017, 1, 1).date(), child_school="hillside primary"
    )
    facts = strategy.child_facts(referral, NOW.date())
    assert facts.school_agency_id == agencies["school"].pk
    assert facts.age_years == 9


@pytest.mark.parametrize("role", [Role.SCREENER, Role.AUDITOR, Role.REFERRER, Role.PARTNER])
def test_only_managers_convene(agencies, role):
    referral = ReferralFactory()
    with pytest.raises(NotPermitted):
        strategy.convene_discussion(
            referral_id=referral.pk,
            by=UserFactory(role=role),
            kind="strategy_discussion",
            held_at=NOW,
            attendees=people(agencies, "police", "csc", "hv"),
        )
    assert not StrategyDiscussion.objects.exists()


def test_bad_input_names_the_fields(agencies, manager):
    with pytest.raises(DomainError) as error:
        strategy.convene_discussion(
            referral_id=ReferralFactory().pk,
            by=manager,
            kind="chat",
            held_at=None,
            format="letter",
            attendees=[{"agency": 987654, "role": "wizard", "name": "", "attended": True}],
        )
    assert set(error.value.errors) == {"kind", "held_at", "format", "attendees"}


@time_machine.travel(NOW, tick=False)
def test_decision_needs_its_rationale(manager):
    discussion = StrategyDiscussionFactory(held_at=NOW - timedelta(hours=1))
    with pytest.raises(DomainError) as error:
        strategy.add_decision(
            discussion_id=discussion.pk, by=manager, decision="Joint visit", rationale=" "
        )
    assert list(error.value.errors) == ["rationale"]
    strategy.add_decision(
        discussion_id=discussion.pk,
        by=manager,
        decision="Joint visit today",
        rationale="Unexplained bruising on a non-mobile baby.",
    )
    assert discussion.decisions.count() == 1


@time_machine.travel(NOW, tick=False)
def test_actions_are_added_and_done_once(agencies, manager):
    discussion = StrategyDiscussionFactory(held_at=NOW - timedelta(hours=1))
    action = strategy.add_action(
        discussion_id=discussion.pk,
        by=manager,
        description="Share the health records",
        owner="Duty health visitor",
        agency_id=agencies["hv"].pk,
        due_at=NOW + timedelta(days=1),
        owner_user_id=manager.pk,
    )
    strategy.complete_action(action_id=action.pk, by=manager)
    action.refresh_from_db()
    assert action.done_at == NOW
    with pytest.raises(InvalidState):
        strategy.complete_action(action_id=action.pk, by=manager)


@time_machine.travel(NOW, tick=False)
def test_no_section_47_enquiry_needs_a_reason(manager):
    discussion = StrategyDiscussionFactory(
        referral=ReferralFactory(received_at=NOW - timedelta(hours=2)),
        held_at=NOW - timedelta(hours=1),
    )
    with pytest.raises(DomainError) as error:
        strategy.record_outcome(
            discussion_id=discussion.pk, by=manager, section47_outcome="no_enquiry"
        )
    assert "no_enquiry_reason" in error.value.errors
    strategy.record_outcome(
        discussion_id=discussion.pk,
        by=manager,
        section47_outcome=Section47Outcome.JOINT_POLICE,
        see_child_by=NOW + timedelta(hours=6),
        child_views="Said she felt safe at her nan's.",
        advocate_offered="yes",
    )
    with pytest.raises(DomainError):
        strategy.record_child_seen(
            discussion_id=discussion.pk,
            by=manager,
            child_seen_at=None,
            child_seen_by="",
            joint_visit=True,
        )
    strategy.record_child_seen(
        discussion_id=discussion.pk,
        by=manager,
        child_seen_at=NOW - timedelta(minutes=5),
        child_seen_by="Duty social worker and police officer",
        joint_visit=True,
    )
    discussion.refresh_from_db()
    assert discussion.joint_visit is True
    assert discussion.see_child_by == NOW + timedelta(hours=6)


@time_machine.travel(NOW, tick=False)
def test_minutes_circulated_cannot_be_before_the_discussion(manager):
    discussion = StrategyDiscussionFactory(held_at=NOW - timedelta(hours=1))
    with pytest.raises(DomainError):
        strategy.record_minutes_circulated(
            discussion_id=discussion.pk, by=manager, to_professionals_at=NOW - timedelta(days=1)
        )
    strategy.record_minutes_circulated(
        discussion_id=discussion.pk, by=manager, to_professionals_at=NOW, to_family_at=NOW
    )
    discussion.refresh_from_db()
    assert discussion.minutes_circulated_at == NOW == discussion.minutes_to_family_at


@time_machine.travel(NOW, tick=False)
def test_an_action_is_given_only_to_a_user_who_can_open_the_discussion(agencies, manager):
    discussion = StrategyDiscussionFactory(held_at=NOW - timedelta(hours=1))
    partner = UserFactory(role=Role.PARTNER)
    with pytest.raises(DomainError) as error:
        strategy.add_action(
            discussion_id=discussion.pk,
            by=manager,
            description="Share the health records",
            owner="Partner",
            agency_id=agencies["hv"].pk,
            due_at=NOW + timedelta(days=1),
            owner_user_id=partner.pk,
        )
    assert list(error.value.errors) == ["owner_user"]


@pytest.mark.parametrize("attended", ["yes", "no", None, 1])
def test_an_attendee_attended_true_or_false_and_nothing_else(agencies, attended):
    row = {**people(agencies, "police")[0], "attended": attended}
    with pytest.raises(DomainError) as error:
        strategy.clean_attendees([row])
    assert error.value.errors == {
        "attendees": ["Attendee 1: select whether they attended or were invited and did not attend"]
    }
